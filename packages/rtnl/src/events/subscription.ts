/**
 * The subscription machine: one multicast socket, a bounded queue, and the async-iterator
 * protocol on top. It knows nothing about links or routes: `map` turns each decoded message
 * into an event (see `../events.ts`), so this file can be tested with a fake transport.
 *
 * Flow control: datagrams are read eagerly (so a consumer that is briefly busy loses nothing),
 * but only while the queue holds fewer than `queueSize` events. When it is full we stop reading
 * and leave the rest in the kernel's socket buffer; if that overflows too, the kernel reports
 * `ENOBUFS` on the next read and the consumer gets an `overrun` event. So loss is always
 * signalled, memory stays bounded, and the kernel buffer (`recvBufferSize`) is the one knob that
 * decides how much slack a slow consumer has.
 *
 * Event loop: the socket's readiness watcher (koffi.node.poll via the shim: no thread parked)
 * holds the process only while a `next()` is pending, as API.md requires of iterators.
 */
import { decode, encode, type Message } from '@nlkit/nl-codec';
import type { ReceivedDatagram, Transport } from '../conn/transport.js';
import { NetlinkError } from '../errors.js';

/**
 * Messages were lost: the consumer's picture of the kernel's tables is stale and should be
 * rebuilt by listing again (`linkList()`, ...). The subscription keeps working after it.
 *
 * - `'enobufs'`: the socket's receive buffer overflowed (the kernel dropped notifications).
 * - `'truncated'`: a notification larger than the read buffer arrived; its tail was cut off.
 * - `'undecodable'`: a notification could not be decoded (or lifted); `error` says why.
 * - `'interrupted'`: the listing of existing objects (`listExisting`) stayed inconsistent: the
 *   kernel flagged it interrupted by concurrent changes on every attempt.
 */
export interface OverrunEvent {
  type: 'overrun';
  reason: 'enobufs' | 'truncated' | 'undecodable' | 'interrupted';
  /** What went wrong, for `'undecodable'` (and the shim's error for `'enobufs'`). */
  error?: Error;
}

/**
 * With `listExisting`: every object that existed when the subscription started has now been
 * delivered (as `new*` events); what follows are changes.
 */
export interface ListedEvent {
  type: 'listed';
}

/** What a subscription received and dropped. */
export interface SubscriptionStats {
  /** Datagrams read from the socket. */
  datagrams: number;
  /** Events handed to the consumer or queued for it (overruns included). */
  events: number;
  /** Datagrams whose sender was not the kernel (port id other than 0): dropped unread. */
  foreignDropped: number;
  /** Overruns reported by the kernel (`ENOBUFS`). */
  overruns: number;
  /** Datagrams cut short because they did not fit the read buffer. */
  truncated: number;
  /** Datagrams or messages that could not be decoded or lifted into an event. */
  decodeErrors: number;
}

/** @internal what `Subscription` needs; built by `Handle.prototype.subscribe`. */
export interface SubscriptionInit<E> {
  transport: Transport;
  /** Turn one decoded notification into an event; `undefined` skips it (control messages). */
  map: (message: Message) => E | undefined;
  /** Queue bound in events (see the file comment). */
  queueSize: number;
  signal?: AbortSignal | undefined;
  /**
   * Dump requests run one after another on the subscription's own socket before anything
   * else (`listExisting`); their replies go through `map` like notifications, then a
   * `listed` event follows.
   */
  dumps?: readonly Message[] | undefined;
  /** Called once when the subscription ends, however it ends. */
  onClose?: (() => void) | undefined;
}

interface Waiter<T> {
  resolve: (r: IteratorResult<T, undefined>) => void;
  reject: (e: unknown) => void;
}

/** How long one synchronous read burst may run before it yields to the event loop. */
const SLICE_MS = 2;

/** Poll failures in a row, with nothing readable, before the subscription gives up. */
const MAX_POLL_FAILURES = 3;

/** Runs of one listing dump the kernel flagged interrupted before an `interrupted` overrun. */
const MAX_DUMP_ATTEMPTS = 3;

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Subscriptions not yet closed. Their readiness wait stays armed while idle (so notifications
 * are read as they come); if the socket becomes readable after the loop's last turn, libuv
 * still dispatches that event while Node tears the environment down, and koffi's poll callback
 * then aborts the process ("napi_throw" FATAL ERROR). Closing them on 'exit', which runs
 * before that teardown, lets a program that simply ends exit cleanly.
 */
const live = new Set<Subscription<unknown>>();
let exitHookInstalled = false;
function closeLiveAtExit(): void {
  for (const s of [...live]) s.close();
}

/**
 * An rtnetlink subscription: an async iterable of events on its own socket. Returned by
 * `handle.subscribe()`; see there for the options and an example.
 *
 * `for await` over it, or call `next()` yourself. Leaving the loop (`break`, `return`, a throw),
 * `close()`, aborting the `signal`, or closing the handle ends it and closes its socket.
 * Iterating the same subscription twice continues where the first loop stopped: it is its own
 * iterator, like a Node stream.
 */
export class Subscription<E> implements AsyncIterableIterator<E | OverrunEvent | ListedEvent, undefined>, Disposable, AsyncDisposable {
  /** Counters: what was received and what was dropped. */
  readonly stats: SubscriptionStats = { datagrams: 0, events: 0, foreignDropped: 0, overruns: 0, truncated: 0, decodeErrors: 0 };
  /** The most events held in user space before reads stop (the kernel's buffer takes over). */
  readonly queueSize: number;

  readonly #transport: Transport;
  readonly #map: (message: Message) => E | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: (() => void) | undefined;
  #onClose: (() => void) | undefined;
  // A FIFO with a moving head: shift() on a long array is O(n).
  #queue: (E | OverrunEvent | ListedEvent)[] = [];
  #head = 0;
  readonly #waiters: Waiter<E | OverrunEvent | ListedEvent>[] = [];
  /** A readiness wait is outstanding on the socket. */
  #armed = false;
  /** Reads stopped because the queue is full. */
  #paused = false;
  #scheduled = false;
  #closed = false;
  /** Poll failures in a row with nothing read in between (see `#arm`). */
  #pollFailures = 0;
  /** Listing dumps still to run; the first is running when `#dumpSeq` is not 0. */
  #dumps: Message[];
  #dumpSeq = 0;
  #nextSeq = 1;
  #dumpAttempts = 0;
  #dumpInterrupted = false;
  /** A fatal error (abort reason, broken socket) not yet delivered to a `next()`. */
  #error: { value: unknown } | undefined;

  /** @internal use `handle.subscribe()`. */
  constructor(init: SubscriptionInit<E>) {
    this.#transport = init.transport;
    this.#map = init.map;
    this.queueSize = init.queueSize;
    this.#onClose = init.onClose;
    this.#signal = init.signal;
    this.#dumps = [...(init.dumps ?? [])];
    if (this.#signal !== undefined) {
      this.#onAbort = () => this.#fail(abortReason(this.#signal!));
      this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    live.add(this as Subscription<unknown>);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', closeLiveAtExit);
    }
    try {
      if (this.#dumps.length > 0) this.#sendDump();
    } catch (e) {
      this.#shutdown();
      throw e;
    }
    // Start reading at once: notifications that arrive before the first next() are kept
    // (up to the bound) instead of filling the kernel's smaller buffer.
    this.#arm();
  }

  /** Whether the subscription has ended (its socket is closed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Number of events waiting to be taken with `next()`. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next event; waits (holding the process alive) until one arrives or the subscription ends. */
  next(): Promise<IteratorResult<E | OverrunEvent | ListedEvent, undefined>> {
    if (this.pending > 0) return Promise.resolve({ done: false, value: this.#take() });
    if (this.#error !== undefined) {
      const e = this.#error.value;
      this.#error = undefined;
      return Promise.reject(e);
    }
    if (this.#closed) return Promise.resolve(DONE);
    // Whatever the kernel already queued can be read now, without a trip through the loop.
    if (!this.#scheduled) this.#pump();
    if (this.pending > 0) return Promise.resolve({ done: false, value: this.#take() });
    if (this.#error !== undefined || this.#closed) return this.next();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (this.#waiters.length === 1) this.#transport.ref();
    });
  }

  /** End the subscription (what `break` in a `for await` calls). */
  return(): Promise<IteratorResult<E | OverrunEvent | ListedEvent, undefined>> {
    this.close();
    return Promise.resolve(DONE);
  }

  /**
   * End the subscription and close its socket. Pending `next()` calls resolve as done; queued
   * events are discarded. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#shutdown();
    for (const w of this.#waiters.splice(0)) w.resolve(DONE);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  #take(): E | OverrunEvent | ListedEvent {
    const v = this.#queue[this.#head]!;
    this.#queue[this.#head] = undefined as never;
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    // Resume reading once half the queue is free, so reads come in bursts, not one per event.
    if (this.#paused && this.pending <= this.queueSize >>> 1) {
      this.#paused = false;
      this.#schedule();
    }
    return v;
  }

  /** Hand an event to a waiting `next()`, or queue it. */
  #deliver(event: E | OverrunEvent | ListedEvent): void {
    this.stats.events++;
    const w = this.#waiters.shift();
    if (w !== undefined) {
      if (this.#waiters.length === 0) this.#transport.unref();
      w.resolve({ done: false, value: event });
      return;
    }
    this.#queue.push(event);
  }

  #overrun(reason: OverrunEvent['reason'], error?: Error): void {
    // Consecutive overruns still queued say the same thing: re-list once.
    const last = this.pending > 0 ? this.#queue[this.#queue.length - 1] : undefined;
    if (last !== undefined && (last as OverrunEvent).type === 'overrun' && (last as OverrunEvent).reason === reason) return;
    this.#deliver(error === undefined ? { type: 'overrun', reason } : { type: 'overrun', reason, error });
  }

  /** Read what is queued on the socket, within one time slice and the queue bound. */
  #pump(): void {
    const started = performance.now();
    let count = 0;
    while (!this.#closed) {
      if (this.pending >= this.queueSize) {
        // Back-pressure: leave the rest in the kernel's buffer until the consumer catches up.
        this.#paused = true;
        return;
      }
      let d: ReceivedDatagram | null;
      try {
        d = this.#transport.receive();
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOBUFS') {
          // The kernel dropped notifications and cleared the error; the socket reads on.
          this.#pollFailures = 0;
          this.stats.overruns++;
          this.#overrun('enobufs', e as Error);
          continue;
        }
        this.#fail(e);
        return;
      }
      if (d === null) {
        this.#arm();
        return;
      }
      this.#pollFailures = 0;
      this.#dispatch(d);
      if ((++count & 3) === 0 && performance.now() - started > SLICE_MS) {
        this.#schedule();
        return;
      }
    }
  }

  #dispatch(d: ReceivedDatagram): void {
    this.stats.datagrams++;
    // Only the kernel may speak on this socket: any local process can send to our port id,
    // and must not be able to inject fake notifications.
    if (d.senderPid !== 0) {
      this.stats.foreignDropped++;
      return;
    }
    if (d.truncated) {
      this.stats.truncated++;
      this.#overrun('truncated');
      return;
    }
    let messages: Message[];
    try {
      messages = decode(d.bytes);
    } catch (e) {
      this.stats.decodeErrors++;
      this.#overrun('undecodable', e as Error);
      return;
    }
    for (let i = 0; i < messages.length && !this.#closed; i++) {
      const m = messages[i]!;
      if (this.#dumpSeq !== 0 && m.header.seq === this.#dumpSeq && m.header.pid === this.#transport.portId && this.#listingControl(m)) continue;
      let event: E | undefined;
      try {
        event = this.#map(m);
      } catch (e) {
        this.stats.decodeErrors++;
        this.#overrun('undecodable', e as Error);
        continue;
      }
      if (event !== undefined) this.#deliver(event);
    }
  }

  /** Send the first listing dump (again, after an interrupted run). */
  #sendDump(): void {
    const m = this.#dumps[0]!;
    const seq = this.#nextSeq++;
    this.#dumpAttempts++;
    this.#dumpInterrupted = false;
    this.#dumpSeq = seq;
    this.#transport.send(encode({ ...m, header: { ...m.header, flags: ['request', 'dump'], seq, pid: this.#transport.portId } }));
  }

  /**
   * A reply to the running listing dump: handle its end and errors here (true), let the
   * objects through to `map` (false).
   */
  #listingControl(m: Message): boolean {
    const type = m.header.type;
    if (type === 'NLMSG_DONE' || type === 'NLMSG_ERROR') {
      const error = (m as { error?: number }).error ?? 0;
      if (error < 0) {
        this.#fail(new NetlinkError(error, String(this.#dumps[0]?.header.type ?? 'dump')));
        return true;
      }
      if (type === 'NLMSG_ERROR') return true; // an ACK
      if (this.#dumpInterrupted && this.#dumpAttempts < MAX_DUMP_ATTEMPTS) {
        this.#sendDump(); // the table changed under the dump: run it again
        return true;
      }
      if (this.#dumpInterrupted) this.#overrun('interrupted');
      this.#dumps.shift();
      this.#dumpAttempts = 0;
      this.#dumpSeq = 0;
      if (this.#dumps.length > 0) this.#sendDump();
      else this.#deliver({ type: 'listed' });
      return true;
    }
    if (m.header.flags.includes('dump_intr')) this.#dumpInterrupted = true;
    return false;
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#closed && !this.#paused) this.#pump();
    });
  }

  /** Wait for the socket to become readable; held by the loop only while a next() waits. */
  #arm(): void {
    if (this.#armed || this.#closed) return;
    this.#armed = true;
    this.#transport.waitReadable().then(
      () => {
        this.#armed = false;
        if (!this.#closed && !this.#paused && !this.#scheduled) this.#pump();
      },
      (e: unknown) => {
        this.#armed = false;
        if (this.#closed) return;
        // libuv reports a socket with a pending error (EPOLLERR: here the ENOBUFS of an
        // overflow) as a poll failure, UV_EBADF. Reading tells the real story: the receive returns
        // that pending error (and clears it), or data. Only a poll that keeps failing while
        // nothing can be read is taken as fatal.
        if (++this.#pollFailures <= MAX_POLL_FAILURES) this.#pump();
        else this.#fail(e);
      },
    );
  }

  /** End with an error: pending next() calls reject with it, or the next call does. */
  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#shutdown();
    const waiters = this.#waiters.splice(0);
    if (waiters.length === 0) this.#error = { value: error };
    for (const w of waiters) w.reject(error);
  }

  #shutdown(): void {
    this.#closed = true;
    live.delete(this as Subscription<unknown>);
    this.#paused = false;
    this.#queue = [];
    this.#head = 0;
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#waiters.length > 0) this.#transport.unref();
    this.#transport.close();
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
