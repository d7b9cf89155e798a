/**
 * A transport that replays a scripted "kernel": each sent datagram is handed to `respond`,
 * whose datagrams are queued for the engine to read. Lets engine tests cover sequence
 * matching, foreign senders, interrupted dumps, truncation and overruns without a socket.
 */
import { decode, encode } from '@nlkit/nl-codec';
import type { ReceivedDatagram, Transport } from '../conn/transport.js';
import { Handle } from '../handle.js';

export interface FakeDatagram {
  bytes: Uint8Array;
  senderPid?: number;
  truncated?: boolean;
  size?: number;
}

export class FakeKernel implements Transport {
  readonly portId: number;
  readonly receiveBufferSize = 1 << 20;
  readonly sent: Uint8Array[] = [];
  private readonly queue: (FakeDatagram | Error)[] = [];
  private waiter: (() => void) | undefined;
  private isClosed = false;
  refs = 0;

  constructor(
    private readonly respond: (request: Uint8Array, kernel: FakeKernel) => void,
    portId = 4242,
  ) {
    this.portId = portId;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Queue a datagram (or an error such as ENOBUFS) for the engine to read. */
  push(d: FakeDatagram | Error): void {
    this.queue.push(d);
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  send(datagram: Uint8Array): void {
    this.deliver(datagram.slice());
  }

  /** Record a datagram as sent and let the scripted kernel answer it. */
  protected deliver(bytes: Uint8Array): void {
    this.sent.push(bytes);
    this.respond(bytes.slice(), this);
  }

  receive(): ReceivedDatagram | null {
    const d = this.queue.shift();
    if (d === undefined) return null;
    if (d instanceof Error) throw d;
    return {
      bytes: d.bytes,
      senderPid: d.senderPid ?? 0,
      groups: 0,
      truncated: d.truncated ?? false,
      size: d.size ?? d.bytes.length,
    };
  }

  waitReadable(): Promise<void> {
    if (this.queue.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  ref(): void {
    this.refs = 1;
  }

  unref(): void {
    this.refs = 0;
  }

  close(): void {
    this.isClosed = true;
  }
}

/**
 * A fake kernel whose transport also has `sendAsync`, as the real socket does: the "kernel"
 * handles a datagram when the worker's call would return (a later turn of the event loop, or
 * when `hold()`'s release is called), reading its bytes *then*, as a worker thread would. So a
 * caller that changes a datagram while it is in flight gets wrong answers, and is counted in
 * `mutatedInFlight` (the bytes at completion differ from those at the call).
 */
export class AsyncFakeKernel extends FakeKernel {
  /** Datagrams whose bytes changed between the call and its completion. */
  mutatedInFlight = 0;
  /** Async sends not completed yet, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Async sends made (the synchronous `send` is counted by `sent` only). */
  asyncSends = 0;
  private gate: Promise<void> | undefined;
  /** Errors for async sends by their number (1 = the first async send). */
  private readonly failures = new Map<number, Error>();

  /** Hold every async send until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** The `nth` async send from now (1 = the next) fails with `error`; the kernel sees nothing of it. */
  failSend(error: Error, nth = 1): void {
    this.failures.set(this.asyncSends + nth, error);
  }

  async sendAsync(datagram: Uint8Array): Promise<void> {
    const atCall = datagram.slice();
    const failure = this.failures.get(++this.asyncSends);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setImmediate(r));
      while (this.gate !== undefined) await this.gate;
      if (failure !== undefined) throw failure;
      const atReturn = datagram.slice();
      if (Buffer.compare(atCall, atReturn) !== 0) this.mutatedInFlight++;
      this.deliver(atReturn);
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * The kernel's capped answer to the request `req`: NLMSG_ERROR with `error` (0: an ACK, else a
 * negative errno), the request's seq, and its 16-byte header echoed.
 */
export function answerTo(req: Uint8Array, error = 0): Uint8Array {
  const ack = new Uint8Array(36);
  const v = new DataView(ack.buffer);
  v.setUint32(0, 36, true);
  v.setUint16(4, 2, true); // NLMSG_ERROR
  v.setUint16(6, 0x100, true); // NLM_F_CAPPED
  v.setUint32(8, new DataView(req.buffer, req.byteOffset).getUint32(8, true), true);
  v.setInt32(16, error, true);
  ack.set(req.subarray(0, 16), 20);
  return ack;
}

/**
 * Answers route changes as rtnetlink does: an error for each failing message, an ACK where
 * asked. A dst with 99 as its second byte exists already (EEXIST); gateway 203.0.113.9 is not
 * on a link (ENETUNREACH with an ext-ack offset that points at the gateway attribute).
 */
export function routeAnswers(req: Uint8Array, k: FakeKernel): void {
  const v = new DataView(req.buffer, req.byteOffset, req.byteLength);
  for (let off = 0; off + 16 <= req.length; ) {
    const len = v.getUint32(off, true);
    const flags = v.getUint16(off + 6, true);
    const seq = v.getUint32(off + 8, true);
    const m = decode(req.subarray(off, off + len))[0] as { attrs?: { dst?: string; gateway?: string } };
    let error = 0;
    let ext: Record<string, unknown> | undefined;
    if (m.attrs?.dst?.split('.')[1] === '99') error = -17;
    else if (m.attrs?.gateway === '203.0.113.9') {
      error = -101;
      ext = { msg: 'Nexthop has invalid gateway', offs: 36 };
    }
    if (error !== 0 || (flags & 4) !== 0) {
      k.push({
        bytes: encode({
          header: { type: 'NLMSG_ERROR', flags: ext ? ['capped', 'ack_tlvs'] : ['capped'], seq, pid: k.portId },
          error,
          request: { header: { type: v.getUint16(off + 4, true) === 24 ? 'RTM_NEWROUTE' : 'RTM_DELROUTE', flags: [], seq, pid: k.portId } },
          ...(ext ? { attrs: ext } : {}),
        } as never),
      });
    }
    off += (len + 3) & ~3;
  }
}

/** Errors shaped like the shim's. */
export function sysError(code: string, errno: number): Error {
  return Object.assign(new Error(`${code}: simulated`), { code, errno });
}

/** A handle whose kernel must never be reached (bad input must be refused before any syscall). */
export function noKernelHandle(): { h: Handle; kernel: FakeKernel } {
  const kernel = new FakeKernel(() => {
    throw new Error('a request reached the kernel');
  });
  return { h: Handle.open({ transport: kernel }), kernel };
}
