import { c, cAsync, errno, address } from './ffi.js';
import { check, hook } from './hooks.js';
import { SyscallError } from './errors.js';
import { OwnedFd, fdNum, type FdLike } from './fd.js';
import { MSG_TRUNC, SOCK_CLOEXEC } from './constants.js';
import { LAYOUT, SOCKADDR_NL_SIZE, writeSockaddrNl, type SockaddrNl } from './structs.js';

const EAGAIN = 11;
/** Linux's IOV_MAX: the most buffers one sendmsg takes. */
const IOV_MAX = 1024;

/*
 * Preallocated structs for the hot path, all in one ArrayBuffer: `new ArrayBuffer` always has
 * an off-heap backing store that never moves, so the addresses stored inside (msg_name,
 * msg_iov) are taken once at load and stay valid as long as this module holds `arena`.
 */
const arena = new ArrayBuffer(512);
const av = new DataView(arena);
const R_HDR = 0; // recv msghdr (56)
const R_IOV = 64; // recv iovec (16)
const R_NAME = 80; // recv sockaddr_nl (12)
const S_HDR = 96; // send msghdr (56)
const S_NAME = 152; // send sockaddr_nl (12)
const OPT = 168; // setsockopt/getsockopt int (4)
const OPTLEN = 172; // socklen_t (4)
const GSN_LEN = 176; // getsockname socklen_t (4)
const F_NAME = 180; // recvfrom sockaddr_nl (12)
const F_NAMELEN = 192; // recvfrom socklen_t (4)
const GSN = 256; // getsockname sockaddr_storage (128)

const recvHdr = new Uint8Array(arena, R_HDR, LAYOUT.msghdr.size);
const sendHdr = new Uint8Array(arena, S_HDR, LAYOUT.msghdr.size);
const sendName = new Uint8Array(arena, S_NAME, SOCKADDR_NL_SIZE);
const optVal = new Uint8Array(arena, OPT, 4);
const optLen = new Uint8Array(arena, OPTLEN, 4);
const gsnBuf = new Uint8Array(arena, GSN, 128);
const gsnLen = new Uint8Array(arena, GSN_LEN, 4);
const fromName = new Uint8Array(arena, F_NAME, SOCKADDR_NL_SIZE);
const fromNameLen = new Uint8Array(arena, F_NAMELEN, 4);
const arenaBase = address(new Uint8Array(arena));

// recv msghdr: name -> R_NAME, one iovec at R_IOV; no control data.
av.setBigUint64(R_HDR + LAYOUT.msghdr.msg_name, arenaBase + BigInt(R_NAME), true);
av.setBigUint64(R_HDR + LAYOUT.msghdr.msg_iov, arenaBase + BigInt(R_IOV), true);
av.setBigUint64(R_HDR + LAYOUT.msghdr.msg_iovlen, 1n, true);

// send iovec array: grown on demand (its own ArrayBuffer, so also off-heap and fixed).
let sendIovCap = 8;
let sendIov = new ArrayBuffer(sendIovCap * LAYOUT.iovec.size);
let sendIovView = new DataView(sendIov);
av.setBigUint64(S_HDR + LAYOUT.msghdr.msg_iov, address(new Uint8Array(sendIov)), true);
const sendNameAddr = arenaBase + BigInt(S_NAME);

// Receive buffer whose address is currently in the recv iovec (callers reuse one buffer, so
// this saves a koffi.address call and a BigInt per call). Held weakly so a closed transport's
// large buffer is not kept alive; once collected, deref() no longer matches and the address is
// recomputed, so a new buffer at a recycled address is never confused with it.
let recvBufCached: WeakRef<Uint8Array> | undefined;

/** The result of {@link recvmsg} and {@link recvfrom}. */
export interface RecvResult {
  /** Bytes written into the buffer. */
  length: number;
  /** The datagram's real size (the kernel reports it because MSG_TRUNC is always passed). */
  size: number;
  /** True when the datagram was larger than the buffer (`size > length`). */
  truncated: boolean;
  /** Sender's port id (`nl_pid`; 0 = the kernel). */
  pid: number;
  /** Sender's multicast groups bitmask (`nl_groups`; non-zero for notifications). */
  groups: number;
  /**
   * `msg_flags` as returned by the kernel (MSG_TRUNC, MSG_CTRUNC, ...). recvfrom(2) has no
   * `msg_flags`: {@link recvfrom} gives `MSG_TRUNC` when the datagram was truncated, else 0.
   */
  flags: number;
}

function checkInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || (v | 0) !== v) throw new TypeError(`${field} must be a 32-bit integer, got ${String(v)}`);
  return v;
}

function checkBytes(v: unknown, field: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array`);
  return v;
}

/**
 * socket(2). The socket is always close-on-exec (`SOCK_CLOEXEC` is added); add `SOCK_NONBLOCK`
 * to `type` for a non-blocking one.
 *
 * @example
 * using s = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, NETLINK_ROUTE);
 */
export function socket(domain: number, type: number, protocol = 0): OwnedFd {
  checkInt(domain, 'domain');
  checkInt(type, 'type');
  checkInt(protocol, 'protocol');
  if (hook.on) {
    const e = check('socket');
    if (e !== 0) throw new SyscallError(e, 'socket');
  }
  const fd = c.socket(domain, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) throw new SyscallError(errno(), 'socket');
  return new OwnedFd(fd);
}

/**
 * bind(2) to a netlink address (`{ pid?, groups? }`, defaults 0: the kernel assigns the port
 * id), or to raw `sockaddr` bytes for other families.
 *
 * @example
 * bind(sock, { pid: 0, groups: 0 });
 * getsockname(sock).pid; // the port id the kernel picked
 */
export function bind(fd: FdLike, addr: Partial<SockaddrNl> | Uint8Array = {}): void {
  const n = fdNum(fd, 'bind');
  let sa: Uint8Array;
  if (addr instanceof Uint8Array) sa = addr;
  else {
    writeSockaddrNl(sendName, 0, addr);
    sa = sendName;
  }
  if (hook.on) {
    const e = check('bind');
    if (e !== 0) throw new SyscallError(e, 'bind');
  }
  if (c.bind(n, sa, sa.byteLength) < 0) throw new SyscallError(errno(), 'bind');
}

/**
 * getsockname(2) for a netlink socket: its port id and groups.
 *
 * @example
 * const { pid } = getsockname(sock);
 */
export function getsockname(fd: FdLike): SockaddrNl & { family: number } {
  const n = fdNum(fd, 'getsockname');
  if (hook.on) {
    const e = check('getsockname');
    if (e !== 0) throw new SyscallError(e, 'getsockname');
  }
  av.setUint32(GSN_LEN, gsnBuf.byteLength, true);
  gsnBuf.fill(0);
  if (c.getsockname(n, gsnBuf, gsnLen) < 0) throw new SyscallError(errno(), 'getsockname');
  return { family: av.getUint16(GSN, true), pid: av.getUint32(GSN + 4, true), groups: av.getUint32(GSN + 8, true) };
}

/**
 * setsockopt(2) with an `int` value (a number) or raw bytes.
 *
 * @example
 * setsockopt(sock, SOL_NETLINK, NETLINK_EXT_ACK, 1);
 * setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20);
 */
export function setsockopt(fd: FdLike, level: number, name: number, value: number | Uint8Array): void {
  const n = fdNum(fd, 'setsockopt');
  checkInt(level, 'level');
  checkInt(name, 'name');
  let v: Uint8Array;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
      throw new RangeError(`setsockopt value must be a 32-bit integer, got ${value}`);
    }
    av.setUint32(OPT, value >>> 0, true);
    v = optVal;
  } else v = checkBytes(value, 'value');
  if (hook.on) {
    const e = check('setsockopt');
    if (e !== 0) throw new SyscallError(e, 'setsockopt');
  }
  if (c.setsockopt(n, level, name, v, v.byteLength) < 0) throw new SyscallError(errno(), 'setsockopt');
}

/**
 * getsockopt(2) for an `int` option.
 *
 * @example
 * getsockopt(sock, SOL_SOCKET, SO_RCVBUF); // e.g. 425984
 */
export function getsockopt(fd: FdLike, level: number, name: number): number {
  const n = fdNum(fd, 'getsockopt');
  checkInt(level, 'level');
  checkInt(name, 'name');
  if (hook.on) {
    const e = check('getsockopt');
    if (e !== 0) throw new SyscallError(e, 'getsockopt');
  }
  av.setInt32(OPT, 0, true);
  av.setUint32(OPTLEN, 4, true);
  if (c.getsockopt(n, level, name, optVal, optLen) < 0) throw new SyscallError(errno(), 'getsockopt');
  return av.getInt32(OPT, true);
}

/**
 * getsockopt(2) for an option whose value is a byte string (e.g. NETLINK_LIST_MEMBERSHIPS):
 * returns the bytes the kernel wrote, at most `maxLength`.
 *
 * @example
 * const groups = getsockoptBytes(sock, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 64);
 */
export function getsockoptBytes(fd: FdLike, level: number, name: number, maxLength: number): Uint8Array {
  const n = fdNum(fd, 'getsockopt');
  checkInt(level, 'level');
  checkInt(name, 'name');
  if (!Number.isInteger(maxLength) || maxLength < 0 || maxLength > 0x10000) {
    throw new RangeError(`maxLength must be in 0..65536, got ${maxLength}`);
  }
  if (hook.on) {
    const e = check('getsockopt');
    if (e !== 0) throw new SyscallError(e, 'getsockopt');
  }
  const out = new Uint8Array(maxLength);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, maxLength, true);
  if (c.getsockopt(n, level, name, out, len) < 0) throw new SyscallError(errno(), 'getsockopt');
  return out.subarray(0, Math.min(maxLength, new DataView(len.buffer).getUint32(0, true)));
}

/** Destination argument: a netlink address, or raw sockaddr bytes for other families. */
export type SendAddress = Partial<SockaddrNl> | Uint8Array;

/**
 * sendto(2): one buffer as one datagram. Returns the bytes sent. With no `addr` the socket's
 * default destination is used (the kernel, for netlink).
 *
 * @example
 * sendto(sock, requestBytes);
 */
export function sendto(fd: FdLike, data: Uint8Array, flags = 0, addr?: SendAddress): number {
  const n = typeof fd === 'number' && (fd | 0) === fd && fd >= 0 ? fd : fdNum(fd, 'sendto');
  checkBytes(data, 'data');
  checkInt(flags, 'flags');
  let sa: Uint8Array | null = null;
  if (addr !== undefined) {
    if (addr instanceof Uint8Array) sa = addr;
    else {
      writeSockaddrNl(sendName, 0, addr);
      sa = sendName;
    }
  }
  if (hook.on) {
    const e = check('sendto');
    if (e !== 0) throw new SyscallError(e, 'sendto');
  }
  const r = c.sendto(n, data, data.byteLength, flags, sa, sa === null ? 0 : sa.byteLength);
  if (r < 0) throw new SyscallError(errno(), 'sendto');
  return r;
}

/**
 * sendmsg(2): several buffers sent as ONE datagram (an iovec each; nothing is copied or
 * concatenated). Returns the bytes sent. At most 1024 buffers (IOV_MAX).
 *
 * @example
 * sendmsg(sock, [header, body]); // one netlink message from two buffers
 */
export function sendmsg(fd: FdLike, chunks: readonly Uint8Array[], flags = 0, addr?: SendAddress): number {
  const n = typeof fd === 'number' && (fd | 0) === fd && fd >= 0 ? fd : fdNum(fd, 'sendmsg');
  const count = checkChunks(chunks);
  checkInt(flags, 'flags');
  let nameAddr = 0n;
  let nameLen = 0;
  if (addr !== undefined) {
    if (addr instanceof Uint8Array) {
      nameAddr = address(addr);
      nameLen = addr.byteLength;
    } else {
      writeSockaddrNl(sendName, 0, addr);
      nameAddr = sendNameAddr;
      nameLen = SOCKADDR_NL_SIZE;
    }
  }
  if (hook.on) {
    const e = check('sendmsg');
    if (e !== 0) throw new SyscallError(e, 'sendmsg');
  }
  if (count > sendIovCap) {
    while (sendIovCap < count) sendIovCap *= 2;
    sendIov = new ArrayBuffer(sendIovCap * LAYOUT.iovec.size);
    sendIovView = new DataView(sendIov);
    av.setBigUint64(S_HDR + LAYOUT.msghdr.msg_iov, address(new Uint8Array(sendIov)), true);
  }
  for (let i = 0; i < count; i++) {
    const b = chunks[i] as Uint8Array;
    const o = i * LAYOUT.iovec.size;
    sendIovView.setBigUint64(o, b.byteLength === 0 ? 0n : address(b), true);
    sendIovView.setUint32(o + 8, b.byteLength, true);
    sendIovView.setUint32(o + 12, 0, true);
  }
  av.setBigUint64(S_HDR + LAYOUT.msghdr.msg_name, nameAddr, true);
  av.setUint32(S_HDR + LAYOUT.msghdr.msg_namelen, nameLen, true);
  av.setUint32(S_HDR + LAYOUT.msghdr.msg_iovlen, count, true);
  const r = c.sendmsg(n, sendHdr, flags);
  if (r < 0) throw new SyscallError(errno(), 'sendmsg');
  // `chunks` and `addr` are this call's arguments, so the buffers whose addresses went into
  // the iovecs stayed alive (and, being off-heap, in place) through the call.
  return r;
}

/** `sendmsg`'s buffers: an array of at most IOV_MAX Uint8Arrays; returns their count. */
function checkChunks(chunks: readonly Uint8Array[]): number {
  if (!Array.isArray(chunks)) throw new TypeError('chunks must be an array of Uint8Array');
  const count = chunks.length;
  if (count > IOV_MAX) throw new RangeError(`sendmsg takes at most ${IOV_MAX} buffers, got ${count}`);
  for (let i = 0; i < count; i++) checkBytes(chunks[i], `chunks[${i}]`);
  return count;
}

/**
 * What an asynchronous call's worker thread reads: kept reachable here until the call returns
 * (koffi holds no reference to the arguments, and a collected buffer could be reused under the
 * worker). Also the in-flight count tests and diagnostics read.
 */
const inFlight = new Set<object>();

/** The descriptor number for an asynchronous call; an OwnedFd is marked busy until `leave`. */
function enterAsync(fd: FdLike, syscall: string): { n: number; owned: OwnedFd | undefined } {
  if (fd instanceof OwnedFd) return { n: fd._enter(syscall), owned: fd };
  return { n: fdNum(fd, syscall), owned: undefined };
}

/** The address of an asynchronous send in bytes of its own (the shared one is rewritten by the next synchronous call). */
function asyncSendAddress(addr: SendAddress | undefined): Uint8Array | null {
  if (addr === undefined) return null;
  if (addr instanceof Uint8Array) return addr;
  const sa = new Uint8Array(SOCKADDR_NL_SIZE);
  writeSockaddrNl(sa, 0, addr);
  return sa;
}

/**
 * The part every asynchronous call shares once its arguments are checked and `owned` entered:
 * fault injection, keeping `keep` (what the worker reads) reachable until the call returns,
 * releasing the descriptor, and settling with the result or the call's errno. `start` makes
 * the koffi call with the callback it is given.
 */
function runAsync(
  syscall: 'sendto' | 'sendmsg',
  owned: OwnedFd | undefined,
  keep: object,
  start: (done: (err: unknown, r: number) => void) => void,
  resolve: (r: number) => void,
  reject: (e: unknown) => void,
): void {
  if (hook.on) {
    const e = check(syscall);
    if (e !== 0) {
      owned?._leave();
      reject(new SyscallError(e, syscall));
      return;
    }
  }
  inFlight.add(keep);
  try {
    start((err, r) => {
      const e = r < 0 ? errno() : 0; // first: anything else may reset errno
      inFlight.delete(keep);
      owned?._leave();
      if (err) reject(err);
      else if (r < 0) reject(new SyscallError(e, syscall));
      else resolve(r);
    });
  } catch (e) {
    inFlight.delete(keep);
    owned?._leave();
    reject(queueFullError(e, syscall));
  }
}

/** koffi refuses a call when its queue of asynchronous calls is full: say so as an EAGAIN. */
function queueFullError(e: unknown, syscall: string): unknown {
  return e instanceof Error && /too many asynchronous calls/i.test(e.message)
    ? new SyscallError(EAGAIN, syscall, '(too many asynchronous calls queued)')
    : e;
}

/**
 * sendto(2) run on a worker thread of libuv's pool instead of the main thread: for requests the
 * kernel may take a long time to handle inside the call (rtnetlink answers a request while
 * sending it, and a route insert that resizes the FIB trie can take hundreds of milliseconds).
 * Resolves with the bytes sent; rejects with the same {@link SyscallError} as {@link sendto}
 * (bad arguments and a closed OwnedFd reject too, before anything is queued).
 *
 * Rules while the promise is pending:
 * - `data` (and `addr` bytes) must not be changed or reused: the worker reads them during the
 *   call. Their memory is kept reachable until then.
 * - An {@link OwnedFd} may be closed: it reads as closed at once, but its number is released
 *   only after the call returns, so the worker never sends on a reused number. A raw fd number
 *   gets no such protection: keep it open until the promise settles.
 * - Calls on one socket from several pending promises may run on different worker threads in
 *   any order; await one before starting the next when order matters.
 *
 * Costs a thread-pool round trip (tens of microseconds): use it where the call may block long,
 * the synchronous {@link sendto} elsewhere.
 *
 * @example
 * const sent = await sendtoAsync(sock, datagram); // the event loop keeps running meanwhile
 * const r = recvmsg(sock, buf, MSG_DONTWAIT);    // rtnetlink's replies are queued by now
 */
export function sendtoAsync(fd: FdLike, data: Uint8Array, flags = 0, addr?: SendAddress): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let n: number;
    let owned: OwnedFd | undefined;
    let sa: Uint8Array | null;
    try {
      checkBytes(data, 'data');
      checkInt(flags, 'flags');
      sa = asyncSendAddress(addr);
      ({ n, owned } = enterAsync(fd, 'sendto'));
    } catch (e) {
      reject(e);
      return;
    }
    const name = sa;
    runAsync('sendto', owned, { data, sa }, (done) => cAsync.sendto(n, data, data.byteLength, flags, name, name === null ? 0 : name.byteLength, done), resolve, reject);
  });
}

/**
 * sendmsg(2) run on a worker thread: {@link sendmsg}'s datagram from several buffers, with
 * {@link sendtoAsync}'s rules (leave `chunks` and `addr` untouched until the promise settles;
 * an OwnedFd closed meanwhile is released only after the call returns). The message header and
 * iovecs are built per call, so synchronous calls may run meanwhile.
 *
 * @example
 * await sendmsgAsync(sock, [header, body]);
 */
export function sendmsgAsync(fd: FdLike, chunks: readonly Uint8Array[], flags = 0, addr?: SendAddress): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let n: number;
    let owned: OwnedFd | undefined;
    let hdr: Uint8Array;
    let sa: Uint8Array | null;
    let list: Uint8Array[];
    try {
      const count = checkChunks(chunks);
      checkInt(flags, 'flags');
      // A copy of the list: the caller may reuse its array (not the buffers) at once.
      list = chunks.slice();
      sa = asyncSendAddress(addr);
      // msghdr, then the iovecs, in one off-heap buffer that never moves.
      const iovAt = LAYOUT.msghdr.size;
      const ab = new ArrayBuffer(iovAt + Math.max(1, count) * LAYOUT.iovec.size);
      hdr = new Uint8Array(ab);
      const v = new DataView(ab);
      const base = address(hdr);
      for (let i = 0; i < count; i++) {
        const b = list[i] as Uint8Array;
        const o = iovAt + i * LAYOUT.iovec.size;
        v.setBigUint64(o, b.byteLength === 0 ? 0n : address(b), true);
        v.setBigUint64(o + 8, BigInt(b.byteLength), true);
      }
      v.setBigUint64(LAYOUT.msghdr.msg_iov, base + BigInt(iovAt), true);
      v.setBigUint64(LAYOUT.msghdr.msg_iovlen, BigInt(count), true);
      if (sa !== null) {
        v.setBigUint64(LAYOUT.msghdr.msg_name, address(sa), true);
        v.setUint32(LAYOUT.msghdr.msg_namelen, sa.byteLength, true);
      }
      ({ n, owned } = enterAsync(fd, 'sendmsg'));
    } catch (e) {
      reject(e);
      return;
    }
    const msg = hdr;
    runAsync('sendmsg', owned, { hdr, list, sa }, (done) => cAsync.sendmsg(n, msg, flags, done), resolve, reject);
  });
}

/**
 * Number of asynchronous system calls of this package not returned yet.
 *
 * @example
 * const p = sendtoAsync(sock, datagram);
 * asyncCallsInFlight(); // 1 until p settles
 */
export function asyncCallsInFlight(): number {
  return inFlight.size;
}

/**
 * recvmsg(2) of one datagram into `buf`. `MSG_TRUNC` is always added so the kernel reports the
 * datagram's real size even when it did not fit (`truncated`; with `MSG_PEEK` the datagram stays
 * queued, so a caller can peek with a small buffer, then read with one of `size` bytes).
 *
 * Returns `null` when nothing is queued on a non-blocking socket or with `MSG_DONTWAIT`
 * (EAGAIN), without building an exception: the engine polls right after each send.
 * For datagram sockets only (netlink, UDP, packet): on a TCP socket MSG_TRUNC discards data.
 *
 * @example
 * const buf = new Uint8Array(65536);
 * const r = recvmsg(sock, buf, MSG_DONTWAIT);
 * if (r !== null && !r.truncated) handle(buf.subarray(0, r.length), r.pid);
 */
export function recvmsg(fd: FdLike, buf: Uint8Array, flags = 0): RecvResult | null {
  const n = enterRecv(fd, buf, flags, 'recvmsg');
  if (n < 0) return null;
  const len = buf.byteLength;
  if (len === 0 || recvBufCached?.deref() !== buf) {
    // A zero-length view has no stable address to cache (its buffer could grow later).
    av.setBigUint64(R_IOV, len === 0 ? 0n : address(buf), true);
    recvBufCached = len === 0 ? undefined : new WeakRef(buf);
  }
  av.setUint32(R_IOV + 8, len, true);
  av.setUint32(R_HDR + LAYOUT.msghdr.msg_namelen, SOCKADDR_NL_SIZE, true);
  const r = c.recvmsg(n, recvHdr, flags | MSG_TRUNC);
  if (r < 0) return recvFailed('recvmsg');
  return recvResult(r, len, R_NAME, av.getInt32(R_HDR + LAYOUT.msghdr.msg_flags, true));
}

/**
 * recvfrom(2) of one datagram into `buf`, with the sender's netlink address: the same result
 * as {@link recvmsg} (and `MSG_TRUNC` always added, so `size` and `truncated` are exact), from
 * the cheaper call. recvmsg(2) makes the kernel copy in and check a `msghdr` and an iovec
 * array on every call; recvfrom(2) takes the buffer directly. Measured on the same netlink
 * request/ACK loop: ~0.2 us less per reply (about 3 % of a route insert). `flags` in the
 * result is `MSG_TRUNC` when the datagram did not fit, else 0 (recvfrom has no `msg_flags`;
 * use {@link recvmsg} for `MSG_CTRUNC` and the like).
 *
 * Returns `null` when nothing is queued on a non-blocking socket or with `MSG_DONTWAIT`
 * (EAGAIN), without building an exception. For datagram sockets only, as recvmsg.
 *
 * @example
 * const buf = new Uint8Array(65536);
 * const r = recvfrom(sock, buf, MSG_DONTWAIT);
 * if (r !== null && r.pid === 0 && !r.truncated) handle(buf.subarray(0, r.length));
 */
export function recvfrom(fd: FdLike, buf: Uint8Array, flags = 0): RecvResult | null {
  const n = enterRecv(fd, buf, flags, 'recvfrom');
  if (n < 0) return null;
  const len = buf.byteLength;
  av.setUint32(F_NAMELEN, SOCKADDR_NL_SIZE, true);
  // A socket that returns no address (not netlink's) would leave the last sender here: clear it.
  av.setUint32(F_NAME + 4, 0, true);
  av.setUint32(F_NAME + 8, 0, true);
  const r = c.recvfrom(n, buf, len, flags | MSG_TRUNC, fromName, fromNameLen);
  if (r < 0) return recvFailed('recvfrom');
  return recvResult(r, len, F_NAME, r > len ? MSG_TRUNC : 0);
}

/**
 * The checks both receives make before their call, and the fault hook: the descriptor's
 * number, or -1 for an injected EAGAIN (the caller returns null, as for a real one).
 */
function enterRecv(fd: FdLike, buf: Uint8Array, flags: number, syscall: 'recvmsg' | 'recvfrom'): number {
  const n = typeof fd === 'number' && (fd | 0) === fd && fd >= 0 ? fd : fdNum(fd, syscall);
  checkBytes(buf, 'buf');
  checkInt(flags, 'flags');
  if (hook.on) {
    const e = check(syscall);
    if (e === EAGAIN) return -1;
    if (e !== 0) throw new SyscallError(e, syscall);
  }
  return n;
}

/** A receive that returned -1: null when nothing was queued (EAGAIN), else its SyscallError. */
function recvFailed(syscall: 'recvmsg' | 'recvfrom'): null {
  const e = errno();
  if (e === EAGAIN) return null;
  throw new SyscallError(e, syscall);
}

/** `r` bytes received into a buffer of `len`, the sender's sockaddr_nl at arena offset `name`. */
function recvResult(r: number, len: number, name: number, flags: number): RecvResult {
  return {
    length: r > len ? len : r,
    size: r,
    truncated: r > len,
    pid: av.getUint32(name + 4, true),
    groups: av.getUint32(name + 8, true),
    flags,
  };
}
