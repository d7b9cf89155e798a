import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { HandleClosedError, NetlinkError, OverrunError } from '../errors.js';
import { AsyncFakeKernel, sysError, type FakeKernel } from '../test-support/fake-kernel.js';
import { ifinfoRequest } from '../link/message.js';
import { Engine, type RequestSink } from './engine.js';

/** A link request by index with no attributes (the message form `ifinfoRequest` builds). */
const getLink = (index: number): Message => ifinfoRequest('RTM_GETLINK', index, {});

const ack = (seq: number, error = 0): Message => ({
  header: { type: 'NLMSG_ERROR', flags: ['capped'], seq, pid: 4242 },
  error,
  request: { header: { type: 'RTM_GETLINK', flags: ['request', 'ack'], seq, pid: 4242 } },
});

/** `count` RTM_GETLINK messages written back to back with seq and pid 0, and their offsets. */
function written(count: number, firstIndex = 100): { datagram: Uint8Array; offsets: Int32Array; indexes: Int32Array } {
  const one = encode(getLink(1));
  const datagram = new Uint8Array(one.length * count);
  const offsets = new Int32Array(count);
  const indexes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    datagram.set(one, i * one.length);
    offsets[i] = i * one.length;
    indexes[i] = firstIndex + i;
  }
  return { datagram, offsets, indexes };
}

/** A sink that records outcomes by index and refuses a second outcome for one request. */
function recordingSink(): { sink: RequestSink; outcomes: Map<number, unknown> } {
  const outcomes = new Map<number, unknown>();
  return {
    outcomes,
    sink: {
      ok: (i) => {
        expect(outcomes.has(i), `request ${i} settled twice`).toBe(false);
        outcomes.set(i, 'ok');
      },
      fail: (i, e) => {
        expect(outcomes.has(i), `request ${i} settled twice`).toBe(false);
        outcomes.set(i, e);
      },
    },
  };
}

/** Answers as rtnetlink does: an error for each failing message (by its place), an ACK where asked. */
function answer(failing: (k: number) => number): (req: Uint8Array, kern: FakeKernel) => void {
  return (req, kern) => {
    decode(req).forEach((m, k) => {
      const error = failing(k);
      if (error !== 0 || m.header.flags.includes('ack')) kern.push({ bytes: encode(ack(m.header.seq, error)) });
    });
  };
}

describe('engine: sendWritten with a transport that sends on a worker thread', () => {
  it('settles nothing before the send returns, then every request by its seq', async () => {
    const k = new AsyncFakeKernel(answer((i) => (i === 1 ? -17 : i === 3 ? -22 : 0)));
    const e = new Engine(k);
    const { datagram, offsets, indexes } = written(5);
    const { sink, outcomes } = recordingSink();
    const sent = e.sendWritten(datagram, 5, offsets, indexes, 'RTM_GETLINK', sink);
    expect(sent).toBeInstanceOf(Promise);
    expect(outcomes.size).toBe(0);
    expect(e.inFlight).toBe(5);
    await sent;
    expect(k.asyncSends).toBe(1);
    expect(outcomes.get(100)).toBe('ok');
    expect(outcomes.get(101)).toMatchObject({ code: 'EEXIST', request: 'RTM_GETLINK' });
    expect(outcomes.get(102)).toBe('ok');
    expect(outcomes.get(103)).toMatchObject({ code: 'EINVAL' });
    expect(outcomes.get(104)).toBe('ok');
    expect(e.inFlight).toBe(0);
    expect(e.stats.requests).toBe(5);
    // Flags, seq and pid were filled in before the send: the kernel saw them.
    const msgs = decode(k.sent[0]!);
    expect(msgs.map((m) => m.header.flags.includes('ack'))).toEqual([false, false, false, false, true]);
    expect(new Set(msgs.map((m) => m.header.seq)).size).toBe(5);
  });

  it('fails every request of the datagram with the error of the asynchronous call, and resolves', async () => {
    const k = new AsyncFakeKernel(answer(() => 0));
    const e = new Engine(k);
    k.failSend(sysError('EMSGSIZE', -90));
    const { datagram, offsets, indexes } = written(3);
    const { sink, outcomes } = recordingSink();
    await expect(e.sendWritten(datagram, 3, offsets, indexes, 'RTM_GETLINK', sink)).resolves.toBeUndefined();
    expect([...outcomes.values()].map((x) => (x as { code: string }).code)).toEqual(['EMSGSIZE', 'EMSGSIZE', 'EMSGSIZE']);
    expect(e.inFlight).toBe(0);
    expect(k.sent).toHaveLength(0);
    // The handle goes on working.
    const next = written(2, 200);
    await e.sendWritten(next.datagram, 2, next.offsets, next.indexes, 'RTM_GETLINK', sink);
    expect(outcomes.get(200)).toBe('ok');
    expect(outcomes.get(201)).toBe('ok');
  });

  it('fails every request when the transport throws instead of rejecting', async () => {
    const k = new AsyncFakeKernel(answer(() => 0));
    k.sendAsync = () => {
      throw sysError('EBADF', -9);
    };
    const e = new Engine(k);
    const { datagram, offsets, indexes } = written(2);
    const { sink, outcomes } = recordingSink();
    await e.sendWritten(datagram, 2, offsets, indexes, 'RTM_GETLINK', sink);
    expect([...outcomes.values()].map((x) => (x as { code: string }).code)).toEqual(['EBADF', 'EBADF']);
    expect(e.inFlight).toBe(0);
  });

  it('on close during the send, fails every request with HandleClosedError at once and ignores the late replies', async () => {
    const k = new AsyncFakeKernel(answer((i) => (i === 0 ? -17 : 0)));
    const e = new Engine(k);
    const release = k.hold();
    const { datagram, offsets, indexes } = written(3);
    const { sink, outcomes } = recordingSink();
    const sent = e.sendWritten(datagram, 3, offsets, indexes, 'RTM_GETLINK', sink);
    await new Promise((r) => setImmediate(r));
    expect(k.inFlight).toBe(1);
    e.close();
    expect(k.closed).toBe(true);
    expect(outcomes.size).toBe(3);
    expect([...outcomes.values()].every((x) => x instanceof HandleClosedError)).toBe(true);
    release(); // the "kernel" answers now: nothing may be settled twice (the sink would throw)
    await sent;
    expect(k.sent).toHaveLength(1);
    expect(outcomes.size).toBe(3);
    expect(e.inFlight).toBe(0);
  });

  it('waits for answers not queued when the send returns, holding the event loop only then', async () => {
    let later: (() => void) | undefined;
    const k = new AsyncFakeKernel((req, kern) => {
      const msgs = decode(req);
      later = () => {
        kern.push({ bytes: encode(ack(msgs[0]!.header.seq, -17)) });
        kern.push({ bytes: encode(ack(msgs[1]!.header.seq)) });
      };
    });
    const e = new Engine(k);
    const { datagram, offsets, indexes } = written(2);
    const { sink, outcomes } = recordingSink();
    await e.sendWritten(datagram, 2, offsets, indexes, 'RTM_GETLINK', sink);
    expect(outcomes.size).toBe(0);
    expect(k.refs).toBe(1);
    later!();
    await new Promise((r) => setImmediate(r));
    expect(outcomes.get(100)).toBeInstanceOf(NetlinkError);
    expect(outcomes.get(101)).toBe('ok');
    expect(k.refs).toBe(0);
  });

  it('attributes answers read by another request while the send is in flight to the right requests', async () => {
    // The datagram's first failure is queued "early" (as the kernel does while it is still
    // working through the datagram) and read by a synchronous request of the same handle.
    let early: (() => void) | undefined;
    const k = new AsyncFakeKernel((req, kern) => {
      const msgs = decode(req);
      if (msgs.length === 1 && !msgs[0]!.header.flags.includes('ack')) return;
      if (msgs.length === 1) {
        early?.();
        kern.push({ bytes: encode(ack(msgs[0]!.header.seq)) });
        return;
      }
      kern.push({ bytes: encode(ack(msgs[1]!.header.seq, -17)) });
      kern.push({ bytes: encode(ack(msgs[2]!.header.seq)) });
    });
    const e = new Engine(k);
    const release = k.hold();
    const { datagram, offsets, indexes } = written(3);
    const { sink, outcomes } = recordingSink();
    const sent = e.sendWritten(datagram, 3, offsets, indexes, 'RTM_GETLINK', sink);
    await new Promise((r) => setImmediate(r));
    const seqs = [0, 1, 2].map((i) => new DataView(datagram.buffer).getUint32(offsets[i]! + 8, true));
    early = () => {
      early = undefined;
      k.push({ bytes: encode(ack(seqs[0]!, -22)) });
    };
    // A one-off request sends synchronously (k.send) and reads the early answer on the way.
    await e.request(getLink(2), { resolveVoid: true });
    expect(outcomes.get(100)).toMatchObject({ code: 'EINVAL' });
    expect(outcomes.size).toBe(1);
    release();
    await sent;
    expect(outcomes.get(101)).toMatchObject({ code: 'EEXIST' });
    expect(outcomes.get(102)).toBe('ok');
    expect(e.inFlight).toBe(0);
  });

  it('reports an overrun found after the send as an error for every request of the datagram', async () => {
    const k = new AsyncFakeKernel((req, kern) => {
      kern.push(sysError('ENOBUFS', -105));
      kern.push({ bytes: encode(ack(decode(req)[2]!.header.seq)) });
    });
    const e = new Engine(k);
    const { datagram, offsets, indexes } = written(3);
    const { sink, outcomes } = recordingSink();
    await e.sendWritten(datagram, 3, offsets, indexes, 'RTM_GETLINK', sink);
    expect(outcomes.size).toBe(3);
    expect([...outcomes.values()].every((x) => x instanceof OverrunError)).toBe(true);
  });

  it('gives a datagram consecutive sequence numbers that skip those of requests still waiting', async () => {
    let held: number | undefined;
    const k = new AsyncFakeKernel((req, kern) => {
      const msgs = decode(req);
      if (msgs.length === 1 && held === undefined) {
        held = msgs[0]!.header.seq; // answered only at the end
        return;
      }
      answer(() => 0)(req, kern);
    });
    const e = new Engine(k);
    const slow = e.request(getLink(9), { resolveVoid: true });
    const { datagram, offsets, indexes } = written(4);
    // Make the next range start just below the waiting request's seq.
    (e as unknown as { nextSeq: number }).nextSeq = held! - 2;
    const { sink, outcomes } = recordingSink();
    await e.sendWritten(datagram, 4, offsets, indexes, 'RTM_GETLINK', sink);
    const seqs = decode(k.sent.at(-1)!).map((m) => m.header.seq);
    expect(seqs).toEqual([held! + 1, held! + 2, held! + 3, held! + 4]);
    expect([...outcomes.values()]).toEqual(['ok', 'ok', 'ok', 'ok']);
    k.push({ bytes: encode(ack(held!)) });
    await expect(slow).resolves.toBeUndefined();
    expect(e.inFlight).toBe(0);
  });

  it('sends datagrams of concurrent callers one at a time, in call order', async () => {
    const k = new AsyncFakeKernel(answer((i) => (i === 1 ? -17 : 0)));
    const e = new Engine(k);
    const a = written(3, 100);
    const b = written(2, 200);
    const { sink, outcomes } = recordingSink();
    const sa = e.sendWritten(a.datagram, 3, a.offsets, a.indexes, 'RTM_GETLINK', sink);
    const sb = e.sendWritten(b.datagram, 2, b.offsets, b.indexes, 'RTM_GETLINK', sink);
    expect(e.inFlight).toBe(5);
    await Promise.all([sa, sb]);
    expect(k.maxInFlight).toBe(1);
    expect(k.sent.map((d) => decode(d).length)).toEqual([3, 2]);
    expect(outcomes.get(101)).toMatchObject({ code: 'EEXIST' });
    expect(outcomes.get(201)).toMatchObject({ code: 'EEXIST' });
    expect([100, 102, 200].map((i) => outcomes.get(i))).toEqual(['ok', 'ok', 'ok']);
    expect(e.inFlight).toBe(0);
  });

  it('never sends a waiting datagram whose requests were already failed (an overrun)', async () => {
    const k = new AsyncFakeKernel(answer(() => 0));
    const e = new Engine(k);
    const release = k.hold();
    const a = written(2, 100);
    const b = written(2, 200);
    const { sink, outcomes } = recordingSink();
    const sa = e.sendWritten(a.datagram, 2, a.offsets, a.indexes, 'RTM_GETLINK', sink);
    const sb = e.sendWritten(b.datagram, 2, b.offsets, b.indexes, 'RTM_GETLINK', sink);
    await new Promise((r) => setImmediate(r));
    k.push(sysError('ENOBUFS', -105));
    await e.request(getLink(1)).catch(() => undefined); // its drain meets the overrun
    expect([100, 101, 200, 201].every((i) => outcomes.get(i) instanceof OverrunError)).toBe(true);
    release();
    await Promise.all([sa, sb]);
    expect(k.asyncSends).toBe(1); // the second datagram stayed in the process
    expect(outcomes.size).toBe(4);
  });

  it('keeps one-off requests on the synchronous send', async () => {
    const k = new AsyncFakeKernel(answer(() => 0));
    const e = new Engine(k);
    await e.request(getLink(1), { resolveVoid: true });
    const many = e.requestMany([getLink(1), getLink(2)]);
    await Promise.all(many);
    expect(k.asyncSends).toBe(0);
    expect(k.sent).toHaveLength(2); // the two of requestMany share one datagram
  });
});
