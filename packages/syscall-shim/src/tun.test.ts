import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IFF_MULTI_QUEUE, IFF_NO_PI, IFF_TAP, IFF_TUN, Ifreq, O_RDWR, OwnedFd, SyscallError, TUNGETDEVNETNS,
  TUNGETIFF, TUNSETIFF, TUNSETPERSIST, TUNSETVNETHDRSZ, TUNGETVNETHDRSZ, IFF_VNET_HDR, ioctl, netnsInode, open,
} from './index.js';
import { createTestNetns, kernelTestsEnabled, type TestNetns } from './test-support/netns.js';

interface IpLink {
  ifname: string;
  linkinfo?: { info_kind?: string; info_data?: { type?: string; numqueues?: number; multi_queue?: boolean; persist?: boolean } };
}

describe.skipIf(!kernelTestsEnabled)('tun/tap through ioctl', () => {
  let ns: TestNetns;
  beforeAll(() => {
    ns = createTestNetns();
  });
  afterAll(() => ns?.close());

  it('creates a tap with 4 queues from 4 opens of /dev/net/tun, inside the test namespace', () => {
    const fds: OwnedFd[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const fd = ns.run(() => open('/dev/net/tun', O_RDWR));
        fds.push(fd);
        const req = new Ifreq('nlk-mq0');
        req.flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
        ioctl(fd, TUNSETIFF, req.bytes);
        expect(req.name).toBe('nlk-mq0');
      }
      const [link] = ns.ipJson<IpLink[]>('-d', 'link', 'show', 'nlk-mq0');
      expect(link?.linkinfo?.info_kind).toBe('tun');
      expect(link?.linkinfo?.info_data?.type).toBe('tap');
      expect(link?.linkinfo?.info_data?.multi_queue).toBe(true);
      expect(link?.linkinfo?.info_data?.numqueues).toBe(4);
      // The device lives in the namespace the fd was opened in.
      using devNs = new OwnedFd(ioctl(fds[0]!, TUNGETDEVNETNS));
      expect(netnsInode(devNs)).toBe(ns.inode);
    } finally {
      for (const fd of fds) fd.close();
    }
    // Not persistent: gone with its last queue.
    expect(() => ns.ip('link', 'show', 'nlk-mq0')).toThrow();
  });

  it('reads the name and flags back with TUNGETIFF and lets the kernel pick a name', () => {
    using fd = ns.run(() => open('/dev/net/tun', O_RDWR));
    const req = new Ifreq('');
    req.flags = IFF_TUN | IFF_NO_PI;
    ioctl(fd, TUNSETIFF, req.bytes);
    expect(req.name).toMatch(/^tun\d+$/);
    const got = new Ifreq();
    ioctl(fd, TUNGETIFF, got.bytes);
    expect(got.name).toBe(req.name);
    expect(got.flags & (IFF_TUN | IFF_NO_PI)).toBe(IFF_TUN | IFF_NO_PI);
  });

  it('passes integer arguments by value and int pointers as bytes', () => {
    using fd = ns.run(() => open('/dev/net/tun', O_RDWR));
    const req = new Ifreq('nlk-arg0');
    req.flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    ioctl(fd, TUNSETIFF, req.bytes);
    const size = new Uint8Array(4);
    new DataView(size.buffer).setInt32(0, 12, true);
    ioctl(fd, TUNSETVNETHDRSZ, size);
    const out = new Uint8Array(4);
    ioctl(fd, TUNGETVNETHDRSZ, out);
    expect(new DataView(out.buffer).getInt32(0, true)).toBe(12);
    ioctl(fd, TUNSETPERSIST, 1);
    const [link] = ns.ipJson<IpLink[]>('-d', 'link', 'show', 'nlk-arg0');
    expect(link?.linkinfo?.info_data?.persist).toBe(true);
    ioctl(fd, TUNSETPERSIST, 0); // so the device goes with the fd
  });

  it('names the ioctl in the error for an invalid interface name (EINVAL)', () => {
    using fd = ns.run(() => open('/dev/net/tun', O_RDWR));
    const req = new Ifreq('bad/name');
    req.flags = IFF_TAP | IFF_NO_PI;
    let err: SyscallError | undefined;
    try {
      ioctl(fd, TUNSETIFF, req.bytes);
    } catch (e) {
      err = e as SyscallError;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect(err?.code).toBe('EINVAL');
    expect(err?.errno).toBe(-22);
    expect(err?.syscall).toBe('ioctl');
    expect(err?.detail).toBe('TUNSETIFF');
    expect(err?.message).toBe('EINVAL: invalid argument, ioctl TUNSETIFF');
  });

  it('rejects bad ioctl arguments before any system call', () => {
    using fd = open('/dev/null', O_RDWR);
    expect(() => ioctl(fd, -1, 0)).toThrow(RangeError);
    expect(() => ioctl(fd, TUNSETIFF, 'x' as unknown as number)).toThrow(TypeError);
    expect(() => ioctl(fd, TUNSETIFF, -1)).toThrow(TypeError);
  });
});
