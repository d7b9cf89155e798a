/**
 * Every dump has a streaming form (`linkListStream`, `addrListStream`, `routeListStream`,
 * `neighListStream`) taking the same filter as its list form: each must yield what the list
 * gives, in the same order, and leave the handle usable and no fd behind when left early.
 * Fields that move between two dumps by themselves (link counters, neighbour timestamps) are
 * left out of the comparison.
 */
import type { Addr, Handle, Link, Neigh, Route } from '@nlkit/rtnl';
import { isDeepStrictEqual } from 'node:util';
import { expect, it } from 'vitest';
import { describeKernel, openFdCount, useTestNetns } from './fixtures/netns.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * The stream's items and the list's, compared through `view`. The kernel changes a few entries
 * by itself shortly after a link comes up (link-watch state, IGMP/MLD multicast neighbours), so
 * a difference is taken again, up to three times: one that persists is nlkit's.
 */
async function expectSame<T>(what: string, stream: () => AsyncIterable<T>, list: () => Promise<T[]>, view: (x: T) => unknown = (x) => x): Promise<T[]> {
  for (let attempt = 1; ; attempt++) {
    const streamed = await collect(stream());
    const listed = await list();
    const a = streamed.map(view);
    const b = listed.map(view);
    if (attempt < 3 && !isDeepStrictEqual(a, b)) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    expect(a, what).toEqual(b);
    expect(streamed.length, `${what}: something to compare`).toBeGreaterThan(0);
    return streamed;
  }
}

const linkView = (l: Link) => ({ index: l.index, name: l.name, kind: l.kind, flags: l.flags, mtu: l.mtu, operState: l.operState, hardwareAddr: l.hardwareAddr, masterIndex: l.masterIndex, parentIndex: l.parentIndex, txQLen: l.txQLen, group: l.group, alias: l.alias });
const neighView = (n: Neigh) => {
  const { cacheinfo: _moving, ...rest } = n as Neigh & { cacheinfo?: unknown };
  return rest;
};
const permanent = (n: Neigh) => n.state.includes('permanent');

/** A namespace with several of each object: two bridges, a veth pair, addresses of both families, routes, neighbours. */
async function populate(h: Handle): Promise<{ br0: Link; br1: Link; v0: Link }> {
  const br0 = await h.linkAdd({ kind: 'bridge', name: 'br0', up: true });
  const br1 = await h.linkAdd({ kind: 'bridge', name: 'br1' });
  const v0 = await h.linkAdd({ kind: 'veth', name: 'v0', peer: { name: 'v1' } });
  await h.linkSetMaster('v1', br1);
  for (let i = 1; i <= 30; i++) await h.addrAdd(br0, `192.0.2.${i}/32`);
  await h.addrAdd(br0, '198.51.100.1/24');
  for (let i = 1; i <= 10; i++) await h.addrAdd(v0, { address: `2001:db8::${i}/128`, flags: ['nodad'] });
  await h.addrAdd(v0, '203.0.113.1/24');
  for (let i = 0; i < 40; i++) await h.routeAdd({ dst: `10.${i}.0.0/16`, gw: '198.51.100.2', linkIndex: br0.index });
  for (let i = 0; i < 5; i++) await h.routeAdd({ dst: `10.${100 + i}.0.0/16`, gw: '198.51.100.3', linkIndex: br0.index, table: 100 });
  for (let i = 10; i < 50; i++) await h.neighAdd({ link: br0, ip: `198.51.100.${i}`, hardwareAddr: `02:00:00:00:01:${i.toString(16).padStart(2, '0')}` });
  for (let i = 1; i <= 5; i++) await h.neighAdd({ link: v0, ip: `2001:db8:1::${i}`, hardwareAddr: `02:00:00:00:02:0${i}` });
  return { br0, br1, v0 };
}

describeKernel('streaming dumps', () => {
  const t = useTestNetns();

  it('yield what the list forms give, in the same order, with every filter', async () => {
    const { h } = t();
    const { br0, br1, v0 } = await populate(h);

    for (const [label, filter] of [['all', undefined], ['kind veth', { kind: 'veth' }], ['ports of br1', { master: br1 }], ['ports of br1 by name (a lookup first)', { master: 'br1' }]] as const) {
      await expectSame(`links: ${label}`, () => h.linkListStream(filter), () => h.linkList(filter), linkView);
    }

    for (const [label, link, options] of [['all', undefined, undefined], ['br0 inet', br0, { family: 'inet' }], ['v0 inet6', v0, { family: 'inet6' }], ['inet6', undefined, { family: 'inet6' }], ['v0 by name', 'v0', undefined]] as const) {
      await expectSame<Addr>(`addresses: ${label}`, () => h.addrListStream(link, options), () => h.addrList(link, options));
    }
    expect((await collect(h.addrListStream(br0, { family: 'inet' }))).length).toBe(31);

    for (const [label, filter] of [['inet', { family: 'inet' }], ['table 100', { family: 'inet', table: 100 }], ['all tables', { table: 'all' }], ['out of br0', { family: 'inet', link: br0 }]] as const) {
      await expectSame<Route>(`routes: ${label}`, () => h.routeListStream(filter), () => h.routeList(filter));
    }
    expect((await collect(h.routeListStream({ family: 'inet', table: 100 }))).length).toBe(5);

    for (const [label, filter] of [['all', undefined], ['br0', { link: br0 }], ['v0 inet6', { link: v0, family: 'inet6' }], ['br0 by name', { link: 'br0' }]] as const) {
      await expectSame<Neigh>(`neighbours: ${label}`, () => h.neighListStream(filter), () => h.neighList(filter), neighView);
    }
    expect((await collect(h.neighListStream({ link: br0 }))).filter(permanent).length).toBe(40);
  });

  it('end on break after the first item, each with its socket closed, and leave the handle usable', async () => {
    const { h } = t();
    const { br0 } = await populate(h);
    const fds = openFdCount();
    const streams: [string, () => AsyncIterable<unknown>][] = [
      ['linkListStream', () => h.linkListStream()],
      ['addrListStream', () => h.addrListStream(undefined, { family: 'inet' })],
      ['routeListStream', () => h.routeListStream({ family: 'inet' })],
      ['neighListStream', () => h.neighListStream({ link: br0 })],
    ];
    for (const [name, open] of streams) {
      let n = 0;
      for await (const _ of open()) if (++n === 1) break;
      expect(n, name).toBe(1);
      expect(openFdCount(), `${name}: its socket is closed`).toBe(fds);
      // The handle answers at once, and a full list afterwards is complete.
      expect((await h.linkByIndex(br0.index)).name, name).toBe('br0');
      expect((await h.neighList({ link: br0 })).filter(permanent).length, name).toBe(40);
    }
  });
});
