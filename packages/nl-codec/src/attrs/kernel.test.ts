/// <reference types="node" />
// Real kernel output (6.18) for the kinds and families the overlay adds: see
// test-support/kernel/README.md for how it was captured.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bodyCodecForType } from '../body.js';
import { decodeBody, encodeBody, splitMessages, toHexString, viewOf } from './test-support/fixtures.js';

const dir = fileURLToPath(new URL('./test-support/kernel/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.bin')).sort();

function bodies(file: string): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  for (const m of splitMessages(new Uint8Array(readFileSync(dir + file)))) {
    const c = bodyCodecForType(viewOf(m).getUint16(4, true));
    if (c !== undefined) out.push(decodeBody(c, m));
  }
  return out;
}

function metadataKeys(v: unknown, path = '', out: string[] = []): string[] {
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('$')) out.push(`${path}.${k}`);
      metadataKeys(x, `${path}.${k}`, out);
    }
  }
  return out;
}

describe('kernel 6.18 dumps', () => {
  it.each(files)('%s: every body decodes without metadata and re-encodes byte-exact', (file) => {
    let n = 0;
    for (const m of splitMessages(new Uint8Array(readFileSync(dir + file)))) {
      const c = bodyCodecForType(viewOf(m).getUint16(4, true));
      if (c === undefined) continue;
      const body = decodeBody(c, m);
      expect(metadataKeys(body), file).toEqual([]);
      expect(toHexString(encodeBody(c, body))).toBe(toHexString(m.subarray(16)));
      n++;
    }
    expect(n).toBeGreaterThan(0);
  });

  const links = new Map(bodies('link.bin').map((b) => [b.attrs.ifname as string, b.attrs]));

  it('decodes vxlan, macvlan, macvtap, tun, ifb and bridge-port link data', () => {
    expect(links.get('vx0')!.linkinfo.data).toMatchObject({ id: 42, local: '192.0.2.1', group: '192.0.2.2', ttl: 5, port: 4789, df: 'unset' });
    expect(links.get('vx6')!.linkinfo.data).toMatchObject({ id: 43, local6: '2001:db8::1', group6: 'ff05::1', port: 4790 });
    expect(links.get('mv0')!.linkinfo).toMatchObject({ kind: 'macvlan', data: { mode: 'bridge', flags: [] } });
    expect(links.get('mvt0')!.linkinfo).toMatchObject({ kind: 'macvtap', data: { mode: 'vepa' } });
    expect(links.get('tap0')!.linkinfo).toMatchObject({ kind: 'tun', data: { type: 2, 'multi-queue': 1, persist: 1 } });
    expect(links.get('ifb0')!.linkinfo).toEqual({ kind: 'ifb' });
    expect(links.get('va')!.linkinfo).toMatchObject({ kind: 'veth', 'slave-kind': 'bridge', 'slave-data': { cost: 2, learning: 1 } });
  });

  it('decodes the big-endian fields the kernel spec types as host order (overlay)', () => {
    // By their bytes: this kernel has no geneve driver and no CONFIG_BRIDGE_VLAN_FILTERING
    // (without it, br_fill_info sends no IFLA_BR_VLAN_PROTOCOL).
    const c = bodyCodecForType(16)!;
    const roundTrip = (kind: string, data: Record<string, unknown>, wire: string) => {
      const body = { 'ifi-family': 0, 'ifi-type': 0, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0, attrs: { ifname: 'x0', linkinfo: { kind, data } } };
      const bytes = new Uint8Array(16 + c.measure(body));
      c.write(body, bytes, viewOf(bytes), 16);
      expect(toHexString(bytes)).toContain(wire);
      expect(decodeBody(c, bytes)).toEqual(body);
    };
    // IFLA_BR_VLAN_PROTOCOL (type 8): nla_put_be16(ETH_P_8021AD) is bytes 88 a8.
    roundTrip('bridge', { 'vlan-protocol': '8021ad' }, '0600080088a80000');
    roundTrip('bridge', { 'vlan-protocol': '8021q' }, '0600080081000000');
    roundTrip('bridge', { 'vlan-protocol': 0x1234 }, '0600080012340000'); // not a named protocol: a number
    // IFLA_GENEVE_REMOTE (type 2): nla_put_in_addr, the IPv4 address in network order.
    roundTrip('geneve', { id: 5, remote: '192.0.2.1' }, '08000200c0000201');
    // IFLA_IPTUN_6RD_RELAY_PREFIX (type 12) of a sit tunnel, likewise.
    roundTrip('sit', { '6rd-relay-prefix': '192.0.2.0' }, '08000c00c0000200');
    // IFA_BROADCAST (type 4, inet_fill_ifaddr: nla_put_in_addr): an address, like IFA_LOCAL.
    const a = bodyCodecForType(20)!;
    const addr = { 'ifa-family': 2, 'ifa-prefixlen': 24, 'ifa-flags': [], 'ifa-scope': 0, 'ifa-index': 3, attrs: { local: '192.0.2.1', broadcast: '192.0.2.255' } };
    const bytes = new Uint8Array(16 + a.measure(addr));
    a.write(addr, bytes, viewOf(bytes), 16);
    expect(toHexString(bytes)).toContain('08000400c00002ff');
    expect(decodeBody(a, bytes)).toEqual(addr);
  });

  it('decodes IFLA_INET6_CONF as the __s32 array and IFLA_INET6_TOKEN as an address (overlay)', () => {
    // ipv6_store_devconf fills an __s32 array: rtr_solicits (DEVCONF_RTR_SOLICITS = 7) is -1,
    // "unlimited", by default. The token is a struct in6_addr, unset here.
    const inet6 = links.get('vx0')!['af-spec'].inet6;
    expect(inet6.conf[7]).toBe(-1);
    expect(inet6.conf.every((x: unknown) => Number.isInteger(x) && (x as number) >= -(2 ** 31) && (x as number) < 2 ** 31)).toBe(true);
    expect(inet6.token).toBe('::');
    // By their bytes, a set token and a negative sysctl round-trip exactly.
    const c = bodyCodecForType(16)!;
    const body = {
      'ifi-family': 0, 'ifi-type': 0, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0,
      attrs: { 'af-spec': { inet6: { conf: [1, -1, 2147483647, -2147483648], token: '::1:2:3:4' } } },
    };
    const bytes = new Uint8Array(16 + c.measure(body));
    c.write(body, bytes, viewOf(bytes), 16);
    expect(toHexString(bytes)).toContain('1400070000000000000000000001000200030004');
    expect(toHexString(bytes)).toContain('01000000ffffffffffffff7f00000080');
    expect(decodeBody(c, bytes)).toEqual(body);
  });

  it('decodes protinfo by family: bridge port options (AF_BRIDGE), inet6 (AF_INET6)', () => {
    const port = bodies('brlink.bin').find((b) => b.attrs.ifname === 'va')!;
    expect(port['ifi-family']).toBe(7);
    expect(port.attrs.protinfo).toMatchObject({ state: 3, cost: 2 });
    const v6 = bodies('link6.bin').find((b) => b.attrs.ifname === 'br0')!;
    expect(v6.attrs.protinfo).toMatchObject({ flags: expect.any(Number), cacheinfo: expect.any(Object) });
  });

  it('decodes multipath routes, nexthops, rules and offload stats', () => {
    const mp = bodies('route.bin').find((b) => b.attrs.dst === '198.51.100.0')!;
    expect(mp.attrs.multipath.map((h: any) => [h.attrs.gateway, h['rtnh-hops']])).toEqual([['192.0.2.1', 1], ['192.0.2.2', 0]]);
    const v6 = bodies('route.bin').find((b) => b.attrs.dst === '2001:db8:1::')!;
    expect(v6.attrs).toMatchObject({ gateway: '2001:db8::1', priority: 5 });
    const group = bodies('nexthop.bin').find((b) => b.attrs.id === 2)!;
    expect(group.attrs.group).toEqual([{ id: 1, weight: 0, 'weight-high': 0 }]);
    const rule = bodies('rule.bin').find((b) => b.attrs.priority === 1000)!;
    expect(rule).toMatchObject({ family: 2, 'src-len': 24, action: 'to-tbl', attrs: { src: '198.51.100.0', table: 100 } });
    const stats = bodies('stats.bin').find((b) => b.attrs['link-offload-xstats'] !== undefined)!;
    expect(stats.attrs['link-offload-xstats']['hw-s-info']).toEqual({ 'l3-stats': { request: 0, used: 0 } });
  });
});
