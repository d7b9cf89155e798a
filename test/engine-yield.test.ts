/**
 * Requests complete synchronously, so a loop of awaited requests must still let the event loop
 * turn: otherwise a subscription on the same thread never reads and overflows.
 */
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

describeKernel('a chain of awaited requests lets the event loop turn', () => {
  const t = useTestNetns();

  it('delivers every link event to a subscription on the same thread during 100 back-to-back veth cycles', async () => {
    const { h, sysctl } = t();
    sysctl('net.ipv6.conf.default.disable_ipv6', '1');
    const sub = h.subscribe({ groups: ['link'] });
    const seen = { newlink: 0, dellink: 0, overrun: 0 };
    const reader = (async () => {
      for await (const e of sub) if (e.type in seen) seen[e.type as keyof typeof seen]++;
    })();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // No explicit yield in the loop: the engine must give the loop a turn by itself.
      for (let i = 0; i < 100; i++) {
        const l = await h.linkAdd({ kind: 'veth', name: `y${i}`, peer: { name: `z${i}` } });
        await h.linkSetMTU(l, 1400);
        await h.linkDel(l);
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      clearInterval(timer);
      sub.close();
      await reader;
    }
    expect(seen.overrun).toBe(0);
    expect(seen.dellink).toBeGreaterThanOrEqual(200); // both ends of each pair
    expect(seen.newlink).toBeGreaterThanOrEqual(200);
    expect(ticks).toBeGreaterThan(10); // timers ran during the loop
  });
});
