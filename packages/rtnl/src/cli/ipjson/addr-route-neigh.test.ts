/**
 * The addr/route/neigh printers fed with the kernel's replies recorded in the vectors must print
 * what `ip -j` printed in the same run (`ip_json`), keys and key order included.
 */
import { describe, expect, it } from 'vitest';
import { addrFromMessage } from '../../addr.js';
import { neighFromMessage } from '../../neigh.js';
import { routeFromMessage } from '../../route.js';
import { received, vector } from '../../test-support/iproute2-vectors.js';
import { addrInfoIpJson } from './addr.js';
import { neighIpJson } from './neigh.js';
import { routeIpJson, routeText } from './route.js';

const keyOrder = (x: unknown): unknown =>
  Array.isArray(x) ? x.map(keyOrder) : x && typeof x === 'object' ? Object.entries(x).map(([k, v]) => [k, keyOrder(v)]) : null;

const names = (i: number): string | undefined => ({ 1: 'lo', 2: 'br0' })[i];

describe('ip -j printers reproduce the vectors', () => {
  it('route_show_table_all: every IPv4 route, -d, table all', () => {
    const v = vector('route_show_table_all');
    const routes = received(v)
      .filter((m) => m.header.type === 'RTM_NEWROUTE' && m['rtm-family'] === 2)
      .map(routeFromMessage);
    const ours = routes.map((r) => routeIpJson(r, { details: true, linkName: names }));
    expect(ours).toEqual(v.ip_json);
    expect(keyOrder(ours)).toEqual(keyOrder(v.ip_json));
  });

  it('route_show_dump: main table, no details (boot/global/main left out)', () => {
    const v = vector('route_show_dump');
    const routes = received(v).filter((m) => m.header.type === 'RTM_NEWROUTE').map(routeFromMessage);
    const ours = routes.map((r) => routeIpJson(r, { details: false, linkName: names, omitTable: true }));
    expect(ours).toEqual([
      { dst: '10.1.0.0/24', dev: 'lo', scope: 'link', flags: [] },
      { dst: '10.2.0.0/24', gateway: '10.0.0.2', dev: 'lo', flags: [] },
    ]);
    // And the text form is exactly what ip printed, the trailing space of each line included.
    const text = routes.map((r) => routeText(r, { details: false, linkName: names, omitTable: true }));
    expect(text).toEqual((v as unknown as { stdout: string }).stdout.replace(/\n$/, '').split('\n'));
  });

  it.each(['neigh_show', 'neigh_get'])('%s: ip -j -d neigh show', (name) => {
    const v = vector(name);
    const list = received(v).filter((m) => m.header.type === 'RTM_NEWNEIGH').map(neighFromMessage);
    const ours = list.map((n) => neighIpJson(n, { linkName: names }));
    expect(ours).toEqual(v.ip_json);
    expect(keyOrder(ours)).toEqual(keyOrder(v.ip_json));
  });

  it('addr_show_dump: every addr_info entry of ip -j -d addr show', () => {
    const v = vector('addr_show_dump');
    const addrs = received(v).filter((m) => m.header.type === 'RTM_NEWADDR').map(addrFromMessage);
    const json = v.ip_json as Array<{ ifindex: number; addr_info: unknown[] }>;
    for (const link of json) {
      const ours = addrs.filter((a) => a.linkIndex === link.ifindex).map(addrInfoIpJson);
      expect(ours).toEqual(link.addr_info);
      expect(keyOrder(ours)).toEqual(keyOrder(link.addr_info));
    }
  });
});
