import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { DumpInterruptedError, HandleClosedError, NetlinkError, OverrunError, TruncatedReplyError } from '../errors.js';
import { FakeKernel, sysError } from '../test-support/fake-kernel.js';
import { ifinfoRequest } from '../link/message.js';
import { Engine, type RequestSink } from './engine.js';

/** A link request by index with no attributes (the message form `ifinfoRequest` builds). */
const getLink = (index: number): Message => ifinfoRequest('RTM_GETLINK', index, {});

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

/** A scripted kernel that answers attempt 1, 2, ... of a dump with the datagrams `answer` gives for its seq. */
function attemptsKernel(answer: (seq: number, attempt: number) => Message[][]): FakeKernel {
  let attempt = 0;
  return new FakeKernel((req, kern) => {
    attempt++;
    for (const datagram of answer(seqOf(req), attempt)) kern.push({ bytes: encode(datagram) });
  });
}

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

  it('with keepDatagram, gives mapAt one copy per datagram that outlives the receive buffer', async () => {
    const pushed: Uint8Array[] = [];
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      for (const bytes of [encode([linkMsg(s, 1, 'lo', ['multi']), linkMsg(s, 2, 'va0', ['multi'])]), encode([linkMsg(s, 3, 'vb0', ['multi']), done(s)])]) {
        pushed.push(bytes);
        kern.push({ bytes });
      }
    });
    const e = new Engine(k);
    const seen: Array<{ d: Uint8Array; o: number; len: number }> = [];
    const out = await e.request(ifinfoRequest('RTM_GETLINK', 0, {}), {
      dump: true,
      keepDatagram: true,
      mapAt: (d, o, len) => {
        seen.push({ d, o, len });
        return o;
      },
    });
    expect(out).toHaveLength(3);
    expect(seen[0]!.d).toBe(seen[1]!.d); // one copy shared by a datagram's messages
    expect(seen[2]!.d).not.toBe(seen[0]!.d);
    for (const b of pushed) b.fill(0); // the buffers the datagrams came in are reused
    const names = seen.map(({ d, o, len }) => (decode(d.subarray(o, o + len))[0] as unknown as { attrs: { ifname: string } }).attrs.ifname);
    expect(names).toEqual(['lo', 'va0', 'vb0']);
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

  describe('with mapAt (runs of one request\'s messages mapped in a loop of their own)', () => {
    /** ifi_index of the link message at `o`. */
    const indexAt = (b: Uint8Array, o: number): number => b[o + 20]! | (b[o + 21]! << 8);

    it('maps each message of a run and leaves what interrupts it to its own request', async () => {
      const seqs: number[] = [];
      const k = new FakeKernel((req) => seqs.push(seqOf(req)));
      const e = new Engine(k);
      const dump = e.request(getLink(0), { dump: true, mapAt: indexAt });
      const one = e.request(getLink(7), { mapAt: (b, o) => -indexAt(b, o) });
      const [a, b] = seqs as [number, number];
      k.push({ bytes: encode([linkMsg(a, 1, 'x', ['multi']), linkMsg(a, 2, 'y', ['multi']), linkMsg(b, 7, 'z'), ack(b), linkMsg(a, 3, 'w', ['multi'])]) });
      k.push({ bytes: encode([linkMsg(a, 4, 'v', ['multi']), done(a)]) });
      await expect(dump).resolves.toEqual([1, 2, 3, 4]);
      await expect(one).resolves.toEqual([-7]);
      expect(e.stats.unmatched).toBe(0);
    });

    it('fails the request whose mapper throws, and counts the rest of its run as unmatched', async () => {
      const k = new FakeKernel((req, kern) => {
        const s = seqOf(req);
        kern.push({ bytes: encode([linkMsg(s, 1, 'a', ['multi']), linkMsg(s, 2, 'b', ['multi']), linkMsg(s, 3, 'c', ['multi']), done(s)]) });
      });
      const e = new Engine(k);
      const boom = new Error('bad message');
      const mapAt = (b: Uint8Array, o: number): number => {
        if (indexAt(b, o) === 2) throw boom;
        return indexAt(b, o);
      };
      await expect(e.request(getLink(0), { dump: true, mapAt })).rejects.toBe(boom);
      expect(e.stats.decodeErrors).toBe(1);
      expect(e.stats.unmatched).toBe(2);
      // The handle goes on: the next dump starts and completes.
      await expect(e.request(getLink(0), { dump: true, mapAt: indexAt })).resolves.toEqual([1, 2, 3]);
    });

    it('re-runs a dump whose data messages (not only its DONE) carry NLM_F_DUMP_INTR', async () => {
      const k = attemptsKernel((s, attempt) => [
        [linkMsg(s, 10 + attempt, 'a', ['multi']), linkMsg(s, 20 + attempt, 'b', attempt === 1 ? ['multi', 'dump_intr'] : ['multi'])],
        [done(s)],
      ]);
      const e = new Engine(k);
      await expect(e.request(getLink(0), { dump: true, mapAt: indexAt })).resolves.toEqual([12, 22]);
      expect(e.stats.dumpRetries).toBe(1);
    });
  });

  it('re-runs an interrupted dump, then rejects with DumpInterruptedError holding the partial result', async () => {
    const k = attemptsKernel((s, attempt) => [[linkMsg(s, attempt, `l${attempt}`, ['multi', 'dump_intr']), done(s)]]);
    const e = new Engine(k);
    const err = await e.request(getLink(0), { dump: true, maxAttempts: 3 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(DumpInterruptedError);
    expect((err as DumpInterruptedError).attempts).toBe(3);
    expect((err as DumpInterruptedError).partial).toHaveLength(1);
    expect(e.stats.dumpRetries).toBe(2);
    expect(k.sent).toHaveLength(3);
  });

  it('returns a consistent dump when a retry is clean', async () => {
    const k = attemptsKernel((s, attempt) => [[linkMsg(s, 1, 'x', attempt === 1 ? ['multi', 'dump_intr'] : ['multi']), done(s)]]);
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

  it('queues a dump behind another made in the same turn once its slice is used', async () => {
    // Both wait for the next turn (the slice is used), and the second must still wait for the
    // first to finish: like the kernel, this one refuses a dump while another runs (EBUSY).
    let running = false;
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      if (running) return kern.push({ bytes: encode(ack(s, -16)) });
      running = true;
      kern.push({ bytes: encode([linkMsg(s, 1, 'lo', ['multi'])]) });
      setTimeout(() => {
        running = false; // the rest of the dump comes later
        kern.push({ bytes: encode(done(s)) });
      }, 1);
    });
    const e = new Engine(k);
    await e.request(getLink(0), { dump: true });
    const until = performance.now() + 3;
    while (performance.now() < until); // use this turn's slice
    const [a, b] = await Promise.all([e.request(getLink(0), { dump: true }), e.request(getLink(0), { dump: true })]);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
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

  it('keeps each request apart whether it is answered at once, later, alone or among others', async () => {
    // Answered inside the send (as rtnetlink does) or a little later, mixed, with requests
    // finishing while others wait: each settles with its own reply, none twice, none lost.
    let sends = 0;
    const k = new FakeKernel((req, kern) => {
      const s = seqOf(req);
      if (++sends % 3 === 0) setTimeout(() => kern.push({ bytes: encode([linkMsg(s, 1, `late${s}`), ack(s)]) }), sends % 2);
      else kern.push({ bytes: encode(s % 2 ? ack(s, -19) : [linkMsg(s, s & 0xff, `n${s}`), ack(s)]) });
    });
    const e = new Engine(k);
    const outcomes: string[] = [];
    const all: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      const settle = e.request(getLink(i + 1)).then(
        (r) => void (outcomes[i] = `ok:${(r[0] as unknown as { attrs: { ifname: string } }).attrs.ifname}`),
        (err: { code: string }) => void (outcomes[i] = err.code),
      );
      all.push(settle);
      if (i % 5 === 4) await settle; // some one at a time, some concurrently
    }
    await Promise.all(all);
    const sent = k.sent.map(seqOf);
    expect(sent).toHaveLength(60);
    expect(new Set(sent).size).toBe(60);
    // Requests go out in call order; the n-th send was answered late when n % 3 === 0.
    for (let i = 0; i < 60; i++) {
      const s = sent[i]!;
      expect(outcomes[i]).toBe((i + 1) % 3 === 0 ? `ok:late${s}` : s % 2 ? 'ENODEV' : `ok:n${s}`);
    }
    expect(e.inFlight).toBe(0);
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

/** `count` RTM_GETLINK messages written back to back with seq and pid 0, and their offsets. */
function written(count: number): { datagram: Uint8Array; offsets: Int32Array; indexes: Int32Array } {
  const one = encode(getLink(1));
  const datagram = new Uint8Array(one.length * count);
  const offsets = new Int32Array(count);
  const indexes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    datagram.set(one, i * one.length);
    offsets[i] = i * one.length;
    indexes[i] = 100 + i;
  }
  return { datagram, offsets, indexes };
}

/** A sink that records outcomes by index. */
function recordingSink(): { sink: RequestSink; outcomes: Map<number, unknown> } {
  const outcomes = new Map<number, unknown>();
  return {
    outcomes,
    sink: {
      ok: (i) => {
        expect(outcomes.has(i)).toBe(false);
        outcomes.set(i, 'ok');
      },
      fail: (i, e) => {
        expect(outcomes.has(i)).toBe(false);
        outcomes.set(i, e);
      },
    },
  };
}

/** A kernel that answers a datagram as rtnetlink does: an error for each failing message, an ACK where asked. */
function batchKernel(failing: (k: number) => number): FakeKernel {
  return new FakeKernel((req, kern) => {
    const msgs = decode(req);
    msgs.forEach((m, k) => {
      const error = failing(k);
      if (error !== 0 || m.header.flags.includes('ack')) kern.push({ bytes: encode(ack(m.header.seq, error, error === -22 ? { msg: 'bad' } : undefined)) });
    });
  });
}

describe('engine: requests written by the caller (sendWritten)', () => {
  it('fills in seq and pid, asks for an ACK only on the last message, and settles each request by index', () => {
    const k = batchKernel((i) => (i === 1 ? -17 : i === 3 ? -22 : 0));
    const e = new Engine(k);
    const { datagram, offsets, indexes } = written(5);
    const { sink, outcomes } = recordingSink();
    e.sendWritten(datagram, 5, offsets, indexes, 'RTM_GETLINK', sink);
    const sent = decode(k.sent[0]!);
    expect(sent.map((m) => m.header.flags.includes('ack'))).toEqual([false, false, false, false, true]);
    expect(sent.every((m) => m.header.flags.includes('request') && m.header.pid === 4242)).toBe(true);
    expect(new Set(sent.map((m) => m.header.seq)).size).toBe(5);
    // rtnetlink answers inside sendmsg: everything is settled when sendWritten returns.
    expect([...outcomes.keys()].sort()).toEqual([100, 101, 102, 103, 104]);
    expect(outcomes.get(100)).toBe('ok');
    expect(outcomes.get(101)).toMatchObject({ code: 'EEXIST', request: 'RTM_GETLINK' });
    expect(outcomes.get(102)).toBe('ok');
    expect(outcomes.get(103)).toMatchObject({ code: 'EINVAL', extAck: 'bad' });
    expect(outcomes.get(104)).toBe('ok');
    expect(e.inFlight).toBe(0);
  });

  it('counts the others as done when the last message itself fails', () => {
    const e = new Engine(batchKernel((i) => (i === 2 ? -17 : 0)));
    const { datagram, offsets, indexes } = written(3);
    const { sink, outcomes } = recordingSink();
    e.sendWritten(datagram, 3, offsets, indexes, 'RTM_GETLINK', sink);
    expect(outcomes.get(100)).toBe('ok');
    expect(outcomes.get(101)).toBe('ok');
    expect(outcomes.get(102)).toBeInstanceOf(NetlinkError);
    expect(e.inFlight).toBe(0);
  });

  it('waits for the answer when it is not queued yet, and never counts a request done before it', async () => {
    let later: (() => void) | undefined;
    const k = new FakeKernel((req, kern) => {
      const msgs = decode(req);
      later = () => {
        kern.push({ bytes: encode(ack(msgs[0]!.header.seq, -17)) });
        kern.push({ bytes: encode(ack(msgs[1]!.header.seq)) });
      };
    });
    const e = new Engine(k);
    const { datagram, offsets, indexes } = written(2);
    const { sink, outcomes } = recordingSink();
    e.sendWritten(datagram, 2, offsets, indexes, 'RTM_GETLINK', sink);
    await new Promise((r) => setImmediate(r));
    expect(outcomes.size).toBe(0);
    expect(k.refs).toBe(1); // waiting keeps the process alive
    later!();
    await new Promise((r) => setImmediate(r));
    expect(outcomes.get(100)).toMatchObject({ code: 'EEXIST' });
    expect(outcomes.get(101)).toBe('ok');
    expect(k.refs).toBe(0);
  });

  it('fails every request of the datagram when the send fails', () => {
    const k = new FakeKernel(() => {
      throw sysError('EMSGSIZE', -90);
    });
    const e = new Engine(k);
    const { datagram, offsets, indexes } = written(3);
    const { sink, outcomes } = recordingSink();
    e.sendWritten(datagram, 3, offsets, indexes, 'RTM_GETLINK', sink);
    expect([...outcomes.values()].map((x) => (x as { code: string }).code)).toEqual(['EMSGSIZE', 'EMSGSIZE', 'EMSGSIZE']);
    expect(e.inFlight).toBe(0);
  });

  it('reports an overrun as an error for every request still waiting, never as success', () => {
    const k = new FakeKernel((req, kern) => {
      kern.push(sysError('ENOBUFS', -105));
      kern.push({ bytes: encode(ack(decode(req)[2]!.header.seq)) }); // stale: dropped with the rest
    });
    const e = new Engine(k);
    const { datagram, offsets, indexes } = written(3);
    const { sink, outcomes } = recordingSink();
    e.sendWritten(datagram, 3, offsets, indexes, 'RTM_GETLINK', sink);
    expect([...outcomes.values()].every((x) => x instanceof OverrunError)).toBe(true);
    expect(outcomes.size).toBe(3);
  });

  it('fails waiting requests with HandleClosedError on close, and new ones at once', () => {
    const e = new Engine(new FakeKernel(() => {}));
    const a = written(2);
    const { sink, outcomes } = recordingSink();
    e.sendWritten(a.datagram, 2, a.offsets, a.indexes, 'RTM_GETLINK', sink);
    e.close();
    expect([...outcomes.values()].every((x) => x instanceof HandleClosedError)).toBe(true);
    const b = written(1);
    b.indexes[0] = 7;
    e.sendWritten(b.datagram, 1, b.offsets, b.indexes, 'RTM_GETLINK', sink);
    expect(outcomes.get(7)).toBeInstanceOf(HandleClosedError);
  });

  it('resolves a request with undefined when asked to (resolveVoid)', async () => {
    const e = new Engine(new FakeKernel((req, kern) => kern.push({ bytes: encode(ack(seqOf(req))) })));
    await expect(e.request(getLink(1), { resolveVoid: true })).resolves.toBeUndefined();
    await expect(e.request(getLink(1))).resolves.toEqual([]);
  });
});
