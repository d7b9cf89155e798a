/**
 * Deleting a link and moving one to another namespace wait inside the kernel's `sendmsg` for
 * RCU (16-35 ms each); nlkit makes those calls on a worker thread, so the event loop keeps
 * running meanwhile. Liveness checks only: timers must tick while such a request is in
 * flight (with the send on the main thread none can); nothing here is timed.
 */
import type { Link } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { createTestNetns, describeKernel, useTestNetns } from './fixtures/netns.js';

/** Run `fn` while a 1 ms interval counts its ticks; returns how many fired before `fn` settled. */
async function ticksDuring(fn: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    // Let the interval arm first, so a tick can only come from time spent inside `fn`.
    await new Promise((r) => setImmediate(r));
    const before = ticks;
    await fn();
    return ticks - before;
  } finally {
    clearInterval(timer);
  }
}

describeKernel('slow link requests off the event loop', () => {
  const t = useTestNetns();

  it('keeps timers firing while links are deleted, and deletes them', async () => {
    const { h } = t();
    const ticks: number[] = [];
    for (let i = 0; i < 3; i++) {
      await h.linkAdd({ kind: 'bridge', name: `brd${i}` });
      await h.linkAdd({ kind: 'veth', name: `vd${i}`, peer: { name: `vp${i}` } });
      ticks.push(await ticksDuring(() => h.linkDel(`brd${i}`)));
      ticks.push(await ticksDuring(() => h.linkDel(`vd${i}`)));
    }
    // Each deletion waits on RCU for milliseconds; with the send blocking the thread every
    // count would be 0. One quiet deletion is tolerated (a kernel that happened to be quick).
    expect(ticks.filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
    const left = (await h.linkList()).map((l) => l.name);
    for (let i = 0; i < 3; i++) expect(left).not.toContain(`brd${i}`), expect(left).not.toContain(`vd${i}`), expect(left).not.toContain(`vp${i}`);
  });

  it('keeps timers firing while a link moves to another namespace, and it arrives there', async () => {
    const { h } = t();
    const other = createTestNetns();
    try {
      const ticks: number[] = [];
      for (let i = 0; i < 3; i++) {
        await h.linkAdd({ kind: 'veth', name: `vm${i}`, peer: { name: `vn${i}` } });
        ticks.push(await ticksDuring(() => h.linkSetNsFd(`vn${i}`, other.ns)));
      }
      expect(ticks.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
      const there = (await other.h.linkList()).map((l) => l.name);
      expect(there).toEqual(expect.arrayContaining(['vn0', 'vn1', 'vn2']));
      // linkDelAll's one group deletion (hundreds of ms for many links) is offloaded too.
      const links: Link[] = [];
      for (let i = 0; i < 20; i++) links.push(await h.linkAdd({ kind: 'veth', name: `vg${i}`, peer: { name: `vh${i}` } }));
      expect(await ticksDuring(() => h.linkDelAll(links))).toBeGreaterThan(0);
      expect((await h.linkList()).filter((l) => l.name.startsWith('vg') || l.name.startsWith('vh'))).toEqual([]);
    } finally {
      other.close();
    }
  });
});
