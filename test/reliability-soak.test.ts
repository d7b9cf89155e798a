/**
 * The short soak: the cycle of `test/soak.mjs` (a veth pair created with an MTU, given an IPv4
 * and an IPv6 address, set up, changed, read back and deleted), 300 times on one handle. The
 * full 10,000-cycle run with its 5 MB bound is `npm run soak`; here the bounds are generous and
 * nothing is timed.
 */
import { Handle } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script shared with `npm run soak` (no type declarations)
import { runSoak, soakCycle } from './soak.mjs';
import { describeKernel, openFdCount, useTestNetns } from './fixtures/netns.js';
import { failOnFdLeakWarnings } from './fixtures/faults.js';

type SoakResult = {
  fdsAfterWarmup: number;
  fdsAtEnd: number;
  rssGrowth: number;
  heapGrowth: number;
  events?: Record<string, number>;
  subscriptionStats?: { overruns: number; foreignDropped: number; decodeErrors: number };
};


failOnFdLeakWarnings();
describeKernel('soak (short)', () => {
  const t = useTestNetns();

  it('runs 300 veth create/configure/delete cycles on one handle with no fd left and bounded memory', async () => {
    const { h } = t();
    const r = (await runSoak(h, { cycles: 300, warmup: 50 })) as SoakResult;
    expect(r.fdsAtEnd).toBe(r.fdsAfterWarmup);
    // Generous: 250 cycles cannot explain tens of MB except by a leak (the full soak bounds 5 MB).
    expect(r.rssGrowth).toBeLessThan(40 * 2 ** 20);
    expect(r.heapGrowth).toBeLessThan(10 * 2 ** 20);
    expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
    expect(h.stats).toMatchObject({ foreignDropped: 0, unmatched: 0, decodeErrors: 0, overruns: 0 });
    expect(h.engine.inFlight).toBe(0);
  });

  it('runs 200 cycles while a subscription on the same handle reads every link and address event, with no fd left and no event lost', async () => {
    const { h } = t();
    const r = (await runSoak(h, { cycles: 200, warmup: 30, subscribe: true })) as SoakResult;
    expect(r.fdsAtEnd).toBe(r.fdsAfterWarmup);
    expect(r.heapGrowth).toBeLessThan(10 * 2 ** 20);
    // Each cycle creates and deletes a veth pair: two newlinks (plus changes) and exactly two
    // dellinks; its IPv4 address is always announced (the IPv6 one only once the kernel has
    // finished with it, which a link deleted right away may never reach).
    expect(r.events!.newlink).toBeGreaterThanOrEqual(400);
    expect(r.events!.dellink).toBe(400);
    expect(r.events!.newaddr).toBeGreaterThanOrEqual(200);
    expect(r.events!.overrun ?? 0).toBe(0);
    expect(r.subscriptionStats).toMatchObject({ overruns: 0, foreignDropped: 0, decodeErrors: 0 });
    expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
  });

  it('releases every fd when a handle per cycle is opened, used and closed', async () => {
    const { ns } = t();
    // Warm up once (lazily opened process-wide fds, module loading), then count.
    const warm = Handle.open({ netns: ns });
    await soakCycle(warm, 0);
    warm.close();
    const before = openFdCount();
    for (let i = 1; i <= 50; i++) {
      const h = Handle.open({ netns: ns });
      try {
        await soakCycle(h, i);
      } finally {
        h.close();
      }
    }
    expect(openFdCount()).toBe(before);
  });
});
