import { c, errno } from './ffi.js';
import { check, hook } from './hooks.js';
import { SyscallError } from './errors.js';
import { OwnedFd, fdNum, type FdLike } from './fd.js';
import { F_DUPFD_CLOEXEC, F_GETFL, F_SETFL, IOCTL_NAMES, O_CLOEXEC, O_NONBLOCK } from './constants.js';

/**
 * open(2). The descriptor is always close-on-exec (`O_CLOEXEC` is added).
 *
 * @example
 * using tun = open('/dev/net/tun', O_RDWR);
 */
export function open(path: string, flags: number, mode = 0): OwnedFd {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
  if (path.includes('\0')) throw new TypeError('path must not contain NUL characters');
  if ((flags | 0) !== flags) throw new TypeError(`flags must be a 32-bit integer, got ${String(flags)}`);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new RangeError(`mode must be in 0..0o7777, got ${mode}`);
  if (hook.on) {
    const e = check('open');
    if (e !== 0) throw new SyscallError(e, 'open', `'${path}'`);
  }
  const fd = c.open(path, flags | O_CLOEXEC, mode);
  if (fd < 0) throw new SyscallError(errno(), 'open', `'${path}'`);
  return new OwnedFd(fd);
}

/**
 * ioctl(2). `arg` is passed by value when a number (TUNSETPERSIST, TUNSETOWNER, ...) or as a
 * pointer to the bytes when a Uint8Array (`struct ifreq` for TUNSETIFF, an `int` for
 * TUNSETVNETHDRSZ); the kernel writes results back into those bytes. Returns ioctl's
 * non-negative result. Errors name the request when it is one of the constants here
 * (`EBUSY: resource busy or locked, ioctl TUNSETIFF`).
 *
 * @example
 * const req = new Ifreq('tap0');
 * req.flags = IFF_TAP | IFF_NO_PI;
 * ioctl(tun, TUNSETIFF, req.bytes);
 * ioctl(tun, TUNSETPERSIST, 1);
 */
export function ioctl(fd: FdLike, request: number, arg: number | Uint8Array = 0): number {
  const n = fdNum(fd, 'ioctl');
  if (!Number.isInteger(request) || request < 0 || request > 0xffffffff) {
    throw new RangeError(`ioctl request must be an unsigned 32-bit integer, got ${String(request)}`);
  }
  const isPtr = arg instanceof Uint8Array;
  if (!isPtr && (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 0 || arg > Number.MAX_SAFE_INTEGER)) {
    throw new TypeError('ioctl arg must be a non-negative integer or a Uint8Array');
  }
  if (hook.on) {
    const e = check('ioctl');
    if (e !== 0) throw new SyscallError(e, 'ioctl', ioctlName(request));
  }
  const r = isPtr ? c.ioctlPtr(n, request, arg) : c.ioctlInt(n, request, arg);
  if (r < 0) throw new SyscallError(errno(), 'ioctl', ioctlName(request));
  return r;
}

function ioctlName(request: number): string {
  return IOCTL_NAMES.get(request) ?? `0x${request.toString(16)}`;
}

/**
 * fcntl(2) with an integer argument. Returns fcntl's result (flags for F_GETFL/F_GETFD).
 * For duplicating, use {@link dup}: a raw number returned by F_DUPFD would be unowned.
 *
 * @example
 * const flags = fcntl(fd, F_GETFL);
 */
export function fcntl(fd: FdLike, cmd: number, arg = 0): number {
  const n = fdNum(fd, 'fcntl');
  if ((cmd | 0) !== cmd) throw new TypeError(`cmd must be a 32-bit integer, got ${String(cmd)}`);
  if (!Number.isInteger(arg)) throw new TypeError(`arg must be an integer, got ${String(arg)}`);
  if (hook.on) {
    const e = check('fcntl');
    if (e !== 0) throw new SyscallError(e, 'fcntl');
  }
  const r = c.fcntl(n, cmd, arg);
  if (r < 0) throw new SyscallError(errno(), 'fcntl');
  return r;
}

/**
 * Turn O_NONBLOCK on or off (F_GETFL then F_SETFL; skips the write when already so).
 *
 * @example
 * setNonBlocking(sock); // recvmsg now returns null instead of blocking
 */
export function setNonBlocking(fd: FdLike, on = true): void {
  const flags = fcntl(fd, F_GETFL);
  const next = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
  if (next !== flags) fcntl(fd, F_SETFL, next);
}

/**
 * Duplicate a descriptor (F_DUPFD_CLOEXEC): a new close-on-exec OwnedFd for the same open file.
 *
 * @example
 * using copy = dup(tunFd);
 */
export function dup(fd: FdLike): OwnedFd {
  return new OwnedFd(fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

/**
 * getpid(2) through the FFI (mostly a yardstick for per-call overhead; `process.pid` is free).
 *
 * @example
 * getpid() === process.pid; // true
 */
export function getpid(): number {
  if (hook.on) {
    const e = check('getpid');
    if (e !== 0) throw new SyscallError(e, 'getpid');
  }
  return c.getpid();
}

/**
 * gettid(2): the calling thread's id (equals the pid on the main thread). Namespace switches
 * made with setns apply to this thread only.
 *
 * @example
 * gettid() === process.pid; // true on the main thread
 */
export function gettid(): number {
  if (hook.on) {
    const e = check('gettid');
    if (e !== 0) throw new SyscallError(e, 'gettid');
  }
  return c.gettid();
}
