import { decode, encode } from '@nlkit/nl-codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HandleClosedError, NetlinkError } from './errors.js';
import { Handle } from './handle.js';
import { liftRoute } from './lift/route.js';
import {
  knownLinkIndex,
  NO_ROUTE_FLAGS,
  parseRouteSpec,
  ROUTE_ADD,
  ROUTE_APPEND,
  ROUTE_DEL,
  ROUTE_REPLACE,
  routeFromBytes,
  routeFromMessage,
  routeMessage,
  routeRequestBytes,
  routeWireLength,
  writeSimpleRoute,
  type Route,
  type RouteChange,
  type RouteSpec,
} from './route.js';
import './batch.js';
import './link/index.js';
import { answerTo, FakeKernel, noKernelHandle, routeAnswers } from './test-support/fake-kernel.js';
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
    // Names a plain object inherits are no names.
    [{ dst: '10.1.0.0/24', link: 1, pref: 'toString' }, /pref must be 'low', 'medium' or 'high'/],
    [{ dst: '10.1.0.0/24', link: 1, pref: '__proto__' }, /pref must be/],
    [{ dst: '10.1.0.0/24', link: 1, type: 'constructor' }, /type: unknown name/],
    [{ dst: '10.1.0.0/24', link: 1, table: 'valueOf' }, /table: unknown name/],
  ])('rejects %j before any system call', async (spec, message) => {
    const { h, kernel } = noKernelHandle();
    try {
      await expect(h.routeAdd(spec as never)).rejects.toThrow(message);
      expect(kernel.sent).toHaveLength(0);
    } finally {
      h.close();
    }
  });

  it('deletes by a Route as routeList gives it, and refuses one of another family before any system call', async () => {
    const listed: Route = { family: 'inet', dst: '198.51.100.0/24', gw: '198.18.0.2', linkIndex: 3, table: 254, protocol: 'boot', scope: 'universe', type: 'unicast', flags: [], tos: 0 };
    const k = new FakeKernel((req, kern) => kern.push({ bytes: answerTo(req) }));
    const sent = k.sent;
    const h = Handle.open({ transport: k });
    try {
      await h.routeDel(listed);
      expect(sent).toHaveLength(1);
      const [m] = decode(sent[0]!);
      expect(m!.header.type).toBe('RTM_DELROUTE');
      expect((m as unknown as { attrs: Record<string, unknown> }).attrs).toMatchObject({ dst: '198.51.100.0', gateway: '198.18.0.2', oif: 3 });
      const mpls: Route = { ...listed, family: 28 };
      await expect(h.routeDel(mpls)).rejects.toThrow(TypeError);
      expect(sent).toHaveLength(1);
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

/** The bytes the object form gives: `routeMessage` through the codec, seq and pid zero. */
const viaCodec = (change: RouteChange, spec: RouteSpec): Uint8Array => {
  const p = parseRouteSpec(spec);
  return encode(routeMessage(change.type, change.flagNames, p, knownLinkIndex(p.link)));
};
const CHANGES = [ROUTE_ADD, ROUTE_REPLACE, ROUTE_APPEND, ROUTE_DEL];
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
/** A valid IPv4 prefix: random address masked to a random length. */
const ipv4Prefix = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([a, len]) => {
  const n = len === 0 ? 0 : (a & (0xffffffff << (32 - len))) >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${len}`;
});

describe('route changes written straight into bytes', () => {
  it('writes the common shape (IPv4 dst, gw, link index, priority, table) exactly as the codec encodes it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CHANGES),
        fc.record(
          {
            dst: fc.oneof(ipv4Prefix, ipv4Prefix.map((p) => p.replace(/\/32$/, '')).filter((p) => !p.includes('/'))),
            gw: ipv4,
            linkIndex: fc.integer({ min: 1, max: 0x7fffffff }),
            priority: fc.integer({ min: 0, max: 0xffffffff }),
            table: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffffffff })),
          },
          { requiredKeys: ['dst'] },
        ),
        (change, spec) => {
          const b = new Uint8Array(80).fill(0xee, 0, 80);
          const n = writeSimpleRoute(b, 4, change, spec);
          expect(n).toBeGreaterThan(0);
          expect(Buffer.from(b.subarray(4, 4 + n)).toString('hex')).toBe(Buffer.from(viaCodec(change, spec)).toString('hex'));
          expect(b[4 + n]).toBe(0xee); // nothing written past the message
        },
      ),
    );
  });

  it.each([
    [{ dst: '10.1.0.5/24', gw: '10.0.0.1' }, 'host bits'],
    [{ dst: '10.1.0.0/33', gw: '10.0.0.1' }, 'prefix length 33'],
    [{ dst: '10.01.0.0/16' }, 'a leading zero'],
    [{ dst: '10.1.0.256/32' }, 'a part above 255'],
    [{ dst: '10.1.0.0/24', gw: '2001:db8::1' }, 'an IPv6 gateway'],
    [{ dst: '10.1.0.0/24', linkIndex: 0 }, 'link index 0'],
    [{ dst: '10.1.0.0/24', link: 'eth0' }, 'a link by name'],
    [{ dst: '10.1.0.0/24', priority: -1 }, 'a negative metric'],
    [{ dst: '10.1.0.0/24', table: 'main' }, 'a table by name'],
    [{ dst: '10.1.0.0/24', protocol: 'static' }, 'a protocol'],
    [{ dst: '10.1.0.0/24', scope: 'link' }, 'a scope'],
    [{ dst: '2001:db8::/64' }, 'an IPv6 prefix'],
    [{ dst: 'default', gw: '10.0.0.1' }, 'the default route'],
    [{ dst: '10.1.0.0/024' }, 'a three-digit prefix length'],
    [{ dst: '10.1.0.0/24', realm: 5 }, 'a realm'],
    [{ dst: '10.1.0.0/24', expires: 60 }, 'an expiry'],
    [{ dst: '10.1.0.0/24', nhId: 5 }, 'a nexthop object'],
  ] as Array<[object, string]>)('leaves %j to the full path (%s)', (spec) => {
    expect(writeSimpleRoute(new Uint8Array(80), 0, ROUTE_ADD, spec)).toBe(0);
  });

  it('writes every other route without nests exactly as the codec encodes it', () => {
    const v6 = fc.constantFrom('2001:db8::1', '2001:db8:0:1::5', 'fe80::1', '::ffff:192.0.2.1');
    fc.assert(
      fc.property(
        fc.constantFrom(...CHANGES),
        fc.oneof(
          fc.record(
            {
              dst: ipv4Prefix, src: ipv4, srcPrefix: ipv4Prefix, gw: ipv4, linkIndex: fc.integer({ min: 1, max: 1000 }), via: v6,
              mark: fc.integer({ min: 0, max: 0xffffffff }), tos: fc.integer({ min: 0, max: 255 }),
              realm: fc.integer({ min: 0, max: 0xffffffff }), nhId: fc.integer({ min: 1, max: 0xffffffff }),
            },
            { requiredKeys: [] },
          ),
          fc.record(
            {
              dst: fc.constantFrom('2001:db8::/32', '2001:db8:1::/64', '::/0', '2001:db8::5/128'),
              gw: v6,
              src: v6,
              pref: fc.constantFrom('low' as const, 'medium' as const, 'high' as const),
              table: fc.integer({ min: 0, max: 0xffffffff }),
              priority: fc.integer({ min: 0, max: 0xffffffff }),
              protocol: fc.constantFrom('static', 'kernel', 42),
              scope: fc.constantFrom('global', 'link', 'host'),
              type: fc.constantFrom('unicast', 'blackhole', 'local'),
              flags: fc.constantFrom(['onlink' as const], ['dead' as const, 'pervasive' as const], []),
              expires: fc.integer({ min: 0, max: 0xffffffff }),
            },
            { requiredKeys: ['dst'] },
          ),
        ),
        (change, spec) => {
          let p: ReturnType<typeof parseRouteSpec>;
          try {
            p = parseRouteSpec(spec);
          } catch {
            return; // an invalid combination (gw and via, mixed families): refused either way
          }
          const oif = knownLinkIndex(p.link);
          const bytes = routeRequestBytes(change, p, oif);
          expect(routeWireLength(p, oif)).toBe(bytes.length);
          expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(encode(routeMessage(change.type, change.flagNames, p, oif))).toString('hex'));
        },
      ),
    );
  });

  it('sends routes with metrics or next hops through the codec', () => {
    const mp = parseRouteSpec({ dst: '198.51.100.0/24', multipath: [{ gw: '192.0.2.1', linkIndex: 2 }, { gw: '192.0.2.2', linkIndex: 3, weight: 4 }] });
    expect(routeWireLength(mp, undefined)).toBe(-1);
    expect(routeRequestBytes(ROUTE_ADD, mp, undefined, [2, 3])).toEqual(encode(routeMessage('RTM_NEWROUTE', ['create', 'excl'], mp, undefined, [2, 3])));
    const mx = parseRouteSpec({ dst: '198.51.100.0/24', gw: '192.0.2.1', metrics: { mtu: 1400 } });
    expect(routeWireLength(mx, 2)).toBe(-1);
    expect(routeRequestBytes(ROUTE_ADD, mx, 2)).toEqual(encode(routeMessage('RTM_NEWROUTE', ['create', 'excl'], mx, 2)));
  });

  it('resolves routeAdd to undefined, as before', async () => {
    const { h } = okHandle();
    try {
      await expect(h.routeAdd({ dst: '198.51.100.0/24', gw: '192.0.2.1', linkIndex: 2 })).resolves.toBeUndefined();
      await expect(h.routeAdd({ dst: '198.51.100.0/24', gw: '192.0.2.1', metrics: { mtu: 1400 } })).resolves.toBeUndefined();
    } finally {
      h.close();
    }
  });
});

describe('routes without flags', () => {
  it('share one frozen empty flags array, from the bytes and from a decoded message alike', () => {
    const msgs = received(vector('route_show_table_all')).filter((m) => m.header.type === 'RTM_NEWROUTE' && m['rtm-flags'] === 0);
    expect(msgs.length).toBeGreaterThan(2);
    for (const m of msgs) {
      expect(routeFromMessage(m).flags).toBe(NO_ROUTE_FLAGS);
      expect(routeFromBytes(encode(m)).flags).toBe(NO_ROUTE_FLAGS);
    }
    expect(Object.isFrozen(NO_ROUTE_FLAGS)).toBe(true);
    expect(NO_ROUTE_FLAGS).toEqual([]);
    // A route with flags has its own array.
    const cloned = routeFromBytes(encode({ ...msgs[0]!, 'rtm-flags': 0x200 }));
    expect(cloned.flags).toEqual(['cloned']);
    expect(Object.isFrozen(cloned.flags)).toBe(false);
  });
});

describe('lifting the common shape of a large table', () => {
  it('gives what the codec path gives for table + dst + gateway + oif routes, whatever their header fields', () => {
    fc.assert(
      fc.property(
        ipv4Prefix,
        ipv4,
        fc.integer({ min: 1, max: 0x7fffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.record({ tos: octet, protocol: octet, scope: octet, type: octet, flags: fc.constantFrom(0, 0x200, 0x4, 0x1000 | 0x10) }),
        (dst, gw, oif, table, h) => {
          const [addr, len] = dst.split('/');
          // The kernel's attribute order for an IPv4 route: table, dst, gateway, oif.
          const bytes = encode({
            header: { type: 'RTM_NEWROUTE', flags: ['multi'], seq: 1, pid: 0 },
            'rtm-family': 2,
            'rtm-dst-len': Number(len),
            'rtm-src-len': 0,
            'rtm-tos': h.tos,
            'rtm-table': table < 256 ? table : 252,
            'rtm-protocol': h.protocol,
            'rtm-scope': h.scope,
            'rtm-type': h.type,
            'rtm-flags': h.flags,
            attrs: { table, dst: addr, gateway: gw, oif },
          } as never);
          expect(bytes.length).toBe(60);
          const d = new Uint8Array(bytes.length + 8);
          d.set(bytes, 8);
          expect(liftRoute(d, 8, bytes.length)).toStrictEqual(routeFromMessage(decode(bytes)[0]!));
        },
      ),
    );
  });
});

describe('lifting routes inside a whole datagram', () => {
  it('gives, at each message offset, what routeFromBytes gives for that message alone', () => {
    let n = 0;
    for (const name of vectorNames('route')) {
      for (const m of vector(name).messages) {
        if (m.dir !== 'recv') continue;
        // Shift the datagram so offsets inside it are not those of a fresh buffer.
        const d = new Uint8Array(Buffer.concat([Buffer.alloc(12, 0xab), Buffer.from(m.hex, 'hex')]));
        let off = 12;
        while (off + 16 <= d.length) {
          const len = d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24);
          if (len < 16 || off + len > d.length) break;
          if ((d[off + 4]! | (d[off + 5]! << 8)) === 24) {
            expect(liftRoute(d, off, len)).toStrictEqual(routeFromBytes(d.slice(off, off + len)));
            n++;
          }
          off += (len + 3) & ~3;
        }
      }
    }
    expect(n).toBeGreaterThan(10);
  });
});

/** A fake kernel for route changes, as rtnetlink answers a datagram (see `routeAnswers`). */
function routeKernel(): FakeKernel {
  return new FakeKernel(routeAnswers);
}

function okHandle(): { h: Handle; kernel: FakeKernel } {
  const kernel = routeKernel();
  return { h: Handle.open({ transport: kernel }), kernel };
}

/** Messages of each datagram sent: [count, flags of each]. */
function sentShape(kernel: FakeKernel): number[][] {
  return kernel.sent.map((d) => {
    const flags: number[] = [];
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let off = 0; off + 16 <= d.length; off += (v.getUint32(off, true) + 3) & ~3) flags.push(v.getUint16(off + 6, true));
    return flags;
  });
}

describe('batches of route changes', () => {
  it('writes a window of route changes into one datagram, an ACK asked only of the last', async () => {
    const { h, kernel } = okHandle();
    try {
      const b = h.batch();
      for (let i = 0; i < 10; i++) b.routeAdd({ dst: `198.51.${i}.0/24`, gw: '192.0.2.1', linkIndex: 2 });
      const results = await b.commit({ window: 4 });
      expect(results).toEqual(Array.from({ length: 10 }, () => ({ ok: true, value: undefined })));
      const ADD = 0x1 | 0x400 | 0x200;
      expect(sentShape(kernel)).toEqual([
        [ADD, ADD, ADD, ADD | 4],
        [ADD, ADD, ADD, ADD | 4],
        [ADD, ADD | 4],
      ]);
      // Each message is the one routeAdd sends on its own (seq and pid aside).
      const first = kernel.sent[0]!;
      const one = viaCodec(ROUTE_ADD, { dst: '198.51.0.0/24', gw: '192.0.2.1', linkIndex: 2 });
      expect(Buffer.from(first.subarray(16, one.length)).toString('hex')).toBe(Buffer.from(one.subarray(16)).toString('hex'));
      const seqs = kernel.sent.flatMap((d) => decode(d).map((m) => m.header.seq));
      expect(new Set(seqs).size).toBe(10);
      expect(decode(first)[0]!.header.pid).toBe(kernel.portId);
    } finally {
      h.close();
    }
  });

  it('reports exactly the failing changes, each with its own error, in order', async () => {
    const { h, kernel } = okHandle();
    try {
      const b = h.batch();
      const specs: RouteSpec[] = [];
      for (let i = 0; i < 40; i++) {
        if (i === 3) specs.push({ dst: '198.99.3.0/24', gw: '192.0.2.1', linkIndex: 2 }); // EEXIST in this kernel
        else if (i === 17) specs.push({ dst: '198.51.17.0/24', gw: '203.0.113.9', linkIndex: 2 }); // ENETUNREACH with ext-ack
        else if (i === 20) specs.push({ dst: '198.51.20.5/24', gw: '192.0.2.1' }); // host bits: refused before sending
        else if (i === 39) specs.push({ dst: '198.99.39.0/24', gw: '192.0.2.1' }); // the last one fails too
        else specs.push({ dst: `198.51.${i}.0/24`, gw: '192.0.2.1', linkIndex: 2, ...(i % 5 === 0 ? { metrics: { mtu: 1400 } } : {}) });
      }
      for (const s of specs) b.routeAdd(s);
      b.routeDel({ dst: '198.99.1.0/24' }); // a different message type, also failing
      const results = await b.commit({ window: 16 });
      expect(results).toHaveLength(41);
      results.forEach((r, i) => {
        if ([3, 17, 20, 39, 40].includes(i)) expect(r.ok, `op ${i}`).toBe(false);
        else expect(r, `op ${i}`).toEqual({ ok: true, value: undefined });
      });
      const err = (i: number) => (results[i] as { error: NetlinkError }).error;
      expect(err(3)).toMatchObject({ code: 'EEXIST', request: 'RTM_NEWROUTE' });
      expect(err(17)).toMatchObject({ code: 'ENETUNREACH', extAck: 'Nexthop has invalid gateway', attributePath: '.gateway' });
      expect(err(20)).toBeInstanceOf(TypeError);
      expect(err(39)).toMatchObject({ code: 'EEXIST' });
      expect(err(40)).toMatchObject({ code: 'EEXIST', request: 'RTM_DELROUTE' });
      // 39 messages sent: op 20 never left the process.
      expect(sentShape(kernel).flat()).toHaveLength(40);
    } finally {
      h.close();
    }
  });

  it('keeps runs of route changes in order with the operations around them (those run as their own methods)', async () => {
    const kernel = new FakeKernel((req, k) => {
      const v = new DataView(req.buffer, req.byteOffset, req.byteLength);
      for (let off = 0; off + 16 <= req.length; off += (v.getUint32(off, true) + 3) & ~3) {
        const type = v.getUint16(off + 4, true);
        const seq = v.getUint32(off + 8, true);
        if (type === 18) {
          // RTM_GETLINK by name: eth7 is index 7.
          k.push({ bytes: encode([{ header: { type: 'RTM_NEWLINK', flags: [], seq, pid: k.portId }, 'ifi-family': 0, 'ifi-type': 1, 'ifi-index': 7, 'ifi-flags': [], 'ifi-change': 0, attrs: { ifname: 'eth7' } } as never]) });
        }
        if ((v.getUint16(off + 6, true) & 4) !== 0) k.push({ bytes: encode({ header: { type: 'NLMSG_ERROR', flags: ['capped'], seq, pid: k.portId }, error: 0, request: { header: { type: type, flags: [], seq, pid: k.portId } } } as never) });
      }
    });
    const h = Handle.open({ transport: kernel });
    try {
      const b = h.batch();
      b.routeAdd({ dst: '198.51.0.0/24', linkIndex: 2 });
      b.routeAdd({ dst: '198.51.1.0/24', link: 'eth7' });
      b.linkSetMTU(2, 1400);
      b.routeAdd({ dst: '198.51.2.0/24', linkIndex: 2 });
      const results = await b.commit();
      expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
      const order = kernel.sent.flatMap((d) => decode(d).map((m) => [m.header.type, (m as { attrs?: { dst?: string; oif?: number } }).attrs?.oif]));
      // The route by name and the MTU change run as their methods, together; the route waits
      // for its lookup, so it goes a round later. The routes before and after keep their place.
      expect(order).toEqual([
        ['RTM_NEWROUTE', 2],
        ['RTM_GETLINK', undefined],
        ['RTM_NEWLINK', undefined],
        ['RTM_NEWROUTE', 7],
        ['RTM_NEWROUTE', 2],
      ]);
    } finally {
      h.close();
    }
  });

  it('splits a large window into datagrams of at most 64 KB, growing its buffer as needed', async () => {
    const { h, kernel } = okHandle();
    try {
      const b = h.batch();
      const n = 3000;
      for (let i = 0; i < n; i++) {
        // Every third route has metrics (written by the codec and copied in), the rest the common shape.
        b.routeAdd({ dst: `10.${i >> 8}.${i & 255}.0/24`, gw: '192.0.2.1', linkIndex: 2, ...(i % 3 === 0 ? { metrics: { mtu: 1400, advmss: 1360 } } : {}) });
      }
      const results = await b.commit({ window: n });
      expect(results.every((r) => r.ok)).toBe(true);
      expect(kernel.sent.length).toBeGreaterThan(1);
      expect(Math.max(...kernel.sent.map((d) => d.length))).toBeLessThanOrEqual(64 * 1024);
      const dsts = kernel.sent.flatMap((d) => decode(d).map((m) => (m as unknown as { attrs: { dst: string } }).attrs.dst));
      expect(dsts).toEqual(Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0`));
      // Only the last message of each datagram asks for an ACK.
      expect(sentShape(kernel).every((f) => f.slice(0, -1).every((x) => (x & 4) === 0) && (f.at(-1)! & 4) === 4)).toBe(true);
    } finally {
      h.close();
    }
  });

  it('fails every change of a batch with HandleClosedError once the handle is closed', async () => {
    const { h, kernel } = okHandle();
    const b = h.batch();
    for (let i = 0; i < 5; i++) b.routeAdd({ dst: `198.51.${i}.0/24`, linkIndex: 2 });
    h.close();
    const results = await b.commit();
    expect(results.every((r) => !r.ok && (r as { error: unknown }).error instanceof HandleClosedError)).toBe(true);
    expect(kernel.sent).toHaveLength(0);
  });
});
