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
    this.sent.push(datagram.slice());
    this.respond(datagram.slice(), this);
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
