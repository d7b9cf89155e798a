import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_NETLINK, IFF_MULTI_QUEUE, IFF_NO_PI, IFF_TAP, Ifreq, MSG_DONTWAIT, NETLINK_ROUTE, O_RDONLY, O_RDWR, SOCK_RAW,
  SyscallError, TUNSETIFF, bind, getpid, inNetns, ioctl, netnsInode, open, recvfrom, recvmsg, socket, type OwnedFd,
} from './index.js';
import {
  callCounts, clearFaults, injectFault, isInstrumented, startCounting, stopCounting,
} from './testing.js';
import { countFds, createTestNetns, kernelTestsEnabled, type TestNetns } from './test-support/netns.js';

describe('fault injection switch', () => {
  afterEach(() => {
    clearFaults();
    stopCounting();
  });

  it('is off by default and after clearing, so wrappers skip the hook', () => {
    expect(isInstrumented()).toBe(false);
    const f = injectFault({ errno: 'EIO', nth: 5 });
    expect(isInstrumented()).toBe(true);
    f.cancel();
    expect(isInstrumented()).toBe(false);
    startCounting();
    expect(isInstrumented()).toBe(true);
    stopCounting();
    expect(isInstrumented()).toBe(false);
  });

  it('counts nothing while off', () => {
    startCounting();
    stopCounting();
    getpid();
    expect(callCounts().total).toBe(0);
  });

  it('fails the next call of any kind before it reaches the kernel', () => {
    const f = injectFault({ errno: 'EACCES' });
    expect(() => open('/dev/null', O_RDONLY)).toThrow(/EACCES: permission denied, open '\/dev\/null'/);
    expect(f.fired).toBe(true);
    expect(isInstrumented()).toBe(false); // fired faults disarm themselves
    using fd = open('/dev/null', O_RDONLY);
    expect(fd.closed).toBe(false);
  });

  it('accepts errno as a name, a positive or a negative number', () => {
    injectFault({ errno: 5 });
    expect(() => getpid()).toThrow(expect.objectContaining({ code: 'EIO', errno: -5 }));
    injectFault({ errno: -17 });
    expect(() => getpid()).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => injectFault({ errno: 'ENOPE' })).toThrow(RangeError);
    expect(() => injectFault({ errno: 0 })).toThrow(RangeError);
    expect(() => injectFault({ errno: 'EIO', nth: 0 })).toThrow(RangeError);
    expect(() => injectFault({ errno: 'EIO', syscall: 'read' as never })).toThrow(RangeError);
  });

  it('counts calls by kind', () => {
    startCounting();
    getpid();
    getpid();
    using fd = open('/dev/null', O_RDONLY);
    fd.close();
    expect(stopCounting()).toEqual({ total: 4, bySyscall: { getpid: 2, open: 1, close: 1 } });
  });

  it('an injected close failure still releases the descriptor', () => {
    const before = countFds();
    const fd = open('/dev/null', O_RDONLY);
    injectFault({ syscall: 'close', errno: 'EIO' });
    expect(() => fd.close()).toThrow(/EIO/);
    expect(fd.closed).toBe(true);
    expect(countFds()).toBe(before);
  });
});

describe.skipIf(!kernelTestsEnabled)('fault injection on kernel operations', () => {
  let ns: TestNetns;
  let home: bigint;
  beforeAll(() => {
    home = netnsInode();
    ns = createTestNetns();
  });
  afterAll(() => ns?.close());
  afterEach(() => {
    clearFaults();
    stopCounting();
  });

  /** Make a two-queue tap inside the namespace; closes everything on failure. */
  function makeTap(name: string): OwnedFd[] {
    const fds: OwnedFd[] = [];
    try {
      inNetns(ns.fd, () => {
        for (let i = 0; i < 2; i++) {
          const fd = open('/dev/net/tun', O_RDWR);
          fds.push(fd);
          const req = new Ifreq(name);
          req.flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
          ioctl(fd, TUNSETIFF, req.bytes);
        }
      });
      return fds;
    } catch (e) {
      for (const fd of fds) fd.close();
      throw e;
    }
  }

  it('fails the nth call of a given kind', () => {
    injectFault({ syscall: 'ioctl', nth: 2, errno: 'EBUSY' });
    let err: SyscallError | undefined;
    try {
      makeTap('nlk-fi0');
    } catch (e) {
      err = e as SyscallError;
    }
    expect(err).toMatchObject({ code: 'EBUSY', syscall: 'ioctl', detail: 'TUNSETIFF' });
    expect(() => ns.ip('link', 'show', 'nlk-fi0')).toThrow(); // the first queue's device went with its fd
  });

  it('an injected EAGAIN on recvmsg returns null, as the real one does', () => {
    using s = inNetns(ns.fd, () => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    injectFault({ syscall: 'recvmsg', errno: 'EAGAIN' });
    expect(recvmsg(s, new Uint8Array(64), MSG_DONTWAIT)).toBeNull();
  });

  it('recvfrom is counted and failed under its own name (EAGAIN: null; others: its SyscallError)', () => {
    using s = inNetns(ns.fd, () => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    injectFault({ syscall: 'recvfrom', errno: 'EAGAIN' });
    expect(recvfrom(s, new Uint8Array(64), MSG_DONTWAIT)).toBeNull();
    injectFault({ syscall: 'recvfrom', errno: 'EIO' });
    expect(() => recvfrom(s, new Uint8Array(64), MSG_DONTWAIT)).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'recvfrom' }));
    startCounting();
    recvfrom(s, new Uint8Array(64), MSG_DONTWAIT);
    recvmsg(s, new Uint8Array(64), MSG_DONTWAIT);
    expect(stopCounting().bySyscall).toEqual({ recvfrom: 1, recvmsg: 1 });
  });

  it('every call of an operation can be failed in turn, without leaking fds or the namespace', () => {
    startCounting();
    for (const fd of makeTap('nlk-fi1')) fd.close();
    const { total, bySyscall } = stopCounting();
    // open(thread ns), setns, then per queue open + ioctl, then close(thread ns)
    expect(bySyscall).toEqual({ open: 3, setns: 1, ioctl: 2, close: 3 });
    const before = countFds();
    const operationCalls = total - 2; // the two closes after makeTap returned are the test's
    for (let n = 1; n <= operationCalls; n++) {
      const f = injectFault({ nth: n, errno: 'EIO' });
      let made: OwnedFd[] | undefined;
      let err: unknown;
      try {
        made = makeTap('nlk-fi1');
      } catch (e) {
        err = e;
      }
      expect(f.fired).toBe(true);
      clearFaults();
      if (n === operationCalls) {
        // The last call closes inNetns's temporary fd: Linux frees the number even when close
        // reports an error, so that error is ignored and fn's result (the queue fds) is kept.
        expect(err, `call ${n}`).toBeUndefined();
        for (const fd of made!) fd.close();
      } else {
        expect(err, `call ${n}`).toBeInstanceOf(SyscallError);
      }
      expect(countFds(), `call ${n}`).toBe(before);
      expect(netnsInode(), `call ${n}`).toBe(home);
    }
    expect(() => ns.ip('link', 'show', 'nlk-fi1')).toThrow();
  });

  it('bind failures surface with the injected code', () => {
    using s = inNetns(ns.fd, () => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    injectFault({ syscall: 'bind', errno: 'EADDRINUSE' });
    expect(() => bind(s)).toThrow(expect.objectContaining({ code: 'EADDRINUSE', syscall: 'bind' }));
    expect(() => bind(s)).not.toThrow();
  });
});
