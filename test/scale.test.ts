/**
 * Full-table behaviour at a smaller size (20,000 routes, untimed): every inserted route comes
 * back exactly once from the array and the streaming dump, `break` ends a stream and leaves the
 * handle usable, and a batch reports exactly the requests that failed and applies the rest.
 */
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns, openFdCount } from './fixtures/netns.js';
import { GW, prefix, routeTableLinks } from './fixtures/routes.js';

const R = 20_000;

describeKernel('route tables at scale', () => {
  const t = useTestNetns();

  const setup = () => routeTableLinks(t());

  it('inserts 20,000 routes in a batch and gets each back exactly once, as an array and as a stream', async () => {
    const { h } = t();
    const oif = await setup();
    const b = h.batch();
    for (let i = 0; i < R; i++) b.routeAdd({ dst: prefix(i), gw: GW, linkIndex: oif });
    expect(b.size).toBe(R);
    const results = await b.commit({ window: 256 });
    expect(results).toHaveLength(R);
    expect(results.filter((r) => !r.ok)).toEqual([]);

    const expected = new Set(Array.from({ length: R }, (_, i) => prefix(i)));
    const seen = new Map<string, number>();
    for (const r of await h.routeList({ family: 'inet', table: 'main' })) {
      if (r.gw === GW) seen.set(r.dst!, (seen.get(r.dst!) ?? 0) + 1);
    }
    expect(seen.size).toBe(R);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect([...seen.keys()].every((d) => expected.has(d))).toBe(true);

    const streamed = new Map<string, number>();
    for await (const r of h.routeListStream({ family: 'inet', table: 'main' })) {
      if (r.gw === GW) streamed.set(r.dst!, (streamed.get(r.dst!) ?? 0) + 1);
    }
    expect(streamed).toEqual(seen);
  });

  it('lets timers run during a dump of 20,000 routes, as an array and as a stream', async () => {
    // The kernel has the next part of a dump ready at every read, so nothing but the library's
    // own yielding gives the event loop a turn before the dump ends (~10 ms here, a 1 ms slice).
    const { h } = t();
    const oif = await setup();
    const b = h.batch();
    for (let i = 0; i < R; i++) b.routeAdd({ dst: prefix(i), gw: GW, linkIndex: oif });
    expect((await b.commit({ window: 256 })).every((r) => r.ok)).toBe(true);

    let fired = false;
    setTimeout(() => (fired = true), 0);
    const list = await h.routeList({ family: 'inet', table: 'main' });
    expect(list.length).toBeGreaterThan(R);
    expect(fired).toBe(true);

    let items = 0;
    let itemsWhenFired = -1;
    setTimeout(() => (itemsWhenFired = items), 0);
    for await (const _ of h.routeListStream({ family: 'inet', table: 'main' })) items++;
    expect(items).toBe(list.length);
    expect(itemsWhenFired).toBeGreaterThanOrEqual(0);
    expect(itemsWhenFired).toBeLessThan(items);
  });

  it('runs windows larger than one datagram holds, and deletes in a batch too', async () => {
    const { h } = t();
    const oif = await setup();
    const n = 12_000;
    const add = h.batch();
    // ~60 bytes a route: a window of 5,000 spans several 64 KB datagrams.
    for (let i = 0; i < n; i++) add.routeAdd({ dst: prefix(i), gw: GW, linkIndex: oif });
    const added = await add.commit({ window: 5000 });
    expect(added.filter((r) => !r.ok)).toEqual([]);
    expect((await h.routeList({ family: 'inet', table: 'main' })).filter((r) => r.gw === GW)).toHaveLength(n);
    const del = h.batch();
    for (let i = 0; i < n; i++) del.routeDel({ dst: prefix(i), gw: GW, linkIndex: oif });
    del.routeDel({ dst: prefix(n + 1), gw: GW, linkIndex: oif }); // never added: ESRCH, alone
    const deleted = await del.commit({ window: 5000 });
    expect(deleted.slice(0, n).every((r) => r.ok)).toBe(true);
    expect(deleted[n]).toMatchObject({ ok: false, error: { code: 'ESRCH' } });
    expect((await h.routeList({ family: 'inet', table: 'main' })).filter((r) => r.gw === GW)).toHaveLength(0);
  });

  it('ends a stream on break, closes its socket and leaves the handle usable', async () => {
    const { h } = t();
    const oif = await setup();
    const b = h.batch();
    for (let i = 0; i < 5000; i++) b.routeAdd({ dst: prefix(i), gw: GW, linkIndex: oif });
    await b.commit();
    const fds = openFdCount();
    let n = 0;
    for await (const r of h.routeListStream({ family: 'inet', table: 'main' })) {
      void r;
      if (++n === 10) break;
    }
    expect(n).toBe(10);
    expect(openFdCount()).toBe(fds);
    // The handle still answers, and a new dump is complete.
    expect((await h.linkByName('sa')).index).toBe(oif);
    expect((await h.routeList({ family: 'inet', table: 'main' })).filter((r) => r.gw === GW)).toHaveLength(5000);
  });

  it('does not let a paused stream block other requests on the handle', async () => {
    const { h } = t();
    const oif = await setup();
    const b = h.batch();
    for (let i = 0; i < 3000; i++) b.routeAdd({ dst: prefix(i), gw: GW, linkIndex: oif });
    await b.commit();
    const it = h.routeListStream({ family: 'inet', table: 'main' })[Symbol.asyncIterator]();
    await it.next(); // the stream is now paused mid-dump
    const links = await h.linkList();
    expect(links.map((l) => l.name)).toContain('sa');
    const routes = await h.routeList({ family: 'inet', table: 'main' });
    expect(routes.filter((r) => r.gw === GW)).toHaveLength(3000);
    let rest = 1;
    for (let r = await it.next(); !r.done; r = await it.next()) rest++;
    expect(rest).toBeGreaterThanOrEqual(3000);
  });

  it('reports exactly the failing requests of a batch and applies the rest', async () => {
    const { h } = t();
    const oif = await setup();
    await h.routeAdd({ dst: prefix(5), gw: GW, linkIndex: oif });
    const b = h.batch();
    const bad = new Map<number, string>();
    for (let i = 0; i < 1000; i++) {
      if (i === 5) {
        b.routeAdd({ dst: prefix(5), gw: GW, linkIndex: oif }); // duplicate: EEXIST
        bad.set(i, 'EEXIST');
      } else if (i % 250 === 7) {
        b.routeAdd({ dst: prefix(i), gw: '203.0.113.9', linkIndex: oif }); // gateway not on link
        bad.set(i, 'ENETUNREACH');
      } else {
        b.routeAdd({ dst: prefix(i), gw: GW, linkIndex: oif });
      }
    }
    const results = await b.commit({ window: 64 });
    results.forEach((r, i) => {
      if (bad.has(i)) {
        expect(r.ok, `request ${i}`).toBe(false);
        expect((r as { error: { code: string } }).error.code).toBe(bad.get(i));
      } else {
        expect(r.ok, `request ${i}`).toBe(true);
      }
    });
    const present = new Set((await h.routeList({ family: 'inet', table: 'main' })).filter((r) => r.gw === GW).map((r) => r.dst));
    for (let i = 0; i < 1000; i++) expect(present.has(prefix(i)), prefix(i)).toBe(!bad.has(i) || i === 5);
  });

  it('resolves links given by name inside a batch (a lookup round, then the change)', async () => {
    const { h } = t();
    await setup();
    const b = h.batch();
    b.linkSetMTU('sa', 9000);
    b.linkSetMTU('sb', 9000);
    b.linkSetMTU('nosuchlink', 9000);
    const [a, c, missing] = await b.commit();
    expect(a!.ok && c!.ok).toBe(true);
    expect(missing!.ok).toBe(false);
    expect((await h.linkByName('sa')).mtu).toBe(9000);
  });
});

describeKernel('batches of large replies', () => {
  const t = useTestNetns();

  it('creates 300 veth pairs in one batch with the default window and buffer (each reply echoes a whole link)', async () => {
    const { h } = t();
    const b = h.batch();
    for (let i = 0; i < 300; i++) b.linkAdd({ kind: 'veth', name: `bv${i}`, peer: { name: `bp${i}` } });
    const results = await b.commit();
    expect(results.filter((r) => !r.ok).map((r) => String((r as { error: unknown }).error))).toEqual([]);
    expect(new Set(results.map((r) => (r as { value: { name: string } }).value.name)).size).toBe(300);
    expect((await h.linkList({ kind: 'veth' })).length).toBe(600);
  });
});
