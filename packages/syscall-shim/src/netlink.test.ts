import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_NETLINK, IFF_NO_PI, IFF_TAP, Ifreq, MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC, NETLINK_ADD_MEMBERSHIP,
  NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, NETLINK_ROUTE, O_RDWR, SOCK_RAW, SOL_NETLINK, SOL_SOCKET,
  SO_RCVBUF, SO_RCVBUFFORCE, SyscallError, TUNSETIFF, bind, getsockname, getsockopt, getsockoptBytes,
  ioctl, open, recvfrom, recvmsg, sendmsg, sendto, setsockopt, socket, NETLINK_LIST_MEMBERSHIPS, type OwnedFd, type RecvResult,
} from './index.js';
import { getlinkRequest, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, RTM_GETLINK } from './test-support/netlink.js';
import { createTestNetns, kernelTestsEnabled, type TestNetns } from './test-support/netns.js';

const RTM_NEWLINK = 16;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;


interface Msg { type: number; flags: number; seq: number; len: number; offset: number }
function splitMessages(buf: Uint8Array, length: number): Msg[] {
  const v = new DataView(buf.buffer, buf.byteOffset, length);
  const out: Msg[] = [];
  for (let off = 0; off + 16 <= length;) {
    const len = v.getUint32(off, true);
    out.push({ len, type: v.getUint16(off + 4, true), flags: v.getUint16(off + 6, true), seq: v.getUint32(off + 8, true), offset: off });
    off += (len + 3) & ~3;
  }
  return out;
}

describe.skipIf(!kernelTestsEnabled)('netlink sockets', () => {
  let ns: TestNetns;
  let sock: OwnedFd;
  const buf = new Uint8Array(65536);
  beforeAll(() => {
    ns = createTestNetns();
    sock = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    bind(sock);
  });
  afterAll(() => {
    sock?.close();
    ns?.close();
  });

  it('answers an RTM_GETLINK dump from the kernel (pid 0), ending with NLMSG_DONE', () => {
    expect(sendto(sock, getlinkRequest(1, NLM_F_REQUEST | NLM_F_DUMP))).toBe(32);
    const types: number[] = [];
    const pids = new Set<number>();
    for (let done = false; !done;) {
      const r = recvmsg(sock, buf);
      expect(r).not.toBeNull();
      if (r === null) return;
      expect(r.truncated).toBe(false);
      pids.add(r.pid);
      for (const m of splitMessages(buf, r.length)) {
        expect(m.seq).toBe(1);
        types.push(m.type);
        if (m.type === NLMSG_DONE) done = true;
      }
    }
    expect(pids).toEqual(new Set([0]));
    expect(types.filter((t) => t === RTM_NEWLINK).length).toBeGreaterThanOrEqual(1); // lo at least
    expect(types.at(-1)).toBe(NLMSG_DONE);
  });

  it('sends several buffers as one datagram with sendmsg', () => {
    const req = getlinkRequest(2, NLM_F_REQUEST, 1);
    expect(sendmsg(sock, [req.subarray(0, 10), req.subarray(10, 16), new Uint8Array(0), req.subarray(16)])).toBe(32);
    const r = recvmsg(sock, buf);
    const msgs = splitMessages(buf, r?.length ?? 0);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ type: RTM_NEWLINK, seq: 2 });
    expect(new DataView(buf.buffer).getInt32(20, true)).toBe(1); // ifi_index of lo
  });

  it('sendto and sendmsg accept the kernel address explicitly', () => {
    expect(sendto(sock, getlinkRequest(3, NLM_F_REQUEST, 1), 0, { pid: 0 })).toBe(32);
    expect(recvmsg(sock, buf)?.pid).toBe(0);
    expect(sendmsg(sock, [getlinkRequest(4, NLM_F_REQUEST, 1)], 0, { pid: 0, groups: 0 })).toBe(32);
    expect(recvmsg(sock, buf)?.pid).toBe(0);
  });

  it('reports the real size of a datagram larger than the buffer, and MSG_PEEK leaves it queued', () => {
    sendto(sock, getlinkRequest(5, NLM_F_REQUEST, 1));
    const small = new Uint8Array(16);
    const peek = recvmsg(sock, small, MSG_PEEK);
    expect(peek).not.toBeNull();
    expect(peek?.length).toBe(16);
    expect(peek?.truncated).toBe(true);
    expect((peek?.flags ?? 0) & MSG_TRUNC).toBe(MSG_TRUNC);
    const full = recvmsg(sock, buf);
    expect(full?.size).toBe(peek?.size);
    expect(full?.length).toBe(peek?.size);
    expect(full?.truncated).toBe(false);
    expect(full?.flags).toBe(0);
  });

  it('returns null (no exception) when nothing is queued with MSG_DONTWAIT', () => {
    expect(recvmsg(sock, buf, MSG_DONTWAIT)).toBeNull();
  });

  it('reads into views and switches buffers between calls', () => {
    const a = new Uint8Array(4096);
    const big = new Uint8Array(8192);
    const view = big.subarray(100);
    sendto(sock, getlinkRequest(6, NLM_F_REQUEST, 1));
    const r1 = recvmsg(sock, a);
    sendto(sock, getlinkRequest(7, NLM_F_REQUEST, 1));
    const r2 = recvmsg(sock, view);
    expect(r2?.length).toBe(r1?.length);
    expect(new DataView(a.buffer).getUint32(8, true)).toBe(6);
    expect(new DataView(big.buffer).getUint32(100 + 8, true)).toBe(7);
    expect(big[99]).toBe(0);
  });

  it('binds with the kernel picking the port id, and a taken port id is EADDRINUSE', () => {
    const { pid, family } = getsockname(sock);
    expect(family).toBe(AF_NETLINK);
    expect(pid).toBeGreaterThan(0);
    using other = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    let err: SyscallError | undefined;
    try {
      bind(other, { pid });
    } catch (e) {
      err = e as SyscallError;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect(err?.code).toBe('EADDRINUSE');
    expect(err?.errno).toBe(-98);
    expect(err?.syscall).toBe('bind');
  });

  it('sets and reads socket options (SO_RCVBUFFORCE, NETLINK_EXT_ACK, memberships)', () => {
    using s = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20);
    expect(getsockopt(s, SOL_SOCKET, SO_RCVBUF)).toBe(2 << 20); // the kernel doubles it
    setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    expect(getsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK)).toBe(1);
    setsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
    expect(getsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK)).toBe(1);
    setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 1);
    const groups = getsockoptBytes(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 16);
    expect(groups.length).toBeGreaterThanOrEqual(4);
    expect(groups[0]! & 1).toBe(1);
    expect(() => setsockopt(s, SOL_SOCKET, SO_RCVBUF, 2 ** 33)).toThrow(RangeError);
  });

  it('delivers an error reply for a bad request (NLMSG_ERROR with a negative errno)', () => {
    const req = getlinkRequest(8, NLM_F_REQUEST | NLM_F_ACK, 999999);
    sendto(sock, req);
    const r = recvmsg(sock, buf);
    const [m] = splitMessages(buf, r?.length ?? 0);
    expect(m?.type).toBe(NLMSG_ERROR);
    expect(new DataView(buf.buffer).getInt32(16, true)).toBe(-19); // ENODEV
  });

  /** Creates tap `name` (gone with its fd) and reads the notification with `receive` from a socket in RTMGRP_LINK. */
  function linkNotification(name: string, receive: (listener: OwnedFd) => RecvResult | null): RecvResult | null {
    using listener = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    bind(listener, { groups: 1 }); // RTMGRP_LINK
    using tun = ns.run(() => open('/dev/net/tun', O_RDWR));
    const req = new Ifreq(name);
    req.flags = IFF_TAP | IFF_NO_PI;
    ioctl(tun, TUNSETIFF, req.bytes);
    return receive(listener);
  }

  it('reports multicast notifications with the sender groups', () => {
    const r = linkNotification('nlk-notify0', (l) => recvmsg(l, buf, MSG_DONTWAIT));
    expect(r).not.toBeNull();
    expect(r?.pid).toBe(0);
    expect(r?.groups).toBe(1);
    expect(splitMessages(buf, r?.length ?? 0)[0]?.type).toBe(RTM_NEWLINK);
  });

  it('rejects malformed arguments before any system call', () => {
    expect(() => sendto(sock, 'x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => sendmsg(sock, [new Uint8Array(1), 5 as unknown as Uint8Array])).toThrow(/chunks\[1\]/);
    expect(() => sendmsg(sock, new Array(1025).fill(new Uint8Array(1)))).toThrow(RangeError);
    expect(() => recvmsg(sock, [] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => recvfrom(sock, [] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => recvfrom(sock, buf, 1.5)).toThrow(TypeError);
    expect(() => recvfrom(-1, buf)).toThrow(RangeError);
    expect(() => bind(sock, { pid: -1 })).toThrow(RangeError);
  });

  describe('recvfrom: what recvmsg gives, from the cheaper call', () => {
    it('reads a kernel reply with the sender address, into views at an offset', () => {
      sendto(sock, getlinkRequest(20, NLM_F_REQUEST, 1));
      const big = new Uint8Array(8192);
      const r = recvfrom(sock, big.subarray(100));
      expect(r).toMatchObject({ pid: 0, groups: 0, flags: 0, truncated: false });
      expect(r?.length).toBe(r?.size);
      expect(splitMessages(big.subarray(100), r?.length ?? 0)).toEqual([expect.objectContaining({ type: RTM_NEWLINK, seq: 20 })]);
      expect(big[99]).toBe(0);
      // The same reply through recvmsg: same size.
      sendto(sock, getlinkRequest(21, NLM_F_REQUEST, 1));
      expect(recvmsg(sock, buf)?.size).toBe(r?.size);
    });

    it('reports the real size and MSG_TRUNC for a datagram larger than the buffer (MSG_PEEK keeps it queued)', () => {
      sendto(sock, getlinkRequest(22, NLM_F_REQUEST, 1));
      const peek = recvfrom(sock, new Uint8Array(16), MSG_PEEK);
      expect(peek).toMatchObject({ length: 16, truncated: true, flags: MSG_TRUNC, pid: 0 });
      const full = recvfrom(sock, buf);
      expect(full).toMatchObject({ size: peek?.size, length: peek?.size, truncated: false, flags: 0 });
      expect(new DataView(buf.buffer).getUint32(8, true)).toBe(22);
    });

    it('returns null (no exception) when nothing is queued with MSG_DONTWAIT', () => {
      expect(recvfrom(sock, buf, MSG_DONTWAIT)).toBeNull();
    });

    it("gives each datagram's own sender: a user socket's port id, then the kernel's 0 and a notification's groups", () => {
      using other = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
      bind(other);
      const otherPid = getsockname(other).pid;
      sendto(other, new Uint8Array([16, 0, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]), 0, { pid: getsockname(sock).pid });
      expect(recvfrom(sock, buf)).toMatchObject({ pid: otherPid, groups: 0, length: 16 });
      sendto(sock, getlinkRequest(23, NLM_F_REQUEST, 1));
      expect(recvfrom(sock, buf)).toMatchObject({ pid: 0, groups: 0 });

      const n = linkNotification('nlk-notify1', (l) => recvfrom(l, buf, MSG_DONTWAIT));
      expect(n).toMatchObject({ pid: 0, groups: 1 });
      expect(splitMessages(buf, n?.length ?? 0)[0]?.type).toBe(RTM_NEWLINK);
    });

    it('fails a closed descriptor with EBADF naming recvfrom', () => {
      const s = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
      const n = s.fd;
      s.close();
      let err: unknown;
      try {
        recvfrom(n, buf, MSG_DONTWAIT);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SyscallError);
      expect(err).toMatchObject({ code: 'EBADF', syscall: 'recvfrom' });
    });
  });
});
