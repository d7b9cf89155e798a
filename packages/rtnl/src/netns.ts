/**
 * Network namespaces held by file descriptors.
 *
 * A namespace is created on the calling (main) thread with `unshare(CLONE_NEWNET)`, its fd is
 * kept, and the thread is put back where it was, so the process never stays in the new
 * namespace. Everything nlkit creates "in" a namespace is made while the thread is briefly
 * inside it (`inNetns`): sockets and tun fds stay bound to the namespace they were created in.
 */
import * as shim from '@nlkit/syscall-shim';

/** Anything the API accepts as a namespace: a `NetNs`, an open fd number, or a path. */
export type NetnsRef = NetNs | number | string;

/**
 * A network namespace held open by an fd.
 *
 * @example
 * ```ts
 * const ns = netns.create();
 * try { const h = Handle.open({ netns: ns }); ... } finally { ns.close(); }
 * ```
 */
export class NetNs implements Disposable {
  /** Inode of the namespace: equal inodes mean the same namespace. */
  readonly inode: bigint;
  /** Where it was opened from, when known (`/run/netns/x`, `/proc/123/ns/net`). */
  readonly path: string | undefined;
  private readonly owned: shim.OwnedFd;

  /** @internal use `netns.create()`, `netns.fromPath()`, ... */
  constructor(fd: shim.OwnedFd, path?: string) {
    this.owned = fd;
    this.path = path;
    this.inode = shim.netnsInode(fd.fd);
  }

  /** The namespace fd (for `IFLA_NET_NS_FD`, `setns`, `nsenter --net=/proc/self/fd/N`). */
  get fd(): number {
    return this.owned.fd;
  }

  get closed(): boolean {
    return this.owned.closed;
  }

  /**
   * Whether this is the initial network namespace (PID 1's, the host's). Where PID 1's
   * namespace links are hidden (some VM init processes), the shim compares with kthreadd's,
   * which always lives in the initial namespace.
   */
  isInitial(): boolean {
    return this.inode === shim.initialNetnsInode();
  }

  /** Close the fd. The namespace itself lives on while anything else holds it. Idempotent. */
  close(): void {
    this.owned.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Create a fresh network namespace held by the returned fd; the caller's namespace is unchanged. */
function create(): NetNs {
  // The shim switches back with a setns outside fault injection, so the thread cannot be left
  // in the new namespace, and closes the fresh fd if switching back fails.
  const fd = shim.createNetns();
  try {
    return new NetNs(fd);
  } catch (e) {
    fd.close();
    throw e;
  }
}

/** Open a namespace by path (e.g. `/run/netns/NAME`, `/proc/PID/ns/net`). */
function fromPath(path: string): NetNs {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('netns path must be a non-empty string');
  const fd = shim.open(path, shim.O_RDONLY);
  try {
    return new NetNs(fd, path);
  } catch (e) {
    fd.close();
    throw e;
  }
}

/** The network namespace of process `pid`. */
function fromPid(pid: number): NetNs {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`pid must be a positive integer, got ${pid}`);
  return fromPath(`/proc/${pid}/ns/net`);
}

/** The namespace the calling thread is in now. */
function current(): NetNs {
  return fromPath('/proc/thread-self/ns/net');
}

/**
 * Run `fn` synchronously inside `ns` and come back, even if it throws. `fn` must not be async:
 * a returned promise would run its continuation after the thread has left the namespace, so it
 * is refused with a `TypeError`.
 *
 * @example
 * ```ts
 * netns.run(ns, () => writeFileSync('/proc/sys/net/ipv6/conf/default/addr_gen_mode', '1'));
 * ```
 */
function run<T>(ns: NetnsRef, fn: () => T): T {
  return shim.inNetns(nsTarget(ns), fn);
}

/** Resolve a `NetnsRef` to what the shim takes (an fd number or a path). */
export function nsTarget(ns: NetnsRef): number | string {
  if (ns instanceof NetNs) {
    if (ns.closed) throw new TypeError('netns is closed');
    return ns.fd;
  }
  if (typeof ns === 'number') {
    if (!Number.isInteger(ns) || ns < 0) throw new RangeError(`netns fd must be a non-negative integer, got ${ns}`);
    return ns;
  }
  if (typeof ns === 'string' && ns.length > 0) return ns;
  throw new TypeError('netns must be a NetNs, an fd number or a path');
}

/**
 * Resolve a `NetnsRef` to an fd usable in `IFLA_NET_NS_FD`, plus a release function for fds we
 * opened ourselves (paths).
 */
export function nsFd(ns: NetnsRef): { fd: number; release: () => void } {
  const target = nsTarget(ns);
  if (typeof target === 'number') return { fd: target, release: () => {} };
  const owned = shim.open(target, shim.O_RDONLY);
  return { fd: owned.fd, release: () => owned.close() };
}

/** Namespace helpers. */
export const netns = { create, fromPath, fromPid, current, run };
