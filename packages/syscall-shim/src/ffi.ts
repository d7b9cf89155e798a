/**
 * The koffi bindings: every libc function this package calls, declared once at load.
 *
 * Variadic functions (`open`, `ioctl`, `fcntl`) are declared with fixed prototypes, one per
 * argument kind: on x86-64 and arm64 a fixed-argument call passes the arguments in the same
 * registers a variadic call would, glibc's `ioctl` is a plain syscall wrapper, and a fixed
 * prototype skips koffi's per-call variadic type parsing.
 *
 * Rule for every caller: read `koffi.errno()` immediately after the failing call; anything in
 * between (even a log line) may reset it.
 * @internal
 */
import koffi from 'koffi';
import { setStrerror } from './errors.js';

if (process.platform !== 'linux') {
  throw new Error(`@nlkit/syscall-shim supports Linux only (this is ${process.platform})`);
}
if (process.arch !== 'x64' && process.arch !== 'arm64') {
  // The struct layouts and constants here are the LP64 ones (checked against C on x86-64).
  throw new Error(`@nlkit/syscall-shim supports x64 and arm64 only (this is ${process.arch})`);
}

const libc = koffi.load('libc.so.6');

/** Raw libc functions. Return values follow C: -1 and errno on failure. */
export const c = {
  socket: libc.func('int socket(int, int, int)') as (d: number, t: number, p: number) => number,
  bind: libc.func('int bind(int, const void *, uint32_t)') as (fd: number, addr: Uint8Array, len: number) => number,
  getsockname: libc.func('int getsockname(int, void *, void *)') as (fd: number, addr: Uint8Array, len: Uint8Array) => number,
  setsockopt: libc.func('int setsockopt(int, int, int, const void *, uint32_t)') as (
    fd: number, level: number, name: number, val: Uint8Array, len: number) => number,
  getsockopt: libc.func('int getsockopt(int, int, int, void *, void *)') as (
    fd: number, level: number, name: number, val: Uint8Array, len: Uint8Array) => number,
  sendto: libc.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)') as (
    fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array | null, alen: number) => number,
  sendmsg: libc.func('intptr_t sendmsg(int, const void *, int)') as (fd: number, msg: Uint8Array, flags: number) => number,
  recvmsg: libc.func('intptr_t recvmsg(int, void *, int)') as (fd: number, msg: Uint8Array, flags: number) => number,
  recvfrom: libc.func('intptr_t recvfrom(int, void *, size_t, int, void *, void *)') as (
    fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array, alen: Uint8Array) => number,
  close: libc.func('int close(int)') as (fd: number) => number,
  open: libc.func('int open(const char *, int, uint32_t)') as (path: string, flags: number, mode: number) => number,
  ioctlInt: libc.func('int ioctl(int, unsigned long, unsigned long)') as (fd: number, req: number, arg: number) => number,
  ioctlPtr: libc.func('int ioctl(int, unsigned long, void *)') as (fd: number, req: number, arg: Uint8Array) => number,
  fcntl: libc.func('int fcntl(int, int, long)') as (fd: number, cmd: number, arg: number) => number,
  setns: libc.func('int setns(int, int)') as (fd: number, nstype: number) => number,
  unshare: libc.func('int unshare(int)') as (flags: number) => number,
  getpid: libc.func('int getpid(void)') as () => number,
  epollCreate1: libc.func('int epoll_create1(int)') as (flags: number) => number,
  epollCtl: libc.func('int epoll_ctl(int, int, int, void *)') as (epfd: number, op: number, fd: number, ev: Uint8Array) => number,
  gettid: declareGettid(),
};

function declareGettid(): () => number {
  try {
    return libc.func('int gettid(void)') as () => number; // glibc >= 2.30
  } catch {
    const syscall = libc.func('long syscall(long)') as (n: number) => number;
    const nr = process.arch === 'x64' ? 186 : 178; // SYS_gettid
    return () => syscall(nr);
  }
}

/** Completion callback of a koffi asynchronous call: `res` is the C return value. */
type AsyncDone = (err: unknown, res: number) => void;

/*
 * The same two send calls, run on libuv's thread pool (koffi's `fn.async`): the kernel handles a
 * netlink request inside sendmsg, and a few requests (route inserts while the FIB trie resizes)
 * take hundreds of milliseconds there. koffi copies nothing and keeps no reference to the
 * arguments: the caller must keep every buffer passed (and the descriptor) alive and unchanged
 * until `done` runs. koffi saves the worker's errno for the callback, so `errno()` inside `done`
 * is the call's own.
 */
const sendtoFn = libc.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)');
const sendmsgFn = libc.func('intptr_t sendmsg(int, const void *, int)');

/** Raw libc functions run on a worker thread; `done` runs on the main thread. */
export const cAsync = {
  sendto: sendtoFn.async as (
    fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array | null, alen: number, done: AsyncDone) => void,
  sendmsg: sendmsgFn.async as (fd: number, msg: Uint8Array, flags: number, done: AsyncDone) => void,
};

const strerror = libc.func('const char *strerror(int)') as (n: number) => string;
setStrerror(strerror);

/** errno of the last failed call on this thread. */
export const errno: () => number = koffi.errno;

/** Address of a typed array's first byte (valid while the array is referenced). */
export const address: (b: Uint8Array) => bigint = koffi.address;
