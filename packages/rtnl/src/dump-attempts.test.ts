/** Handle.open({ dumpAttempts }): how often an interrupted list dump is re-run. */
import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { DumpInterruptedError } from './errors.js';
import { Handle } from './index.js';
import { FakeKernel } from './test-support/fake-kernel.js';

const link = (seq: number, index: number, flags: string[]): Message => ({
  header: { type: 'RTM_NEWLINK', flags, seq, pid: 0 },
  'ifi-family': 0,
  'ifi-type': 1,
  'ifi-index': index,
  'ifi-flags': [],
  'ifi-change': 0,
  attrs: { ifname: `l${index}`, mtu: 1500 },
});
const done = (seq: number, flags: string[]): Message => ({ header: { type: 'NLMSG_DONE', flags, seq, pid: 0 }, error: 0 });

/** A kernel whose first `interrupted` dumps are flagged NLM_F_DUMP_INTR; it counts them. */
function churningKernel(interrupted: number): FakeKernel & { dumps: number } {
  const k = new FakeKernel((req, kern) => {
    const seq = decode(req)[0]!.header.seq;
    k.dumps++;
    const flags = k.dumps <= interrupted ? ['multi', 'dump_intr'] : ['multi'];
    kern.push({ bytes: encode([link(seq, k.dumps, flags), done(seq, flags)]) });
  }) as FakeKernel & { dumps: number };
  k.dumps = 0;
  return k;
}

describe('Handle.open({ dumpAttempts })', () => {
  it('re-runs an interrupted list dump 3 times by default, then rejects with DumpInterruptedError', async () => {
    const k = churningKernel(Infinity);
    const h = Handle.open({ transport: k });
    const err = await h.linkList().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DumpInterruptedError);
    expect((err as DumpInterruptedError).attempts).toBe(3);
    expect(k.dumps).toBe(3);
    h.close();
  });

  it('runs a list dump as many times as the handle allows, and returns the first clean one', async () => {
    const k = churningKernel(6);
    const h = Handle.open({ transport: k, dumpAttempts: 10 });
    const links = await h.linkList();
    expect(k.dumps).toBe(7);
    expect(links.map((l) => l.index)).toEqual([7]);
    // Every list operation takes it (the same engine path): an address dump, too.
    const k2 = churningKernel(Infinity);
    const h2 = Handle.open({ transport: k2, dumpAttempts: 5 });
    const err = await h2.addrList().catch((e: unknown) => e);
    expect((err as DumpInterruptedError).attempts).toBe(5);
    expect(k2.dumps).toBe(5);
    h.close();
    h2.close();
  });

  it('with 1, reports the first interruption; a request() with its own maxAttempts keeps it', async () => {
    const k = churningKernel(Infinity);
    const h = Handle.open({ transport: k, dumpAttempts: 1 });
    expect(await h.linkList().catch((e: unknown) => (e as DumpInterruptedError).attempts)).toBe(1);
    const getLinks: Message = { header: { type: 'RTM_GETLINK', flags: [], seq: 0, pid: 0 }, 'ifi-family': 0, 'ifi-type': 0, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0, attrs: {} };
    expect(await h.request(getLinks, { dump: true, maxAttempts: 2 }).catch((e: unknown) => (e as DumpInterruptedError).attempts)).toBe(2);
    expect(k.dumps).toBe(3);
    h.close();
  });

  it('refuses a count that is not an integer in 1..1000 before opening anything', () => {
    for (const bad of [0, -1, 1.5, 1001, Number.NaN, '3' as unknown as number]) {
      expect(() => Handle.open({ transport: churningKernel(0), dumpAttempts: bad })).toThrow(RangeError);
    }
  });
});
