/**
 * Back-pressure of streaming dumps, against a scripted kernel that has the whole dump queued
 * at once (as the kernel has the next parts ready): a consumer that stops must stop the reads,
 * so at most about one datagram of items is held in memory whatever the dump's size.
 */
import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { ifinfoRequest } from '../link/message.js';
import { FakeKernel } from '../test-support/fake-kernel.js';
import { DumpStream } from './stream.js';

const PER_DATAGRAM = 10;

const linkMsg = (seq: number, index: number): Message => ({
  header: { type: 'RTM_NEWLINK', flags: ['multi'], seq, pid: 4242 },
  'ifi-family': 0,
  'ifi-type': 1,
  'ifi-index': index,
  'ifi-flags': [],
  'ifi-change': 0,
  attrs: { ifname: `l${index}` },
});
const done = (seq: number): Message => ({ header: { type: 'NLMSG_DONE', flags: ['multi'], seq, pid: 4242 }, error: 0 });

/** A scripted kernel that counts the datagrams read from it. */
class CountingKernel extends FakeKernel {
  reads = 0;

  override receive(): ReturnType<FakeKernel['receive']> {
    const d = super.receive();
    if (d !== null) this.reads++;
    return d;
  }
}

/** Answers a dump with `datagrams` datagrams of PER_DATAGRAM links (ifindex 1, 2, ...), then NLMSG_DONE. */
const answerDump =
  (datagrams: number): ConstructorParameters<typeof FakeKernel>[0] =>
  (req, k) => {
    const seq = decode(req)[0]!.header.seq;
    for (let d = 0; d < datagrams; d++) {
      k.push({ bytes: encode(Array.from({ length: PER_DATAGRAM }, (_, i) => linkMsg(seq, d * PER_DATAGRAM + i + 1))) });
    }
    k.push({ bytes: encode(done(seq)) });
  };

function dumpKernel(datagrams: number): CountingKernel {
  return new CountingKernel(answerDump(datagrams));
}

function stream(k: FakeKernel): DumpStream<number> {
  return new DumpStream<number>(k, ifinfoRequest('RTM_GETLINK', 0, {}), { map: (m) => (m as unknown as { 'ifi-index': number })['ifi-index'] });
}

/** Let the event loop turn several times: time for reads that should not happen to happen. */
async function idle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 5));
}

describe('DumpStream back-pressure', () => {
  it('reads one datagram for the first item and no more while the consumer waits, however long the dump', async () => {
    const k = dumpKernel(1000);
    const s = stream(k);
    expect((await s.next()).value).toBe(1);
    await idle();
    expect(k.reads).toBe(1);
    expect(s.buffered).toBe(PER_DATAGRAM - 1);
    await s.return();
    expect(k.closed).toBe(true);
  });

  it('reads the next datagram only when the buffered items are used up, and yields every item once, in order', async () => {
    const datagrams = 50;
    const k = dumpKernel(datagrams);
    const s = stream(k);
    const got: number[] = [];
    let mostBuffered = 0;
    for (;;) {
      const r = await s.next();
      if (r.done === true) break;
      got.push(r.value);
      mostBuffered = Math.max(mostBuffered, s.buffered);
      // Every datagram read so far was needed: reads never run ahead of the consumer.
      expect(k.reads, `after item ${r.value}`).toBe(Math.ceil(r.value / PER_DATAGRAM));
      if (r.value % 7 === 0) await idle(); // a consumer that pauses now and then
    }
    expect(got).toEqual(Array.from({ length: datagrams * PER_DATAGRAM }, (_, i) => i + 1));
    expect(mostBuffered).toBeLessThan(PER_DATAGRAM);
    expect(k.reads).toBe(datagrams + 1); // and the NLMSG_DONE
    expect(k.closed).toBe(true);
  });

  it('stops reading at return() mid-dump and closes its transport', async () => {
    const k = dumpKernel(100);
    const s = stream(k);
    for (let i = 0; i < 25; i++) await s.next();
    const reads = k.reads;
    await expect(s.return()).resolves.toEqual({ value: undefined, done: true });
    await idle();
    expect(k.reads).toBe(reads);
    expect(k.closed).toBe(true);
    await expect(s.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('gives the event loop a turn during a long dump whose datagrams are always ready', async () => {
    // The kernel has the next part of a dump ready whenever it is read, so a consumer that
    // only awaits next() is answered from microtasks: without a turn of the event loop now and
    // then, timers and other sockets would wait for the whole dump (470 ms at a million routes).
    const datagrams = 200;
    const k = new SlowKernel(datagrams, 0.1); // >= 20 ms of reading in all, well over a slice
    const s = stream(k);
    let timerFiredAt = -1;
    let items = 0;
    setTimeout(() => (timerFiredAt = items), 0);
    for await (const _ of s) items++;
    expect(items).toBe(datagrams * PER_DATAGRAM);
    expect(timerFiredAt).toBeGreaterThanOrEqual(0);
    expect(timerFiredAt).toBeLessThan(items);
  });
});

/** `dumpKernel`, where each read takes `ms` of CPU (the kernel filling the next datagram). */
class SlowKernel extends CountingKernel {
  constructor(datagrams: number, private readonly ms: number) {
    super(answerDump(datagrams));
  }

  override receive(): ReturnType<FakeKernel['receive']> {
    const until = performance.now() + this.ms;
    while (performance.now() < until);
    return super.receive();
  }
}
