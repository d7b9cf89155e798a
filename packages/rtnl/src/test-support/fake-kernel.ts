/**
 * A transport that replays a scripted "kernel": each sent datagram is handed to `respond`,
 * whose datagrams are queued for the engine to read. Lets engine tests cover sequence
 * matching, foreign senders, interrupted dumps, truncation and overruns without a socket.
 */
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
