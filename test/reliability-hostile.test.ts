/**
 * A hostile sender: another netlink socket in the same namespace (any root process there can
 * open one, and `/proc/net/netlink` tells it every port id) sends crafted messages to a
 * handle's or a subscription's port: replies with the right sequence numbers, ACKs, errors,
 * `NLMSG_DONE`, `NLMSG_OVERRUN`, dump parts flagged interrupted, notifications. The kernel
 * stamps the true sender's port id on every datagram, so the rule "only port 0 (the kernel)
 * may answer" makes all of it inert: dropped, counted, and never settling a request.
 * (engine.test.ts has the basic case: forged replies queued before two raw requests.)
 */
import { encode, type Message } from '@nlkit/nl-codec';
import { Handle, type Link, type RtnlEvent } from '@nlkit/rtnl';
import * as shim from '@nlkit/syscall-shim';
import { afterEach, expect, it } from 'vitest';
import { datagram, netlinkSockets, nextEventMatching, rawMessage, withTimeout, failOnFdLeakWarnings } from './fixtures/faults.js';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

const NLMSG_OVERRUN = 4;
const NLM_F_MULTI = 0x2;
const NLM_F_DUMP_INTR = 0x10;
const RTNLGRP_LINK = 1;

const fakeLink = (seq: number, pid: number, name: string, index = 1): Uint8Array =>
  encode({
    header: { type: 'RTM_NEWLINK', flags: ['multi', 'dump_intr'], seq, pid },
    'ifi-family': 0,
    'ifi-type': 1,
    'ifi-index': index,
    'ifi-flags': ['up'],
    'ifi-change': 0,
    attrs: { ifname: name, mtu: 1 },
  } as Message);
const fakeAck = (seq: number, pid: number, error: number): Uint8Array =>
  encode({ header: { type: 'NLMSG_ERROR', flags: ['capped'], seq, pid }, error, request: { header: { type: 'RTM_NEWLINK', flags: ['request', 'ack'], seq, pid } } } as Message);
const fakeDone = (seq: number, pid: number): Uint8Array => encode({ header: { type: 'NLMSG_DONE', flags: ['multi'], seq, pid }, error: 0 } as Message);


failOnFdLeakWarnings();
describeKernel('hostile sender in the same namespace', () => {
  const t = useTestNetns();
  let evil: shim.OwnedFd | undefined;
  afterEach(() => {
    evil?.close();
    evil = undefined;
  });

  /** The attacker's socket, made inside the test namespace. */
  const attacker = (): shim.OwnedFd => {
    evil = shim.inNetns(t().ns.fd, () => shim.socket(shim.AF_NETLINK, shim.SOCK_RAW, shim.NETLINK_ROUTE));
    shim.bind(evil, { pid: 0, groups: 0 });
    return evil;
  };

  it('ignores forged ACKs, errors, DONEs, overruns and interrupted dump parts for the next 32 sequence numbers: 32 typed operations each get the kernel’s answer', async () => {
    const { h } = t();
    const links: Link[] = [];
    for (let k = 0; k < 8; k++) links.push(await h.linkAdd({ kind: 'bridge', name: `b${k}` }));
    const e = attacker();
    const port = h.portId;
    // The attacker knows the port (from /proc/net/netlink) and guesses the sequence numbers.
    expect(netlinkSockets(t()).some((s) => s.portId === port)).toBe(true);
    const nextSeq: number = (h.engine as unknown as { nextSeq: number }).nextSeq;
    let forged = 0;
    const send = (bytes: Uint8Array): void => {
      shim.sendto(e, bytes, 0, { pid: port, groups: 0 });
      forged++;
    };
    for (let s = nextSeq; s < nextSeq + 32; s++) {
      send(fakeAck(s, port, 0)); // would resolve a set-op early, or a GET with no link
      send(datagram(fakeLink(s, port, `evil${s % 1000}`), fakeAck(s, port, -1), fakeDone(s, port), rawMessage(NLMSG_OVERRUN, 0, s, port)));
    }
    const before = { ...h.stats };
    // Every operation is one request on these sequence numbers: refs are Links or indexes.
    const ops = await withTimeout(
      Promise.allSettled(
        Array.from({ length: 32 }, (_, i) => {
          const l = links[Math.floor(i / 4)]!; // each kind of operation meets each bridge once
          switch (i % 4) {
            case 0:
              return h.linkByIndex(l.index).then((x) => x.name);
            case 1:
              return h.linkSetMTU(l, 1300 + i).then(() => `mtu ${1300 + i}`);
            case 2:
              return h.linkList().then((ls) => ls.map((x) => x.name).sort().join(','));
            default:
              return h.linkByIndex(50_000 + i).then((x) => x.name);
          }
        }),
      ),
      30_000,
      'operations under forged replies',
    );
    const all = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'lo'].join(',');
    ops.forEach((r, i) => {
      const where = `operation ${i}`;
      switch (i % 4) {
        case 0:
          expect(r, where).toEqual({ status: 'fulfilled', value: `b${Math.floor(i / 4)}` });
          break;
        case 1:
          expect(r, where).toEqual({ status: 'fulfilled', value: `mtu ${1300 + i}` });
          break;
        case 2:
          expect(r, where).toEqual({ status: 'fulfilled', value: all });
          break;
        default:
          expect(r.status, where).toBe('rejected');
          expect((r as PromiseRejectedResult).reason, where).toMatchObject({ name: 'NetlinkError', code: 'ENODEV' });
      }
    });
    // Every forged datagram was queued before the kernel's replies, so each was read and dropped.
    expect(h.stats.foreignDropped - before.foreignDropped).toBe(forged);
    expect(h.stats.dumpRetries - before.dumpRetries).toBe(0);
    expect(h.stats.overruns - before.overruns).toBe(0);
    expect(h.stats.unmatched - before.unmatched).toBe(0);
    // The set-ops really happened (no forged ACK settled them before the kernel acted).
    const mtus = new Map(t().ipJson('link', 'show').map((l: { ifname: string; mtu: number }) => [l.ifname, l.mtu]));
    for (let i = 1; i < 32; i += 4) expect(mtus.get(`b${Math.floor(i / 4)}`)).toBe(1300 + i);
  });

  it('ignores a forged DONE, error and interrupted entry injected into a dump in progress, with the dump’s own sequence number', async () => {
    const { h } = t();
    // Enough links that the dump spans several datagrams, so injections land mid-dump.
    for (let k = 0; k < 120; k++) await h.linkAdd({ kind: 'bridge', name: `d${k}` });
    const e = attacker();
    const port = h.portId;
    let injectedAt = -1;
    let seen = 0;
    const before = { ...h.stats };
    const names = await withTimeout(
      h.request<string>(
        { header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-family': 0, attrs: {} } as unknown as Message,
        {
          dump: true,
          map: (m) => {
            seen++;
            if (injectedAt < 0) {
              // The first part has arrived; the kernel has already queued the next one.
              injectedAt = seen;
              const seq = m.header.seq;
              shim.sendto(e, fakeDone(seq, port), 0, { pid: port, groups: 0 });
              shim.sendto(e, fakeAck(seq, port, -5), 0, { pid: port, groups: 0 });
              shim.sendto(e, fakeLink(seq, port, 'evil', 424242), 0, { pid: port, groups: 0 });
              shim.sendto(e, rawMessage(NLMSG_OVERRUN, NLM_F_MULTI | NLM_F_DUMP_INTR, seq, port), 0, { pid: port, groups: 0 });
            }
            return (m as unknown as { attrs: { ifname: string } }).attrs.ifname;
          },
        },
      ),
      30_000,
      'dump with injected messages',
    );
    expect(injectedAt).toBe(1);
    expect(names).toHaveLength(121);
    expect(names).not.toContain('evil');
    expect(new Set(names).size).toBe(121);
    expect(h.stats.foreignDropped - before.foreignDropped).toBe(4);
    expect(h.stats.dumpRetries - before.dumpRetries).toBe(0);
    // The typed dump on the same handle afterwards is clean too.
    expect((await h.linkList()).map((l) => l.name)).not.toContain('evil');
  });

  it('ignores forged DONEs and errors aimed at a stream’s own socket, whose sequence numbers are time-derived and so guessable', async () => {
    const { h } = t();
    for (let k = 0; k < 100; k++) await h.linkAdd({ kind: 'bridge', name: `st${k}` });
    const e = attacker();
    const socketsBefore = new Set(netlinkSockets(t()).map((x) => x.portId));
    const stream = h.linkListStream()[Symbol.asyncIterator]();
    const guess = (Date.now() >>> 0) % 0x7fffffff; // how the engine seeds its sequence numbers
    const first = await stream.next();
    expect(first.done).toBe(false);
    // The stream's socket is the new one in /proc/net/netlink.
    const port = netlinkSockets(t()).find((x) => x.protocol === 0 && !socketsBefore.has(x.portId))?.portId;
    expect(port, 'the stream socket').toBeDefined();
    // A DONE and an error for every sequence number within ±1,000 of the guess, 200 per datagram.
    let forged = 0;
    for (let base = guess - 1000; base < guess + 1000; base += 200) {
      const msgs: Uint8Array[] = [];
      for (let seq = base; seq < base + 200; seq++) msgs.push(fakeDone(seq >>> 0, port!), fakeAck(seq >>> 0, port!, -5));
      shim.sendto(e, datagram(...msgs), 0, { pid: port!, groups: 0 });
      forged++;
    }
    expect(forged).toBe(10);
    const names = [(first.value as Link).name];
    for (;;) {
      const r = await withTimeout(stream.next(), 10_000, 'the stream under forged DONEs');
      if (r.done) break;
      names.push((r.value as Link).name);
    }
    expect(names).toHaveLength(101);
    expect(new Set(names).size).toBe(101);
  });

  it('drops a forged datagram larger than the read buffer as foreign, instead of failing a pending request as truncated', async () => {
    const { ns } = t();
    // Room in the kernel for a 1.5 MiB datagram on both ends (the handle reads into 1 MiB).
    const h = Handle.open({ netns: ns, recvBufferSize: 8 << 20 });
    try {
      const e = attacker();
      shim.setsockopt(e, shim.SOL_SOCKET, shim.SO_SNDBUFFORCE, 8 << 20);
      const nextSeq: number = (h.engine as unknown as { nextSeq: number }).nextSeq;
      const big = new Uint8Array(1536 * 1024);
      // A well-formed header naming the next request, then padding: what truncation would fail.
      big.set(fakeAck(nextSeq, h.portId, -1).subarray(0, 16));
      new DataView(big.buffer).setUint32(0, big.length, true);
      shim.sendto(e, big, 0, { pid: h.portId, groups: 0 });
      const [lo] = await withTimeout(h.linkList(), 10_000, 'linkList after a forged oversize datagram');
      expect(lo?.name).toBe('lo');
      expect(h.stats.foreignDropped).toBe(1);
      expect(h.stats.decodeErrors).toBe(0);
    } finally {
      h.close();
    }
  });

  // After ENOBUFS the engine empties the socket, so the kernel reports the next overflow again
  // instead of dropping replies silently (before 4741f45 the request after the overrun hung).
  it('fails a request whose reply a flood pushed out with OverrunError, and the next request gets its reply (no hang)', async () => {
    const { ns } = t();
    // Big enough for one link reply and its ACK (a ~2.3 KB minimum buffer is not), small enough to flood.
    const h = Handle.open({ netns: ns, recvBufferSize: 64 * 1024 });
    try {
      const e = attacker();
      // Fill the handle's receive buffer with junk until the kernel refuses more.
      let sent = 0;
      for (;;) {
        try {
          shim.sendto(e, fakeDone(1, h.portId), shim.MSG_DONTWAIT, { pid: h.portId, groups: 0 });
          sent++;
        } catch (err) {
          expect((err as { code?: string }).code).toBe('EAGAIN');
          break;
        }
      }
      expect(sent).toBeGreaterThan(0);
      // The kernel cannot queue the reply: the loss is reported, not silent.
      await expect(withTimeout(h.linkByIndex(1), 5_000, 'request while flooded')).rejects.toMatchObject({ name: 'OverrunError', code: 'ENOBUFS' });
      // The flood has stopped: the next request must get its reply.
      const lo = await withTimeout(h.linkByIndex(1), 5_000, 'request after the overrun');
      expect(lo.name).toBe('lo');
    } finally {
      h.close();
    }
  });

  it('drops forged notifications sent to a subscription’s port and to its multicast group; real events still arrive', async () => {
    const { h, ip } = t();
    const sub = h.subscribe({ groups: ['link'] });
    try {
      // The attacker finds the subscription: a NETLINK_ROUTE socket in the link group.
      const target = netlinkSockets(t()).find((s) => s.protocol === 0 && (s.groups & (1 << (RTNLGRP_LINK - 1))) !== 0);
      expect(target, 'the subscription socket in /proc/net/netlink').toBeDefined();
      const e = attacker();
      const to = { pid: target!.portId, groups: 0 };
      const notification = (type: 'RTM_NEWLINK' | 'RTM_DELLINK', name: string, index: number) =>
        encode({ header: { type, flags: [], seq: 0, pid: 0 }, 'ifi-family': 0, 'ifi-type': 1, 'ifi-index': index, 'ifi-flags': [], 'ifi-change': 0xffffffff, attrs: { ifname: name } } as Message);
      shim.sendto(e, notification('RTM_NEWLINK', 'evil0', 4242), 0, to);
      shim.sendto(e, notification('RTM_DELLINK', 'lo', 1), 0, to);
      shim.sendto(e, rawMessage(NLMSG_OVERRUN, 0, 0, 0), 0, to);
      shim.sendto(e, fakeAck(0, 0, -105), 0, to);
      // Multicast to the group (root may): every member gets it, from the attacker's port.
      // (It also reaches the kernel as a message without NLM_F_REQUEST, which it ignores.)
      shim.sendto(e, notification('RTM_NEWLINK', 'evil1', 4343), 0, { pid: 0, groups: 1 << (RTNLGRP_LINK - 1) });
      ip('link', 'add', 'real0', 'type', 'bridge');
      const { event, before } = await nextEventMatching<RtnlEvent>(sub, (ev) => ev.type === 'newlink' && ev.link.name === 'real0', 'newlink real0');
      expect(event.type).toBe('newlink');
      const names = before.map((ev) => ('link' in ev ? `${ev.type} ${ev.link.name}` : ev.type));
      expect(names.filter((n) => /evil|dellink lo|overrun/.test(n))).toEqual([]);
      expect(sub.stats.foreignDropped).toBe(5);
      expect(sub.stats.overruns).toBe(0);
      expect(sub.closed).toBe(false);
    } finally {
      sub.close();
    }
  });
});
