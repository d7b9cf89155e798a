import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { FakeKernel, sysError } from '../test-support/fake-kernel.js';
import { Subscription, type ListedEvent, type OverrunEvent } from './subscription.js';

interface Ev {
  type: 'msg';
  index: number;
  name: unknown;
}

const notification = (index: number, name = `if${index}`, type = 'RTM_NEWLINK'): Message => ({
  header: { type, flags: [], seq: 0, pid: 0 },
  'ifi-family': 0,
  'ifi-type': 1,
  'ifi-index': index,
  'ifi-flags': [],
  'ifi-change': 0,
  attrs: { ifname: name },
});

const dgram = (...indexes: number[]) => ({ bytes: encode(indexes.map((i) => notification(i))) });

const mapper = (m: Message): Ev | undefined =>
  m.header.type === 'NLMSG_NOOP' ? undefined : { type: 'msg', index: m['ifi-index'] as number, name: (m.attrs as { ifname?: unknown }).ifname };

function setup(options: { queueSize?: number; signal?: AbortSignal; map?: (m: Message) => Ev | undefined } = {}) {
  const k = new FakeKernel(() => {});
  let closedCalls = 0;
  const sub = new Subscription<Ev>({
    transport: k,
    map: options.map ?? mapper,
    queueSize: options.queueSize ?? 1024,
    signal: options.signal,
    onClose: () => closedCalls++,
  });
  return { k, sub, closedCalls: () => closedCalls };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

const indexOf = (r: IteratorResult<Ev | OverrunEvent | ListedEvent, undefined>): number | string =>
  r.done ? 'done' : r.value.type === 'msg' ? r.value.index : r.value.type === 'listed' ? 'listed' : `overrun:${r.value.reason}`;

describe('Subscription', () => {
  it('yields notifications in order, whether they arrived before or after next() was called', async () => {
    const { k, sub } = setup();
    k.push(dgram(1, 2)); // two messages in one datagram
    await tick();
    const first = await sub.next();
    expect(first).toEqual({ done: false, value: { type: 'msg', index: 1, name: 'if1' } });
    expect(indexOf(await sub.next())).toBe(2);
    const later = sub.next();
    k.push(dgram(3));
    expect(indexOf(await later)).toBe(3);
    expect(sub.stats).toMatchObject({ datagrams: 2, events: 3 });
    sub.close();
  });

  it('reads what the kernel already queued inside next() without waiting for readiness', async () => {
    const k = new FakeKernel(() => {});
    const sub = new Subscription<Ev>({ transport: k, map: mapper, queueSize: 8 });
    // Queued behind the watcher's back: readiness never fires for it.
    (k as unknown as { queue: unknown[] }).queue.push(dgram(7));
    expect(indexOf(await sub.next())).toBe(7);
    sub.close();
  });

  it('drops and counts datagrams from senders other than the kernel', async () => {
    const { k, sub } = setup();
    k.push({ ...dgram(66), senderPid: 4321 });
    k.push(dgram(5));
    expect(indexOf(await sub.next())).toBe(5);
    expect(sub.stats.foreignDropped).toBe(1);
    expect(sub.pending).toBe(0);
    sub.close();
  });

  it('turns ENOBUFS into an overrun event and keeps delivering what follows', async () => {
    const { k, sub } = setup();
    k.push(dgram(1));
    k.push(sysError('ENOBUFS', -105));
    k.push(dgram(2));
    expect(indexOf(await sub.next())).toBe(1);
    const over = await sub.next();
    expect(over.done).toBe(false);
    expect(over.value).toMatchObject({ type: 'overrun', reason: 'enobufs' });
    expect(indexOf(await sub.next())).toBe(2);
    expect(sub.stats.overruns).toBe(1);
    expect(sub.closed).toBe(false);
    sub.close();
  });

  it('reports consecutive overruns still queued as one event', async () => {
    const { k, sub } = setup();
    k.push(sysError('ENOBUFS', -105));
    k.push(sysError('ENOBUFS', -105));
    k.push(dgram(3));
    await tick();
    expect(sub.pending).toBe(2);
    expect(indexOf(await sub.next())).toBe('overrun:enobufs');
    expect(indexOf(await sub.next())).toBe(3);
    expect(sub.stats.overruns).toBe(2);
    sub.close();
  });

  it('reports a truncated datagram as an overrun instead of decoding half a message', async () => {
    const { k, sub } = setup();
    const full = dgram(1).bytes;
    k.push({ bytes: full.subarray(0, 20), truncated: true, size: full.length });
    expect(indexOf(await sub.next())).toBe('overrun:truncated');
    expect(sub.stats.truncated).toBe(1);
    sub.close();
  });

  it('reports an undecodable datagram as an overrun carrying the decode error', async () => {
    const { k, sub } = setup();
    const bad = new Uint8Array(dgram(1).bytes);
    new DataView(bad.buffer).setUint32(0, 9999, true); // nlmsg_len past the datagram's end
    k.push({ bytes: bad });
    k.push(dgram(2));
    const r = await sub.next();
    expect(r.value).toMatchObject({ type: 'overrun', reason: 'undecodable' });
    expect((r.value as OverrunEvent).error).toBeInstanceOf(Error);
    expect(indexOf(await sub.next())).toBe(2);
    expect(sub.stats.decodeErrors).toBe(1);
    sub.close();
  });

  it('reports a message the mapper cannot lift as an overrun and goes on with the next one', async () => {
    const { k, sub } = setup({
      map: (m) => {
        if (m['ifi-index'] === 13) throw new Error('cannot lift');
        return mapper(m);
      },
    });
    k.push(dgram(13, 14));
    expect(indexOf(await sub.next())).toBe('overrun:undecodable');
    expect(indexOf(await sub.next())).toBe(14);
    sub.close();
  });

  it('skips messages the mapper maps to undefined', async () => {
    const { k, sub } = setup();
    k.push({ bytes: encode([{ header: { type: 'NLMSG_NOOP', flags: [], seq: 0, pid: 0 } }, notification(4)]) });
    expect(indexOf(await sub.next())).toBe(4);
    expect(sub.stats.events).toBe(1);
    sub.close();
  });

  it('stops reading when the queue is full, leaving the rest to the kernel, and resumes as it drains', async () => {
    const { k, sub } = setup({ queueSize: 4 });
    for (let i = 1; i <= 10; i++) k.push(dgram(i));
    await tick();
    await tick();
    expect(sub.pending).toBe(4);
    const kq = (k as unknown as { queue: unknown[] }).queue;
    expect(kq.length).toBe(6); // left in the "kernel"
    const seen: (number | string)[] = [];
    for (let i = 0; i < 10; i++) {
      seen.push(indexOf(await sub.next()));
      expect(sub.pending).toBeLessThanOrEqual(4);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(kq.length).toBe(0);
    sub.close();
  });

  it('holds the event loop only while a next() is waiting', async () => {
    const { k, sub } = setup();
    await tick();
    expect(k.refs).toBe(0);
    const p = sub.next();
    expect(k.refs).toBe(1);
    k.push(dgram(1));
    await p;
    expect(k.refs).toBe(0);
    sub.close();
  });

  it('closes the socket when a for-await loop is left with break', async () => {
    const { k, sub, closedCalls } = setup();
    k.push(dgram(1));
    k.push(dgram(2));
    for await (const ev of sub) {
      expect(ev).toMatchObject({ index: 1 });
      break;
    }
    expect(k.closed).toBe(true);
    expect(sub.closed).toBe(true);
    expect(closedCalls()).toBe(1);
    expect(await sub.next()).toEqual({ done: true, value: undefined });
  });

  it('close() ends a pending next() as done and discards queued events', async () => {
    const { k, sub } = setup();
    const p = sub.next();
    sub.close();
    expect(await p).toEqual({ done: true, value: undefined });
    expect(k.closed).toBe(true);
    expect(k.refs).toBe(0);
    sub.close(); // idempotent
  });

  it('aborting rejects the pending next() with the signal reason, then reports done', async () => {
    const ac = new AbortController();
    const { k, sub, closedCalls } = setup({ signal: ac.signal });
    const p = sub.next();
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(k.closed).toBe(true);
    expect(closedCalls()).toBe(1);
    expect(await sub.next()).toEqual({ done: true, value: undefined });
  });

  it('aborting while nothing waits rejects the next call once', async () => {
    const ac = new AbortController();
    const { sub } = setup({ signal: ac.signal });
    ac.abort();
    await expect(sub.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect((await sub.next()).done).toBe(true);
  });

  it('ends with the error when the socket fails for another reason than ENOBUFS', async () => {
    const { k, sub } = setup();
    const p = sub.next();
    k.push(sysError('EBADF', -9));
    await expect(p).rejects.toMatchObject({ code: 'EBADF' });
    expect(sub.closed).toBe(true);
  });

  it('serves concurrent next() calls in order', async () => {
    const { k, sub } = setup();
    const a = sub.next();
    const b = sub.next();
    k.push(dgram(1, 2));
    expect([indexOf(await a), indexOf(await b)]).toEqual([1, 2]);
    sub.close();
  });

  it('reads after a failed poll (libuv reports a pending socket error as EBADF) and finds the overrun', async () => {
    const k = new FakeKernel(() => {});
    let polls = 0;
    k.waitReadable = () => (++polls === 1 ? Promise.reject(sysError('EBADF', -9)) : new Promise<void>(() => {}));
    k.push(sysError('ENOBUFS', -105));
    const sub = new Subscription<Ev>({ transport: k, map: mapper, queueSize: 8 });
    await tick();
    expect(sub.closed).toBe(false);
    expect(indexOf(await sub.next())).toBe('overrun:enobufs');
    sub.close();
  });

  it('gives up with the poll error when polls keep failing and nothing can be read', async () => {
    const k = new FakeKernel(() => {});
    k.waitReadable = () => Promise.reject(sysError('EBADF', -9));
    const sub = new Subscription<Ev>({ transport: k, map: mapper, queueSize: 8 });
    for (let i = 0; i < 10; i++) await tick();
    expect(sub.closed).toBe(true);
    expect(k.closed).toBe(true);
    await expect(sub.next()).rejects.toMatchObject({ code: 'EBADF' });
  });

  describe('listing what exists first (listExisting)', () => {
    const dumpRequest = (type: string): Message => ({ header: { type, flags: [], seq: 0, pid: 0 }, 'ifi-family': 0, 'ifi-type': 0, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0, attrs: {} });
    const reply = (seq: number, index: number, flags: string[] = ['multi']): Message => ({ ...notification(index), header: { type: 'RTM_NEWLINK', flags, seq, pid: 4242 } });
    const done = (seq: number, error = 0): Message => ({ header: { type: 'NLMSG_DONE', flags: ['multi'], seq, pid: 4242 }, error });

    it('runs the dumps one after another on its own socket, then says listed, then passes changes', async () => {
      const sentTypes: unknown[] = [];
      let base = 100;
      const k = new FakeKernel((req, kern) => {
        const [m] = decode(req);
        sentTypes.push(m!.header.type);
        expect(m!.header.flags).toEqual(expect.arrayContaining(['request', 'dump']));
        expect(m!.header.pid).toBe(4242);
        // Only one dump at a time: the previous one must be done.
        expect(sentTypes.length).toBe(base === 100 ? 1 : 2);
        kern.push({ bytes: encode([reply(m!.header.seq, base + 1), reply(m!.header.seq, base + 2)]) });
        kern.push({ bytes: encode(done(m!.header.seq)) });
        base = 200;
      });
      const sub = new Subscription<Ev>({ transport: k, map: mapper, queueSize: 64, dumps: [dumpRequest('RTM_GETLINK'), dumpRequest('RTM_GETLINK')] });
      k.push(dgram(7)); // a change during the listing
      const seen: (number | string)[] = [];
      for (let i = 0; i < 6; i++) seen.push(indexOf(await sub.next()));
      expect(sentTypes).toEqual(['RTM_GETLINK', 'RTM_GETLINK']);
      expect(seen).toEqual([101, 102, 7, 201, 202, 'listed']);
      k.push(dgram(8));
      expect(indexOf(await sub.next())).toBe(8);
      sub.close();
    });

    it('runs an interrupted dump again, and reports an overrun when it never settles', async () => {
      let runs = 0;
      const k = new FakeKernel((req, kern) => {
        const seq = decode(req)[0]!.header.seq;
        runs++;
        kern.push({ bytes: encode([reply(seq, runs, ['multi', 'dump_intr']), done(seq)]) });
      });
      const sub = new Subscription<Ev>({ transport: k, map: mapper, queueSize: 64, dumps: [dumpRequest('RTM_GETLINK')] });
      const seen: (number | string)[] = [];
      for (let i = 0; i < 5; i++) seen.push(indexOf(await sub.next()));
      expect(runs).toBe(3);
      expect(seen).toEqual([1, 2, 3, 'overrun:interrupted', 'listed']);
      sub.close();
    });

    it('ends with a NetlinkError when the kernel refuses a listing dump', async () => {
      const k = new FakeKernel((req, kern) => kern.push({ bytes: encode(done(decode(req)[0]!.header.seq, -95)) }));
      const sub = new Subscription<Ev>({ transport: k, map: mapper, queueSize: 64, dumps: [dumpRequest('RTM_GETLINK')] });
      await expect(sub.next()).rejects.toMatchObject({ name: 'NetlinkError', errno: -95, request: 'RTM_GETLINK' });
      expect(k.closed).toBe(true);
    });

    it('does not take a notification with the same sequence number from the kernel for the end of the dump', async () => {
      const k = new FakeKernel((req, kern) => {
        const seq = decode(req)[0]!.header.seq;
        // A kernel-originated notification (pid 0) that happens to carry the same seq.
        kern.push({ bytes: encode({ ...notification(5), header: { type: 'RTM_NEWLINK', flags: [], seq, pid: 0 } }) });
        kern.push({ bytes: encode([reply(seq, 6), done(seq)]) });
      });
      const sub = new Subscription<Ev>({ transport: k, map: mapper, queueSize: 64, dumps: [dumpRequest('RTM_GETLINK')] });
      const seen: (number | string)[] = [];
      for (let i = 0; i < 3; i++) seen.push(indexOf(await sub.next()));
      expect(seen).toEqual([5, 6, 'listed']);
      sub.close();
    });
  });

  it('gives the event loop a turn while a backlog that never runs dry is consumed', async () => {
    // A flood of notifications (or a listing dump) is ready at every read: a consumer that only
    // awaits next() must still let timers run.
    let index = 0;
    const k = new (class extends FakeKernel {
      override receive(): ReturnType<FakeKernel['receive']> {
        const until = performance.now() + 0.05;
        while (performance.now() < until);
        return { bytes: dgram(++index, ++index).bytes, senderPid: 0, groups: 1, truncated: false, size: 0 };
      }
    })(() => {});
    const sub = new Subscription<Ev>({ transport: k, map: mapper, queueSize: 64 });
    let fired = false;
    setTimeout(() => (fired = true), 0);
    let n = 0;
    for await (const _ of sub) if (fired || ++n === 100_000) break;
    expect(fired).toBe(true);
    expect(n).toBeLessThan(100_000);
  });
});
