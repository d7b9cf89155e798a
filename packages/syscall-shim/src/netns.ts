import { fstatSync, readFileSync, statSync } from 'node:fs';
import { c, errno } from './ffi.js';
import { check, hook } from './hooks.js';
import { SyscallError } from './errors.js';
import { OwnedFd, fdNum, type FdLike } from './fd.js';
import { open } from './file.js';
import { CLONE_NEWNET, O_RDONLY } from './constants.js';

/** A network namespace: an open namespace fd (OwnedFd or number) or a path to one. */
export type NetnsLike = OwnedFd | number | string;

/** Where the calling thread's own network namespace is found. */
export const THREAD_NETNS_PATH = '/proc/thread-self/ns/net';
/** The initial process's network namespace (the host's, outside containers). */
export const INIT_NETNS_PATH = '/proc/1/ns/net';

/**
 * setns(2): move the calling thread into the namespace `fd` refers to. `nstype` 0 accepts any
 * kind; CLONE_NEWNET insists on a network namespace (EINVAL otherwise).
 * Prefer {@link inNetns}, which always comes back.
 *
 * @example
 * setns(nsFd, CLONE_NEWNET);
 */
export function setns(fd: FdLike, nstype = 0): void {
  const n = fdNum(fd, 'setns');
  if ((nstype | 0) !== nstype) throw new TypeError(`nstype must be a 32-bit integer, got ${String(nstype)}`);
  if (hook.on) {
    const e = check('setns');
    if (e !== 0) throw new SyscallError(e, 'setns');
  }
  if (c.setns(n, nstype) < 0) throw new SyscallError(errno(), 'setns');
}

/**
 * unshare(2): give the calling thread new namespaces of the kinds in `flags` (CLONE_NEWNET:
 * a fresh, empty network namespace). Save the current one first if you want to come back.
 *
 * @example
 * using saved = open(THREAD_NETNS_PATH, O_RDONLY);
 * unshare(CLONE_NEWNET);
 * using fresh = open(THREAD_NETNS_PATH, O_RDONLY);
 * setns(saved, CLONE_NEWNET); // back; `fresh` keeps the new namespace alive
 */
export function unshare(flags: number): void {
  if ((flags | 0) !== flags) throw new TypeError(`flags must be a 32-bit integer, got ${String(flags)}`);
  if (hook.on) {
    const e = check('unshare');
    if (e !== 0) throw new SyscallError(e, 'unshare');
  }
  if (c.unshare(flags) < 0) throw new SyscallError(errno(), 'unshare');
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Switch back. Deliberately outside fault injection: a simulated failure here would leave the
 * test process in the wrong namespace, which no caller can recover from.
 */
function restore(orig: number): void {
  if (c.setns(orig, CLONE_NEWNET) === 0) return;
  throw new SyscallError(errno(), 'setns',
    '(restoring the original network namespace failed: this thread is still in the target namespace)');
}

/**
 * Run `fn` synchronously with the calling thread in network namespace `ns`, then always switch
 * back to the namespace it was in (saved from /proc/thread-self/ns/net first), even when `fn`
 * throws. Sockets and tun fds created inside stay in `ns`. `fn` must be synchronous: if it
 * returns a promise or other thenable, the namespace is restored and a TypeError is thrown
 * (anything after its first `await` would run in the wrong namespace).
 *
 * Only the calling (JavaScript) thread moves: libuv's thread pool stays where it was.
 *
 * @param ns - an OwnedFd or fd number for a namespace, or a path (`/run/netns/x`, `/proc/PID/ns/net`)
 * @example
 * const sock = inNetns('/run/netns/blue', () => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
 */
export function inNetns<T>(ns: NetnsLike, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('fn must be a function');
  let opened: OwnedFd | undefined;
  let target: number;
  if (typeof ns === 'string') {
    opened = open(ns, O_RDONLY);
    target = opened.fd;
  } else {
    target = fdNum(ns, 'setns');
  }
  try {
    const orig = open(THREAD_NETNS_PATH, O_RDONLY);
    try {
      setns(target, CLONE_NEWNET);
      let result: T;
      try {
        result = fn();
      } finally {
        restore(orig.fd);
      }
      if (isThenable(result)) {
        // Its rejection is superseded by the TypeError; keep it from also crashing the process.
        Promise.resolve(result).catch(() => {});
        throw new TypeError('inNetns: fn must be synchronous (it returned a promise); ' +
          'create sockets inside and use them outside instead');
      }
      return result;
    } finally {
      closeQuietly(orig);
    }
  } finally {
    if (opened !== undefined) closeQuietly(opened);
  }
}

/**
 * Close a temporary descriptor whose close error carries no information: Linux releases the
 * number even when close(2) reports an error, and the error must not replace the result (a
 * socket created inside `inNetns` would otherwise be lost with it).
 */
function closeQuietly(fd: OwnedFd): void {
  try {
    fd.close();
  } catch {
    // released anyway
  }
}

/**
 * Create a fresh network namespace and return an fd holding it, leaving the calling thread in
 * the namespace it was in (`unshare(CLONE_NEWNET)`, open `/proc/thread-self/ns/net`, switch
 * back with the same protected `setns` as {@link inNetns}).
 *
 * @example
 * using ns = createNetns();
 * const sock = inNetns(ns, () => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
 */
export function createNetns(): OwnedFd {
  const orig = open(THREAD_NETNS_PATH, O_RDONLY);
  try {
    unshare(CLONE_NEWNET);
    let fresh: OwnedFd | undefined;
    try {
      fresh = open(THREAD_NETNS_PATH, O_RDONLY);
    } finally {
      try {
        restore(orig.fd);
      } catch (e) {
        if (fresh !== undefined) closeQuietly(fresh);
        throw e;
      }
    }
    return fresh;
  } finally {
    closeQuietly(orig);
  }
}

/**
 * Inode number of a network namespace: its identity (two fds or paths name the same namespace
 * exactly when the inodes are equal). No argument: the calling thread's current namespace.
 *
 * @example
 * netnsInode() === netnsInode('/proc/1/ns/net'); // true in the host namespace
 */
export function netnsInode(fdOrPath?: FdLike | string): bigint {
  if (fdOrPath === undefined) return statSync(THREAD_NETNS_PATH, { bigint: true }).ino;
  if (typeof fdOrPath === 'string') return statSync(fdOrPath, { bigint: true }).ino;
  return fstatSync(fdNum(fdOrPath, 'fstat'), { bigint: true }).ino;
}

/**
 * Inode of the initial network namespace: that of PID 1 (/proc/1/ns/net). Where PID 1's
 * namespace links cannot be read (a non-dumpable init under a restricted root, as on some
 * sandbox VMs), falls back to kthreadd's (/proc/2, always in the initial namespaces when it is
 * visible); otherwise throws the original error rather than guess.
 *
 * @example
 * initialNetnsInode() === netnsInode(); // true in the host namespace
 */
export function initialNetnsInode(): bigint {
  try {
    return netnsInode(INIT_NETNS_PATH);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
    let comm = '';
    try {
      comm = readFileSync('/proc/2/comm', 'utf8').trim();
    } catch {
      throw e;
    }
    if (comm !== 'kthreadd') throw e;
    return netnsInode('/proc/2/ns/net');
  }
}

/**
 * True when the calling thread is in the initial network namespace (see
 * {@link initialNetnsInode}). Tests use it to refuse to touch the host.
 *
 * @example
 * if (isInitialNetns()) throw new Error('refusing to run in the host namespace');
 */
export function isInitialNetns(): boolean {
  return netnsInode() === initialNetnsInode();
}
