/**
 * Values by netlink sequence number, for the engine's requests waiting for replies. Usually
 * one at a time (a loop of awaited requests): that one sits in a slot of its own, and only
 * concurrent ones go to a Map. Why not just the Map: V8 reallocates a Map's table whenever it
 * becomes empty, which a one-at-a-time loop does after every request (152 bytes each, the
 * largest single allocation of a change request).
 */
export class SeqTable<T> {
  private soloSeq = -1;
  private solo: T | undefined;
  private readonly more = new Map<number, T>();

  get size(): number {
    return (this.solo === undefined ? 0 : 1) + this.more.size;
  }

  get(seq: number): T | undefined {
    if (seq === this.soloSeq) return this.solo;
    return this.more.size === 0 ? undefined : this.more.get(seq);
  }

  has(seq: number): boolean {
    return seq === this.soloSeq || (this.more.size > 0 && this.more.has(seq));
  }

  set(seq: number, value: T): void {
    if (seq === this.soloSeq) this.solo = value;
    else if (this.solo === undefined && !this.more.has(seq)) {
      this.soloSeq = seq;
      this.solo = value;
    } else this.more.set(seq, value);
  }

  delete(seq: number): boolean {
    if (seq === this.soloSeq) {
      this.soloSeq = -1;
      this.solo = undefined;
      return true;
    }
    return this.more.size > 0 && this.more.delete(seq);
  }

  /** Every value (the one in the slot first; order carries no meaning). */
  values(): T[] {
    const all = [...this.more.values()];
    if (this.solo !== undefined) all.unshift(this.solo);
    return all;
  }

  clear(): void {
    this.soloSeq = -1;
    this.solo = undefined;
    this.more.clear();
  }
}
