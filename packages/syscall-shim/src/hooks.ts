/**
 * Test-time instrumentation shared by every syscall wrapper. When nothing is armed, the
 * only cost on a call is reading `hook.on` (one boolean).
 * @internal
 */

/** The names system calls are counted and matched under. */
export type SyscallName =
  | 'socket' | 'bind' | 'getsockname' | 'setsockopt' | 'getsockopt' | 'sendto' | 'sendmsg'
  | 'recvmsg' | 'recvfrom' | 'close' | 'open' | 'ioctl' | 'fcntl' | 'setns' | 'unshare' | 'getpid' | 'gettid';

/** All the names above, for enumeration in tests. */
export const SYSCALL_NAMES: readonly SyscallName[] = [
  'socket', 'bind', 'getsockname', 'setsockopt', 'getsockopt', 'sendto', 'sendmsg', 'recvmsg',
  'recvfrom', 'close', 'open', 'ioctl', 'fcntl', 'setns', 'unshare', 'getpid', 'gettid',
];

interface Armed {
  readonly syscall: SyscallName | undefined;
  remaining: number;
  readonly errno: number;
  onFire: () => void;
}

/** `on` is true while counting is enabled or a fault is armed. */
export const hook = { on: false };

let counting = false;
let total = 0;
const counts = new Map<SyscallName, number>();
let armed: Armed[] = [];

function refresh(): void {
  hook.on = counting || armed.length > 0;
}

/**
 * Called by a wrapper before its real call when `hook.on`. Counts the call and returns the
 * positive errno to fail with (0 = go ahead). Every armed fault that matches is advanced;
 * the first that reaches its turn fires, and so does any other reaching it on the same call.
 */
export function check(kind: SyscallName): number {
  if (counting) {
    total++;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  if (armed.length === 0) return 0;
  let fire = 0;
  let spent = false;
  for (const f of armed) {
    if (f.syscall !== undefined && f.syscall !== kind) continue;
    if (--f.remaining === 0) {
      if (fire === 0) fire = f.errno;
      spent = true;
      f.onFire();
    }
  }
  if (spent) {
    armed = armed.filter((f) => f.remaining > 0);
    refresh();
  }
  return fire;
}

export function arm(syscall: SyscallName | undefined, nth: number, errno: number, onFire: () => void): () => void {
  const f: Armed = { syscall, remaining: nth, errno, onFire };
  armed.push(f);
  refresh();
  return () => {
    armed = armed.filter((x) => x !== f);
    refresh();
  };
}

export function disarmAll(): void {
  armed = [];
  refresh();
}

export function setCounting(on: boolean): void {
  counting = on;
  refresh();
}

export function isCounting(): boolean {
  return counting;
}

export function resetCounts(): void {
  total = 0;
  counts.clear();
}

export function snapshot(): { total: number; bySyscall: Partial<Record<SyscallName, number>> } {
  return { total, bySyscall: Object.fromEntries(counts) as Partial<Record<SyscallName, number>> };
}
