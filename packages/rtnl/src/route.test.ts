import { decode, encode } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { NetlinkError } from './errors.js';
import { Handle } from './handle.js';
import { parseRouteSpec, routeFromMessage, routeMessage, type Route } from './route.js';
import { FakeKernel, noKernelHandle } from './test-support/fake-kernel.js';
import { compareRequest, normalHex, received, replayHandle, sentOfType, vector, vectorNames } from './test-support/iproute2-vectors.js';



describe('route requests match what iproute2 sends', () => {
  it.each([
    ['route_add_dev', 'RTM_NEWROUTE', (h: Handle) => h.routeAdd({ dst: '10.1.0.0/24', link: 1 })],
    ['route_add_gw', 'RTM_NEWROUTE', (h: Handle) => h.routeAdd({ dst: '10.2.0.0/24', gw: '10.0.0.2' })],
    [
      'route_add_metric_table_proto',
      'RTM_NEWROUTE',
      (h: Handle) => h.routeAdd({ dst: '10.3.0.0/24', link: 1, priority: 100, table: 100, protocol: 'static' }),
    ],
    ['route_add_scope_link', 'RTM_NEWROUTE', (h: Handle) => h.routeAdd({ dst: '10.4.0.0/24', link: 1, scope: 'link' })],
    ['route_add_src', 'RTM_NEWROUTE', (h: Handle) => h.routeAdd({ dst: '10.10.0.0/24', link: 1, src: '10.0.0.1' })],
    ['route_add_unreachable', 'RTM_NEWROUTE', (h: Handle) => h.routeAdd({ dst: '10.8.0.0/24', type: 'unreachable' })],
    ['route_replace', 'RTM_NEWROUTE', (h: Handle) => h.routeReplace({ dst: '10.1.0.0/24', gw: '10.0.0.2' })],
    ['route_del', 'RTM_DELROUTE', (h: Handle) => h.routeDel({ dst: '10.1.0.0/24', link: 1 })],
    ['route_err_esrch', 'RTM_DELROUTE', (h: Handle) => h.routeDel({ dst: '10.99.0.0/24' })],
    ['route_show_dump', 'RTM_GETROUTE', (h: Handle) => h.routeList({ family: 'inet' })],
    ['route_show_table_all', 'RTM_GETROUTE', (h: Handle) => h.routeList({ table: 'all' })],
  ])('%s', async (name, type, op) => {
    const [ours, theirs] = await compareRequest(name, type, op);
    expect(ours).toBe(theirs);
  });

  it('route_get: the same lookup as `ip route get` (we also ask for an ACK)', async () => {
    const [ours, theirs] = await compareRequest('route_get', 'RTM_GETROUTE', (h) => h.routeGet('10.1.0.5'));
    // Header flags differ by design: iproute2 sends REQUEST only, the engine adds ACK.
    expect(ours.slice(0, 12) + ours.slice(16)).toBe(theirs.slice(0, 12) + theirs.slice(16));
  });

  it('puts a table id above 255 in RTA_TABLE with rtm_table 0', () => {
    const m = routeMessage('RTM_NEWROUTE', [], parseRouteSpec({ dst: '198.51.100.0/24', gw: '192.0.2.1', table: 1000 }), undefined);
    expect(m['rtm-table']).toBe(0);
    expect((m.attrs as Record<string, unknown>).table).toBe(1000);
    const r = routeFromMessage(decode(encode(m))[0]!);
    expect(r.table).toBe(1000);
  });

  it('encodes multipath next hops with weight = hops + 1 and lifts them back', () => {
    const p = parseRouteSpec({
      dst: '203.0.113.128/25',
      multipath: [
        { gw: '192.0.2.1', linkIndex: 3, weight: 2 },
        { gw: '192.0.2.3', linkIndex: 3, weight: 1, flags: ['onlink'] },
      ],
    });
    const m = routeMessage('RTM_NEWROUTE', [], p, undefined, [3, 3]);
    const r = routeFromMessage(decode(encode(m))[0]!);
    expect(r.multipath).toEqual([
      { gw: '192.0.2.1', linkIndex: 3, weight: 2, flags: [] },
      { gw: '192.0.2.3', linkIndex: 3, weight: 1, flags: ['onlink'] },
    ]);
    expect(m['rtm-scope']).toBe(0);
  });

  it('encodes metrics into RTA_METRICS and lifts them back', () => {
    const p = parseRouteSpec({ dst: '198.51.100.0/24', linkIndex: 2, metrics: { mtu: 1400, advmss: 1300, congctl: 'cubic' } });
    const r = routeFromMessage(decode(encode(routeMessage('RTM_NEWROUTE', [], p, 2)))[0]!);
    expect(r.metrics).toEqual({ mtu: 1400, advmss: 1300, congctl: 'cubic' });
  });

  it('encodes an IPv6 route with an IPv6 gateway and a cross-family RTA_VIA', () => {
    const v6 = routeFromMessage(decode(encode(routeMessage('RTM_NEWROUTE', [], parseRouteSpec({ dst: '2001:db8:1::/64', gw: '2001:db8::1' }), 2)))[0]!);
    expect(v6).toMatchObject({ family: 'inet6', dst: '2001:db8:1::/64', gw: '2001:db8::1', linkIndex: 2 });
    const via = routeFromMessage(decode(encode(routeMessage('RTM_NEWROUTE', [], parseRouteSpec({ dst: '198.51.100.0/24', via: 'fe80::1' }), 2)))[0]!);
    expect(via).toMatchObject({ family: 'inet', via: { family: 'inet6', address: 'fe80::1' } });
  });

  it('takes the default route as dst undefined or "default", with dst_len 0', () => {
    const m = routeMessage('RTM_NEWROUTE', [], parseRouteSpec({ dst: 'default', gw: '192.0.2.1' }), undefined);
    expect(m['rtm-dst-len']).toBe(0);
    expect((m.attrs as Record<string, unknown>).dst).toBeUndefined();
    expect(routeFromMessage(decode(encode(m))[0]!).dst).toBeUndefined();
  });
});

describe('route errors', () => {
  it('surfaces EEXIST on a duplicate route', async () => {
    const { h } = replayHandle(vector('route_err_eexist'), 'RTM_NEWROUTE');
    try {
      await expect(h.routeAdd({ dst: '10.1.0.0/24', link: 1 })).rejects.toMatchObject({ code: 'EEXIST', errno: -17 });
    } finally {
      h.close();
    }
  });

  it('surfaces ESRCH deleting a missing route', async () => {
    const { h } = replayHandle(vector('route_err_esrch'), 'RTM_DELROUTE');
    try {
      const err = await h.routeDel({ dst: '10.99.0.0/24' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err).toMatchObject({ code: 'ESRCH', request: 'RTM_DELROUTE' });
    } finally {
      h.close();
    }
  });

  it.each([
    [{ dst: '192.0.2.300/24' }, /dst: invalid IPv4 address/],
    [{ dst: '192.0.2.0/33' }, /prefix length 33/],
    [{ dst: '10.1.0.5/24', link: 1 }, /host bits/],
    [{ dst: '10.1.0.0/24', gw: '2001:db8::1' }, /gw: "2001:db8::1" is not an IPv4 address/],
    [{ dst: '10.1.0.0/24', link: 1, table: 'nosuchtable' }, /table: unknown name/],
    [{ dst: '10.1.0.0/24', link: 1, protocol: 300 }, /protocol must be an integer 0-255/],
    [{ dst: '10.1.0.0/24', link: 1, metrics: { mtuu: 1 } }, /unknown metric "mtuu"/],
    [{ dst: '10.1.0.0/24', multipath: [{ gw: '10.0.0.2', weight: 0 }] }, /multipath\[0\]\.weight/],
    [{ dst: '10.1.0.0/24', link: 1, flags: ['sideways'] }, /unknown route flag "sideways"/],
    [{ dst: '10.1.0.0/24', link: 1, type: 'wormhole' }, /type: unknown name/],
  ])('rejects %j before any system call', async (spec, message) => {
    const { h, kernel } = noKernelHandle();
    try {
      await expect(h.routeAdd(spec as never)).rejects.toThrow(message);
      expect(kernel.sent).toHaveLength(0);
    } finally {
      h.close();
    }
  });

  it('rejects a prefix given to routeGet', async () => {
    const { h, kernel } = noKernelHandle();
    try {
      await expect(h.routeGet('10.0.0.0/8')).rejects.toThrow(/an address, not a prefix/);
      expect(kernel.sent).toHaveLength(0);
    } finally {
      h.close();
    }
  });
});

describe('routes lifted from the kernel', () => {
  it('lifts `ip route show table all` and agrees with ip -j -d', async () => {
    const v = vector('route_show_table_all');
    const { h } = replayHandle(v, 'RTM_GETROUTE');
    let routes: Route[];
    try {
      routes = await h.routeList({ table: 'all' });
    } finally {
      h.close();
    }
    const v4 = routes.filter((r) => r.family === 'inet');
    const json = v.ip_json as Array<Record<string, unknown>>;
    expect(v4).toHaveLength(json.length);
    for (let i = 0; i < json.length; i++) {
      const j = json[i]!;
      const r = v4[i]!;
      expect(r.type).toBe(j.type);
      expect(r.dst!.replace(/\/32$/, '')).toBe(j.dst);
      expect(String(r.protocol)).toBe(j.protocol);
      expect(r.scope).toBe(j.scope);
      expect(r.gw).toBe(j.gateway);
      expect(r.src).toBe(j.prefsrc);
      expect(r.priority).toBe(j.metric);
      const table = { 254: 'main', 255: 'local' }[r.table] ?? String(r.table);
      expect(table).toBe(j.table);
      expect(r.linkIndex).toBe(1);
    }
  });

  it('routeGet lifts the kernel answer', async () => {
    const { h } = replayHandle(vector('route_get'), 'RTM_GETROUTE');
    try {
      const r = await h.routeGet('10.1.0.5');
      expect(r).toMatchObject({ dst: '10.1.0.5/32', src: '10.0.0.1', linkIndex: 1, table: 254, type: 'unicast', family: 'inet', uid: 0 });
      expect(r.flags).toContain('cloned');
    } finally {
      h.close();
    }
  });

  it('lifts IPv6 routes with their preference', () => {
    const v6 = received(vector('route_show_table_all')).filter((m) => m.header.type === 'RTM_NEWROUTE' && m['rtm-family'] === 10);
    expect(v6.length).toBeGreaterThan(0);
    const r = routeFromMessage(v6[0]!);
    expect(r).toMatchObject({ family: 'inet6', dst: '::1/128', type: 'local', table: 255, priority: 0, pref: 'medium', protocol: 'kernel' });
  });
});

describe('listed objects passed back', () => {
  it('accepts a Route from a dump as a routeDel/routeReplace spec, dropping state-only flags', () => {
    const m = received(vector('route_show_table_all')).find((x) => x.header.type === 'RTM_NEWROUTE' && x['rtm-family'] === 2)!;
    const listed = { ...routeFromMessage(m), flags: ['onlink', 'linkdown', 'offload', 'rt_trap'] as Route['flags'], via: { family: 'inet6' as const, address: 'fe80::1' } };
    const msg = routeMessage('RTM_DELROUTE', [], parseRouteSpec(listed), listed.linkIndex);
    expect(msg['rtm-flags']).toBe(0x4);
    expect(routeFromMessage(decode(encode(msg))[0]!)).toMatchObject({ dst: listed.dst, table: listed.table, via: { family: 'inet6', address: 'fe80::1' } });
  });
});

describe('every route the kernel sent in the vectors', () => {
  it('lifts into a Route whose destination re-encodes to the same bytes', () => {
    let n = 0;
    for (const name of vectorNames('route')) {
      for (const m of received(vector(name))) {
        if (m.header.type !== 'RTM_NEWROUTE') continue;
        const r = routeFromMessage(m);
        n++;
        expect(['inet', 'inet6']).toContain(r.family);
        expect(typeof r.table).toBe('number');
        const back = routeMessage('RTM_NEWROUTE', [], parseRouteSpec({ ...r, flags: [] }), r.linkIndex);
        const again = routeFromMessage(decode(encode(back))[0]!);
        expect([again.dst, again.gw, again.src, again.table, again.type, again.scope, again.protocol, again.priority]).toEqual([
          r.dst,
          r.gw,
          r.src,
          r.table,
          r.type,
          r.scope,
          r.protocol,
          r.priority,
        ]);
      }
    }
    expect(n).toBeGreaterThan(10);
  });
});

describe('host bits', () => {
  it('passes an IPv6 destination with host bits (the kernel masks them) but not an IPv4 one', () => {
    expect(() => parseRouteSpec({ dst: '2001:db8::1/64', linkIndex: 2 })).not.toThrow();
    expect(() => parseRouteSpec({ dst: '10.1.0.5/24', linkIndex: 2 })).toThrow(/host bits set beyond \/24 \(the network is 10\.1\.0\.0\/24\)/);
  });
});
