import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_NETLINK, F_GETFL, MSG_DONTWAIT, NETLINK_ROUTE, O_NONBLOCK, O_RDONLY, SOCK_RAW, SyscallError, bind, fcntl,
  open, recvmsg, sendto, socket, watchReadable, type OwnedFd,
} from './index.js';
import { getlinkRequest, NLM_F_REQUEST } from './test-support/netlink.js';
import { createTestNetns, kernelTestsEnabled, type TestNetns } from './test-support/netns.js';

/** RTM_GETLINK for lo (ifindex 1), no ACK: its one reply is the link. */
const getlinkLo = (seq: number): Uint8Array => getlinkRequest(seq, NLM_F_REQUEST, 1);


const PENDING = Symbol('pending');
function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | typeof PENDING> {
  return Promise.race([p, new Promise<typeof PENDING>((r) => setTimeout(() => r(PENDING), ms))]);
}

describe.skipIf(!kernelTestsEnabled)('readiness watcher', () => {
  let ns: TestNetns;
  let sock: OwnedFd;
  const buf = new Uint8Array(8192);
  beforeAll(() => {
    ns = createTestNetns();
    sock = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    bind(sock);
  });
  afterAll(() => {
    sock?.close();
    ns?.close();
  });

  it('resolves wait() when a datagram is queued, and not before', async () => {
    using w = watchReadable(sock);
    expect(fcntl(sock, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK); // libuv made it non-blocking
    const p = w.wait();
    expect(await settledWithin(p, 50)).toBe(PENDING);
    sendto(sock, getlinkLo(1));
    await expect(settledWithin(p, 2000)).resolves.toBeUndefined();
    expect(recvmsg(sock, buf, MSG_DONTWAIT)?.pid).toBe(0);
    expect(recvmsg(sock, buf, MSG_DONTWAIT)).toBeNull();
  });

  it('shares one promise between concurrent waits and can wait again', async () => {
    using w = watchReadable(sock);
    const a = w.wait();
    const b = w.wait();
    expect(a).toBe(b);
    sendto(sock, getlinkLo(2));
    await a;
    recvmsg(sock, buf, MSG_DONTWAIT);
    const c = w.wait();
    expect(c).not.toBe(a);
    sendto(sock, getlinkLo(3));
    await c;
    expect(recvmsg(sock, buf, MSG_DONTWAIT)).not.toBeNull();
  });

  it('rejects a pending wait with ECANCELED when the watcher is closed', async () => {
    const w = watchReadable(sock);
    const p = w.wait();
    w.close();
    w.close();
    await expect(p).rejects.toMatchObject({ code: 'ECANCELED', syscall: 'poll' });
    await expect(w.wait()).rejects.toBeInstanceOf(SyscallError);
    expect(w.closed).toBe(true);
  });

  it('refuses a descriptor epoll cannot poll with a SyscallError instead of aborting the process', () => {
    using devnull = open('/dev/null', O_RDONLY);
    expect(() => watchReadable(devnull)).toThrow(expect.objectContaining({ code: 'EPERM', syscall: 'epoll_ctl' }));
    const n = devnull.fd;
    devnull.close();
    expect(() => watchReadable(n)).toThrow(expect.objectContaining({ code: 'EBADF' })); // the lowest free number
    expect(() => watchReadable(65000)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    // A refused descriptor is not left registered: a pollable one with that number works.
    const s = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    try {
      watchReadable(s).close();
    } finally {
      s.close();
    }
  });

  it('allows one watcher per descriptor, and closing the OwnedFd closes its watcher first', async () => {
    const s = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    const w = watchReadable(s);
    expect(() => watchReadable(s)).toThrow(/EEXIST/);
    const p = w.wait();
    s.close();
    expect(w.closed).toBe(true);
    await expect(p).rejects.toMatchObject({ code: 'ECANCELED' });
  });
});
