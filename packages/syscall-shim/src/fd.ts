import { c, errno } from './ffi.js';
import { check, hook } from './hooks.js';
import { SyscallError } from './errors.js';

/** Something that stands for an open file descriptor: an {@link OwnedFd} or a raw number. */
export type FdLike = OwnedFd | number;

/** What an OwnedFd must stop before its number can be released (a readiness watcher). */
interface Detachable {
  close(): void;
}

/**
 * Leak safety net: an OwnedFd collected while still open closes its descriptor and emits a
 * warning. It is a net, not a mechanism: close fds explicitly (or with `using`). The one way it
 * can misfire is closing an OwnedFd's raw number behind its back (`close(owned.fd)` on the
 * number): then the collected OwnedFd would close whatever reused that number, so don't.
 */
const leakRegistry = new FinalizationRegistry<number>((fd) => {
  c.close(fd);
  process.emitWarning(`an OwnedFd for fd ${fd} was garbage-collected while open; it has been closed. ` +
    'Close OwnedFd objects explicitly.', { code: 'NLKIT_FD_LEAK' });
});

/**
 * An open file descriptor this process owns. `close()` is idempotent and forgets the number
 * first, so closing twice can never close a descriptor someone else opened since under the
 * same number; every function of this package refuses a closed OwnedFd with `EBADF` before
 * reaching the kernel. Supports `using` (`Symbol.dispose`).
 *
 * Everything this package creates is close-on-exec.
 *
 * @example
 * using sock = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
 * bind(sock, { pid: 0 });
 * // closed at the end of the scope
 */
export class OwnedFd implements Disposable {
  #fd: number;
  #watcher: Detachable | undefined;
  /** Asynchronous calls (on worker threads) using the number right now. */
  #busy = 0;
  /** The number `close()` forgot while calls were in flight: closed when the last one returns. */
  #deferred = -1;

  /**
   * Take ownership of an open descriptor number (for example one received from another API).
   * @param fd - the descriptor; from now on this object closes it
   */
  constructor(fd: number) {
    if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
      throw new RangeError(`fd must be a non-negative integer, got ${String(fd)}`);
    }
    this.#fd = fd;
    leakRegistry.register(this, fd, this);
  }

  /** The descriptor number, or -1 once closed or released. */
  get fd(): number {
    return this.#fd;
  }

  /** True once closed or released. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /**
   * Close the descriptor. Idempotent. A readiness watcher on it is closed first (libuv must stop
   * polling a number before it is released). On Linux the number is released even when
   * `close(2)` reports an error, so the OwnedFd is closed whatever happens; the error is thrown.
   *
   * While an asynchronous call (`sendtoAsync`, `sendmsgAsync`) is using the descriptor on a
   * worker thread, the OwnedFd is closed at once (it reads as closed, every new call fails with
   * `EBADF`), but `close(2)` itself waits until the last such call has returned: a number
   * released earlier could be reused by a socket opened meanwhile, and the worker would then
   * send to that socket. An error of that deferred `close(2)` has nobody to go to and is dropped
   * (the number is released anyway).
   */
  close(): void {
    const n = this.#fd;
    if (n < 0) return;
    this.#fd = -1;
    leakRegistry.unregister(this);
    const w = this.#watcher;
    if (w !== undefined) {
      this.#watcher = undefined;
      w.close();
    }
    if (this.#busy > 0) {
      this.#deferred = n;
      return;
    }
    closeNumber(n);
  }

  /**
   * True while asynchronous calls are using the descriptor (a `close()` then waits for them).
   *
   * @example
   * const sent = sendtoAsync(sock, datagram);
   * sock.busy;   // true until the worker's call returns
   * sock.close(); // sock.closed is true now; close(2) runs when the call returns
   * await sent;
   */
  get busy(): boolean {
    return this.#busy > 0;
  }

  /**
   * Give up ownership without closing: returns the number, which the caller must now close.
   * Any watcher is closed first.
   */
  release(): number {
    const n = this.#fd;
    if (n < 0) throw new SyscallError(9, 'release', '(OwnedFd already closed)');
    // The new owner could close the number while a worker thread is about to use it.
    if (this.#busy > 0) throw new SyscallError(16, 'release', '(an asynchronous call is using it)');
    this.#fd = -1;
    leakRegistry.unregister(this);
    const w = this.#watcher;
    if (w !== undefined) {
      this.#watcher = undefined;
      w.close();
    }
    return n;
  }

  /** Same as {@link OwnedFd.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Attach the watcher closed with this fd. */
  _attach(w: Detachable | undefined): void {
    this.#watcher = w;
  }

  /** @internal */
  _attached(): Detachable | undefined {
    return this.#watcher;
  }

  /**
   * @internal An asynchronous call starts using the number: returns it (EBADF for `syscall` when
   * closed). Every `_enter` must be paired with one `_leave` when the call has returned.
   */
  _enter(syscall: string): number {
    const n = this.#fd;
    if (n < 0) throw new SyscallError(9, syscall, '(OwnedFd already closed)');
    this.#busy++;
    return n;
  }

  /** @internal The asynchronous call has returned; a close requested meanwhile happens now. */
  _leave(): void {
    if (--this.#busy > 0 || this.#deferred < 0) return;
    const n = this.#deferred;
    this.#deferred = -1;
    try {
      closeNumber(n);
    } catch {
      // Linux released the number whatever close(2) said, and no caller is left to tell.
    }
  }

  /** @internal */
  toString(): string {
    return this.#fd < 0 ? 'OwnedFd(closed)' : `OwnedFd(${this.#fd})`;
  }
}

/**
 * The number behind an FdLike, validated. A closed OwnedFd is `EBADF` for `syscall`, raised here
 * so a stale object can never reach a number that has been reused.
 * @internal
 */
export function fdNum(fd: FdLike, syscall: string): number {
  if (typeof fd === 'number') {
    if ((fd | 0) !== fd || fd < 0) throw new RangeError(`fd must be a non-negative integer, got ${fd}`);
    return fd;
  }
  if (fd instanceof OwnedFd) {
    const n = fd.fd;
    if (n < 0) throw new SyscallError(9, syscall, '(OwnedFd already closed)');
    return n;
  }
  throw new TypeError(`fd must be an OwnedFd or a number, got ${fd === null ? 'null' : typeof fd}`);
}

/**
 * close(2) on a number. An injected fault is raised after the real close: Linux always releases
 * the number, so simulating a close failure must not leak it.
 */
function closeNumber(n: number): void {
  const r = c.close(n);
  const e = r < 0 ? errno() : 0;
  const injected = hook.on ? check('close') : 0;
  if (e !== 0) throw new SyscallError(e, 'close');
  if (injected !== 0) throw new SyscallError(injected, 'close');
}

/**
 * Close a descriptor: an OwnedFd through its idempotent {@link OwnedFd.close}, a raw number with
 * close(2) directly (never pass the number of a live OwnedFd: close the OwnedFd).
 *
 * @example
 * const fd = open('/dev/null', O_RDONLY);
 * close(fd);
 * close(fd); // no-op: already closed
 */
export function close(fd: FdLike): void {
  if (fd instanceof OwnedFd) {
    fd.close();
    return;
  }
  closeNumber(fdNum(fd, 'close'));
}
