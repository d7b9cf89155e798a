/**
 * The request/reply machine: the one place that allocates sequence numbers, sends, receives,
 * reassembles multipart dumps, turns NLMSG_ERROR into NetlinkError, applies the
 * dump-interrupted policy and drops anything not sent by the kernel.
 *
 * Why it drains synchronously right after each send: rtnetlink handles a request inside
 * `sendmsg`, so the ACK (or the first part of a dump) is already queued when `send` returns.
 * Reading it at once saves a trip through the event loop per request, which is most of the
 * cost above the kernel's own. Only when nothing is queued do we park on the readiness watcher.
 */
import {
  attributePath as resolveAttributePath,
  decode,
  encode,
  messageFlagsValue,
  messageTypeNumber,
  type Message,
} from '@nlkit/nl-codec';
import { DumpInterruptedError, HandleClosedError, NetlinkError, OverrunError, TruncatedReplyError } from '../errors.js';
import type { ReceivedDatagram, Transport } from './transport.js';
import { SeqTable } from './seq-table.js';
import { TurnSlice } from './turn-slice.js';
import { put32, WireMessage, wireOf } from './wire.js';

/** Counters a handle keeps about what it received and dropped. */
export interface EngineStats {
  /** Datagrams whose sender was not the kernel (port id other than 0): dropped unread. */
  foreignDropped: number;
  /** Kernel messages whose sequence number matched no pending request (late replies of abandoned requests). */
  unmatched: number;
  /** Datagrams that could not be decoded. */
  decodeErrors: number;
  /** Dumps retried because the kernel flagged them interrupted (`NLM_F_DUMP_INTR`). */
  dumpRetries: number;
  /** Receive-buffer overruns seen (`ENOBUFS`). */
  overruns: number;
  /** Requests sent and datagrams received. */
  requests: number;
  datagrams: number;
}

export interface RequestOptions<T> {
  /** A dump: many messages until NLMSG_DONE (one dump runs per socket at a time; others queue). */
  dump?: boolean;
  /** Turn each reply message into a result as it arrives (undefined results are skipped). */
  map?: (message: Message) => T | undefined;
  /**
   * Like `map`, but given the message's bytes (exactly `nlmsg_len`, header included) instead
   * of a decoded message, for lifters that read only what they need. The bytes are a view of
   * the receive buffer, valid only during the call: copy what you keep. Wins over `map`.
   */
  mapRaw?: (message: Uint8Array) => T | undefined;
  /**
   * Like `mapRaw`, but given the whole received datagram and the message's offset and length
   * (`nlmsg_len`) in it: no view is made per message, which a million-route dump notices.
   * The datagram is the receive buffer, valid only during the call. Wins over `mapRaw`.
   */
  mapAt?: (datagram: Uint8Array, offset: number, length: number) => T | undefined;
  /**
   * Give `mapAt` a copy of the datagram that it may keep, instead of the receive buffer: one
   * copy per datagram, shared by all its messages (a link dump's lazy links read their bytes
   * later; one copy of ~32 KiB instead of one per message).
   */
  keepDatagram?: boolean;
  /** For dumps: how many times an interrupted dump is re-run before rejecting (default: the handle's `dumpAttempts`, 3). */
  maxAttempts?: number;
  /** Called per result as it arrives instead of collecting into the returned array. */
  onResult?: (result: T) => void;
  /**
   * Resolve with `undefined` instead of the result array (a change whose only answer is the
   * ACK): saves the caller a `.then()` and a promise per request.
   */
  resolveVoid?: boolean;
  /**
   * Make the `sendmsg` on a worker thread (the transport's `sendAsync`), for a request the
   * kernel handles slowly inside that call: deleting a link waits on RCU (10-25 ms for a
   * veth), moving one to another namespace too, and the event loop would stall that long.
   * It costs ~40 us more than a synchronous send. Requests made on this engine while such a
   * send is in flight are sent after it returns, in call order (as they would have been had
   * it blocked the thread). Ignored for dumps and by transports without `sendAsync`.
   */
  offload?: boolean;
}

/**
 * Receives the outcomes of {@link Engine.sendWritten}'s requests: one call per request, by the
 * index the caller gave it, instead of a promise each.
 */
export interface RequestSink {
  ok(index: number): void;
  fail(index: number, error: unknown): void;
}

interface Pending {
  seq: number;
  typeName: string;
  requestBytes: Uint8Array;
  dump: boolean;
  map: ((message: Message) => unknown) | undefined;
  mapRaw: ((message: Uint8Array) => unknown) | undefined;
  mapAt: ((datagram: Uint8Array, offset: number, length: number) => unknown) | undefined;
  keepDatagram: boolean;
  onResult: ((result: unknown) => void) | undefined;
  results: unknown[];
  interrupted: boolean;
  attempts: number;
  maxAttempts: number;
  message: Message;
  resolve: (value: unknown[]) => void;
  reject: (reason: unknown) => void;
  resolveVoid: boolean;
  /** Send it on a worker thread (see RequestOptions.offload). */
  offload: boolean;
  /** Settled while `request()` ran (see recordResolve): 0 not yet, 1 resolved, 2 rejected. */
  outcome: number;
  /** The recorded result or reason. */
  value: unknown;
}

/**
 * The requests of one `sendWritten` datagram: consecutive sequence numbers from `first`, no
 * object per request (a million-route batch would make a million). The kernel handles a
 * datagram's messages in order and answers each failure by its seq, and the last message (the
 * only one that asks for an ACK) after all the others: once the last is answered, every
 * other one without an error has succeeded.
 */
interface WrittenGroup {
  first: number;
  count: number;
  /** The caller's arrays and bytes, left untouched until every request is settled. */
  offsets: Int32Array;
  indexes: Int32Array;
  datagram: Uint8Array;
  typeName: string;
  sink: RequestSink;
  /** Requests already failed (by their place in the datagram); usually none. */
  failed: Set<number> | undefined;
}

function settleOk(p: Pending, results: unknown[]): void {
  p.resolve(p.resolveVoid ? (undefined as unknown as unknown[]) : results);
}

function settleError(p: Pending, error: unknown): void {
  p.reject(error);
}

/**
 * Calls a request's reply mapper (`mapAt`, `mapRaw` or `map`). Why a function of its own, made
 * megamorphic at load: `dispatch` is the hot loop of every reply, and the JIT specializes an
 * optimized function's calls on the targets seen so far. Each kind of dump brings its own
 * mapper, so the first address dump after link dumps threw `dispatch`'s optimized code away
 * ("wrong feedback cell"), and the loop ran unoptimized until V8 re-optimized it (measured:
 * the first ~10 repetitions of a 1000-address dump, 1.5-7 ms each instead of 0.6 ms). A call
 * site that has seen many functions is compiled as a plain call, with nothing to invalidate.
 */
type Mapper = (a: unknown, b: number, c: number) => unknown;
function callMapper(f: Mapper, a: unknown, b: number, c: number): unknown {
  return f(a, b, c);
}
// Calls from distinct function literals (distinct shared functions), repeated because V8 only
// starts recording a function's feedback after its first few calls.
{
  const targets: Mapper[] = [(a) => a, (a) => [a], (a) => ({ a }), (a) => typeof a, (a) => a === undefined, (a) => String(a)];
  for (let i = 0; i < 32; i++) for (const f of targets) callMapper(f, i, 0, 0);
}

/** How long one synchronous drain may run before it yields to the event loop. */
const SLICE_MS = 1;

const identity = (m: Message): Message => m;

/**
 * Settle functions of a request while `request()` runs: they record the outcome on the
 * Pending. rtnetlink answers inside `sendmsg`, so most requests are settled before `request()`
 * returns; it then hands back an already settled promise and never makes the resolving
 * functions (and closures) of a pending one. Called as methods (`p.resolve(v)`).
 */
function recordResolve(this: Pending, value: unknown[]): void {
  this.outcome = 1;
  this.value = value;
}
function recordReject(this: Pending, reason: unknown): void {
  this.outcome = 2;
  this.value = reason;
}

/** The promise of a request `request()` has started: settled already, or settled later through p. */
function promiseOf<T>(p: Pending): Promise<T> {
  if (p.outcome === 1) return Promise.resolve(p.value as T);
  if (p.outcome === 2) return Promise.reject(p.value);
  return new Promise<T>((res, rej) => {
    p.resolve = res as (value: unknown[]) => void;
    p.reject = rej;
  });
}

/** The name a request's errors give as the operation (`NetlinkError.operation`). */
function typeNameOf(message: Message): string {
  return message instanceof WireMessage ? message.typeName : String(message.header.type);
}

/** What a void change asks for (`resolveVoid`). */
const VOID_OPTIONS: RequestOptions<unknown> = { resolveVoid: true };

/** A request's record from `request` until it is settled (not sent yet: seq 0, no attempt). */
function newPending(message: Message, options: RequestOptions<unknown>, dump: boolean, maxAttempts: number): Pending {
  return {
    seq: 0,
    typeName: typeNameOf(message),
    requestBytes: EMPTY,
    dump,
    map: (options.map ?? identity) as (m: Message) => unknown,
    mapRaw: options.mapRaw as ((m: Uint8Array) => unknown) | undefined,
    mapAt: options.mapAt as ((d: Uint8Array, o: number, l: number) => unknown) | undefined,
    keepDatagram: options.keepDatagram === true,
    onResult: options.onResult as ((r: unknown) => void) | undefined,
    results: [],
    interrupted: false,
    attempts: 0,
    maxAttempts,
    message,
    resolve: recordResolve,
    reject: recordReject,
    resolveVoid: options.resolveVoid === true,
    offload: options.offload === true && !dump,
    outcome: 0,
    value: undefined,
  };
}

export class Engine {
  readonly stats: EngineStats = {
    foreignDropped: 0,
    unmatched: 0,
    decodeErrors: 0,
    dumpRetries: 0,
    overruns: 0,
    requests: 0,
    datagrams: 0,
  };
  /** The requests waiting for replies, by sequence number. */
  private readonly pending = new SeqTable<Pending>();
  /** Sequence numbers handed out to a batch chunk that is not sent yet. */
  private readonly reserved = new Set<number>();
  /** `sendWritten` datagrams not answered yet (at most a couple). */
  private written: WrittenGroup[] = [];
  /** The last asynchronous send queued (the next waits for it), until it completes. */
  private asyncSend: Promise<void> | undefined;
  /** An offloaded request's `sendmsg` is running on a worker thread. */
  private offloading = false;
  /** Requests made meanwhile, sent in order once it returns. */
  private readonly sendQueue: Pending[] = [];
  private nextSeq: number;
  /** The dump currently running on the socket, and those waiting for it (the kernel runs one per socket). */
  private activeDump: Pending | undefined;
  private readonly dumpQueue: Pending[] = [];
  private waiting = false;
  private drainScheduled = false;
  private isClosed = false;
  /** While paused the engine reads nothing more: the kernel keeps the rest (back-pressure for streams). */
  private paused = false;
  /** Whether the watcher currently keeps the event loop alive. */
  private holdingLoop = false;
  /** Synchronous work since the event loop last turned (requests and resumed reads). */
  private readonly slice = new TurnSlice(SLICE_MS);

  /**
   * @param dumpAttempts how many times a dump runs when the kernel flags it interrupted, for
   * requests that do not set `maxAttempts` (`Handle.open({ dumpAttempts })`).
   */
  constructor(
    private readonly transport: Transport,
    private readonly dumpAttempts = 3,
  ) {
    // Start from a time-derived sequence, as iproute2 does, so replies from a previous
    // process that reused the port id are not mistaken for ours.
    this.nextSeq = (Date.now() >>> 0) % 0x7fffffff || 1;
  }

  get portId(): number {
    return this.transport.portId;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Number of requests waiting for a reply. */
  get inFlight(): number {
    let n = this.pending.size + this.dumpQueue.length + this.sendQueue.length;
    for (const g of this.written) n += g.count - (g.failed?.size ?? 0);
    return n;
  }

  /** Whether anything waits for a reply from the socket. */
  private get awaiting(): boolean {
    return this.pending.size > 0 || this.written.length > 0;
  }

  /**
   * Send `message` and resolve with its replies (mapped through `map`), or reject with a
   * NetlinkError. Header `seq`, `pid` and the `request`/`ack`/`dump` flags are filled in here.
   */
  request<T = Message>(message: Message, options: RequestOptions<T> = {}): Promise<T[]> {
    if (this.isClosed) return Promise.reject(new HandleClosedError());
    const dump = options.dump === true;
    // Requests complete synchronously, so a loop of awaited requests never returns to the
    // event loop by itself: timers starve and other sockets (a subscription on the same
    // thread) are never read. Once such a chain has used a slice, start from setImmediate.
    const yieldFirst = this.slice.used();
    if (!yieldFirst && message instanceof WireMessage && options.resolveVoid === true && !dump && options.offload !== true && this.idle()) {
      return this.requestAck(message) as unknown as Promise<T[]>;
    }
    const p = newPending(message, options as RequestOptions<unknown>, dump, Math.max(1, options.maxAttempts ?? this.dumpAttempts));
    if (yieldFirst) setImmediate(() => (this.isClosed ? p.reject(new HandleClosedError()) : this.startOrQueue(p)));
    else this.startOrQueue(p);
    return promiseOf(p);
  }

  /**
   * Start a new request, or queue it behind the running dump: the kernel runs one dump per
   * socket and answers a second with EBUSY. Decided when the request is about to go out, not
   * when it was made: two dumps made in one turn after its slice was used both wait for the
   * next turn, and the first to start makes the other wait.
   */
  private startOrQueue(p: Pending): void {
    if (p.dump && this.activeDump !== undefined) this.dumpQueue.push(p);
    else this.start(p);
  }

  /** Nothing sent and unanswered, nothing queued, nothing reserved: the next seq is free. */
  private idle(): boolean {
    return (
      this.pending.size === 0 &&
      this.written.length === 0 &&
      this.reserved.size === 0 &&
      this.sendQueue.length === 0 &&
      !this.offloading &&
      !this.paused
    );
  }

  /**
   * `start` and the first step of `drain`, for the commonest request: a change in wire form
   * whose only answer is an ACK, made while nothing else is in flight (a loop of awaited
   * changes). rtnetlink answers inside `sendmsg`, so the ACK is normally queued when `send`
   * returns; when the first datagram read is exactly that ACK the request is done, without a
   * Pending, a seq-table entry or the dispatch loop, which is half the engine's work per
   * request before the JIT has compiled it. Anything else (nothing queued yet, an error, a
   * datagram from another sender, a truncated one, a failed read) hands the request to the
   * general path in the state `start` leaves it in, with the datagram already read.
   */
  private requestAck(message: WireMessage): Promise<void> {
    const seq = this.allocateSeq();
    const bytes = message.bytes;
    fillHeader(bytes, seq, this.transport.portId, NLM_F_REQUEST | NLM_F_ACK);
    try {
      this.transport.send(bytes);
    } catch (e) {
      return Promise.reject(e);
    }
    this.stats.requests++;
    let d: ReceivedDatagram | null;
    try {
      d = this.transport.receive();
    } catch (e) {
      const p = this.adoptSent(message, seq, bytes);
      this.failAll(e as Error);
      return promiseOf(p);
    }
    if (d !== null && d.senderPid === 0 && !d.truncated) {
      const b = d.bytes;
      // One message filling the datagram: NLMSG_ERROR with error 0 for our seq.
      if (b.length >= 20 && rd32(b, 0) === b.length && b[4] === NLMSG_ERROR && b[5] === 0 && rd32(b, 8) === seq && rd32(b, 16) === 0) {
        this.stats.datagrams++;
        return Promise.resolve();
      }
    }
    const p = this.adoptSent(message, seq, bytes);
    if (d === null) this.park();
    else {
      this.dispatch(d);
      this.drain();
    }
    return promiseOf(p);
  }

  /** A request `requestAck` sent that must wait after all: the Pending `start` would have made. */
  private adoptSent(message: WireMessage, seq: number, bytes: Uint8Array): Pending {
    const p = newPending(message, VOID_OPTIONS, false, 1);
    p.seq = seq;
    p.attempts = 1;
    p.requestBytes = bytes;
    this.pending.set(seq, p);
    if (this.waiting) this.setLoopHold(true);
    return p;
  }

  /**
   * Send several do-requests in as few datagrams as possible (at most `maxDatagram` bytes
   * each) without waiting for each ACK; each request gets its own sequence number and its own
   * promise, settled by its own ACK or error. The kernel handles the messages of a datagram in
   * order and keeps going after one fails, so one bad request never hides the others' results.
   * Callers bound how many are in flight (`Batch` does) so the ACKs fit the receive buffer.
   */
  requestMany<T = Message>(
    messages: readonly Message[],
    options: Omit<RequestOptions<T>, 'dump'> | readonly (Omit<RequestOptions<T>, 'dump'> | undefined)[] = {},
    maxDatagram = 64 * 1024,
  ): Promise<T[]>[] {
    const promises: Promise<T[]>[] = [];
    if (this.isClosed) return messages.map(() => Promise.reject(new HandleClosedError()));
    let chunk: Pending[] = [];
    let chunkBytes: Uint8Array[] = [];
    let size = 0;
    const flush = (): void => {
      if (chunk.length === 0) return;
      const datagram = chunkBytes.length === 1 ? chunkBytes[0]! : concat(chunkBytes, size);
      const sentChunk = chunk;
      chunk = [];
      chunkBytes = [];
      size = 0;
      for (const p of sentChunk) this.pending.set(p.seq, p);
      if (this.waiting) this.setLoopHold(true);
      try {
        this.transport.send(datagram);
      } catch (e) {
        for (const p of sentChunk) {
          this.pending.delete(p.seq);
          p.reject(e);
        }
        return;
      }
      this.stats.requests += sentChunk.length;
      this.drain();
    };
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const opts = (Array.isArray(options) ? options[i] : options) ?? {};
      promises.push(
        new Promise<T[]>((resolve, reject) => {
          const seq = this.allocateSeq();
          const p = newPending(message, opts as RequestOptions<unknown>, false, 1);
          p.seq = seq;
          p.attempts = 1;
          p.resolve = resolve as (v: unknown[]) => void;
          p.reject = reject;
          let bytes: Uint8Array;
          try {
            bytes = encodeRequest(message, seq, this.transport.portId, NLM_F_REQUEST | NLM_F_ACK);
          } catch (e) {
            reject(e);
            return;
          }
          p.requestBytes = bytes;
          // Reserve the seq now so later allocations skip it even before the chunk is sent.
          this.reserved.add(seq);
          const padded = (bytes.length + 3) & ~3;
          if (size + padded > maxDatagram) flush();
          chunk.push(p);
          chunkBytes.push(padded === bytes.length ? bytes : pad(bytes, padded));
          size += padded;
        }),
      );
    }
    flush();
    this.reserved.clear();
    return promises;
  }

  /**
   * @internal Send one datagram of do-requests the caller wrote itself (`count` messages at
   * `offsets`, `seq` and `pid` left zero: filled in here), asking for an ACK only on the last
   * one. The kernel still answers every failing request, by its sequence number, and answers
   * the last one after all the others; so when that answer arrives, each request without an
   * error has succeeded. Outcomes go to `sink` by `indexes[k]`, without a promise per
   * request: this is `h.batch()`'s path for route changes, where a reply per request would
   * cost a receive call each. Callers bound the datagram (64 KB, under the socket's send
   * buffer) and how many requests are in flight: every failing one's answer takes room in the
   * receive buffer until it is read (an overflow fails them all with OverrunError, never
   * silently).
   *
   * When the transport has `sendAsync`, the system call runs on a worker thread: rtnetlink
   * handles the whole datagram inside `sendmsg`, and route inserts that make the kernel resize
   * its FIB trie block there for up to hundreds of milliseconds, which would stall the event
   * loop. Then the returned promise resolves once the call has returned and the replies queued
   * by then have been read (so normally every request of the datagram is settled); it never
   * rejects (a failed send fails each request through `sink`). Until it resolves the caller
   * must leave `datagram` untouched (the worker reads it). One datagram is in flight per
   * handle: a `sendWritten` made meanwhile (another batch) is sent when this one's call has
   * returned, so the kernel's order and the receive buffer's bound stay as they are with the
   * synchronous send. Without `sendAsync` the send is synchronous and this returns `undefined`.
   *
   * The requests get consecutive sequence numbers and no object each: the engine keeps
   * `datagram`, `offsets` and `indexes` (errors resolve an ext-ack offset against the bytes,
   * outcomes are reported by `indexes[k]`), so the caller must not change any of them until
   * every request of the datagram is settled.
   */
  sendWritten(
    datagram: Uint8Array, count: number, offsets: Int32Array, indexes: Int32Array, typeName: string, sink: RequestSink,
  ): Promise<void> | undefined {
    if (count === 0) return undefined;
    if (this.isClosed) {
      const err = new HandleClosedError();
      for (let k = 0; k < count; k++) sink.fail(indexes[k]!, err);
      return undefined;
    }
    const pid = this.transport.portId;
    const first = this.allocateRange(count);
    const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    for (let k = 0; k < count; k++) {
      const at = offsets[k]!;
      view.setUint16(at + 6, view.getUint16(at + 6, true) | (k === count - 1 ? NLM_F_REQUEST | NLM_F_ACK : NLM_F_REQUEST), true);
      view.setUint32(at + 8, (first + k) >>> 0, true);
      view.setUint32(at + 12, pid, true);
    }
    const g: WrittenGroup = { first, count, offsets, indexes, datagram, typeName, sink, failed: undefined };
    this.written.push(g);
    if (this.waiting) this.setLoopHold(true);
    if (this.transport.sendAsync !== undefined) {
      // One datagram in flight per handle, in call order: another batch's datagram waits for
      // this one's call to return (the kernel's order and the receive buffer's bound then stay
      // those of the synchronous send).
      const prev = this.asyncSend;
      const done = prev === undefined ? this.sendWrittenAsync(g) : prev.then(() => this.sendWrittenAsync(g));
      this.asyncSend = done;
      return done.then(() => {
        if (this.asyncSend === done) this.asyncSend = undefined;
      });
    }
    try {
      this.transport.send(datagram);
    } catch (e) {
      this.failWritten(g, e);
      return undefined;
    }
    this.stats.requests += count;
    this.drain();
    return undefined;
  }

  /**
   * Send `g`'s datagram on a worker thread; once the call has returned, read what is queued.
   * Never rejects: a failed send fails the datagram's requests.
   */
  private sendWrittenAsync(g: WrittenGroup): Promise<void> {
    // Settled while it waited its turn (close, an overrun): sending it now would apply changes
    // already reported as failed.
    if (this.isClosed || !this.written.includes(g)) return Promise.resolve();
    // The worker's request keeps the event loop alive until the call returns.
    let sent: Promise<void>;
    try {
      sent = this.transport.sendAsync!(g.datagram);
    } catch (e) {
      // A transport that throws instead of rejecting: the same outcome, at once.
      this.failWritten(g, e);
      return Promise.resolve();
    }
    return sent.then(
      () => {
        if (this.isClosed) return; // close() has failed every request already
        this.stats.requests += g.count;
        this.drain();
      },
      (e: unknown) => {
        if (this.isClosed) return;
        this.failWritten(g, e);
      },
    );
  }

  /**
   * A `sendWritten` datagram was not sent (or can no longer be answered): each of its requests
   * not failed already fails with `e`.
   */
  private failWritten(g: WrittenGroup, e: unknown): void {
    const at = this.written.indexOf(g);
    if (at < 0) return; // settled already
    this.written.splice(at, 1);
    this.releaseLoopIfIdle();
    for (let k = 0; k < g.count; k++) if (g.failed === undefined || !g.failed.has(k)) g.sink.fail(g.indexes[k]!, e);
  }

  /** The last request of `g` was answered: every other one without an error has succeeded. */
  private completeWritten(g: WrittenGroup, lastError: Error | undefined): void {
    const at = this.written.indexOf(g);
    if (at < 0) return;
    this.written.splice(at, 1);
    this.releaseLoopIfIdle();
    const last = g.count - 1;
    const failed = g.failed;
    for (let k = 0; k < last; k++) if (failed === undefined || !failed.has(k)) g.sink.ok(g.indexes[k]!);
    if (failed !== undefined && failed.has(last)) return;
    if (lastError === undefined) g.sink.ok(g.indexes[last]!);
    else g.sink.fail(g.indexes[last]!, lastError);
  }

  /**
   * A message whose seq belongs to no pending request: if it answers a `sendWritten` request,
   * settle that request (and, for the last one, the datagram). Returns whether it matched.
   */
  private dispatchWritten(seq: number, type: number, bytes: Uint8Array, offset: number, len: number): boolean {
    let g: WrittenGroup | undefined;
    for (const x of this.written) {
      if (((seq - x.first) >>> 0) < x.count) {
        g = x;
        break;
      }
    }
    if (g === undefined) return false;
    const k = (seq - g.first) >>> 0;
    let error: Error | undefined;
    if (type === NLMSG_ERROR) {
      const errno = len >= 20 ? rd32(bytes, offset + 16) | 0 : 0;
      if (errno !== 0) error = this.errorFrom(writtenPending(g, k), bytes.subarray(offset, offset + len), errno);
    } else if (type === NLMSG_OVERRUN) {
      error = new OverrunError(g.typeName);
    } else {
      return true; // not an answer (the kernel sends none other for these requests)
    }
    if (k === g.count - 1) {
      this.completeWritten(g, error);
    } else if (error !== undefined) {
      const failed = (g.failed ??= new Set<number>());
      if (failed.has(k)) return true;
      failed.add(k);
      g.sink.fail(g.indexes[k]!, error);
    }
    return true;
  }

  /** Stop reading from the socket (a stream's consumer is behind). */
  pause(): void {
    this.paused = true;
  }

  /**
   * Read again after `pause()`. A stream resumes from its consumer's `next()`, a promise
   * callback, and the kernel has the next part of a dump ready whenever it is read: reading
   * at once every time would run the whole dump in microtasks without one turn of the event
   * loop. So once this turn's slice is used (the same clock `request` keeps), the read waits
   * for the next turn.
   */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.slice.used()) this.scheduleDrain();
    else this.drain();
  }

  /** Close the socket; every pending request rejects with HandleClosedError. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const err = new HandleClosedError();
    for (const p of this.pending.values()) settleError(p, err);
    for (const p of this.dumpQueue) settleError(p, err);
    for (const p of this.sendQueue) settleError(p, err);
    this.sendQueue.length = 0;
    for (const g of [...this.written]) this.failWritten(g, err);
    this.pending.clear();
    this.dumpQueue.length = 0;
    this.activeDump = undefined;
    this.transport.close();
  }

  private start(p: Pending): void {
    // An offloaded send is running: keep the call order (the kernel would have seen this
    // request after that one had the send blocked the thread).
    if (this.offloading) {
      this.sendQueue.push(p);
      return;
    }
    const seq = this.allocateSeq();
    p.seq = seq;
    p.attempts++;
    let bytes: Uint8Array;
    try {
      bytes = encodeRequest(p.message, seq, this.transport.portId, p.dump ? NLM_F_REQUEST | NLM_F_DUMP : NLM_F_REQUEST | NLM_F_ACK);
    } catch (e) {
      p.reject(e);
      this.startNextDump(p);
      return;
    }
    p.requestBytes = bytes;
    this.pending.set(seq, p);
    if (p.dump) this.activeDump = p;
    if (this.waiting) this.setLoopHold(true);
    if (p.offload && this.transport.sendAsync !== undefined) {
      this.startOffloaded(p, bytes);
      return;
    }
    try {
      this.transport.send(bytes);
    } catch (e) {
      this.pending.delete(seq);
      p.reject(e);
      this.startNextDump(p);
      return;
    }
    this.stats.requests++;
    this.drain();
  }

  /**
   * `start`'s send on a worker thread. The reply is read when the call has returned (rtnetlink
   * queues it inside `sendmsg`), or earlier by a drain for another request; then the requests
   * that waited are sent. The libuv request keeps the process alive meanwhile.
   */
  private startOffloaded(p: Pending, bytes: Uint8Array): void {
    this.offloading = true;
    let sent: Promise<void>;
    try {
      sent = this.transport.sendAsync!(bytes);
    } catch (e) {
      // A transport that throws instead of rejecting: the same outcome, at once.
      this.offloadFailed(p, e);
      return;
    }
    sent.then(
      () => {
        this.offloading = false;
        if (this.isClosed) return; // close() has settled everything
        this.stats.requests++;
        this.drain();
        this.sendQueued();
      },
      (e: unknown) => this.offloadFailed(p, e),
    );
  }

  private offloadFailed(p: Pending, e: unknown): void {
    this.offloading = false;
    if (this.isClosed) return;
    if (this.pending.get(p.seq) === p) {
      this.pending.delete(p.seq);
      this.releaseLoopIfIdle();
      p.reject(e);
    }
    this.sendQueued();
  }

  /** Send the requests that waited for an offloaded send, in order, until another one is offloaded. */
  private sendQueued(): void {
    while (!this.offloading && !this.isClosed && this.sendQueue.length > 0) this.start(this.sendQueue.shift()!);
  }

  private allocateSeq(): number {
    let seq = this.nextSeq;
    // Skip 0 (used by unsolicited notifications) and any number still in flight.
    while (seq === 0 || this.pending.has(seq) || this.reserved.has(seq) || this.inWritten(seq)) seq = (seq + 1) >>> 0;
    this.nextSeq = (seq + 1) >>> 0;
    return seq;
  }

  /** Whether `seq` belongs to a `sendWritten` datagram still waiting. */
  private inWritten(seq: number): boolean {
    for (const g of this.written) if (((seq - g.first) >>> 0) < g.count) return true;
    return false;
  }

  /** `count` consecutive free sequence numbers (never 0, never wrapping): the first. */
  private allocateRange(count: number): number {
    let first = this.nextSeq;
    for (;;) {
      if (first === 0 || first + count - 1 > 0xffffffff) first = 1;
      let clash = -1;
      for (const g of this.written) {
        if (first < g.first + g.count && g.first < first + count) clash = Math.max(clash, g.first + g.count - 1);
      }
      if (clash < 0 && (this.pending.size > 0 || this.reserved.size > 0)) {
        for (let s = first; s < first + count; s++) {
          if (this.pending.has(s) || this.reserved.has(s)) {
            clash = s;
            break;
          }
        }
      }
      if (clash < 0) break;
      first = clash + 1;
    }
    this.nextSeq = (first + count) >>> 0;
    return first;
  }

  /** Read and dispatch whatever is queued, for at most one time slice; then wait or yield. */
  private drain(): void {
    if (this.isClosed) return;
    // A running dump is timed from its first datagram; otherwise the slice is timed from the
    // second datagram on, so a request answered by one datagram (an ACK) reads no clock at all.
    // A clock of its own, not the turn's slice: reading frees the receive buffer, and a burst
    // cut short by the sending done earlier in the turn lets the kernel's replies overflow it.
    let started = this.activeDump !== undefined ? performance.now() : -1;
    let count = started < 0 ? 0 : 1;
    while (this.awaiting && !this.paused) {
      let datagram: ReceivedDatagram | null;
      try {
        datagram = this.transport.receive();
      } catch (e) {
        this.failAll(e as Error);
        return;
      }
      if (datagram === null) {
        this.park();
        return;
      }
      this.dispatch(datagram);
      // A long dump must not hold the event loop: give it back between datagrams once the
      // slice is used (a datagram of a dump is up to ~32 KB: well under a millisecond).
      if (++count > 1) {
        const now = performance.now();
        if (started < 0) started = now;
        else if (now - started > SLICE_MS) {
          this.scheduleDrain();
          return;
        }
      }
    }
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** Wait for readability; the socket holds the event loop only while something is pending. */
  private park(): void {
    if (this.waiting || this.isClosed || this.paused) return;
    this.waiting = true;
    this.setLoopHold(this.awaiting);
    this.transport.waitReadable().then(
      () => {
        this.waiting = false;
        this.releaseLoopIfIdle();
        this.drain();
      },
      (e: unknown) => {
        this.waiting = false;
        this.setLoopHold(false);
        if (!this.isClosed) this.failAll(e as Error);
      },
    );
  }

  private dispatch(d: ReceivedDatagram): void {
    this.stats.datagrams++;
    // Only the kernel may answer: another process that knows our port id must not be able
    // to resolve, reject or inject into our requests.
    if (d.senderPid !== 0) {
      this.stats.foreignDropped++;
      return;
    }
    if (d.truncated) {
      this.failFirst(d.bytes, new TruncatedReplyError(d.size, this.transport.receiveBufferSize));
      return;
    }
    // Walk the headers ourselves: ACKs and DONEs (most of what arrives) complete their request
    // without building objects; only messages a request maps, and errors, are decoded.
    const bytes = d.bytes;
    const end = bytes.length;
    let offset = 0;
    // Every message of a dump datagram carries the same seq: look it up once per run of them.
    let lastSeq = -1;
    let lastPending: Pending | undefined;
    /** The copy of this datagram `keepDatagram` mappers share, made when first needed. */
    let kept: Uint8Array | undefined;
    while (offset + 16 <= end) {
      const len = rd32(bytes, offset);
      if (len < 16) break; // the kernel stops here too
      if (offset + len > end) {
        this.stats.decodeErrors++;
        this.failFirst(bytes.subarray(offset), new NetlinkDecodeErrorLike(`message at byte ${offset} runs past the datagram`));
        return;
      }
      const type = bytes[offset + 4]! | (bytes[offset + 5]! << 8);
      const flags = bytes[offset + 6]! | (bytes[offset + 7]! << 8);
      const seq = rd32(bytes, offset + 8);
      let p: Pending | undefined;
      if (seq === lastSeq) p = lastPending;
      else {
        p = this.pending.get(seq);
        lastSeq = seq;
        lastPending = p;
      }
      if (p === undefined) {
        if (this.written.length === 0 || !this.dispatchWritten(seq, type, bytes, offset, len)) this.stats.unmatched++;
        lastSeq = -1;
      } else if (type === NLMSG_ERROR || type === NLMSG_DONE) {
        lastSeq = -1; // the request is settled below: look again for any later message
        // The kernel also flags the final DONE when the table changed after the last part.
        if (p.dump && (flags & NLM_F_DUMP_INTR) !== 0) p.interrupted = true;
        const error = len >= 20 ? rd32(bytes, offset + 16) | 0 : 0;
        if (error === 0 || (type === NLMSG_DONE && error > 0)) this.complete(p);
        else this.fail(p, this.errorFrom(p, bytes.subarray(offset, offset + len), error));
      } else if (type === NLMSG_OVERRUN) {
        lastSeq = -1;
        this.fail(p, new OverrunError(p.typeName));
      } else if (type !== NLMSG_NOOP && p.mapAt !== undefined) {
        offset = this.mapRun(p, p.keepDatagram ? (kept ??= bytes.slice()) : bytes, offset, end);
        lastSeq = -1;
        continue;
      } else if (type !== NLMSG_NOOP) {
        if (p.dump && (flags & NLM_F_DUMP_INTR) !== 0) p.interrupted = true;
        let r: unknown;
        try {
          // One call site for the three kinds of mapper (see callMapper).
          let f: Mapper | undefined;
          let arg: unknown;
          if (p.mapRaw !== undefined) {
            f = p.mapRaw as Mapper;
            arg = bytes.subarray(offset, offset + len);
          } else {
            arg = decode(bytes.subarray(offset, offset + len))[0];
            if (arg !== undefined) f = p.map as Mapper;
          }
          r = f === undefined ? undefined : callMapper(f, arg, offset, len);
        } catch (e) {
          this.stats.decodeErrors++;
          this.fail(p, e as Error);
          lastSeq = -1;
          r = undefined;
        }
        if (r !== undefined) {
          if (p.onResult) p.onResult(r);
          else p.results.push(r);
        }
      }
      offset += (len + 3) & ~3;
    }
  }

  /**
   * Map the run of `p`'s messages that starts at `offset` (a message `dispatch` has checked)
   * with `p.mapAt`, up to the first message that is another request's, a control message or
   * malformed, which `dispatch` then handles; returns where the run stopped. `bytes` is the
   * datagram, or the copy of it that `keepDatagram` mappers keep.
   *
   * Why a loop of its own: a dump's datagram is a run of one request's messages, and this small
   * function is what runs once per message. The optimizing compiler takes it within the first
   * repetitions of a dump, while `dispatch`, large and entered once per datagram, waited
   * several milliseconds in the compile queue and ran every message unoptimized meanwhile
   * (`--trace-opt`, a fresh process listing 1000 addresses 20 times: the repetitions fell to
   * their optimized 0.4-0.6 ms from about the 4th instead of about the 8th).
   */
  private mapRun(p: Pending, bytes: Uint8Array, offset: number, end: number): number {
    const f = p.mapAt as Mapper;
    const seq = p.seq;
    while (offset + 16 <= end) {
      const len = rd32(bytes, offset);
      if (len < 16 || offset + len > end) break;
      const type = bytes[offset + 4]! | (bytes[offset + 5]! << 8);
      if ((type >= NLMSG_NOOP && type <= NLMSG_OVERRUN) || rd32(bytes, offset + 8) !== seq) break;
      if (p.dump && (bytes[offset + 6]! & NLM_F_DUMP_INTR) !== 0) p.interrupted = true;
      let r: unknown;
      try {
        r = callMapper(f, bytes, offset, len);
      } catch (e) {
        this.stats.decodeErrors++;
        this.fail(p, e as Error);
        return offset + ((len + 3) & ~3);
      }
      if (r !== undefined) {
        if (p.onResult) p.onResult(r);
        else p.results.push(r);
      }
      offset += (len + 3) & ~3;
    }
    return offset;
  }

  /** Decode an error message (rare) to build the NetlinkError. */
  private errorFrom(p: Pending, bytes: Uint8Array, error: number): Error {
    try {
      const m = decode(bytes)[0];
      if (m) return this.toNetlinkError(p, m, error);
    } catch {
      // fall through: the errno alone still says what happened
    }
    return new NetlinkError(error, p.typeName);
  }

  private complete(p: Pending): void {
    this.pending.delete(p.seq);
    this.releaseLoopIfIdle();
    if (p.dump && p.interrupted) {
      if (p.attempts < p.maxAttempts) {
        this.stats.dumpRetries++;
        p.results = [];
        p.interrupted = false;
        this.start(p);
        return;
      }
      settleError(p, new DumpInterruptedError(p.typeName, p.attempts, p.results));
      this.startNextDump(p);
      return;
    }
    settleOk(p, p.results);
    this.startNextDump(p);
  }

  private fail(p: Pending, error: Error): void {
    this.pending.delete(p.seq);
    this.releaseLoopIfIdle();
    settleError(p, error);
    this.startNextDump(p);
  }

  /** An idle handle must not keep the process alive, even while its watcher is armed. */
  private releaseLoopIfIdle(): void {
    if (this.holdingLoop && !this.awaiting) this.setLoopHold(false);
  }

  /** ref()/unref() the socket's watcher only on change: this runs on every completion. */
  private setLoopHold(hold: boolean): void {
    if (hold === this.holdingLoop) return;
    this.holdingLoop = hold;
    if (hold) this.transport.ref();
    else this.transport.unref();
  }

  private startNextDump(finished: Pending): void {
    if (this.activeDump !== finished) return;
    this.activeDump = undefined;
    const next = this.dumpQueue.shift();
    if (next) this.start(next);
  }

  /** A datagram we cannot trust: fail the request its first header names, or everything. */
  private failFirst(bytes: Uint8Array, error: Error): void {
    if (bytes.length >= 16) {
      const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
      const p = this.pending.get(seq);
      if (p) {
        this.fail(p, error);
        return;
      }
    }
    this.failAll(error);
  }

  private failAll(error: Error): void {
    if ((error as { code?: string }).code === 'ENOBUFS') {
      this.stats.overruns++;
      error = new OverrunError('replies to pending requests');
      // The kernel reports ENOBUFS once per congestion episode. Whatever is still queued
      // belongs to the requests failed here; left in place it would keep the buffer full and
      // make the next requests' replies vanish without another error. Empty it now.
      this.discardQueued();
    }
    const all = [...this.pending.values()];
    this.pending.clear();
    this.activeDump = undefined;
    for (const p of all) settleError(p, error);
    for (const g of [...this.written]) this.failWritten(g, error);
    const queued = this.dumpQueue.splice(0);
    for (const p of queued) this.start(p);
  }

  /** Read and drop everything queued on the socket (after an overrun). */
  private discardQueued(): void {
    for (let i = 0; i < 100_000; i++) {
      let d: ReceivedDatagram | null;
      try {
        d = this.transport.receive();
      } catch {
        continue; // another ENOBUFS report: keep emptying
      }
      if (d === null) return;
      if (d.senderPid !== 0) this.stats.foreignDropped++;
      else this.stats.unmatched++;
    }
  }

  private toNetlinkError(p: Pending, m: Message, error: number): NetlinkError {
    const attrs = (m as { attrs?: Record<string, unknown> }).attrs ?? {};
    const offs = typeof attrs.offs === 'number' ? attrs.offs : undefined;
    let path = (m as { attributePath?: string }).attributePath;
    if (path === undefined && offs !== undefined) {
      // Capped errors echo only the header: resolve the offset against the bytes we sent.
      try {
        path = resolveAttributePath(p.requestBytes, offs);
      } catch {
        path = undefined;
      }
    }
    return new NetlinkError(error, p.typeName, {
      extAck: typeof attrs.msg === 'string' ? attrs.msg : undefined,
      attributePath: path,
      offset: offs,
      missingType: typeof attrs['miss-type'] === 'number' ? (attrs['miss-type'] as number) : undefined,
    });
  }
}

const EMPTY = new Uint8Array(0);
const NO_RESULTS: unknown[] = [];
const NO_MESSAGE: Message = { header: { type: 0, flags: [], seq: 0, pid: 0 } };
const noop = (): void => {};

/** Little-endian u32 at `at` (byte reads: no DataView per datagram). */
function rd32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** A stand-in request for message `k` of a `sendWritten` datagram, to build its error (rare). */
function writtenPending(g: WrittenGroup, k: number): Pending {
  const at = g.offsets[k]!;
  const b = g.datagram;
  const len = rd32(b, at);
  return {
    seq: (g.first + k) >>> 0,
    typeName: g.typeName,
    // Its own message: an ext-ack offset is relative to the request it answers.
    requestBytes: b.subarray(at, at + len),
    dump: false,
    map: undefined,
    mapRaw: undefined,
    mapAt: undefined,
    keepDatagram: false,
    onResult: undefined,
    results: NO_RESULTS,
    interrupted: false,
    attempts: 1,
    maxAttempts: 1,
    message: NO_MESSAGE,
    resolve: noop,
    reject: noop,
    resolveVoid: true,
    offload: false,
    outcome: 0,
    value: undefined,
  };
}

/** A datagram whose framing is broken (from the kernel this means a bug or memory corruption). */
class NetlinkDecodeErrorLike extends Error {
  readonly code = 'EBADMSG';
  constructor(message: string) {
    super(message);
    this.name = 'NetlinkDecodeError';
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function pad(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP_INTR = 0x10;
const NLM_F_DUMP = 0x300;
const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLMSG_OVERRUN = 4;

/**
 * Fill in what only the engine knows in a request already written: seq, pid and its flags.
 * In place: the bytes belong to this one request (a retried dump rewrites them with its new
 * seq). Byte stores, not a DataView: a small request lives inside V8's heap, and asking for
 * its `.buffer` would make V8 move it out (a malloc per request).
 */
function fillHeader(wire: Uint8Array, seq: number, pid: number, engineFlags: number): void {
  wire[6] = wire[6]! | engineFlags;
  wire[7] = wire[7]! | (engineFlags >>> 8);
  put32(wire, 8, seq);
  put32(wire, 12, pid);
}

/** Encode with our seq/pid and the engine's own flags ORed into the caller's, as one number. */
function encodeRequest(message: Message, seq: number, pid: number, engineFlags: number): Uint8Array {
  const wire = wireOf(message);
  if (wire !== undefined) {
    fillHeader(wire, seq, pid, engineFlags);
    return wire;
  }
  const h = message.header;
  const type = typeof h.type === 'number' ? h.type : messageTypeNumber(h.type);
  const flags = messageFlagsValue(type, h.flags as Parameters<typeof messageFlagsValue>[1]) | engineFlags;
  return encode({ ...message, header: { type, flags, seq, pid } });
}
