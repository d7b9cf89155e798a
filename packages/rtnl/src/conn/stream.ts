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

/** How a stream turns reply messages into items (the dump's own `map`/`mapRaw`/`mapAt`). */
export interface StreamMappers<T> {
  map: (m: Message) => T | undefined;
  mapRaw?: ((m: Uint8Array) => T | undefined) | undefined;
  mapAt?: ((datagram: Uint8Array, offset: number, length: number) => T | undefined) | undefined;
  keepDatagram?: boolean | undefined;
}

export class DumpStream<T> implements AsyncIterableIterator<T> {
  private readonly engine: Engine;
  private buffer: T[] = [];
  private head = 0;
  private finished = false;
  private failure: unknown;
  private failed = false;
  private notify: (() => void) | undefined;

  constructor(transport: Transport, message: Message, mappers: StreamMappers<T>) {
    this.engine = new Engine(transport);
    // One attempt: items already handed to the consumer cannot be taken back, so an
    // interrupted dump surfaces as DumpInterruptedError at the end instead of a silent retry.
    this.engine
      .request<T>(message, {
        dump: true,
        maxAttempts: 1,
        map: mappers.map,
        ...(mappers.mapRaw ? { mapRaw: mappers.mapRaw } : {}),
        ...(mappers.mapAt ? { mapAt: mappers.mapAt } : {}),
        keepDatagram: mappers.keepDatagram === true,
        onResult: (item) => {
          // The engine finishes the datagram in hand, then reads no more until next() finds
          // the buffer empty: about one datagram of items in memory.
          if (this.buffer.push(item) === 1) {
            this.engine.pause();
            this.wake();
          }
        },
      })
      .then(
        () => {
          this.finished = true;
          this.wake();
        },
        (e: unknown) => {
          // After return(): the engine was closed on purpose, and the iterator is done.
          if (this.finished) return;
          this.failed = true;
          this.failure = e;
          this.wake();
        },
      );
  }

  /** Items received and not handed out yet (`next()` resolves at once while this is above 0). */
  get buffered(): number {
    return this.buffer.length - this.head;
  }

  private wake(): void {
    const n = this.notify;
    this.notify = undefined;
    n?.();
  }

  next(): Promise<IteratorResult<T>> {
    // The hot path of a large dump: one already-resolved promise per item, nothing else.
    if (this.head < this.buffer.length) return Promise.resolve({ value: this.take(), done: false });
    return this.nextSlow();
  }

  private take(): T {
    const value = this.buffer[this.head]!;
    if (++this.head === this.buffer.length) {
      // A fresh array rather than truncating: the old one's slots go with it, no clearing pass.
      this.buffer = [];
      this.head = 0;
    }
    return value;
  }

  private async nextSlow(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.head < this.buffer.length) return { value: this.take(), done: false };
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
    this.buffer = [];
    this.head = 0;
    this.engine.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
