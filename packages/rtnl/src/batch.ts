/**
 * `h.batch()`: queue many operations, then send them pipelined — several messages per
 * `sendmsg`, without waiting for each ACK — with a bounded window in flight, and get one
 * result per operation, in order.
 *
 * Every operation is the same code as the handle's method: the batch runs it against a
 * recording view of the handle whose `request()` queues the message instead of sending it.
 * So `b.routeAdd(r)` builds exactly the bytes `h.routeAdd(r)` would, and an operation that
 * needs a lookup first (a link given by name) simply takes one more round.
 */
import type { Message } from '@nlkit/nl-codec';
import type { RequestOptions, RequestSink } from './conn/engine.js';
import { Handle } from './handle.js';
import { u32At } from './lift/common.js';
import {
  ROUTE_ADD,
  ROUTE_APPEND,
  ROUTE_DEL,
  ROUTE_REPLACE,
  knownLinkIndex,
  parseRouteSpec,
  routeRequestBytes,
  routeWireLength,
  writeRouteMessage,
  writeSimpleRoute,
  type ParsedRoute,
  type RouteChange,
  type RouteSpec,
} from './route.js';

/**
 * One operation's outcome. Operations that succeed with no value (route changes, most
 * changes) all get the same frozen `{ ok: true, value: undefined }`: a million-route batch
 * does not make a million identical objects.
 */
export type BatchResult<T = unknown> = { ok: true; value: T } | { ok: false; error: unknown };

/** The result of every operation that succeeded with no value. */
const OK_VOID: BatchResult = Object.freeze({ ok: true as const, value: undefined });

/** The arguments of a queued operation that did not take exactly one (one is stored as itself). */
class ArgList {
  constructor(readonly list: unknown[]) {}
}

/** The argument list of queued operation `i`, from what `record` stored. */
function argsOf(stored: unknown): unknown[] {
  return stored instanceof ArgList ? stored.list : [stored];
}

/** A queued route change that failed validation when it was queued: reported at commit. */
class Refused {
  constructor(readonly error: unknown) {}
}

/** Bytes per chunk of queued route messages (a message's place is chunk * CHUNK + offset). */
const CHUNK = 64 * 1024;

/**
 * Route changes of the bulk path are validated and written into bytes when they are queued,
 * not kept as the caller's spec objects until commit: a million queued routes are ~60 MB of
 * bytes outside V8's heap instead of a million objects and their strings inside it. The
 * objects then die young, so no garbage collection during commit has to copy and promote
 * them (that was the longest event-loop stall of a big batch, 12 ms at 1M routes), and the
 * batch holds what it will send, whatever the caller does with its objects afterwards.
 */
class QueuedRoutes {
  readonly chunks: (Uint8Array | undefined)[] = [];
  private cur = new Uint8Array(0);
  private pos = 0;

  /** Write `spec`'s message; returns where it is (chunk * CHUNK + offset), or why not. */
  add(change: RouteChange, spec: unknown): number | Refused {
    if (this.cur.length - this.pos < SIMPLE_ROOM) this.next();
    // The common shape: validated and written in place.
    const written = writeSimpleRoute(this.cur, this.pos, change, spec);
    if (written > 0) return this.take(written);
    let bytes: Uint8Array | undefined;
    let length: number;
    let p: ParsedRoute;
    let oif: number | undefined;
    try {
      p = parseRouteSpec(spec);
      oif = knownLinkIndex(p.link);
      length = routeWireLength(p, oif);
      if (length < 0) {
        // Nests (metrics, next hops): the codec writes it, copied in below.
        const nh = p.multipath?.map((h) => knownLinkIndex(h.link)) ?? [];
        bytes = routeRequestBytes(change, p, oif, nh);
        length = bytes.length;
      }
    } catch (error) {
      return new Refused(error);
    }
    const padded = (length + 3) & ~3;
    // (A message over a chunk, thousands of next hops, gets a chunk of its own, at offset 0.)
    if (this.cur.length - this.pos < padded) this.next(Math.max(CHUNK, padded));
    // writeSimpleRoute may have left bytes behind when it declined the spec.
    this.cur.fill(0, this.pos, this.pos + padded);
    if (bytes === undefined) writeRouteMessage(this.cur, this.pos, change, p, oif, length);
    else this.cur.set(bytes, this.pos);
    return this.take(padded);
  }

  /** The message at `place`, its bytes padded to 4 (not after `releaseBefore` passed it). */
  at(place: number): Uint8Array {
    const chunk = this.chunks[Math.floor(place / CHUNK)]!;
    const off = place % CHUNK;
    const len = u32At(chunk, off);
    return chunk.subarray(off, off + ((len + 3) & ~3));
  }

  /** Let go of the chunks before the one holding `place` (their messages are sent). */
  releaseBefore(place: number): void {
    const k = Math.floor(place / CHUNK);
    for (let j = k - 1; j >= 0 && this.chunks[j] !== undefined; j--) this.chunks[j] = undefined;
  }

  private take(length: number): number {
    const place = (this.chunks.length - 1) * CHUNK + this.pos;
    this.pos += length;
    return place;
  }

  private next(size = CHUNK): void {
    this.cur = new Uint8Array(size);
    this.chunks.push(this.cur);
    this.pos = 0;
  }
}

/** Handle methods that make no sense inside a batch. */
type NotBatchable =
  | 'batch'
  | 'request'
  | 'subscribe'
  | 'close'
  | 'inNamespace'
  | 'linkListStream'
  | 'addrListStream'
  | 'routeListStream'
  | 'neighListStream'
  | typeof Symbol.dispose;

// Exclude `batch` before looking at member types, or the type would refer to itself.
type Candidate = Exclude<keyof Handle, NotBatchable>;
type AsyncMethodName = {
  [K in Candidate]-?: Handle[K] extends (...args: any[]) => Promise<any> ? K : never;
}[Candidate];

/** The operations a batch can queue: every async method of `Handle`, returning the batch. */
export type BatchOps = {
  [K in AsyncMethodName]: Handle[K] extends (...args: infer A) => Promise<any> ? (...args: A) => Batch : never;
};

export interface CommitOptions {
  /**
   * Operations in flight at most (default 32). Their replies must fit the socket's receive
   * buffer (about 208 KB by default): an ACK takes about 1 KB of it, but a `linkAdd` reply
   * echoes the whole link (several KB), so 32 is safe for any operation with the default
   * buffer. Raise `recvBufferSize` on the handle before raising this (route batches run well
   * at 256 with an 8 MB buffer). An overflow is never silent: the affected operations fail
   * with `OverrunError`.
   */
  window?: number;
}

export type Batch = BatchOps & {
  /** Number of operations queued. */
  readonly size: number;
  /** Send everything; resolves to one result per queued operation, in order. A batch commits once. */
  commit(options?: CommitOptions): Promise<BatchResult[]>;
};

interface Queued {
  message: Message;
  options: RequestOptions<unknown> | undefined;
  resolve: (v: unknown[]) => void;
  reject: (e: unknown) => void;
}

/** The route changes that take the bulk path, and what each sends. */
const ROUTE_CHANGES = new Map<unknown, RouteChange>([
  [Handle.prototype.routeAdd, ROUTE_ADD],
  [Handle.prototype.routeReplace, ROUTE_REPLACE],
  [Handle.prototype.routeAppend, ROUTE_APPEND],
  [Handle.prototype.routeDel, ROUTE_DEL],
]);

/** A datagram of the bulk path stays well under the socket's send buffer (208 KB by default). */
const MAX_DATAGRAM = 64 * 1024;
/** Room `writeSimpleRoute` needs. */
const SIMPLE_ROOM = 72;
/** How long the bulk path runs before it lets the event loop turn. */
const SLICE_MS = 1;

/**
 * Whether operation `method(spec)`, as it is queued, is a route change that needs no lookup
 * first (no link given by name): those take the bulk path, written into bytes at once
 * (QueuedRoutes) and sent several per datagram at commit.
 */
function bulkRoute(method: unknown, arg: unknown): RouteChange | undefined {
  const change = ROUTE_CHANGES.get(method);
  if (change === undefined) return undefined;
  const spec = arg as RouteSpec | undefined;
  if (spec === null || typeof spec !== 'object') return change; // parseRouteSpec reports it
  if (typeof spec.link === 'string') return undefined;
  const mp = spec.multipath;
  if (Array.isArray(mp)) for (const nh of mp) if (nh !== null && typeof nh === 'object' && typeof nh.link === 'string') return undefined;
  return change;
}


/**
 * The route change queued operation `method(stored)` is, when it took the bulk path as it was
 * queued (`stored` is then its place in the queued bytes, or a Refused), else undefined. Decided
 * by what was stored, not by the spec again: a caller may change its object after queueing.
 */
function queuedRoute(method: unknown, stored: unknown): RouteChange | undefined {
  return typeof stored === 'number' || stored instanceof Refused ? ROUTE_CHANGES.get(method) : undefined;
}

/** Collects the bulk path's outcomes into the batch's results, and says when a window is done. */
class WindowSink implements RequestSink {
  outstanding = 0;
  private done: (() => void) | undefined;

  constructor(private readonly results: BatchResult[]) {}

  ok(index: number): void {
    this.results[index] = OK_VOID;
    if (--this.outstanding === 0) this.finish();
  }

  fail(index: number, error: unknown): void {
    this.results[index] = { ok: false, error };
    if (--this.outstanding === 0) this.finish();
  }

  private finish(): void {
    const d = this.done;
    this.done = undefined;
    d?.();
  }

  /** Resolves once every request sent so far is settled. */
  settled(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise<void>((r) => (this.done = r));
  }
}

/**
 * One datagram of the bulk path being written (or in flight): its bytes, where each message
 * starts, which operation each is, and the sink its outcomes go to.
 */
class Slot {
  buf: Uint8Array;
  offsets: Int32Array;
  indexes: Int32Array;
  /** End of what is written in `buf`. */
  pos = 0;
  /** Messages written. */
  count = 0;
  /** Their message type (one per datagram). */
  type = '';
  readonly sink: WindowSink;

  constructor(messages: number, results: BatchResult[]) {
    // Room for `messages` routes of the common shape (60 bytes) and then some; grows as needed.
    this.buf = new Uint8Array(Math.min(MAX_DATAGRAM, messages * 96));
    this.offsets = new Int32Array(messages);
    this.indexes = new Int32Array(messages);
    this.sink = new WindowSink(results);
  }

  /** Make room for `bytes` more bytes and one more message. */
  room(bytes: number): void {
    if (this.pos + bytes > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + bytes));
      next.set(this.buf.subarray(0, this.pos));
      this.buf = next;
    }
    if (this.count === this.offsets.length) {
      const o = new Int32Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
      const x = new Int32Array(this.indexes.length * 2);
      x.set(this.indexes);
      this.indexes = x;
    }
  }

  /** Record the message of operation `index` just written at `pos` (`length` bytes, padded). */
  add(index: number, length: number, type: string): void {
    this.offsets[this.count] = this.pos;
    this.indexes[this.count] = index;
    this.count++;
    this.pos += length;
    this.type = type;
  }

  /** Start a new datagram (its previous one is sent and settled). */
  reset(): void {
    this.pos = 0;
    this.count = 0;
  }
}

class BatchRecorder {
  /**
   * Queued operations: only the method and its arguments until commit() runs them. A single
   * argument (a route spec) is stored as itself, not in an array of its own.
   */
  readonly methods: Array<(...a: unknown[]) => Promise<unknown>> = [];
  readonly args: unknown[] = [];
  /** Route changes of the bulk path, already in bytes (their `args` entry is their place). */
  readonly routes = new QueuedRoutes();
  /** Messages the running operations asked to send, not sent yet. */
  readonly queue: Queued[] = [];
  committed = false;
  private wake: (() => void) | undefined;
  /** The handle as operations see it: identical, except `request()` queues. */
  readonly view: Handle;

  constructor(readonly handle: Handle) {
    const view = Object.create(handle) as Handle;
    Object.defineProperty(view, 'request', {
      value: (message: Message, options?: RequestOptions<unknown>): Promise<unknown[]> => {
        // Dumps (lookups) cannot be pipelined with other requests on one socket: run them now.
        if (options?.dump) return handle.request(message, options);
        return new Promise<unknown[]>((resolve, reject) => {
          this.queue.push({ message, options, resolve, reject });
          const w = this.wake;
          this.wake = undefined;
          w?.();
        });
      },
    });
    this.view = view;
  }

  get size(): number {
    return this.methods.length;
  }

  /** Resolve when something is queued (or `until` settles). */
  private waitForWork(until: Promise<unknown>): Promise<unknown> {
    if (this.queue.length > 0) return Promise.resolve();
    return Promise.race([until, new Promise<void>((r) => (this.wake = r))]);
  }

  /**
   * Run the operations in order, `window` in flight at most: route changes that need no
   * lookup take the bulk path (`runRoutes`), everything else runs as the handle's own method
   * (`runOps`). Only one window of operations, messages and results-in-progress exists at a
   * time, whatever the batch's size.
   */
  async commit(options: CommitOptions = {}): Promise<BatchResult[]> {
    if (this.committed) throw new Error('this batch was already committed');
    this.committed = true;
    const window = options.window ?? 32;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
    const n = this.methods.length;
    const results: BatchResult[] = new Array<BatchResult>(n);
    let i = 0;
    while (i < n) {
      if (queuedRoute(this.methods[i], this.args[i]) !== undefined) {
        i = await this.runRoutes(i, window, results);
        continue;
      }
      let last = i + 1;
      while (last < n && last - i < window && queuedRoute(this.methods[last], this.args[last]) === undefined) last++;
      await this.runOps(i, last, results);
      i = last;
    }
    this.methods.length = 0;
    this.args.length = 0;
    return results;
  }

  /**
   * The bulk path for a run of route changes from `first`: each is validated as its method
   * would (a bad one fails alone, before anything is sent) and written straight into a
   * datagram of at most `window` messages and 64 KB, sent with `Engine.sendWritten` (an ACK
   * only for the last message of each datagram; failures still come back one by one, by
   * sequence number). Returns where the run ends.
   *
   * Two datagram buffers take turns: on a socket, `sendWritten` runs the system call on a
   * worker thread (the kernel inserts routes inside it, sometimes for hundreds of
   * milliseconds), and the next datagram is written into the other buffer meanwhile. One
   * datagram is in flight at a time, a buffer is written again only once its requests are all
   * settled (the worker reads its bytes, and errors are resolved against them), and at most
   * `window` requests are unsettled at once.
   */
  private async runRoutes(first: number, window: number, results: BatchResult[]): Promise<number> {
    const engine = this.handle.engine;
    const n = this.methods.length;
    const perDatagram = Math.min(window, 1024);
    const slots = [new Slot(perDatagram, results), new Slot(perDatagram, results)] as const;
    let cur: Slot = slots[0];
    let inFlight: Promise<void> | undefined;
    let sliceStart = performance.now();
    /** Send the datagram in `cur` and switch to the other buffer, once it is free. */
    const flush = async (): Promise<void> => {
      if (cur.count === 0) return;
      const other = cur === slots[0] ? slots[1] : slots[0];
      if (inFlight !== undefined) {
        await inFlight; // one datagram in flight per handle
        inFlight = undefined;
      }
      // Replies are normally all read when a send returns; if not, keep within the window.
      if (other.sink.outstanding + cur.count > window) await other.sink.settled();
      cur.sink.outstanding += cur.count;
      inFlight = engine.sendWritten(cur.buf.subarray(0, cur.pos), cur.count, cur.offsets, cur.indexes, cur.type, cur.sink);
      if (other.sink.outstanding > 0) await other.sink.settled();
      other.reset();
      cur = other;
      if (performance.now() - sliceStart > SLICE_MS) {
        // A synchronous transport answers inside the send: let the event loop turn now and then.
        await new Promise((r) => setImmediate(r));
        sliceStart = performance.now();
      }
    };
    let i = first;
    for (; i < n; i++) {
      const change = queuedRoute(this.methods[i], this.args[i]);
      if (change === undefined) break;
      // Every route change of the bulk path was validated and written when it was queued
      // (QueuedRoutes): its place in the queued bytes, or why it was refused.
      const queued = this.args[i] as number | Refused;
      this.args[i] = undefined; // release the arguments as we go
      if (queued instanceof Refused) {
        results[i] = { ok: false, error: queued.error };
        continue;
      }
      const msg = this.routes.at(queued);
      // A datagram holds at most perDatagram messages, 64 KB, and one message type (the type
      // names its errors).
      if (cur.count > 0 && (cur.count === perDatagram || change.type !== cur.type || cur.pos + msg.length > MAX_DATAGRAM)) {
        await flush();
      }
      this.routes.releaseBefore(queued);
      cur.room(msg.length);
      cur.buf.set(msg, cur.pos);
      cur.add(i, msg.length, change.type);
    }
    await flush();
    if (inFlight !== undefined) await inFlight;
    await slots[0].sink.settled();
    await slots[1].sink.settled();
    return i;
  }

  /** Run operations `first`..`last` as the handle's own methods, against the recording view. */
  private async runOps(first: number, last: number, results: BatchResult[]): Promise<void> {
    const engine = this.handle.engine;
    let running = last - first;
    let allSettled: () => void = () => {};
    const settled = new Promise<void>((r) => (allSettled = r));
    for (let i = first; i < last; i++) {
      const method = this.methods[i]!;
      const args = argsOf(this.args[i]);
      this.args[i] = undefined; // release the arguments as we go
      let op: Promise<unknown>;
      try {
        op = method.apply(this.view, args);
      } catch (error) {
        op = Promise.reject(error);
      }
      op.then(
        (value) => {
          results[i] = value === undefined ? OK_VOID : { ok: true, value };
        },
        (error: unknown) => {
          results[i] = { ok: false, error };
        },
      ).finally(() => {
        if (--running === 0) allSettled();
      });
    }
    while (running > 0) {
      // Let the operations run up to their (next) request.
      await new Promise((r) => setImmediate(r));
      if (this.queue.length === 0) {
        await this.waitForWork(settled);
        continue;
      }
      const slice = this.queue.splice(0);
      const promises = engine.requestMany(
        slice.map((q) => q.message),
        slice.map((q) => q.options),
      );
      for (let k = 0; k < slice.length; k++) promises[k]!.then(slice[k]!.resolve, slice[k]!.reject);
      await Promise.allSettled(promises);
    }
  }
}

declare module './handle.js' {
  interface Handle {
    /**
     * Start a batch: queue operations with the same names and arguments as the handle's
     * methods, then `commit()` to send them pipelined. Errors are reported per operation;
     * nothing is lost or misattributed (each ACK is matched by its sequence number).
     *
     * @example
     * ```ts
     * const b = h.batch();
     * for (const r of routes) b.routeAdd(r);
     * b.linkSetMTU(link, 9000);
     * const results = await b.commit({ window: 256 });
     * const failed = results.filter((r) => !r.ok);
     * ```
     */
    batch(): Batch;
  }
}

Handle.prototype.batch = function (this: Handle): Batch {
  const recorder = new BatchRecorder(this);
  // One recording function per method name, made on first use (not one per call).
  const recorders = new Map<PropertyKey, (...args: unknown[]) => Batch>();
  const proxy: Batch = new Proxy({} as Batch, {
    get(_target, prop) {
      if (prop === 'commit') return (o?: CommitOptions) => recorder.commit(o);
      if (prop === 'size') return recorder.size;
      if (prop === 'then') return undefined; // not a thenable
      let record = recorders.get(prop);
      if (record !== undefined) return record;
      const method = (Handle.prototype as unknown as Record<PropertyKey, unknown>)[prop];
      if (typeof method !== 'function') return undefined;
      // A plain function reading `arguments.length`: no rest array made per call.
      record = function (arg?: unknown): Batch {
        if (recorder.committed) throw new Error('cannot add to a batch after commit()');
        recorder.methods.push(method as (...a: unknown[]) => Promise<unknown>);
        if (arguments.length === 1) {
          // A route change of the bulk path is validated and written now (QueuedRoutes); its
          // outcome, a validation error included, is reported by commit(). Anything else is
          // recorded only and runs (and validates) inside commit(), a window at a time.
          const change = bulkRoute(method, arg);
          recorder.args.push(change !== undefined ? recorder.routes.add(change, arg) : arg);
        } else {
          // eslint-disable-next-line prefer-rest-params
          recorder.args.push(new ArgList(Array.prototype.slice.call(arguments)));
        }
        return proxy;
      };
      recorders.set(prop, record);
      return record;
    },
  });
  return proxy;
};
