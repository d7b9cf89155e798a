/**
 * The real transport: a non-blocking NETLINK_ROUTE socket through the syscall shim.
 */
import * as shim from '@nlkit/syscall-shim';
import type { NetnsRef } from '../netns.js';
import { nsTarget } from '../netns.js';
import { recorderFor, type PcapRecorder } from './recorder.js';
import type { ReceivedDatagram, Transport } from './transport.js';

export interface SocketOptions {
  netns?: NetnsRef | undefined;
  /** Ask for extended ACKs (kernel messages and attribute offsets in errors). Default true. */
  extAck?: boolean;
  /** Strict checking of dump requests, so filters are applied by the kernel. Default true. */
  strict?: boolean;
  /** Errors echo only the request header (we keep the request bytes ourselves). Default true. */
  capAck?: boolean;
  /** SO_RCVBUF(FORCE) in bytes. */
  recvBufferSize?: number | undefined;
  /** Multicast groups to join (numbers, `RTNLGRP_*`). */
  groups?: number[];
  /** Size of the user-space buffer one datagram is read into. */
  readBufferSize?: number;
  /** Append every datagram sent and received to this pcap file (default: `$NLKIT_PCAP`). */
  record?: string | undefined;
}

// Dump datagrams are at most ~32 KiB (the kernel caps its dump skb), but a single message for
// a device with many VFs can be larger; 1 MiB leaves room, and truncation is still detected.
const DEFAULT_READ_BUFFER = 1 << 20;
/** Requests up to this size are sent from one reused buffer (see `send`). */
const SEND_BUFFER = 4096;

export class SocketTransport implements Transport {
  readonly portId: number;
  readonly receiveBufferSize: number;
  private readonly fd: shim.OwnedFd;
  private readonly buffer: Uint8Array;
  private readonly watcher: shim.ReadableWatcher;
  private isClosed = false;
  private readonly recorder: PcapRecorder | undefined;
  private sendBuffer: Uint8Array | undefined;

  constructor(options: SocketOptions = {}) {
    const C = shim;
    const make = (): shim.OwnedFd => shim.socket(C.AF_NETLINK, C.SOCK_RAW | C.SOCK_NONBLOCK, C.NETLINK_ROUTE);
    // A socket belongs to the namespace it was created in: enter, create, come back.
    const fd = options.netns !== undefined ? shim.inNetns(nsTarget(options.netns), make) : make();
    try {
      if (options.recvBufferSize !== undefined) {
        try {
          shim.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUFFORCE, options.recvBufferSize);
        } catch {
          shim.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, options.recvBufferSize);
        }
      }
      if (options.extAck !== false) shim.setsockopt(fd, C.SOL_NETLINK, C.NETLINK_EXT_ACK, 1);
      if (options.capAck !== false) shim.setsockopt(fd, C.SOL_NETLINK, C.NETLINK_CAP_ACK, 1);
      if (options.strict !== false) shim.setsockopt(fd, C.SOL_NETLINK, C.NETLINK_GET_STRICT_CHK, 1);
      shim.bind(fd, { pid: 0, groups: 0 });
      for (const g of options.groups ?? []) shim.setsockopt(fd, C.SOL_NETLINK, C.NETLINK_ADD_MEMBERSHIP, g);
      this.portId = shim.getsockname(fd).pid;
      this.fd = fd;
      this.buffer = new Uint8Array(options.readBufferSize ?? DEFAULT_READ_BUFFER);
      this.receiveBufferSize = this.buffer.length;
      this.watcher = shim.watchReadable(fd);
      this.watcher.unref();
      this.recorder = recorderFor(options.record);
      this.recorder?.acquire();
    } catch (e) {
      fd.close();
      throw e;
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The socket's fd number (for diagnostics and `/proc/self/fd` checks). */
  get fdNumber(): number {
    return this.fd.fd;
  }

  send(datagram: Uint8Array): void {
    // Small requests are built as small arrays, which V8 keeps inside its heap; handing one to
    // native code makes V8 move it out first (an allocation per request). Copying it into a
    // buffer that lives outside the heap is cheaper.
    if (datagram.byteLength <= SEND_BUFFER) {
      const out = (this.sendBuffer ??= new Uint8Array(SEND_BUFFER));
      out.set(datagram);
      shim.sendto(this.fd, out.subarray(0, datagram.byteLength), 0);
    } else shim.sendto(this.fd, datagram, 0);
    this.recorder?.record('to-kernel', this.portId, datagram);
  }

  /**
   * The send on a worker thread (the shim's `sendtoAsync`): used for datagrams the kernel may
   * take long to handle (route inserts in bulk). The shim keeps the socket's number open until
   * the call returns even if `close()` runs meanwhile. No copy into the small send buffer:
   * `datagram` is the caller's, left untouched until the promise settles.
   */
  sendAsync(datagram: Uint8Array): Promise<void> {
    return shim.sendtoAsync(this.fd, datagram, 0).then(() => {
      // Not once closed: this socket has let go of the (shared) capture file.
      if (!this.isClosed) this.recorder?.record('to-kernel', this.portId, datagram);
    });
  }

  receive(): ReceivedDatagram | null {
    // recvfrom, not recvmsg: the same datagram, sender and size for less kernel work per call
    // (no msghdr and iovec to copy in), which every request's ACK pays.
    const r = shim.recvfrom(this.fd, this.buffer, shim.MSG_DONTWAIT);
    if (r === null) return null;
    this.recorder?.record('to-user', this.portId, this.buffer.subarray(0, r.length));
    return {
      bytes: this.buffer.subarray(0, r.length),
      senderPid: r.pid,
      groups: r.groups,
      truncated: r.truncated,
      size: r.size,
    };
  }

  waitReadable(): Promise<void> {
    return this.watcher.wait();
  }

  ref(): void {
    this.watcher.ref();
  }

  unref(): void {
    this.watcher.unref();
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.watcher.close();
    this.fd.close();
    this.recorder?.release();
  }
}
