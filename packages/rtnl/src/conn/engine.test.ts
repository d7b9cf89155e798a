import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { DumpInterruptedError, HandleClosedError, NetlinkError, OverrunError, TruncatedReplyError } from '../errors.js';
import { FakeKernel, sysError } from '../test-support/fake-kernel.js';
import { Engine } from './engine.js';

const getLink = (index: number): Message => ({
  header: { type: 'RTM_GETLINK', flags: [], seq: 0, pid: 0 },
  'ifi-family': 0,
  'ifi-type': 0,
  'ifi-index': index,
  'ifi-flags': [],
  'ifi-change': 0,
  attrs: {},
});

const linkMsg = (seq: number, index: number, name: string, flags: string[] = []): Message => ({
  header: { type: 'RTM_NEWLINK', flags, seq, pid: 4242 },
  'ifi-family': 0,
  'ifi-type': 1,
  'ifi-index': index,
  'ifi-flags': [],
  'ifi-change': 0,
  attrs: { ifname: name },
});

const ack = (seq: number, error = 0, attrs?: Record<string, unknown>): Message => ({
  header: { type: 'NLMSG_ERROR', flags: attrs ? ['capped', 'ack_tlvs'] : ['capped'], seq, pid: 4242 },
  error,
  request: { header: { type: 'RTM_GETLINK', flags: ['request', 'ack'], seq, pid: 4242 } },
  ...(attrs ? { attrs } : {}),
});

const done = (seq: number): Message => ({ header: { type: 'NLMSG_DONE', flags: ['multi'], seq, pid: 4242 }, error: 0 });

const seqOf = (bytes: Uint8Array): number => decode(bytes)[0]!.header.seq;

describe('engine', () => {
  it('sends with request+ack flags, our port id and a fresh seq, and resolves on the ACK', async () => {
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      kern.push({ bytes: encode([linkMsg(s, 1, 'lo'), ack(s)]) });
    });
    const e = new Engine(k);
    const replies = await e.request(getLink(1));
    expect(replies).toHaveLength(1);
    expect((replies[0] as unknown as { attrs: { ifname: string } }).attrs.ifname).toBe('lo');
    const sent = decode(k.sent[0]!)[0]!;
    expect(sent.header.flags).toEqual(expect.arrayContaining(['request', 'ack']));
    expect(sent.header.pid).toBe(4242);
    expect(sent.header.seq).not.toBe(0);
  });

  it('turns an NLMSG_ERROR into a NetlinkError with code, errno and the ext-ack message', async () => {
    const k = new FakeKernel((req, kern) => kern.push({ bytes: encode(ack(seqOf(req), -17, { msg: 'Link already exists' })) }));
    const e = new Engine(k);
    const err = await e.request(getLink(1)).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ code: 'EEXIST', errno: -17, extAck: 'Link already exists', request: 'RTM_GETLINK' });
    expect((err as Error).message).toContain('EEXIST');
  });

  it('drops and counts replies from senders other than the kernel, and waits for the real one', async () => {
    let kernelRef: FakeKernel | undefined;
    let seq = 0;
    const k = new FakeKernel((req, kern) => {
      seq = seqOf(req);
      kernelRef = kern;
      // An attacker that knows our port id answers first with the right seq.
      kern.push({ bytes: encode(ack(seq, -1)), senderPid: 999 });
      kern.push({ bytes: encode(done(seq)), senderPid: 12345 });
    });
    const e = new Engine(k);
    let settled = false;
    const p = e.request(getLink(1)).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    expect(e.stats.foreignDropped).toBe(2);
    kernelRef!.push({ bytes: encode(ack(seq)) });
    await expect(p).resolves.toEqual([]);
  });

  it('collects a multipart dump until NLMSG_DONE, mapping each message', async () => {
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      kern.push({ bytes: encode([linkMsg(s, 1, 'lo', ['multi']), linkMsg(s, 2, 'a', ['multi'])]) });
      kern.push({ bytes: encode([linkMsg(s, 3, 'b', ['multi']), done(s)]) });
    });
    const e = new Engine(k);
    const names = await e.request(getLink(0), { dump: true, map: (m) => (m as unknown as { attrs: { ifname: string } }).attrs.ifname });
    expect(names).toEqual(['lo', 'a', 'b']);
    expect(decode(k.sent[0]!)[0]!.header.flags).toEqual(expect.arrayContaining(['request', 'dump']));
  });

  it('re-runs an interrupted dump, then rejects with DumpInterruptedError holding the partial result', async () => {
    let attempt = 0;
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      attempt++;
      kern.push({ bytes: encode([linkMsg(s, attempt, `l${attempt}`, ['multi', 'dump_intr']), done(s)]) });
    });
    const e = new Engine(k);
    const err = await e.request(getLink(0), { dump: true, maxAttempts: 3 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(DumpInterruptedError);
    expect((err as DumpInterruptedError).attempts).toBe(3);
    expect((err as DumpInterruptedError).partial).toHaveLength(1);
    expect(e.stats.dumpRetries).toBe(2);
    expect(k.sent).toHaveLength(3);
  });

  it('returns a consistent dump when a retry is clean', async () => {
    let attempt = 0;
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      attempt++;
      const flags = attempt === 1 ? ['multi', 'dump_intr'] : ['multi'];
      kern.push({ bytes: encode([linkMsg(s, 1, 'x', flags), done(s)]) });
    });
    const e = new Engine(k);
    await expect(e.request(getLink(0), { dump: true })).resolves.toHaveLength(1);
  });

  it('runs one dump at a time per socket and queues the next', async () => {
    const pendingDumps: number[] = [];
    const k = new FakeKernel((req) => pendingDumps.push(seqOf(req)));
    const e = new Engine(k);
    const a = e.request(getLink(0), { dump: true });
    const b = e.request(getLink(0), { dump: true });
    expect(k.sent).toHaveLength(1);
    k.push({ bytes: encode(done(pendingDumps[0]!)) });
    await a;
    expect(k.sent).toHaveLength(2);
    k.push({ bytes: encode(done(pendingDumps[1]!)) });
    await b;
  });

  it('matches interleaved replies to concurrent requests by sequence number', async () => {
    const seqs: number[] = [];
    const k = new FakeKernel((req) => seqs.push(seqOf(req)));
    const e = new Engine(k);
    const p1 = e.request(getLink(1));
    const p2 = e.request(getLink(2));
    k.push({ bytes: encode([linkMsg(seqs[1]!, 2, 'two'), ack(seqs[1]!), linkMsg(seqs[0]!, 1, 'one')]) });
    k.push({ bytes: encode(ack(seqs[0]!, -19)) });
    await expect(p2).resolves.toMatchObject([{ attrs: { ifname: 'two' } }]);
    await expect(p1).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('reports a truncated datagram instead of decoding half of it', async () => {
    const k = new FakeKernel((req, kern) => {
      const bytes = encode(linkMsg(seqOf(req), 1, 'lo'));
      kern.push({ bytes: bytes.subarray(0, 20), truncated: true, size: bytes.length });
    });
    await expect(new Engine(k).request(getLink(1))).rejects.toBeInstanceOf(TruncatedReplyError);
  });

  it('rejects pending requests with OverrunError when the receive buffer overflowed', async () => {
    const k = new FakeKernel((_req, kern) => kern.push(sysError('ENOBUFS', -105)));
    const e = new Engine(k);
    await expect(e.request(getLink(1))).rejects.toBeInstanceOf(OverrunError);
    expect(e.stats.overruns).toBe(1);
  });

  it('rejects pending requests with HandleClosedError on close, and refuses new ones', async () => {
    const k = new FakeKernel(() => {});
    const e = new Engine(k);
    const p = e.request(getLink(1));
    e.close();
    await expect(p).rejects.toBeInstanceOf(HandleClosedError);
    await expect(e.request(getLink(1))).rejects.toBeInstanceOf(HandleClosedError);
    expect(k.closed).toBe(true);
  });

  it('counts kernel messages for sequence numbers nobody waits for', async () => {
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      kern.push({ bytes: encode([ack(s + 1000), ack(s)]) });
    });
    const e = new Engine(k);
    await e.request(getLink(1));
    expect(e.stats.unmatched).toBe(1);
  });

  it('holds the event loop only while a request waits', async () => {
    let seq = 0;
    const k = new FakeKernel((req) => {
      seq = seqOf(req);
    });
    const e = new Engine(k);
    const p = e.request(getLink(1));
    await new Promise((r) => setImmediate(r));
    expect(k.refs).toBe(1);
    k.push({ bytes: encode(ack(seq)) });
    await p;
    expect(k.refs).toBe(0);
  });
});
