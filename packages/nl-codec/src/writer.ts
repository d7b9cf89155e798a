/**
 * `MessageWriter`: build one netlink message straight into bytes, header, fixed struct and
 * attributes in the order they are written, with the kernel's alignment rules.
 *
 * Why it exists next to `encode()`: `encode()` takes the decoded object form and walks the
 * spec tables to find each attribute's type and width, which is what a generic tool needs.
 * A library operation that always sends the same few attributes (set an MTU, add an address)
 * already knows them, and running the table walk per request costs more than the kernel's
 * own work for such a request until the JIT has warmed up (thousands of requests). The writer
 * is a handful of straight-line stores: callers take attribute numbers from `schema`, so the
 * numbers still come from the kernel's specs. Both produce the same bytes for the same message
 * (tested).
 */
const NLA_F_NESTED = 0x8000;
const utf8 = new TextEncoder();

/**
 * @example
 * import { MessageWriter, schema } from '@nlkit/nl-codec';
 * const w = new MessageWriter(16, 0x1 | 0x4);     // RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK
 * w.u8(0).u8(0).u16(0).i32(ifindex).u32(0).u32(0); // struct ifinfomsg
 * w.attrU32(schema.attributeInfo('rt-link/link-attrs', 'mtu')!.value, 9000);
 * const bytes = w.finish();                        // nlmsg_len filled in
 */
export class MessageWriter {
  // Declared, set in the constructor: fields written as class fields are defined by an
  // initializer function of their own, one more call per writer (one per request).
  private declare buf: Uint8Array;
  private declare view: DataView;
  /** Where the next byte goes. */
  private declare pos: number;
  /** Whether `buf` is the shared scratch buffer (returned to the pool by `finish`). */
  private declare shared: boolean;

  /** Start a message of `type` with `flags`; `seq` and `pid` start as 0 (the sender fills them in). */
  constructor(type: number, flags = 0, capacity = 128) {
    this.pos = 16;
    // Writers are short-lived (begin, a few attributes, finish) and almost never overlap, so
    // they share one scratch buffer: a fresh ArrayBuffer per request costs more than the
    // writing. A writer started while another is open gets its own buffer.
    if (!scratchInUse && capacity <= scratch.length) {
      scratchInUse = true;
      this.shared = true;
      this.buf = scratch;
      this.view = scratchView;
      this.buf.fill(0, 0, 16);
    } else {
      this.shared = false;
      this.buf = new Uint8Array(Math.max(64, capacity));
      this.view = new DataView(this.buf.buffer);
    }
    this.view.setUint16(4, type, true);
    this.view.setUint16(6, flags, true);
  }

  /** Bytes written so far, header included. */
  get length(): number {
    return this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(64, this.buf.length * 2);
    while (size < this.pos + n) size *= 2;
    if (size > MAX_MESSAGE) throw new RangeError(`message would exceed ${MAX_MESSAGE} bytes`);
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    if (this.shared) {
      // Keep the bigger buffer as the scratch for later writers.
      scratch = next;
      scratchView = new DataView(next.buffer);
      this.view = scratchView;
    } else this.view = new DataView(next.buffer);
    this.buf = next;
  }

  /** Raw members of the fixed header (struct ifinfomsg, ifaddrmsg, ...), native byte order. */
  // Each write checks capacity inline and calls `room` only to grow: before the JIT has
  // compiled a request's builder, a call costs more than the store it guards.
  u8(v: number): this {
    if (this.pos + 1 > this.buf.length) this.room(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    if (this.pos + 2 > this.buf.length) this.room(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    if (this.pos + 4 > this.buf.length) this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    if (this.pos + 4 > this.buf.length) this.room(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  /** Raw bytes (a struct already laid out), unpadded. */
  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Start an attribute: header now, length when it ends. Returns its offset for `end`. */
  private open(type: number, payload: number): number {
    // One comparison for "an integer in 0-65535" (anything else, NaN and strings included, differs).
    if (type !== (type & 0xffff)) {
      this.release();
      throw new RangeError(`attribute type ${type} is not a u16`);
    }
    if ((this.pos & 3) !== 0) this.align();
    if (this.pos + 4 + payload + 3 > this.buf.length) this.room(4 + payload + 3);
    const at = this.pos;
    this.view.setUint16(at + 2, type, true);
    this.pos += 4;
    return at;
  }

  private close(at: number): void {
    const len = this.pos - at;
    if (len > 0xffff) {
      this.release();
      throw new RangeError(`attribute at byte ${at} is ${len} bytes, over the 65535 an attribute can hold`);
    }
    this.view.setUint16(at, len, true);
  }

  /** Finish an attribute of a fixed size `len` that `open` started at `at` (no check needed). */
  private closeFixed(at: number, len: number): this {
    this.view.setUint16(at, len, true);
    this.pos = at + len;
    return this;
  }

  /** Pad with zeros to the next 4-byte boundary (attributes start aligned). */
  private align(): void {
    const pad = (4 - (this.pos & 3)) & 3;
    if (pad === 0) return;
    if (this.pos + pad > this.buf.length) this.room(pad);
    this.buf.fill(0, this.pos, this.pos + pad);
    this.pos += pad;
  }

  attrU8(type: number, v: number): this {
    const at = this.open(type, 1);
    this.buf[at + 4] = v;
    return this.closeFixed(at, 5);
  }

  attrU16(type: number, v: number): this {
    const at = this.open(type, 2);
    this.view.setUint16(at + 4, v, true);
    return this.closeFixed(at, 6);
  }

  attrU32(type: number, v: number): this {
    const at = this.open(type, 4);
    this.view.setUint32(at + 4, v, true);
    return this.closeFixed(at, 8);
  }

  attrI32(type: number, v: number): this {
    const at = this.open(type, 4);
    this.view.setInt32(at + 4, v, true);
    return this.closeFixed(at, 8);
  }

  /** An attribute whose payload is `bytes` (addresses, MACs, binary structs). */
  attrBytes(type: number, bytes: Uint8Array): this {
    const at = this.open(type, bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    this.close(at);
    return this;
  }

  /** A NUL-terminated string attribute (`string` in the specs). */
  attrString(type: number, s: string): this {
    const at = this.open(type, s.length * 3 + 1);
    const buf = this.buf;
    const p = this.pos;
    const n = s.length;
    // Names (interfaces, kinds, labels) are short ASCII: stored as they are read, without the
    // view and the result object encodeInto needs (most of a request's cost before the JIT
    // has compiled its writer). Anything else, or past 64 characters, is encoded from the start.
    let i = 0;
    if (n <= 64) {
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p + i] = c;
      }
    }
    this.pos = i === n ? p + n : p + utf8.encodeInto(s, buf.subarray(p)).written;
    buf[this.pos++] = 0;
    this.close(at);
    return this;
  }

  /** A flag attribute (no payload). */
  attrFlag(type: number): this {
    this.close(this.open(type, 0));
    return this;
  }

  /**
   * Open a nest; close it with `endNest`. `NLA_F_NESTED` is set only when asked: iproute2 and
   * `encode()` leave it clear for rtnetlink's older nests, and requests stay byte-identical.
   */
  beginNest(type: number, nestedFlag = false): number {
    return this.open(nestedFlag ? type | NLA_F_NESTED : type, 0);
  }

  endNest(at: number): this {
    this.align();
    this.close(at);
    return this;
  }

  /**
   * Finish: pad to 4 bytes, write `nlmsg_len`, return the message as a new array of exactly
   * its size. The writer must not be used afterwards.
   */
  finish(): Uint8Array {
    if ((this.pos & 3) !== 0) this.align();
    this.view.setUint32(0, this.pos, true);
    const out = this.buf.slice(0, this.pos);
    this.release();
    return out;
  }

  /** Give up without a message (after an error), so the shared buffer serves the next writer. */
  release(): void {
    if (this.shared) {
      this.shared = false;
      scratchInUse = false;
      // A writer used after this must not touch the buffer the next writer owns: it gets an
      // empty one, which its next write outgrows into a private buffer. Shared constants, as
      // this runs for every message: a fresh array and a view of it are two allocations, and
      // viewing a small array's buffer makes V8 move it out of its heap.
      this.buf = EMPTY;
      this.view = EMPTY_VIEW;
      this.pos = 0;
    }
  }
}

/** Netlink lengths are 32-bit, but no rtnetlink request comes near this. */
const MAX_MESSAGE = 1 << 26;
const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);
let scratch = new Uint8Array(4096);
let scratchView = new DataView(scratch.buffer);
let scratchInUse = false;
