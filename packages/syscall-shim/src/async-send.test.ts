import { readlinkSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_NETLINK, MSG_DONTWAIT, NETLINK_ROUTE, OwnedFd, SOCK_RAW, SOL_SOCKET, SO_RCVBUFFORCE, SO_SNDTIMEO,
  SyscallError, asyncCallsInFlight, bind, getsockname, recvmsg, sendmsgAsync, sendto, sendtoAsync, setsockopt, socket,
} from './index.js';
import { callCounts, clearFaults, injectFault, startCounting, stopCounting } from './testing.js';
import { getlinkRequest, NLM_F_ACK, NLM_F_REQUEST, RTM_GETLINK } from './test-support/netlink.js';
import { createTestNetns, kernelTestsEnabled, type TestNetns } from './test-support/netns.js';

/** RTM_GETLINK for link `index` (lo by default) with an ACK. */
const getlink = (seq: number, index = 1): Uint8Array => getlinkRequest(seq, NLM_F_REQUEST | NLM_F_ACK, index);

const RTM_NEWLINK = 16;
const NLMSG_ERROR = 2;


/** What `/proc/self/fd/<n>` points to now (`undefined` once the number is free). */
function fdTarget(n: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${n}`);
  } catch {
    return undefined;
  }
}

/** Seqs of the messages of every datagram queued on `s`, read without blocking. */
function drainSeqs(s: OwnedFd, buf: Uint8Array): number[] {
  const seqs: number[] = [];
  for (let r = recvmsg(s, buf, MSG_DONTWAIT); r !== null; r = recvmsg(s, buf, MSG_DONTWAIT)) {
    const v = new DataView(buf.buffer, 0, r.length);
    for (let off = 0; off + 16 <= r.length; off += (v.getUint32(off, true) + 3) & ~3) seqs.push(v.getUint32(off + 8, true));
  }
  return seqs;
}

describe('asynchronous sends: argument checks (no kernel)', () => {
  it('rejects, never throws, for a closed OwnedFd, bad data or bad flags, before queueing anything', async () => {
    const closed = new OwnedFd(0x7ffffff0);
    closed.release();
    await expect(sendtoAsync(closed, new Uint8Array(4))).rejects.toMatchObject({ code: 'EBADF', syscall: 'sendto' });
    await expect(sendmsgAsync(closed, [new Uint8Array(4)])).rejects.toMatchObject({ code: 'EBADF', syscall: 'sendmsg' });
    await expect(sendtoAsync(3, 'x' as unknown as Uint8Array)).rejects.toBeInstanceOf(TypeError);
    await expect(sendtoAsync(3, new Uint8Array(4), 1.5)).rejects.toBeInstanceOf(TypeError);
    await expect(sendmsgAsync(3, new Array(1025).fill(new Uint8Array(1)))).rejects.toBeInstanceOf(RangeError);
    expect(asyncCallsInFlight()).toBe(0);
  });
});

describe.skipIf(!kernelTestsEnabled)('asynchronous sends on a netlink socket', () => {
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
  afterEach(() => {
    clearFaults();
    stopCounting();
  });

  it('sends on a worker thread and resolves once the call returned: rtnetlink has queued its answer by then', async () => {
    const p = sendtoAsync(sock, getlink(7));
    expect(asyncCallsInFlight()).toBe(1);
    await expect(p).resolves.toBe(32);
    expect(asyncCallsInFlight()).toBe(0);
    const r = recvmsg(sock, buf, MSG_DONTWAIT);
    expect(r).not.toBeNull();
    const v = new DataView(buf.buffer);
    expect(v.getUint16(4, true)).toBe(RTM_NEWLINK); // lo's reply
    expect(drainSeqs(sock, buf)).toEqual([7]); // then the ACK
  });

  it('sends several buffers as one datagram with sendmsgAsync', async () => {
    const req = getlink(8);
    await expect(sendmsgAsync(sock, [req.subarray(0, 16), req.subarray(16)], 0, { pid: 0 })).resolves.toBe(32);
    expect(new Set(drainSeqs(sock, buf))).toEqual(new Set([8]));
  });

  it('rejects with the same Node-style error as the synchronous call', async () => {
    // A unicast to a port id nobody holds: ECONNREFUSED from the kernel.
    const to = { pid: 0x7ffffff0 };
    let sync: unknown;
    try {
      sendto(sock, getlink(9), 0, to);
    } catch (e) {
      sync = e;
    }
    expect(sync).toBeInstanceOf(SyscallError);
    const err = await sendtoAsync(sock, getlink(9), 0, to).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyscallError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'sendto', message: (sync as Error).message });
    const err2 = await sendmsgAsync(sock, [getlink(9)], 0, to).catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 'ECONNREFUSED', syscall: 'sendmsg' });
  });

  it('takes injected faults and counts as the synchronous calls do (nothing reaches the kernel)', async () => {
    startCounting();
    await sendtoAsync(sock, getlink(10));
    await sendmsgAsync(sock, [getlink(11)]);
    expect(callCounts().bySyscall).toMatchObject({ sendto: 1, sendmsg: 1 });
    drainSeqs(sock, buf);
    const f = injectFault({ syscall: 'sendto', errno: 'EIO' });
    await expect(sendtoAsync(sock, getlink(12))).rejects.toMatchObject({ code: 'EIO', errno: -5, syscall: 'sendto' });
    expect(f.fired).toBe(true);
    injectFault({ syscall: 'sendmsg', errno: 'ENOBUFS' });
    await expect(sendmsgAsync(sock, [getlink(13)])).rejects.toMatchObject({ code: 'ENOBUFS', syscall: 'sendmsg' });
    expect(recvmsg(sock, buf, MSG_DONTWAIT)).toBeNull();
    expect(asyncCallsInFlight()).toBe(0);
    expect(sock.busy).toBe(false);
  });

  it('defers close(2) of an OwnedFd until its asynchronous call has returned', async () => {
    const s = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    bind(s);
    const n = s.fd;
    const target = fdTarget(n);
    expect(target).toMatch(/^socket:/);
    const p = sendtoAsync(s, getlink(14));
    s.close(); // the worker may not even have started: the number must stay ours
    expect(s.closed).toBe(true);
    expect(s.fd).toBe(-1);
    expect(fdTarget(n)).toBe(target);
    await expect(sendtoAsync(s, getlink(15))).rejects.toMatchObject({ code: 'EBADF' });
    await expect(p).resolves.toBe(32); // sent on the socket it was meant for
    expect(fdTarget(n)).not.toBe(target); // released now (free, or reused by someone else)
  });

  it('keeps the event loop running while the call blocks, and releases a closed fd only when it returns', async () => {
    // A socket with a tiny receive buffer, filled up by another: a blocking send to it waits in
    // the kernel until the receiver reads (netlink_attachskb), on the worker thread.
    const rx = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    const tx = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    try {
      bind(rx);
      bind(tx);
      setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, 4096);
      // Bound the block in case the test goes wrong: 10 s.
      const tv = new Uint8Array(16);
      new DataView(tv.buffer).setBigInt64(0, 10n, true);
      setsockopt(tx, SOL_SOCKET, SO_SNDTIMEO, tv);
      const to = { pid: getsockname(rx).pid };
      const payload = new Uint8Array(1024);
      let filled = 0;
      for (;;) {
        try {
          sendto(tx, payload, MSG_DONTWAIT, to);
          filled++;
        } catch (e) {
          expect(e).toMatchObject({ code: 'EAGAIN' });
          break;
        }
      }
      expect(filled).toBeGreaterThan(0);
      const n = tx.fd;
      const target = fdTarget(n);
      let settled = false;
      const p = sendtoAsync(tx, payload, 0, to).then((r) => {
        settled = true;
        return r;
      });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      await new Promise((r) => setTimeout(r, 50));
      clearInterval(timer);
      expect(settled).toBe(false); // still blocked in the kernel...
      expect(ticks).toBeGreaterThan(3); // ...while timers fire on the main thread
      tx.close();
      expect(tx.busy).toBe(true);
      expect(fdTarget(n)).toBe(target); // the worker still uses the number
      let got = 0;
      while (recvmsg(rx, buf, MSG_DONTWAIT) !== null) got++;
      // The worker's datagram may land while this loop still reads (the read woke it).
      expect(got).toBeGreaterThanOrEqual(filled);
      await expect(p).resolves.toBe(1024);
      expect(tx.busy).toBe(false);
      expect(fdTarget(n)).not.toBe(target);
    } finally {
      rx.close();
      tx.close();
    }
  });

  it('refuses to release an OwnedFd while an asynchronous call uses it', async () => {
    const s = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    bind(s);
    const p = sendtoAsync(s, getlink(16));
    expect(() => s.release()).toThrow(expect.objectContaining({ code: 'EBUSY' }) as unknown as Error);
    await p;
    const n = s.release();
    new OwnedFd(n).close();
  });

  it('answers errors of the request itself in the reply, not as a rejection', async () => {
    await sendtoAsync(sock, getlink(17, 0x7ffffff)); // no such link: ENODEV in an NLMSG_ERROR
    const r = recvmsg(sock, buf, MSG_DONTWAIT);
    expect(r).not.toBeNull();
    const v = new DataView(buf.buffer);
    expect(v.getUint16(4, true)).toBe(NLMSG_ERROR);
    expect(v.getInt32(16, true)).toBe(-19);
  });
});
