import koffi from 'koffi';
import { c, errno } from './ffi.js';
import { SyscallError } from './errors.js';
import { OwnedFd, fdNum, type FdLike } from './fd.js';

const ECANCELED = 125;
const EEXIST = 17;
const EBADF = 9;

/**
 * Waits for a non-blocking descriptor to become readable on Node's own event loop (a libuv
 * poll handle through `koffi.node.poll`): no thread is parked per socket, and nothing is read.
 *
 * Event-loop liveness: `wait()` does not change the ref state. While a `wait()` is pending, the
 * watcher keeps the process alive if it is ref'd (the default, like Node's sockets) and not if
 * it was `unref()`'d. An idle watcher (no pending wait) never keeps the process alive, ref'd or
 * not. The rtnl engine's pattern: `ref()` while a request is outstanding, `unref()` when only
 * listening for events.
 */
export interface ReadableWatcher extends Disposable {
  /**
   * Resolves once the descriptor is readable (a datagram is queued, or an error is pending).
   * Concurrent calls share one promise. Readiness can be spurious: read with MSG_DONTWAIT and
   * wait again on `null`. Rejects with a SyscallError `ECANCELED` (syscall `'poll'`) when the
   * watcher, or the OwnedFd it watches, is closed while waiting, and with the poll error if
   * libuv reports one.
   */
  wait(): Promise<void>;
  /** Let a pending `wait()` keep the process alive (default). */
  ref(): void;
  /** Let the process exit even while a `wait()` is pending. */
  unref(): void;
  /** Stop watching (idempotent); a pending `wait()` rejects with ECANCELED. Does not close the fd. */
  close(): void;
  /** True once closed. */
  readonly closed: boolean;
}

/** The parts of koffi's PollHandle used here. */
interface PollHandle {
  start(opts: { readable: boolean }, cb: PollCallback): void;
  stop(): void;
  close(): void;
  ref(): void;
  unref(): void;
}
type PollCallback = (...args: never[]) => void;
// koffi's typings declare a one-argument callback; the native side calls (status, events).
const poll = koffi.node.poll as unknown as (fd: number, opts: { readable: boolean }, cb: PollCallback) => PollHandle;
type RawPollCallback = (status: number, events: { readable: boolean }) => void;

const EPOLL_CLOEXEC = 0x80000;
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 1;

/**
 * Check that epoll accepts `fd`, the way libuv will. koffi 3.3 aborts the whole process (a
 * fatal N-API error, not an exception) when libuv refuses a descriptor, e.g. EPERM for a
 * regular file or /dev/null, or EBADF; so ask the kernel first on a scratch epoll instance.
 */
function probeEpoll(fd: number): void {
  const ep = c.epollCreate1(EPOLL_CLOEXEC);
  if (ep < 0) throw new SyscallError(errno(), 'epoll_create1');
  if (ep === fd) {
    // The kernel handed out `fd` itself: it was not open.
    c.close(ep);
    throw new SyscallError(EBADF, 'epoll_ctl', `(fd ${fd} is not open)`);
  }
  // struct epoll_event is 12 bytes on x86-64 (packed) and 16 on arm64; 16 covers both.
  const ev = new Uint8Array(16);
  ev[0] = EPOLLIN;
  const r = c.epollCtl(ep, EPOLL_CTL_ADD, fd, ev);
  const e = r < 0 ? errno() : 0;
  c.close(ep);
  if (e !== 0) throw new SyscallError(e, 'epoll_ctl', `(fd ${fd} cannot be polled)`);
}

/** Numbers with a live watcher: libuv misbehaves with two poll handles on one fd. */
const watched = new Set<number>();

/**
 * Live watchers, stopped when the process exits: koffi 3.3 aborts Node at exit (a fatal
 * napi_throw) when an unref'd poll handle with a pending wait fires after the event loop's
 * last turn.
 */
const live = new Set<Watcher>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const w of live) w._stopAtExit();
  });
}

class Watcher implements ReadableWatcher {
  #handle: PollHandle | null;
  #fd: number;
  #owner: OwnedFd | undefined;
  #promise: Promise<void> | null = null;
  #resolve: (() => void) | null = null;
  #reject: ((e: Error) => void) | null = null;
  readonly #onPoll: RawPollCallback;

  constructor(fd: number, owner: OwnedFd | undefined) {
    this.#fd = fd;
    this.#owner = owner;
    // Level-triggered: stop on the first report so a readable-but-unread fd does not spin the
    // loop; wait() starts it again.
    this.#onPoll = (status) => {
      this.#handle?.stop();
      const resolve = this.#resolve;
      const reject = this.#reject;
      this.#promise = this.#resolve = this.#reject = null;
      // An error status is readiness too: libuv reports a socket with a pending error
      // (EPOLLERR, e.g. ENOBUFS after an overflow) as a poll error (UV_EBADF). Resolve, so the
      // caller's next read surfaces the socket's real error instead of a misleading EBADF.
      void status;
      void reject;
      resolve?.();
    };
    const handle = poll(fd, { readable: true }, this.#onPoll);
    handle.stop();
    this.#handle = handle;
  }

  get closed(): boolean {
    return this.#handle === null;
  }

  wait(): Promise<void> {
    const handle = this.#handle;
    if (handle === null) return Promise.reject(new SyscallError(ECANCELED, 'poll', '(watcher closed)'));
    if (this.#promise !== null) return this.#promise;
    this.#promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    handle.start({ readable: true }, this.#onPoll);
    return this.#promise;
  }

  ref(): void {
    this.#handle?.ref();
  }

  unref(): void {
    this.#handle?.unref();
  }

  /** @internal at process exit: stop polling without settling anything (no more JS will run). */
  _stopAtExit(): void {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    live.delete(this);
    handle.close();
  }

  close(): void {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    live.delete(this);
    handle.close();
    watched.delete(this.#fd);
    if (this.#owner !== undefined && this.#owner._attached() === this) this.#owner._attach(undefined);
    this.#owner = undefined;
    const reject = this.#reject;
    this.#promise = this.#resolve = this.#reject = null;
    reject?.(new SyscallError(ECANCELED, 'poll', '(watcher closed)'));
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Watch a descriptor for readability without blocking the event loop or parking a thread.
 * libuv makes the descriptor non-blocking. One watcher per descriptor (a second is EEXIST).
 * A descriptor epoll refuses (a regular file, /dev/null: EPERM; a closed number: EBADF) is a
 * SyscallError from `epoll_ctl`, checked up front.
 * Closing an OwnedFd closes its watcher first; with a raw number, close the watcher before the fd.
 *
 * @example
 * const w = watchReadable(sock);
 * w.unref();                        // idle: do not hold the process open
 * for (;;) {
 *   const r = recvmsg(sock, buf, MSG_DONTWAIT);
 *   if (r === null) { await w.wait(); continue; }
 *   handle(buf.subarray(0, r.length));
 * }
 */
export function watchReadable(fd: FdLike): ReadableWatcher {
  const n = fdNum(fd, 'poll');
  const owner = fd instanceof OwnedFd ? fd : undefined;
  if (watched.has(n)) throw new SyscallError(EEXIST, 'poll', `(fd ${n} already has a watcher)`);
  probeEpoll(n);
  const w = new Watcher(n, owner);
  installExitHook();
  live.add(w);
  watched.add(n);
  owner?._attach(w);
  return w;
}
