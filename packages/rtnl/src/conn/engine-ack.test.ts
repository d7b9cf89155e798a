/**
 * The engine's path for a lone change (a wire-form request resolved with `undefined`, made
 * while nothing else is in flight): settled on the spot when the first datagram read is its
 * ACK, and handed to the general machinery, in the same state, whenever it is anything else.
 */
import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { NetlinkError, OverrunError, TruncatedReplyError } from '../errors.js';
import { ifinfoRequest, ifinfoWire } from '../link/message.js';
import { FakeKernel, sysError } from '../test-support/fake-kernel.js';
import { Engine } from './engine.js';

const VOID = { resolveVoid: true } as const;
const setMtu = (index: number, mtu: number) => ifinfoWire('RTM_NEWLINK', index, { mtu });
const seqOf = (bytes: Uint8Array): number => decode(bytes)[0]!.header.seq;

const ack = (seq: number, error = 0, attrs?: Record<string, unknown>): Message => ({
  header: { type: 'NLMSG_ERROR', flags: attrs ? ['capped', 'ack_tlvs'] : ['capped'], seq, pid: 4242 },
  error,
  request: { header: { type: 'RTM_NEWLINK', flags: ['request', 'ack'], seq, pid: 4242 } },
  ...(attrs ? { attrs } : {}),
});

/** A kernel that ACKs every request at once, as rtnetlink does inside sendmsg. */
const ackingKernel = (): FakeKernel => new FakeKernel((req, kern) => kern.push({ bytes: encode(ack(seqOf(req))) }));

const settledState = async (p: Promise<unknown>): Promise<string> => {
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

describe('engine: a lone change answered by its ACK', () => {
  it('sends request+ack with a fresh seq and our port id, resolves with undefined and counts both ways', async () => {
    const k = ackingKernel();
    const e = new Engine(k);
    await expect(e.request(setMtu(5, 9000), VOID)).resolves.toBeUndefined();
    await expect(e.request(setMtu(6, 1400), VOID)).resolves.toBeUndefined();
    const [a, b] = k.sent.map((bytes) => decode(bytes)[0]!);
    expect(a!.header).toMatchObject({ type: 'RTM_NEWLINK', pid: 4242 });
    expect(a!.header.flags).toEqual(expect.arrayContaining(['request', 'ack']));
    expect(b!.header.seq).toBe(a!.header.seq + 1);
    expect(a).toMatchObject({ 'ifi-index': 5, attrs: { mtu: 9000 } });
    expect(e.stats).toMatchObject({ requests: 2, datagrams: 2, unmatched: 0 });
    expect(e.inFlight).toBe(0);
  });

  it('never uses seq 0 when the counter wraps', async () => {
    const k = ackingKernel();
    const e = new Engine(k);
    (e as unknown as { nextSeq: number }).nextSeq = 0xffffffff;
    await e.request(setMtu(5, 9000), VOID);
    await e.request(setMtu(5, 9000), VOID);
    await e.request(ifinfoRequest('RTM_GETLINK', 5, {}));
    expect(k.sent.map(seqOf)).toEqual([0xffffffff, 1, 2]);
  });

  it('rejects with the NetlinkError of an error reply, its ext-ack and the attribute it names', async () => {
    // The kernel's offset of IFLA_MTU in the request: nlmsghdr 16 + ifinfomsg 16.
    const k = new FakeKernel((req, kern) => kern.push({ bytes: encode(ack(seqOf(req), -22, { msg: 'MTU too small', offs: 32 })) }));
    const e = new Engine(k);
    const err = await e.request(setMtu(5, 9000), VOID).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ code: 'EINVAL', extAck: 'MTU too small', request: 'RTM_NEWLINK', offset: 32, attributePath: '.mtu' });
    expect(e.inFlight).toBe(0);
  });

  it('waits when nothing is queued yet, holding the event loop only meanwhile', async () => {
    let seq = 0;
    const k = new FakeKernel((req) => (seq = seqOf(req)));
    const e = new Engine(k);
    const p = e.request(setMtu(5, 9000), VOID);
    expect(await settledState(p)).toBe('pending');
    expect(e.inFlight).toBe(1);
    expect(k.refs).toBe(1);
    k.push({ bytes: encode(ack(seq)) });
    await expect(p).resolves.toBeUndefined();
    expect(k.refs).toBe(0);
  });

  it('drops a datagram from another sender with our seq and settles on the kernel answer', async () => {
    let seq = 0;
    let kern: FakeKernel | undefined;
    const k = new FakeKernel((req, kk) => {
      seq = seqOf(req);
      kern = kk;
      kk.push({ bytes: encode(ack(seq)), senderPid: 999 }); // a forged success
    });
    const e = new Engine(k);
    const p = e.request(setMtu(5, 9000), VOID);
    expect(await settledState(p)).toBe('pending');
    expect(e.stats.foreignDropped).toBe(1);
    kern!.push({ bytes: encode(ack(seq, -19)) });
    await expect(p).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('counts a late answer for another seq and still reads its own', async () => {
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      kern.push({ bytes: encode(ack(s + 7)) }); // an abandoned request's ACK, in its own datagram
      kern.push({ bytes: encode(ack(s)) });
    });
    const e = new Engine(k);
    await expect(e.request(setMtu(5, 9000), VOID)).resolves.toBeUndefined();
    expect(e.stats.unmatched).toBe(1);
    expect(e.inFlight).toBe(0);
  });

  it('reads every message of a datagram that holds more than its ACK', async () => {
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      kern.push({ bytes: encode([ack(s), ack(s + 3)]) });
    });
    const e = new Engine(k);
    await expect(e.request(setMtu(5, 9000), VOID)).resolves.toBeUndefined();
    expect(e.stats.unmatched).toBe(1);
  });

  it('reports a truncated answer instead of trusting it', async () => {
    const k = new FakeKernel((req, kern) => kern.push({ bytes: encode(ack(seqOf(req))), truncated: true, size: 70000 }));
    const e = new Engine(k);
    await expect(e.request(setMtu(5, 9000), VOID)).rejects.toBeInstanceOf(TruncatedReplyError);
    expect(e.inFlight).toBe(0);
  });

  it('fails the request when the read fails (overrun), and the engine goes on', async () => {
    let first = true;
    const k = new FakeKernel((req, kern) => {
      if (first) kern.push(sysError('ENOBUFS', 105));
      else kern.push({ bytes: encode(ack(seqOf(req))) });
      first = false;
    });
    const e = new Engine(k);
    await expect(e.request(setMtu(5, 9000), VOID)).rejects.toBeInstanceOf(OverrunError);
    expect(e.inFlight).toBe(0);
    await expect(e.request(setMtu(5, 9000), VOID)).resolves.toBeUndefined();
  });

  it('rejects with the send error and leaves nothing waiting', async () => {
    const k = new FakeKernel(() => {
      throw sysError('EPERM', 1);
    });
    const e = new Engine(k);
    await expect(e.request(setMtu(5, 9000), VOID)).rejects.toMatchObject({ code: 'EPERM' });
    expect(e.inFlight).toBe(0);
    expect(k.refs).toBe(0);
  });

  it('takes the general path while another request waits, and each gets its own answer', async () => {
    const held: number[] = [];
    let kern: FakeKernel | undefined;
    const k = new FakeKernel((req, kk) => {
      kern = kk;
      const m = decode(req)[0]!;
      if (m.header.type === 'RTM_GETLINK') held.push(m.header.seq); // answered later
      else kk.push({ bytes: encode(ack(m.header.seq, m['ifi-index'] === 6 ? -19 : 0)) });
    });
    const e = new Engine(k);
    const get = e.request(ifinfoRequest('RTM_GETLINK', 1, {}));
    const ok = e.request(setMtu(5, 9000), VOID);
    const bad = e.request(setMtu(6, 9000), VOID);
    await expect(ok).resolves.toBeUndefined();
    await expect(bad).rejects.toMatchObject({ code: 'ENODEV' });
    expect(await settledState(get)).toBe('pending');
    kern!.push({ bytes: encode(ack(held[0]!)) });
    await expect(get).resolves.toEqual([]);
    expect(new Set(k.sent.map(seqOf)).size).toBe(3);
  });
});
