import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_NETLINK, CLONE_NEWNET, FD_CLOEXEC, F_GETFD, F_GETFL, NETLINK_ROUTE, O_NONBLOCK, O_RDONLY, O_RDWR,
  OwnedFd, SOCK_RAW, SyscallError, TUNSETIFF, close, dup, fcntl, ioctl, open, recvmsg, setNonBlocking, setns, socket,
} from './index.js';
import { startCounting, stopCounting } from './testing.js';
import { countFds, createTestNetns, kernelTestsEnabled, type TestNetns } from './test-support/netns.js';

describe.skipIf(!kernelTestsEnabled)('owned file descriptors', () => {
  let ns: TestNetns;
  beforeAll(() => {
    ns = createTestNetns();
  });
  afterAll(() => ns?.close());

  it('close() is idempotent and forgets the number', () => {
    const fd = open('/dev/null', O_RDONLY);
    const n = fd.fd;
    expect(n).toBeGreaterThanOrEqual(0);
    fd.close();
    expect(fd.closed).toBe(true);
    expect(fd.fd).toBe(-1);
    expect(() => fd.close()).not.toThrow();
    expect(() => close(fd)).not.toThrow();
  });

  it('a double close never closes a reused fd number', () => {
    const a = open('/dev/null', O_RDONLY);
    const number = a.fd;
    a.close();
    const b = open('/dev/zero', O_RDONLY);
    expect(b.fd).toBe(number); // the kernel hands out the lowest free number
    a.close();
    close(a);
    expect(fcntl(b, F_GETFL)).toBeGreaterThanOrEqual(0); // b is still open
    b.close();
  });

  it('refuses a closed OwnedFd with EBADF before any system call', () => {
    const fd = open('/dev/null', O_RDONLY);
    fd.close();
    startCounting();
    let err: unknown;
    try {
      recvmsg(fd, new Uint8Array(16));
    } catch (e) {
      err = e;
    }
    const counts = stopCounting();
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).code).toBe('EBADF');
    expect((err as SyscallError).syscall).toBe('recvmsg');
    expect(counts.total).toBe(0);
    expect(() => ioctl(fd, TUNSETIFF, 0)).toThrow(/EBADF/);
  });

  it('supports using (Symbol.dispose)', () => {
    let seen: OwnedFd | undefined;
    {
      using fd = open('/dev/null', O_RDONLY);
      seen = fd;
      expect(fd.closed).toBe(false);
    }
    expect(seen.closed).toBe(true);
  });

  it('creates every descriptor close-on-exec (open, socket, dup)', () => {
    using f = open('/dev/null', O_RDONLY);
    using s = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    using d = dup(f);
    for (const fd of [f, s, d]) expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    expect(d.fd).not.toBe(f.fd);
  });

  it('setNonBlocking toggles O_NONBLOCK', () => {
    using f = open('/dev/null', O_RDONLY);
    expect(fcntl(f, F_GETFL) & O_NONBLOCK).toBe(0);
    setNonBlocking(f);
    expect(fcntl(f, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    setNonBlocking(f, false);
    expect(fcntl(f, F_GETFL) & O_NONBLOCK).toBe(0);
  });

  it('release() hands the number over without closing it', () => {
    const f = open('/dev/null', O_RDONLY);
    const n = f.release();
    expect(f.closed).toBe(true);
    expect(fcntl(n, F_GETFD)).toBeGreaterThanOrEqual(0);
    close(n);
    expect(() => fcntl(n, F_GETFD)).toThrow(/EBADF/);
  });

  it('reports a missing path as ENOENT with the path in the message', () => {
    let err: SyscallError | undefined;
    try {
      open('/nonexistent/nlkit', O_RDONLY);
    } catch (e) {
      err = e as SyscallError;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect(err?.code).toBe('ENOENT');
    expect(err?.errno).toBe(-2);
    expect(err?.syscall).toBe('open');
    expect(err?.message).toBe("ENOENT: no such file or directory, open '/nonexistent/nlkit'");
  });

  it('rejects bad fd arguments with TypeError/RangeError', () => {
    expect(() => fcntl(-1, F_GETFL)).toThrow(RangeError);
    expect(() => fcntl(1.5, F_GETFL)).toThrow(RangeError);
    expect(() => fcntl('3' as unknown as number, F_GETFL)).toThrow(TypeError);
    expect(() => new OwnedFd(-3)).toThrow(RangeError);
    expect(() => open('', O_RDONLY)).toThrow(TypeError);
    expect(() => open('/dev/null\0x', O_RDONLY)).toThrow(TypeError);
  });

  it('leaks no descriptor across 1,000 failures of open, socket, ioctl and setns', () => {
    using devnull = open('/dev/null', O_RDWR);
    const before = countFds();
    const codes = new Set<string>();
    const attempt = (fn: () => unknown): void => {
      try {
        fn();
      } catch (e) {
        codes.add((e as SyscallError).code);
        return;
      }
      throw new Error('expected a failure');
    };
    ns.run(() => {
      for (let i = 0; i < 1000; i++) {
        attempt(() => open('/nonexistent/nlkit', O_RDONLY));
        attempt(() => socket(AF_NETLINK, SOCK_RAW, 9999));
        attempt(() => ioctl(devnull, TUNSETIFF, new Uint8Array(40)));
        attempt(() => setns(devnull, CLONE_NEWNET));
      }
    });
    expect(countFds()).toBe(before);
    expect([...codes].sort()).toEqual(['EINVAL', 'ENOENT', 'ENOTTY', 'EPROTONOSUPPORT']);
  });
});
