import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_NETLINK, CLONE_NEWNET, IFF_NO_PI, IFF_TAP, Ifreq, NETLINK_ROUTE, O_RDONLY, O_RDWR, SOCK_RAW, SyscallError,
  TUNGETDEVNETNS, TUNSETIFF, OwnedFd, THREAD_NETNS_PATH, gettid, getpid, inNetns, initialNetnsInode, ioctl,
  isInitialNetns, netnsInode, open, setns, socket,
} from './index.js';
import { countFds, createTestNetns, kernelTestsEnabled, type TestNetns } from './test-support/netns.js';

describe.skipIf(!kernelTestsEnabled)('network namespaces', () => {
  let ns: TestNetns;
  let home: bigint;
  beforeAll(() => {
    home = netnsInode();
    ns = createTestNetns();
  });
  afterAll(() => ns?.close());

  it('the fixture namespace is neither the initial one nor ours', () => {
    expect(ns.inode).not.toBe(initialNetnsInode());
    expect(ns.inode).not.toBe(home);
    expect(netnsInode()).toBe(home);
  });

  it('runs fn inside the namespace and restores the original after success', () => {
    const inside = inNetns(ns.fd, () => ({ inode: netnsInode(), initial: isInitialNetns() }));
    expect(inside).toEqual({ inode: ns.inode, initial: false });
    expect(netnsInode()).toBe(home);
  });

  it('restores the original namespace after fn throws, and rethrows', () => {
    const boom = new Error('boom');
    expect(() => inNetns(ns.fd, () => {
      expect(netnsInode()).toBe(ns.inode);
      throw boom;
    })).toThrow(boom);
    expect(netnsInode()).toBe(home);
  });

  it('rejects an async fn with a TypeError after restoring', () => {
    expect(() => inNetns(ns.fd, async () => 1)).toThrow(TypeError);
    expect(netnsInode()).toBe(home);
    expect(() => inNetns(ns.fd, () => ({ then: () => {} }))).toThrow(/synchronous/);
    expect(netnsInode()).toBe(home);
  });

  it('accepts the namespace as an OwnedFd, an fd number or a path', () => {
    expect(inNetns(ns.fd, () => netnsInode())).toBe(ns.inode);
    expect(inNetns(ns.fd.fd, () => netnsInode())).toBe(ns.inode);
    expect(inNetns(ns.path, () => netnsInode())).toBe(ns.inode);
    expect(netnsInode()).toBe(home);
  });

  it('sockets and tun devices made inside stay inside', () => {
    using sock = inNetns(ns.fd, () => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    using tun = inNetns(ns.fd, () => open('/dev/net/tun', O_RDWR));
    const req = new Ifreq('nlk-stay0');
    req.flags = IFF_TAP | IFF_NO_PI;
    ioctl(tun, TUNSETIFF, req.bytes); // outside inNetns: the fd decides, not the thread
    using devNs = new OwnedFd(ioctl(tun, TUNGETDEVNETNS));
    expect(netnsInode(devNs)).toBe(ns.inode);
    expect(ns.ip('-br', 'link', 'show', 'nlk-stay0')).toContain('nlk-stay0');
    expect(sock.closed).toBe(false);
  });

  it('setns on a descriptor that is not a namespace fails with EINVAL', () => {
    using devnull = open('/dev/null', O_RDONLY);
    let err: SyscallError | undefined;
    try {
      setns(devnull, CLONE_NEWNET);
    } catch (e) {
      err = e as SyscallError;
    }
    expect(err).toMatchObject({ code: 'EINVAL', errno: -22, syscall: 'setns' });
    expect(netnsInode()).toBe(home);
  });

  it('a failing switch (not a namespace, missing path) leaves no fd and the thread at home', () => {
    const before = countFds();
    for (let i = 0; i < 200; i++) {
      expect(() => inNetns('/dev/null', () => 1)).toThrow(/EINVAL/);
      expect(() => inNetns('/nonexistent/ns', () => 1)).toThrow(/ENOENT/);
      expect(() => inNetns(ns.fd, () => {
        throw new Error('x');
      })).toThrow('x');
    }
    expect(countFds()).toBe(before);
    expect(netnsInode()).toBe(home);
  });

  it('nests, restoring each level', () => {
    using other = createTestNetns();
    inNetns(ns.fd, () => {
      expect(netnsInode()).toBe(ns.inode);
      inNetns(other.fd, () => expect(netnsInode()).toBe(other.inode));
      expect(netnsInode()).toBe(ns.inode);
    });
    expect(netnsInode()).toBe(home);
  });

  it('identifies namespaces by inode from a path, an fd or the calling thread', () => {
    using self = open(THREAD_NETNS_PATH, O_RDONLY);
    expect(netnsInode(self)).toBe(home);
    expect(netnsInode(self.fd)).toBe(home);
    expect(netnsInode(THREAD_NETNS_PATH)).toBe(home);
    expect(netnsInode(ns.path)).toBe(ns.inode);
  });

  it('rejects a non-function before any system call', () => {
    expect(() => inNetns(ns.fd, 5 as unknown as () => void)).toThrow(TypeError);
  });

  it('getpid and gettid are the process id on the main thread', () => {
    expect(getpid()).toBe(process.pid);
    expect(gettid()).toBe(process.pid);
  });
});
