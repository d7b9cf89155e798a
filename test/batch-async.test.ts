/**
 * Batches of route changes send their datagrams on a worker thread (the kernel inserts routes
 * inside sendmsg, sometimes for hundreds of milliseconds): the event loop keeps running while
 * the kernel works, results stay exact, and closing the handle mid-send leaks nothing.
 * Liveness checks only: nothing here is timed.
 */
import { Handle } from '@nlkit/rtnl';
import { asyncCallsInFlight } from '@nlkit/syscall-shim';
import { clearFaults, injectFault, startCounting, stopCounting } from '@nlkit/syscall-shim/testing';
import { afterEach, expect, it } from 'vitest';
import { carriesCode, withTimeout } from './fixtures/faults.js';
import { describeKernel, openFdCount, useTestNetns } from './fixtures/netns.js';
import { GW, prefix, routeTableLinks } from './fixtures/routes.js';


describeKernel('route batches sent on a worker thread', () => {
  const t = useTestNetns();

  const setup = () => routeTableLinks(t());

  it('keeps timers firing while the kernel inserts a batch, with exact per-request results', async () => {
    const { h } = t();
    const oif = await setup();
    const n = 20_000;
    await h.routeAdd({ dst: prefix(5), gw: GW, linkIndex: oif });
    const bad = new Map<number, string>();
    const b = h.batch();
    for (let i = 0; i < n; i++) {
      if (i === 5) bad.set(i, 'EEXIST'); // added above
      else if (i % 1000 === 7) bad.set(i, 'ENETUNREACH');
      b.routeAdd({ dst: prefix(i), gw: i % 1000 === 7 ? '203.0.113.9' : GW, linkIndex: oif });
    }
    let ticks = 0;
    let ticksDuringSend = 0;
    const timer = setInterval(() => {
      ticks++;
      // The timer ran while a send was still on the worker thread: the loop was free meanwhile.
      if (asyncCallsInFlight() > 0) ticksDuringSend++;
    }, 1);
    let results;
    try {
      results = await b.commit({ window: 256 });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
    expect(ticksDuringSend).toBeGreaterThan(0);
    expect(results).toHaveLength(n);
    results.forEach((r, i) => {
      const want = bad.get(i);
      if (want === undefined) expect(r.ok, `request ${i}`).toBe(true);
      else expect(r, `request ${i}`).toMatchObject({ ok: false, error: { code: want } });
    });
    const present = new Set((await h.routeList({ family: 'inet', table: 'main' })).filter((r) => r.gw === GW).map((r) => r.dst));
    expect(present.size).toBe(n - (bad.size - 1));
    for (let i = 0; i < n; i++) if (present.has(prefix(i)) !== (!bad.has(i) || i === 5)) expect.fail(`${prefix(i)} present: ${present.has(prefix(i))}`);
  });

  afterEach(() => {
    clearFaults();
    stopCounting();
  });

  it('under a failure of any one system call, reports success only for routes the kernel has', async () => {
    const { h } = t();
    const oif = await setup();
    const n = 700; // three datagrams at window 256
    const add = () => {
      const b = h.batch();
      for (let i = 0; i < n; i++) b.routeAdd({ dst: prefix(i), gw: GW, linkIndex: oif });
      return b.commit({ window: 256 });
    };
    const clear = async () => {
      const b = h.batch();
      for (let i = 0; i < n; i++) b.routeDel({ dst: prefix(i), gw: GW, linkIndex: oif });
      await b.commit({ window: 256 });
    };
    startCounting();
    expect((await add()).every((r) => r.ok)).toBe(true);
    const { total, bySyscall } = stopCounting();
    expect(bySyscall.sendto).toBe(3);
    for (let nth = 1; nth <= total; nth++) {
      await clear();
      const fault = injectFault({ nth, errno: 'EIO' });
      const results = await withTimeout(add(), 30_000, `batch with call ${nth} failing`);
      clearFaults();
      expect(fault.fired, `call ${nth}`).toBe(true);
      expect(results).toHaveLength(n);
      const present = new Set((await h.routeList({ family: 'inet', table: 'main' })).filter((r) => r.gw === GW).map((r) => r.dst));
      let failed = 0;
      results.forEach((r, i) => {
        if (r.ok) {
          if (!present.has(prefix(i))) expect.fail(`call ${nth}: ${prefix(i)} reported added but missing`);
        } else {
          failed++;
          if (!carriesCode(r.error, 'EIO')) expect.fail(`call ${nth}: ${prefix(i)} failed with ${String(r.error)}`);
        }
      });
      expect(failed, `call ${nth}`).toBeGreaterThan(0);
    }
  });

  it('settles every request when the handle closes during a send, and leaks no descriptor', async () => {
    const { ns } = t();
    const oif = await setup();
    const fds = openFdCount();
    const h = Handle.open({ netns: ns });
    const b = h.batch();
    for (let i = 0; i < 20_000; i++) b.routeAdd({ dst: prefix(i), gw: GW, linkIndex: oif });
    const committed = b.commit({ window: 256 });
    while (asyncCallsInFlight() === 0) await new Promise((r) => setImmediate(r));
    h.close();
    const results = await committed;
    expect(results).toHaveLength(20_000);
    // Requests of the datagram in flight (and later ones) fail with HandleClosedError: the
    // kernel may still have applied those in flight, which the caller cannot learn from a
    // closed socket. Everything before succeeded.
    const firstFailed = results.findIndex((r) => !r.ok);
    expect(firstFailed).toBeGreaterThanOrEqual(0);
    expect(results.slice(0, firstFailed).every((r) => r.ok)).toBe(true);
    expect(results.slice(firstFailed).every((r) => !r.ok && (r.error as Error).name === 'HandleClosedError')).toBe(true);
    while (asyncCallsInFlight() > 0) await new Promise((r) => setTimeout(r, 1));
    expect(openFdCount()).toBe(fds);
    // The namespace's table is intact and readable from a new handle.
    const again = Handle.open({ netns: ns });
    try {
      const routes = (await again.routeList({ family: 'inet', table: 'main' })).filter((r) => r.gw === GW);
      expect(routes.length).toBeGreaterThanOrEqual(firstFailed);
      expect(routes.length).toBeLessThanOrEqual(20_000);
    } finally {
      again.close();
    }
  });
});
