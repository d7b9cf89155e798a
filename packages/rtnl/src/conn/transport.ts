/**
 * The engine's view of a netlink socket: send a datagram, receive one without blocking, wait
 * until one is ready. Keeping this tiny lets tests replay recorded kernel bytes through a fake
 * (see `fake-kernel.ts`), and lets the real socket live in one place (`socket-transport.ts`).
 */
export interface ReceivedDatagram {
  /** The datagram's bytes; valid only until the next `receive()` (the buffer is reused). */
  readonly bytes: Uint8Array;
  /** Port id of the sender: 0 is the kernel. Anything else is dropped by the engine. */
  readonly senderPid: number;
  /** Multicast groups the datagram was sent to (0 for unicast replies). */
  readonly groups: number;
  /** The datagram did not fit the buffer (`MSG_TRUNC`): its tail is lost. */
  readonly truncated: boolean;
  /** The datagram's real size (larger than `bytes.length` when truncated). */
  readonly size: number;
}

export interface Transport {
  /** Our port id (`nl_pid` after bind), used as `nlmsg_pid` in requests. */
  readonly portId: number;
  /** Size of the reusable receive buffer. */
  readonly receiveBufferSize: number;
  /** Send one datagram (one or more encoded messages). Throws the shim's Node-style error. */
  send(datagram: Uint8Array): void;
  /**
   * Optional: send one datagram with the system call on a worker thread, so a request the
   * kernel handles slowly inside `sendmsg` does not stall the event loop. Resolves once the
   * call has returned (rtnetlink's answers are queued by then); rejects with the error `send`
   * would throw. The caller must not change `datagram` until it settles. `close()` meanwhile
   * must not release the socket under the worker. Transports without it get `send`.
   */
  sendAsync?(datagram: Uint8Array): Promise<void>;
  /**
   * Receive one datagram without blocking; `null` when none is queued. Throws an error with
   * `code: 'ENOBUFS'` when the socket's receive buffer overflowed (messages were lost).
   */
  receive(): ReceivedDatagram | null;
  /** Resolve when a datagram is (probably) queued. Holds the event loop only while `ref()`ed. */
  waitReadable(): Promise<void>;
  /** Keep the process alive while something waits on this socket. */
  ref(): void;
  /** Let the process exit even if this socket is being watched. */
  unref(): void;
  close(): void;
  readonly closed: boolean;
}
