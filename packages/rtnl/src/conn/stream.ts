/**
 * Streaming dumps: objects are yielded as datagrams arrive, and reading stops while the
 * consumer is behind, so at most about one datagram of objects is held in memory.
 *
 * Each stream runs on its own socket: the kernel runs one dump per socket, and a paused stream
 * must not block the handle's other requests. `break` (the iterator's `return()`) closes that
 * socket, which makes the kernel drop the rest of the dump; the handle is untouched.
 */
import type { Message } from '@nlkit/nl-codec';
import { Engine } from './engine.js';
import type { Transport } from './transport.js';

export class DumpStream<T> implements AsyncIterableIterator<T> {
  private readonly engine: Engine;
  private readonly buffer: T[] = [];
  private head = 0;
  private finished = false;
  private failure: unknown;
  private failed = false;
  private notify: (() => void) | undefined;

  constructor(
    transport: Transport,
    message: Message,
    map: (m: Message) => T | undefined,
    mapRaw?: (m: Uint8Array) => T | undefined,
  ) {
    this.engine = new Engine(transport);
    // One attempt: items already handed to the consumer cannot be taken back, so an
    // interrupted dump surfaces as DumpInterruptedError at the end instead of a silent retry.
    this.engine
      .request<T>(message, {
        dump: true,
        maxAttempts: 1,
        map,
        ...(mapRaw ? { mapRaw } : {}),
        onResult: (item) => {
          this.buffer.push(item);
          this.engine.pause();
          this.wake();
        },
      })
      .then(
        () => {
          this.finished = true;
          this.wake();
        },
        (e: unknown) => {
          this.failed = true;
          this.failure = e;
          this.wake();
        },
      );
  }

  private wake(): void {
    const n = this.notify;
    this.notify = undefined;
    n?.();
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.head < this.buffer.length) {
        const value = this.buffer[this.head++]!;
        if (this.head === this.buffer.length) {
          this.buffer.length = 0;
          this.head = 0;
        }
        return { value, done: false };
      }
      if (this.failed) {
        this.engine.close();
        this.failed = false;
        this.finished = true;
        throw this.failure;
      }
      if (this.finished) {
        this.engine.close();
        return { value: undefined, done: true };
      }
      const arrived = new Promise<void>((r) => (this.notify = r));
      this.engine.resume();
      await arrived;
    }
  }

  async return(): Promise<IteratorResult<T>> {
    this.finished = true;
    this.buffer.length = 0;
    this.engine.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
