/**
 * Concurrency through the typed API on one handle: a thousand operations started at once
 * (adds, sets, gets, dumps, and some that fail) each settle with their own result or their own
 * error, and two handles on one namespace never see each other's replies. (The raw-request
 * version of this, and forged replies, are in engine.test.ts.)
 */
import { Handle, NetlinkError, type Link } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { linkState, withTimeout, failOnFdLeakWarnings } from './fixtures/faults.js';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

type Outcome = { status: 'fulfilled'; value: unknown } | { status: 'rejected'; reason: unknown };

/** Unique by construction, so a result that went to the wrong caller cannot pass. */
const addrOf = (k: number) => `198.51.100.${k + 1}/32`;


failOnFdLeakWarnings();
describeKernel('one handle, many operations at once', () => {
  const t = useTestNetns();

  it('settles 1,000 mixed typed operations started at once, each with its own result or error, dumps included', async () => {
    const { h } = t();
    // 100 bridges that the operations below read, change and address.
    const pre: Link[] = [];
    for (let k = 0; k < 100; k++) pre.push(await h.linkAdd({ kind: 'bridge', name: `p${k}` }));

    const kinds: string[] = [];
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const k = Math.floor(i / 10); // each kind of operation meets each bridge once
      if (i === 333) {
        kinds.push('addrList');
        ops.push(h.addrList());
      }
      if (i === 500) {
        kinds.push('linkList');
        ops.push(h.linkList());
      }
      if (i === 750) {
        kinds.push('routeList');
        ops.push(h.routeList({ table: 'all' }));
      }
      switch (i % 10) {
        case 0: // add a new bridge: resolves with that bridge
          kinds.push(`add:c${i}`);
          ops.push(h.linkAdd({ kind: 'bridge', name: `c${i}`, mtu: 1000 + i }));
          break;
        case 1: // get by index: resolves with that link
        case 6:
          kinds.push(`get:p${k}`);
          ops.push(h.linkByIndex(pre[k]!.index));
          break;
        case 2: // set an MTU that only this operation uses
          kinds.push(`mtu:p${k}`);
          ops.push(h.linkSetMTU(pre[k]!, 1200 + k));
          break;
        case 3: // EEXIST: the name is taken
          kinds.push('eexist');
          ops.push(h.linkAdd({ kind: 'bridge', name: `p${k}` }));
          break;
        case 4: // ENODEV: a name that does not exist (resolved by the kernel)
          kinds.push('enodev');
          ops.push(h.linkByName(`nosuch${i}`));
          break;
        case 5: // an address of its own on an existing bridge
          kinds.push(`addr:p${k}`);
          ops.push(h.addrAdd(pre[k]!, addrOf(k)));
          break;
        case 7: // refused by the kernel with an ext-ack: a bridge cannot be a bridge port
          kinds.push('eloop');
          ops.push(h.linkSetMasterByIndex(pre[k]!, pre[(k + 1) % 100]!.index));
          break;
        case 8: // get by name
          kinds.push(`byname:p${k}`);
          ops.push(h.linkByName(`p${k}`));
          break;
        case 9: // set up
          kinds.push(`up:p${k}`);
          ops.push(h.linkSetUp(pre[k]!));
          break;
      }
    }
    const results = (await withTimeout(Promise.allSettled(ops), 60_000, '1,000 concurrent operations')) as Outcome[];
    expect(results).toHaveLength(kinds.length);
    expect(h.engine.inFlight).toBe(0);

    const counts: Record<string, number> = {};
    results.forEach((r, j) => {
      const kind = kinds[j]!;
      const [op, name] = kind.split(':');
      counts[op!] = (counts[op!] ?? 0) + 1;
      const where = `operation ${j} (${kind})`;
      switch (op) {
        case 'add': {
          expect(r.status, where).toBe('fulfilled');
          const l = (r as { value: Link }).value;
          expect([l.name, l.kind, l.mtu], where).toEqual([name, 'bridge', 1000 + Number(name!.slice(1))]);
          break;
        }
        case 'get':
        case 'byname':
          expect(r.status, where).toBe('fulfilled');
          expect((r as { value: Link }).value.name, where).toBe(name);
          break;
        case 'mtu':
        case 'addr':
        case 'up':
          expect(r.status, where).toBe('fulfilled');
          expect((r as { value: unknown }).value, where).toBeUndefined();
          break;
        case 'eexist':
          expect(r.status, where).toBe('rejected');
          expect((r as { reason: unknown }).reason, where).toBeInstanceOf(NetlinkError);
          expect((r as { reason: NetlinkError }).reason.code, where).toBe('EEXIST');
          break;
        case 'enodev':
          expect(r.status, where).toBe('rejected');
          expect((r as { reason: NetlinkError }).reason.code, where).toBe('ENODEV');
          break;
        case 'eloop':
          expect(r.status, where).toBe('rejected');
          expect((r as { reason: NetlinkError }).reason, where).toMatchObject({ code: 'ELOOP', request: 'RTM_NEWLINK' });
          expect((r as { reason: NetlinkError }).reason.extAck, where).toMatch(/bridge to a bridge/);
          break;
        case 'linkList': {
          expect(r.status, where).toBe('fulfilled');
          const links = (r as { value: Link[] }).value;
          // A consistent snapshot: no index or name twice, and every pre-made bridge in it.
          expect(new Set(links.map((l) => l.index)).size, where).toBe(links.length);
          expect(new Set(links.map((l) => l.name)).size, where).toBe(links.length);
          for (const p of pre) expect(links.some((l) => l.index === p.index && l.name === p.name), `${where}: ${p.name}`).toBe(true);
          break;
        }
        case 'addrList':
        case 'routeList':
          expect(r.status, where).toBe('fulfilled');
          expect(Array.isArray((r as { value: unknown }).value), where).toBe(true);
          break;
        default:
          throw new Error(`unexpected kind ${kind}`);
      }
    });
    expect(counts).toMatchObject({ add: 100, get: 200, mtu: 100, eexist: 100, enodev: 100, addr: 100, eloop: 100, byname: 100, up: 100, linkList: 1, addrList: 1, routeList: 1 });

    // What the kernel has now is exactly what the successful operations asked for.
    const state = new Map(linkState(t()).map((l) => [l.name, l]));
    for (let k = 0; k < 100; k++) {
      const s = state.get(`p${k}`)!;
      expect([s.mtu, s.up, s.addresses], `p${k}`).toEqual([1200 + k, true, [addrOf(k)]]);
    }
    for (let i = 0; i < 1000; i += 10) expect(state.get(`c${i}`)?.mtu, `c${i}`).toBe(1000 + i);
    expect(h.stats.unmatched).toBe(0);
    expect(h.stats.foreignDropped).toBe(0);
  });

  it('keeps the replies of two handles on one namespace apart while both run typed operations at once', async () => {
    const { ns, h } = t();
    const h2 = Handle.open({ netns: ns });
    try {
      const mine: Link[] = [];
      for (let k = 0; k < 20; k++) mine.push(await h.linkAdd({ kind: 'bridge', name: `a${k}` }));
      const runA = Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          i % 3 === 0 ? h.linkByIndex(mine[i % 20]!.index).then((l) => l.name === `a${i % 20}`) : i % 3 === 1 ? h.linkList().then((ls) => ls.some((l) => l.name === 'a0')) : h.linkSetMTU(mine[i % 20]!, 1400 + (i % 20)).then(() => true),
        ),
      );
      const runB = Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          if (i % 2 === 0) {
            const l = await h2.linkAdd({ kind: 'bridge', name: `b${i}` });
            return l.name === `b${i}`;
          }
          const err = await h2.linkByName(`gone${i}`).then(() => undefined, (e: unknown) => e);
          return (err as NetlinkError | undefined)?.code === 'ENODEV';
        }),
      );
      const [a, b] = await withTimeout(Promise.all([runA, runB]), 60_000, 'two handles');
      expect(a.every(Boolean)).toBe(true);
      expect(b.every(Boolean)).toBe(true);
      // Neither saw a reply meant for the other (the kernel unicasts replies to the sender's port).
      expect(h.stats.unmatched + h2.stats.unmatched).toBe(0);
      expect(h.stats.foreignDropped + h2.stats.foreignDropped).toBe(0);
      expect(h.engine.inFlight + h2.engine.inFlight).toBe(0);
    } finally {
      h2.close();
    }
  });

  it('matches replies across the 32-bit sequence-number wrap', async () => {
    const { h } = t();
    const links: Link[] = [];
    for (let k = 0; k < 30; k++) links.push(await h.linkAdd({ kind: 'bridge', name: `w${k}` }));
    // Jump the engine's counter to just below 2^32.
    (h.engine as unknown as { nextSeq: number }).nextSeq = 0xffffffff - 10;
    const results = await withTimeout(
      Promise.all([...links.map((l) => h.linkByIndex(l.index).then((x) => x.name)), h.linkList().then((ls) => ls.length), ...links.map((l, k) => h.linkSetMTU(l, 1400 + k).then(() => k))]),
      30_000,
      'requests across the wrap',
    );
    expect(results.slice(0, 30)).toEqual(links.map((l) => l.name));
    expect(results[30]).toBe(31);
    expect(results.slice(31)).toEqual(links.map((_, k) => k));
    expect((h.engine as unknown as { nextSeq: number }).nextSeq).toBeLessThan(100); // it wrapped
    expect(h.stats.unmatched).toBe(0);
    const mtus = new Map(t().ipJson('link', 'show').map((l: { ifname: string; mtu: number }) => [l.ifname, l.mtu]));
    links.forEach((l, k) => expect(mtus.get(l.name)).toBe(1400 + k));
  });
});
