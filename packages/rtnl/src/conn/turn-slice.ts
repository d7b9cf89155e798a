/**
 * How much synchronous work has run since the event loop last turned.
 *
 * rtnetlink answers inside `sendmsg`, and the kernel has the next part of a dump ready
 * whenever it is read, so a chain of promise callbacks (a loop of awaited requests, a
 * `for await` over a streaming dump) could run for as long as there is work without the event
 * loop ever turning: timers and other sockets would starve. The engine asks `used()` before
 * continuing such a chain and, once it says so, continues from `setImmediate` instead.
 * (Subscriptions need no such clock: each of their read bursts ends in `setImmediate` or a
 * readiness wait.)
 */
export class TurnSlice {
  private start = 0;
  private open = false;

  /** @param ms the synchronous time allowed per turn of the event loop */
  constructor(private readonly ms: number) {}

  /**
   * Whether work since the event loop last turned has used the slice. The first call of a turn
   * starts the clock (and arranges for the next turn to reset it) and says no.
   */
  used(): boolean {
    const now = performance.now();
    if (!this.open) {
      this.open = true;
      this.start = now;
      setImmediate(() => {
        this.open = false;
      });
      return false;
    }
    return now - this.start > this.ms;
  }
}
