import { getSystemErrorMap } from 'node:util';

/**
 * Linux errno names by number (asm-generic numbering, shared by x86-64 and arm64).
 * `os.constants.errno` only lists the ~80 errnos libuv knows, and netlink can return any
 * kernel errno (even the kernel-internal `ENOTSUPP` = 524 leaks out of some drivers),
 * so the table is complete here.
 */
const LINUX_ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 6: 'ENXIO', 7: 'E2BIG', 8: 'ENOEXEC',
  9: 'EBADF', 10: 'ECHILD', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 15: 'ENOTBLK',
  16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 19: 'ENODEV', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL',
  23: 'ENFILE', 24: 'EMFILE', 25: 'ENOTTY', 26: 'ETXTBSY', 27: 'EFBIG', 28: 'ENOSPC', 29: 'ESPIPE',
  30: 'EROFS', 31: 'EMLINK', 32: 'EPIPE', 33: 'EDOM', 34: 'ERANGE', 35: 'EDEADLK', 36: 'ENAMETOOLONG',
  37: 'ENOLCK', 38: 'ENOSYS', 39: 'ENOTEMPTY', 40: 'ELOOP', 42: 'ENOMSG', 43: 'EIDRM', 44: 'ECHRNG',
  45: 'EL2NSYNC', 46: 'EL3HLT', 47: 'EL3RST', 48: 'ELNRNG', 49: 'EUNATCH', 50: 'ENOCSI', 51: 'EL2HLT',
  52: 'EBADE', 53: 'EBADR', 54: 'EXFULL', 55: 'ENOANO', 56: 'EBADRQC', 57: 'EBADSLT', 59: 'EBFONT',
  60: 'ENOSTR', 61: 'ENODATA', 62: 'ETIME', 63: 'ENOSR', 64: 'ENONET', 65: 'ENOPKG', 66: 'EREMOTE',
  67: 'ENOLINK', 68: 'EADV', 69: 'ESRMNT', 70: 'ECOMM', 71: 'EPROTO', 72: 'EMULTIHOP', 73: 'EDOTDOT',
  74: 'EBADMSG', 75: 'EOVERFLOW', 76: 'ENOTUNIQ', 77: 'EBADFD', 78: 'EREMCHG', 79: 'ELIBACC',
  80: 'ELIBBAD', 81: 'ELIBSCN', 82: 'ELIBMAX', 83: 'ELIBEXEC', 84: 'EILSEQ', 85: 'ERESTART',
  86: 'ESTRPIPE', 87: 'EUSERS', 88: 'ENOTSOCK', 89: 'EDESTADDRREQ', 90: 'EMSGSIZE', 91: 'EPROTOTYPE',
  92: 'ENOPROTOOPT', 93: 'EPROTONOSUPPORT', 94: 'ESOCKTNOSUPPORT', 95: 'EOPNOTSUPP', 96: 'EPFNOSUPPORT',
  97: 'EAFNOSUPPORT', 98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 100: 'ENETDOWN', 101: 'ENETUNREACH',
  102: 'ENETRESET', 103: 'ECONNABORTED', 104: 'ECONNRESET', 105: 'ENOBUFS', 106: 'EISCONN',
  107: 'ENOTCONN', 108: 'ESHUTDOWN', 109: 'ETOOMANYREFS', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED',
  112: 'EHOSTDOWN', 113: 'EHOSTUNREACH', 114: 'EALREADY', 115: 'EINPROGRESS', 116: 'ESTALE',
  117: 'EUCLEAN', 118: 'ENOTNAM', 119: 'ENAVAIL', 120: 'EISNAM', 121: 'EREMOTEIO', 122: 'EDQUOT',
  123: 'ENOMEDIUM', 124: 'EMEDIUMTYPE', 125: 'ECANCELED', 126: 'ENOKEY', 127: 'EKEYEXPIRED',
  128: 'EKEYREVOKED', 129: 'EKEYREJECTED', 130: 'EOWNERDEAD', 131: 'ENOTRECOVERABLE', 132: 'ERFKILL',
  133: 'EHWPOISON', 524: 'ENOTSUPP',
};

/** Messages for errnos libuv does not know (Node's map covers the common ones). */
const EXTRA_MESSAGES: Readonly<Record<number, string>> = {
  524: 'operation is not supported',
};

/** Aliases accepted by {@link errnoNumber}: the same number under a second name. */
const ALIASES: Readonly<Record<string, number>> = {
  EWOULDBLOCK: 11, EDEADLOCK: 35, ENOTSUP: 95,
};

// Node's own table: used first so `code` and `message` match errors Node itself throws.
const nodeMap: Map<number, [string, string]> = getSystemErrorMap();

const byName = new Map<string, number>();
for (const [n, name] of Object.entries(LINUX_ERRNO_NAMES)) byName.set(name, Number(n));
for (const [name, n] of Object.entries(ALIASES)) byName.set(name, n);
for (const [neg, [name]] of nodeMap) if (neg < 0 && neg > -4096 && !byName.has(name)) byName.set(name, -neg);

/**
 * Name of an errno, as Node spells it (`'EEXIST'`); accepts positive or negative numbers.
 * Unknown numbers give `'UNKNOWN'`, as libuv does.
 *
 * Node names 95 `'ENOTSUP'` (libuv's spelling); Linux's own name for it is `EOPNOTSUPP`.
 * The Node spelling wins so that one program never sees both names for one error.
 *
 * @example
 * errnoName(-17); // 'EEXIST'
 * errnoName(22);  // 'EINVAL'
 */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  const node = nodeMap.get(-n);
  if (node !== undefined) return node[0];
  return LINUX_ERRNO_NAMES[n] ?? 'UNKNOWN';
}

/**
 * Human-readable description of an errno, in Node's wording (`'file already exists'`).
 *
 * @example
 * errnoMessage(-2); // 'no such file or directory'
 */
export function errnoMessage(errno: number): string {
  const n = Math.abs(errno);
  const node = nodeMap.get(-n);
  if (node !== undefined) return node[1];
  const extra = EXTRA_MESSAGES[n];
  if (extra !== undefined) return extra;
  const s = strerrorHook?.(n);
  if (s) return s.charAt(0).toLowerCase() + s.slice(1);
  return `unknown error ${n}`;
}

/**
 * The positive errno number for a name (`'EEXIST'` -> 17), or `undefined` for an unknown name.
 * Accepts the aliases `EWOULDBLOCK`, `EDEADLOCK`, `ENOTSUP`/`EOPNOTSUPP`.
 *
 * @example
 * errnoNumber('EADDRINUSE'); // 98
 */
export function errnoNumber(name: string): number | undefined {
  return byName.get(name);
}

// libc strerror for the rare errno neither table names; installed by the FFI module so this
// file stays free of koffi (and loads in tests that never touch the kernel).
let strerrorHook: ((n: number) => string) | undefined;
/** @internal */
export function setStrerror(fn: (n: number) => string): void {
  strerrorHook = fn;
}

/**
 * A failed system call, shaped as Node's own system errors: `code` (`'EEXIST'`), negative
 * `errno` (`-17`), `syscall` (`'ioctl'`), and an optional `detail` naming what was being
 * done (the ioctl request name, the path opened). The message reads like Node's:
 * `EEXIST: file already exists, ioctl TUNSETIFF`.
 *
 * @example
 * try { open('/nonexistent', O_RDONLY); }
 * catch (e) {
 *   if (e instanceof SyscallError && e.code === 'ENOENT') console.log(e.errno); // -2
 * }
 */
export class SyscallError extends Error {
  /** Errno name as Node spells it, e.g. `'EEXIST'`. */
  readonly code: string;
  /** Negative errno, as in Node (`-17`). */
  readonly errno: number;
  /** The system call that failed, e.g. `'ioctl'`. */
  readonly syscall: string;
  /** What the call was doing (ioctl request name, path, ...), when known. */
  declare readonly detail?: string;

  /**
   * @param errno - errno number, positive (as C's `errno`) or negative (as Node's); stored negative
   * @param syscall - name of the failing call
   * @param detail - optional context appended to the message
   */
  constructor(errno: number, syscall: string, detail?: string) {
    const n = Math.abs(errno);
    const code = errnoName(n);
    super(`${code}: ${errnoMessage(n)}, ${syscall}${detail === undefined ? '' : ' ' + detail}`);
    this.name = 'SyscallError';
    this.code = code;
    this.errno = -n;
    this.syscall = syscall;
    if (detail !== undefined) this.detail = detail;
  }
}
