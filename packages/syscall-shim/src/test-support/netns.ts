/**
 * Test fixture: a fresh network namespace made on the main thread, never the host's.
 * Not part of the build.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import {
  CLONE_NEWNET, O_RDONLY, THREAD_NETNS_PATH, initialNetnsInode, inNetns, netnsInode, open, setns, unshare,
  type OwnedFd,
} from '../index.js';

/**
 * Whether kernel tests can run here: root, or fail loudly under CI=true (where they must run).
 * Prints the reason when skipping.
 */
export const kernelTestsEnabled: boolean = (() => {
  if (process.getuid?.() === 0) return true;
  if (process.env['CI'] === 'true') {
    throw new Error('CI=true but not running as root: kernel tests must run in CI');
  }
  console.warn('skipping kernel tests: they need root (CAP_NET_ADMIN, CAP_SYS_ADMIN) to create network namespaces');
  return false;
})();

/** A namespace made for one test file. */
export interface TestNetns extends Disposable {
  /** The namespace fd (keeps the namespace alive). */
  readonly fd: OwnedFd;
  /** `/proc/<pid>/fd/<n>`: a path other processes (nsenter) can open. */
  readonly path: string;
  /** Its inode (identity). */
  readonly inode: bigint;
  /** Run `fn` inside it (synchronously). */
  run<T>(fn: () => T): T;
  /** Run `ip ARGS...` inside it and return stdout. */
  ip(...args: string[]): string;
  /** Run `ip -j ARGS...` inside it and parse the JSON. */
  ipJson<T = unknown>(...args: string[]): T;
  /** Close the fd (the kernel destroys the namespace when nothing else holds it). */
  close(): void;
}

/**
 * Make a fresh network namespace: save the current one, unshare(CLONE_NEWNET), open the new one,
 * switch back, and check that the new one is not the initial (host) namespace and that this
 * thread is back where it started.
 */
export function createTestNetns(): TestNetns {
  const before = netnsInode();
  const orig = open(THREAD_NETNS_PATH, O_RDONLY);
  let fresh: OwnedFd;
  try {
    unshare(CLONE_NEWNET);
    try {
      fresh = open(THREAD_NETNS_PATH, O_RDONLY);
    } finally {
      setns(orig, CLONE_NEWNET);
    }
  } finally {
    orig.close();
  }
  const inode = netnsInode(fresh);
  if (inode === initialNetnsInode() || inode === before) {
    fresh.close();
    throw new Error('refusing to continue: the test namespace is the initial one');
  }
  if (netnsInode() !== before) throw new Error('could not return to the original namespace');
  const path = `/proc/${process.pid}/fd/${fresh.fd}`;
  const ip = (...args: string[]): string =>
    execFileSync('nsenter', [`--net=${path}`, 'ip', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    fd: fresh,
    path,
    inode,
    run: <T>(fn: () => T): T => inNetns(fresh, fn),
    ip,
    ipJson: <T>(...args: string[]): T => JSON.parse(ip('-j', ...args)) as T,
    close: () => fresh.close(),
    [Symbol.dispose]: () => fresh.close(),
  };
}

/** Number of open descriptors of this process. */
export function countFds(): number {
  return readdirSync('/proc/self/fd').length;
}
