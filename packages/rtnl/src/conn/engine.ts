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
import { attributePath as resolveAttributePath, decode, encode, type Message } from '@nlkit/nl-codec';
import { DumpInterruptedError, HandleClosedError, NetlinkError, OverrunError, TruncatedReplyError } from '../errors.js';
import type { ReceivedDatagram, Transport } from './transport.js';

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
  /** For dumps: how many times an interrupted dump is re-run before rejecting (default 3). */
  maxAttempts?: number;
  /** Called per result as it arrives instead of collecting into the returned array. */
  onResult?: (result: T) => void;
}

interface Pending {
  seq: number;
  typeName: string;
  requestBytes: Uint8Array;
  dump: boolean;
  map: ((message: Message) => unknown) | undefined;
  onResult: ((result: unknown) => void) | undefined;
  results: unknown[];
  interrupted: boolean;
  attempts: number;
  maxAttempts: number;
  message: Message;
  resolve: (value: unknown[]) => void;
  reject: (reason: unknown) => void;
}

/** How long one synchronous drain may run before it yields to the event loop. */
const SLICE_MS = 2;

const identity = (m: Message): Message => m;

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
  private readonly pending = new Map<number, Pending>();
  private nextSeq: number;
  /** The dump currently running on the socket, and those waiting for it (the kernel runs one per socket). */
  private activeDump: Pending | undefined;
  private readonly dumpQueue: Pending[] = [];
  private waiting = false;
  private drainScheduled = false;
  private isClosed = false;

  constructor(private readonly transport: Transport) {
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
    return this.pending.size + this.dumpQueue.length;
  }

  /**
   * Send `message` and resolve with its replies (mapped through `map`), or reject with a
   * NetlinkError. Header `seq`, `pid` and the `request`/`ack`/`dump` flags are filled in here.
   */
  request<T = Message>(message: Message, options: RequestOptions<T> = {}): Promise<T[]> {
    if (this.isClosed) return Promise.reject(new HandleClosedError());
    const dump = options.dump === true;
    return new Promise<T[]>((resolve, reject) => {
      const p: Pending = {
        seq: 0,
        typeName: String(message.header.type),
        requestBytes: EMPTY,
        dump,
        map: (options.map ?? identity) as (m: Message) => unknown,
        onResult: options.onResult as ((r: unknown) => void) | undefined,
        results: [],
        interrupted: false,
        attempts: 0,
        maxAttempts: Math.max(1, options.maxAttempts ?? 3),
        message,
        resolve: resolve as (v: unknown[]) => void,
        reject,
      };
      if (dump && this.activeDump) {
        this.dumpQueue.push(p);
        return;
      }
      this.start(p);
    });
  }

  /** Close the socket; every pending request rejects with HandleClosedError. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const err = new HandleClosedError();
    for (const p of this.pending.values()) p.reject(err);
    for (const p of this.dumpQueue) p.reject(err);
    this.pending.clear();
    this.dumpQueue.length = 0;
    this.activeDump = undefined;
    this.transport.close();
  }

  private start(p: Pending): void {
    const seq = this.allocateSeq();
    p.seq = seq;
    p.attempts++;
    const header = p.message.header;
    const flags = new Set<string | number>(Array.isArray(header.flags) ? header.flags : []);
    flags.add('request');
    if (p.dump) flags.add('dump');
    else flags.add('ack');
    let bytes: Uint8Array;
    try {
      bytes = encodeRequest({ ...p.message, header: { ...header, flags: [...flags], seq, pid: this.transport.portId } });
    } catch (e) {
      p.reject(e);
      this.startNextDump(p);
      return;
    }
    p.requestBytes = bytes;
    this.pending.set(seq, p);
    if (p.dump) this.activeDump = p;
    if (this.waiting) this.transport.ref();
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

  private allocateSeq(): number {
    let seq = this.nextSeq;
    // Skip 0 (used by unsolicited notifications) and any number still in flight.
    while (seq === 0 || this.pending.has(seq)) seq = (seq + 1) >>> 0;
    this.nextSeq = (seq + 1) >>> 0;
    return seq;
  }

  /** Read and dispatch whatever is queued, for at most one time slice; then wait or yield. */
  private drain(): void {
    if (this.isClosed) return;
    const started = performance.now();
    let count = 0;
    while (this.pending.size > 0) {
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
      // A long dump must not hold the event loop: give it back between datagrams.
      if ((++count & 3) === 0 && performance.now() - started > SLICE_MS) {
        this.scheduleDrain();
        return;
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
    if (this.waiting || this.isClosed) return;
    this.waiting = true;
    this.transport.ref();
    this.transport.waitReadable().then(
      () => {
        this.waiting = false;
        if (this.pending.size === 0) this.transport.unref();
        this.drain();
      },
      (e: unknown) => {
        this.waiting = false;
        this.transport.unref();
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
    let messages: Message[];
    try {
      messages = decode(d.bytes);
    } catch (e) {
      this.stats.decodeErrors++;
      this.failFirst(d.bytes, e as Error);
      return;
    }
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const p = this.pending.get(m.header.seq);
      if (p === undefined) {
        this.stats.unmatched++;
        continue;
      }
      switch (m.header.type) {
        case 'NLMSG_ERROR': {
          const error = (m as { error?: number }).error ?? 0;
          if (error === 0) this.complete(p);
          else this.fail(p, this.toNetlinkError(p, m, error));
          break;
        }
        case 'NLMSG_DONE': {
          const error = (m as { error?: number }).error ?? 0;
          if (error < 0) this.fail(p, this.toNetlinkError(p, m, error));
          else this.complete(p);
          break;
        }
        case 'NLMSG_NOOP':
          break;
        case 'NLMSG_OVERRUN':
          this.fail(p, new OverrunError(p.typeName));
          break;
        default: {
          const flags = m.header.flags;
          if (p.dump && flags.length > 1 && flags.includes('dump_intr')) p.interrupted = true;
          const r = p.map!(m);
          if (r !== undefined) {
            if (p.onResult) p.onResult(r);
            else p.results.push(r);
          }
        }
      }
    }
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
      p.reject(new DumpInterruptedError(p.typeName, p.attempts, p.results));
      this.startNextDump(p);
      return;
    }
    p.resolve(p.results);
    this.startNextDump(p);
  }

  private fail(p: Pending, error: Error): void {
    this.pending.delete(p.seq);
    this.releaseLoopIfIdle();
    p.reject(error);
    this.startNextDump(p);
  }

  /** An idle handle must not keep the process alive, even while its watcher is armed. */
  private releaseLoopIfIdle(): void {
    if (this.waiting && this.pending.size === 0) this.transport.unref();
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
    }
    const all = [...this.pending.values()];
    this.pending.clear();
    this.activeDump = undefined;
    for (const p of all) p.reject(error);
    const queued = this.dumpQueue.splice(0);
    for (const p of queued) this.start(p);
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

function encodeRequest(message: Message): Uint8Array {
  return encode(message);
}
