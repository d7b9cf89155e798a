/**
 * Test-only fault injection and call counting: `@nlkit/syscall-shim/testing`.
 *
 * An injected fault fails a chosen call with a chosen errno *before* the real call (nothing
 * happens in the kernel), exactly as if the kernel had returned that errno: the wrappers take
 * the same path (an injected EAGAIN on recvmsg returns `null`). Two exceptions, both for safety:
 * `close` really closes first and then reports the fault (Linux releases the number even when
 * close fails, so a faithful simulation must not leak it), and the setns that `inNetns` uses to
 * switch back is never injected (a test must not be stranded in the wrong namespace).
 *
 * When nothing is armed and counting is off, the cost per system call is one boolean check.
 *
 * @example
 * import { startCounting, stopCounting, injectFault, clearFaults } from '@nlkit/syscall-shim/testing';
 * startCounting();
 * await operation();
 * const { total } = stopCounting();
 * for (let n = 1; n <= total; n++) {
 *   const fault = injectFault({ nth: n, errno: 'EIO' });
 *   await expect(operation()).rejects.toThrow();
 *   clearFaults();
 * }
 */
import { errnoNumber } from './errors.js';
import {
  arm, disarmAll, hook, isCounting, resetCounts, setCounting, snapshot, SYSCALL_NAMES, type SyscallName,
} from './hooks.js';

export { SYSCALL_NAMES, type SyscallName };

/** Which call to fail, and how. */
export interface FaultSpec {
  /** Only calls of this kind count towards `nth`; omitted: every system call counts. */
  syscall?: SyscallName;
  /** Fail the nth matching call from now (1 = the next one). Default 1. */
  nth?: number;
  /** The error: a name (`'EEXIST'`) or a number (17 or -17). */
  errno: string | number;
}

/** An armed fault. */
export interface Fault {
  /** True once it has failed a call. */
  readonly fired: boolean;
  /** Disarm it if it has not fired yet. */
  cancel(): void;
}

/** Calls made since counting started, in total and by kind. */
export interface CallCounts {
  total: number;
  bySyscall: Partial<Record<SyscallName, number>>;
}

/**
 * Arm a fault: the `nth` matching system call from now fails with `errno`. Several faults may
 * be armed at once; each counts independently from the moment it is armed.
 *
 * @example
 * injectFault({ syscall: 'ioctl', nth: 2, errno: 'EBUSY' }); // the second ioctl from now fails
 */
export function injectFault(spec: FaultSpec): Fault {
  if (spec === null || typeof spec !== 'object') throw new TypeError('spec must be an object');
  const nth = spec.nth ?? 1;
  if (!Number.isInteger(nth) || nth < 1) throw new RangeError(`nth must be a positive integer, got ${String(spec.nth)}`);
  if (spec.syscall !== undefined && !SYSCALL_NAMES.includes(spec.syscall)) {
    throw new RangeError(`unknown syscall "${String(spec.syscall)}"; expected one of ${SYSCALL_NAMES.join(', ')}`);
  }
  let errno: number | undefined;
  if (typeof spec.errno === 'string') errno = errnoNumber(spec.errno);
  else if (Number.isInteger(spec.errno) && spec.errno !== 0 && Math.abs(spec.errno) < 4096) errno = Math.abs(spec.errno);
  if (errno === undefined) throw new RangeError(`unknown errno ${String(spec.errno)}`);
  let fired = false;
  const cancel = arm(spec.syscall, nth, errno, () => {
    fired = true;
  });
  return {
    get fired() {
      return fired;
    },
    cancel,
  };
}

/**
 * Disarm every fault.
 * @example
 * afterEach(() => clearFaults());
 */
export function clearFaults(): void {
  disarmAll();
}

/**
 * Reset the counters and start counting system calls.
 * @example
 * startCounting(); doSomething(); stopCounting().bySyscall.ioctl;
 */
export function startCounting(): void {
  resetCounts();
  setCounting(true);
}

/**
 * Stop counting and return the counts.
 * @example
 * const { total } = stopCounting();
 */
export function stopCounting(): CallCounts {
  setCounting(false);
  return snapshot();
}

/**
 * The counts so far (counting continues).
 * @example
 * callCounts().bySyscall.sendmsg ?? 0;
 */
export function callCounts(): CallCounts {
  return snapshot();
}

/**
 * True while any instrumentation (a fault or counting) is active: when false, the wrappers skip
 * the hook entirely.
 * @example
 * clearFaults(); stopCounting(); isInstrumented(); // false
 */
export function isInstrumented(): boolean {
  return hook.on;
}

/**
 * Whether counting is on.
 * @example
 * isCounting(); // false by default
 */
export { isCounting };
