import { describe, expect, it } from 'vitest';
import { codec, decodeBody, encodeBody, toHexString, viewOf } from './test-support/fixtures.js';
import { attr, cat, ifinfomsg, NESTED, NET_BYTEORDER, str, u16, u32 } from './test-support/build.js';

const link = codec(16); // RTM_NEWLINK
const route = codec(24); // RTM_NEWROUTE

/** The body as it would follow an nlmsghdr. */
function withHdr(body: Uint8Array): Uint8Array {
  return cat(new Uint8Array(16), body);
}

function roundTrip(c: typeof link, body: Uint8Array): Record<string, unknown> {
  const decoded = decodeBody(c, withHdr(body));
  expect(toHexString(encodeBody(c, decoded))).toBe(toHexString(body));
  return decoded;
}

const IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINKINFO = 18, IFLA_AF_SPEC = 26, IFLA_PROP_LIST = 52, IFLA_ALT_IFNAME = 53;
const IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
const IFLA_STATS64 = 23, IFLA_MAP = 14, IFLA_XDP = 43;

describe('lossless decoding', () => {
  it('keeps an unknown attribute as unknown-<type> with its flags and bytes', () => {
    const d = roundTrip(link, cat(ifinfomsg(), attr(999, [1, 2, 3], NET_BYTEORDER)));
    expect((d.attrs as any)['unknown-999']).toEqual({ type: 999, flags: NET_BYTEORDER, bytes: Uint8Array.from([1, 2, 3]) });
  });

  it('keeps a repeated non-multi attribute as an array listed in $repeated', () => {
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_MTU, u32(1500)), attr(IFLA_MTU, u32(9000))));
    expect(d.attrs).toEqual({ mtu: [1500, 9000], $repeated: ['mtu'] });
  });

  it('records $order when occurrences are interleaved with other attributes', () => {
    const body = cat(ifinfomsg(), attr(IFLA_MTU, u32(1)), attr(IFLA_IFNAME, str('a')), attr(IFLA_MTU, u32(2)));
    const d = roundTrip(link, body);
    expect((d.attrs as any).$order).toEqual(['mtu', 'ifname', 'mtu']);
  });

  it('keeps interleaved multi-attr entries in wire order', () => {
    const props = cat(attr(IFLA_ALT_IFNAME, str('x')), attr(IFLA_MTU, u32(5)), attr(IFLA_ALT_IFNAME, str('y')));
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_PROP_LIST, props, NESTED)));
    const pl = (d.attrs as any)['prop-list'];
    expect(pl['alt-ifname']).toEqual(['x', 'y']);
    // prop-list holds only alt-ifname: other types are unknown there
    expect(pl.$order).toEqual(['alt-ifname', 'unknown-4', 'alt-ifname']);
  });

  it('records NLA_F_NESTED only where it differs from what the kernel sends', () => {
    const li = attr(IFLA_INFO_KIND, str('bridge'));
    const plain = roundTrip(link, cat(ifinfomsg(), attr(IFLA_LINKINFO, li)));
    expect((plain.attrs as any).$flags).toBeUndefined();
    const flagged = roundTrip(link, cat(ifinfomsg(), attr(IFLA_LINKINFO, li, NESTED)));
    expect((flagged.attrs as any).$flags).toEqual({ linkinfo: NESTED });
    const noFlagPropList = roundTrip(link, cat(ifinfomsg(), attr(IFLA_PROP_LIST, attr(IFLA_ALT_IFNAME, str('x')))));
    expect((noFlagPropList.attrs as any).$flags).toEqual({ 'prop-list': 0 });
  });

  it('keeps a payload whose length does not match the type as $raw', () => {
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_MTU, [1, 2, 3, 4, 5, 6])));
    expect((d.attrs as any).mtu).toEqual({ $raw: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
  });

  it('decodes a string without NUL and re-emits it without one', () => {
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_IFNAME, str('eth0', false))));
    expect(d.attrs).toEqual({ ifname: 'eth0', $unterminated: { ifname: true } });
  });

  it('keeps a string with bytes after the NUL, or invalid UTF-8, as $raw', () => {
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_IFNAME, [0x61, 0, 0x62, 0])));
    expect((d.attrs as any).ifname).toEqual({ $raw: Uint8Array.from([0x61, 0, 0x62, 0]) });
    const e = roundTrip(link, cat(ifinfomsg(), attr(IFLA_IFNAME, [0xff, 0xfe, 0])));
    expect((e.attrs as any).ifname.$raw).toBeInstanceOf(Uint8Array);
  });

  it('decodes UTF-8 strings and keeps a leading BOM', () => {
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_IFNAME, str('\ufeffné-ö€😀'))));
    expect((d.attrs as any).ifname).toBe('\ufeffné-ö€😀');
  });

  it('keeps struct bytes beyond the spec as $tail and a too-short struct as $raw', () => {
    const map = new Array(32 + 5).fill(7); // rtnl_link_ifmap is 32 bytes with C padding
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_MAP, map)));
    expect((d.attrs as any).map.$tail).toEqual(Uint8Array.from([7, 7, 7, 7, 7]));
    const s = roundTrip(link, cat(ifinfomsg(), attr(IFLA_STATS64, new Array(16).fill(1))));
    expect((s.attrs as any).stats64).toEqual({ $raw: new Uint8Array(16).fill(1) });
  });

  it('keeps nonzero pad members of the fixed header in $pad', () => {
    const h = ifinfomsg();
    h[1] = 0x5a;
    const d = roundTrip(link, cat(h, attr(IFLA_MTU, u32(1))));
    expect(d.$pad).toEqual({ pad: Uint8Array.from([0x5a]) });
  });

  it('keeps nonzero attribute padding, trailing bytes and a cut-off last padding', () => {
    const withPad = roundTrip(link, cat(ifinfomsg(), attr(IFLA_IFNAME, str('ab'), 0, [9])));
    expect((withPad.attrs as any).$padding).toEqual([[0, Uint8Array.from([9])]]);
    const trailing = roundTrip(link, cat(ifinfomsg(), attr(IFLA_MTU, u32(1)), [1, 2, 3]));
    expect((trailing.attrs as any).$trailing).toEqual(Uint8Array.from([1, 2, 3]));
    const cut = roundTrip(link, cat(ifinfomsg(), attr(IFLA_MTU, u32(1)), attr(IFLA_IFNAME, str('ab')).subarray(0, 7)));
    expect((cut.attrs as any).$unpadded).toBe(1);
  });

  it('keeps a body shorter than the fixed header as $raw', () => {
    const d = roundTrip(link, Uint8Array.from([0, 0, 0, 0]));
    expect(d).toEqual({ $raw: new Uint8Array(4) });
  });

  it('keeps data of an unknown link kind as bytes, and decodes a known one', () => {
    const data = attr(1, u32(42));
    const unknown = roundTrip(link, cat(ifinfomsg(), attr(IFLA_LINKINFO, cat(attr(IFLA_INFO_KIND, str('wireguard')), attr(IFLA_INFO_DATA, data)))));
    expect((unknown.attrs as any).linkinfo.data).toEqual(data);
    const vxlan = roundTrip(link, cat(ifinfomsg(), attr(IFLA_LINKINFO, cat(attr(IFLA_INFO_KIND, str('vxlan')), attr(IFLA_INFO_DATA, cat(data, attr(15, [0x12, 0xb5])))))));
    expect((vxlan.attrs as any).linkinfo.data).toEqual({ id: 42, port: 4789 });
  });

  it('selects a sub-message by the first occurrence of a repeated selector, before or after the data', () => {
    const data = attr(IFLA_INFO_DATA, attr(1, u32(4)));
    const after = roundTrip(link, cat(ifinfomsg(), attr(IFLA_LINKINFO, cat(attr(IFLA_INFO_KIND, str('macvlan')), data, attr(IFLA_INFO_KIND, str('bridge'))))));
    expect((after.attrs as any).linkinfo).toEqual({ kind: ['macvlan', 'bridge'], data: { mode: 'bridge' }, $repeated: ['kind'], $order: ['kind', 'data', 'kind'] });
    const before = roundTrip(link, cat(ifinfomsg(), attr(IFLA_LINKINFO, cat(attr(IFLA_INFO_KIND, str('macvlan')), attr(IFLA_INFO_KIND, str('veth')), data))));
    expect((before.attrs as any).linkinfo.data).toEqual({ mode: 'bridge' });
    const twice = roundTrip(link, cat(ifinfomsg(), attr(IFLA_LINKINFO, cat(data, attr(IFLA_INFO_KIND, str('macvlan')), data))));
    expect((twice.attrs as any).linkinfo.data).toEqual([attr(1, u32(4)), { mode: 'bridge' }]);
  });

  it('decodes empty nests and nests that the spec types as binary', () => {
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_XDP, []), attr(IFLA_AF_SPEC, attr(2, []))));
    expect((d.attrs as any).xdp).toEqual({});
    expect((d.attrs as any)['af-spec']).toEqual({ inet: {} });
    // Empty nests are lean objects, but plain ones: same prototype and constructor as `{}`, own
    // to each message, and open to new properties that then encode like any others.
    const empty = (d.attrs as any).xdp as Record<string, unknown>;
    expect(Object.getPrototypeOf(empty)).toBe(Object.prototype);
    expect(empty.constructor).toBe(Object);
    expect(JSON.stringify(empty)).toBe('{}');
    const again = decodeBody(link, withHdr(cat(ifinfomsg(), attr(IFLA_XDP, []))));
    expect((again.attrs as any).xdp).not.toBe(empty);
    empty.fd = 7;
    expect(toHexString(encodeBody(link, d))).toBe(toHexString(encodeBody(link, { ...d, attrs: { ...(d.attrs as object), xdp: { fd: 7 } } })));
  });

  it('decodes IPv6 addresses in routes the spec hints as ipv4 and keeps MPLS labels as bytes', () => {
    const rtm6 = [10, 64, 0, 0, 254, 3, 0, 1, ...u32(0)];
    const dst = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const d = roundTrip(route, cat(rtm6, attr(1, dst)));
    expect((d.attrs as any).dst).toBe('2001:db8::');
    const mpls = [28, 20, 0, 0, 254, 3, 0, 1, ...u32(0)];
    const m = roundTrip(route, cat(mpls, attr(1, [0, 1, 0x41, 0])));
    expect((m.attrs as any).dst).toEqual(Uint8Array.from([0, 1, 0x41, 0]));
  });

  it('decodes multipath next hops with their own attributes', () => {
    const hop = (ifindex: number, gw: number[]) => {
      const attrs = attr(5, gw);
      return cat(u16(8 + attrs.length), [0, 1], u32(ifindex), attrs);
    };
    const rtm = [2, 24, 0, 0, 254, 3, 0, 1, ...u32(0)];
    const d = roundTrip(route, cat(rtm, attr(9, cat(hop(2, [192, 0, 2, 1]), hop(3, [192, 0, 2, 2])))));
    expect((d.attrs as any).multipath).toEqual([
      { 'rtnh-flags': [], 'rtnh-hops': 1, 'rtnh-ifindex': 2, attrs: { gateway: '192.0.2.1' } },
      { 'rtnh-flags': [], 'rtnh-hops': 1, 'rtnh-ifindex': 3, attrs: { gateway: '192.0.2.2' } },
    ]);
    const bad = roundTrip(route, cat(rtm, attr(9, cat(u16(200), [0, 0], u32(1)))));
    expect((bad.attrs as any).multipath.$raw).toBeInstanceOf(Uint8Array);
  });

  it('keeps unknown enum values and unknown flag bits as numbers', () => {
    const rtm = [2, 0, 0, 0, 254, 3, 0, 200, ...u32(0)];
    const d = roundTrip(route, cat(rtm, attr(4, u32(1))));
    expect(d['rtm-type']).toBe(200);
    const l = roundTrip(link, cat(ifinfomsg(1, 0x1 | 0x80000000)));
    expect(l['ifi-flags']).toEqual(['up', 0x80000000]);
  });

  it('keeps the veth peer header and attributes', () => {
    const peer = cat(ifinfomsg(0, 0), attr(IFLA_IFNAME, str('v1')));
    const d = roundTrip(link, cat(ifinfomsg(), attr(IFLA_LINKINFO, cat(attr(IFLA_INFO_KIND, str('veth')), attr(IFLA_INFO_DATA, attr(1, peer))))));
    expect((d.attrs as any).linkinfo.data.peer).toEqual({ 'ifi-family': 0, 'ifi-type': 1, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0, attrs: { ifname: 'v1' } });
  });
});

describe('deep nesting', () => {
  it('keeps nests beyond 48 levels as raw bytes instead of overflowing the stack', () => {
    // veth peers nested as deep as one 64 KiB attribute allows (~1600 levels)
    const kind = attr(IFLA_INFO_KIND, str('veth'));
    let inner: Uint8Array = new Uint8Array(0);
    for (;;) {
      const next = attr(IFLA_LINKINFO, cat(kind, attr(IFLA_INFO_DATA, attr(1, cat(ifinfomsg(0), inner)))));
      if (next.length + 16 > 0xffff) break;
      inner = next;
    }
    const d = roundTrip(link, cat(ifinfomsg(), inner));
    let peer: any = (d.attrs as any).linkinfo.data.peer;
    let levels = 1;
    while (peer.attrs?.linkinfo?.data?.peer !== undefined) {
      peer = peer.attrs.linkinfo.data.peer;
      levels++;
    }
    expect(levels).toBeGreaterThan(10);
    expect(JSON.stringify(d, (_k, v) => (v instanceof Uint8Array ? 'bytes' : v))).toContain('"$raw":"bytes"');
  });
});

describe('decoding errors', () => {
  it('throws NetlinkDecodeError with the offset of an attribute shorter than its header', () => {
    const body = withHdr(cat(ifinfomsg(), [2, 0, 3, 0]));
    expect(() => decodeBody(link, body)).toThrow(expect.objectContaining({ name: 'NetlinkDecodeError', offset: 32 }));
  });

  it('throws NetlinkDecodeError for an attribute running past its nest', () => {
    const inner = attr(IFLA_INFO_KIND, str('veth'));
    new DataView(inner.buffer).setUint16(0, 64, true);
    const body = withHdr(cat(ifinfomsg(), attr(IFLA_LINKINFO, inner)));
    expect(() => decodeBody(link, body)).toThrow(expect.objectContaining({ name: 'NetlinkDecodeError', offset: 36 }));
    expect(viewOf(body).getUint16(36, true)).toBe(64);
  });
});

describe('protinfo (selected by the message family)', () => {
  it('decodes bridge port options for AF_BRIDGE and inet6 attributes for AF_INET6, bytes otherwise', () => {
    const brport = attr(12, cat(attr(3, u32(5)), attr(1, [3])), NESTED); // IFLA_PROTINFO (12) { cost 5, state 3 }
    const br = roundTrip(link, cat(ifinfomsg(4, 0, 7), brport));
    expect(br.attrs).toEqual({ protinfo: { cost: 5, state: 3 } });
    // the kernel opens the inet6 one without NLA_F_NESTED, the bridge one with it
    const v6 = roundTrip(link, cat(ifinfomsg(4, 0, 10), attr(12, attr(1, u32(0x80000000)))));
    expect(v6.attrs).toEqual({ protinfo: { flags: 0x80000000 } });
    const v6n = roundTrip(link, cat(ifinfomsg(4, 0, 10), attr(12, attr(1, u32(0x80000000)), NESTED)));
    expect(v6n.attrs).toEqual({ protinfo: { flags: 0x80000000 }, $flags: { protinfo: NESTED } });
    const other = roundTrip(link, cat(ifinfomsg(4, 0, 2), attr(12, [1, 2, 3, 4], NESTED)));
    expect(other.attrs).toEqual({ protinfo: Uint8Array.from([1, 2, 3, 4]) });
  });

  it('encodes protinfo by the family of the enclosing header', () => {
    const out = encodeBody(link, { 'ifi-family': 7, 'ifi-index': 4, attrs: { protinfo: { cost: 5 } } });
    expect(toHexString(out)).toBe(toHexString(cat(ifinfomsg(4, 0, 7, 0), attr(12, attr(3, u32(5)), NESTED))));
    expect(() => encodeBody(link, { 'ifi-family': 2, attrs: { protinfo: { cost: 5 } } })).toThrow(/^\.protinfo: no protinfo format for address family "2"/);
  });
});

describe('indexed arrays', () => {
  const bond = (data: Uint8Array) => cat(ifinfomsg(), attr(IFLA_LINKINFO, cat(attr(IFLA_INFO_KIND, str('bond')), attr(IFLA_INFO_DATA, data))));

  it('decodes bond arp_ip_target (big-endian IPv4 items typed 0, 1, ...) and ns_ip6_target', () => {
    const targets = attr(8, cat(attr(0, [192, 0, 2, 1]), attr(1, [198, 51, 100, 7])));
    const v6 = attr(31, attr(0, [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]));
    const d = roundTrip(link, bond(cat(targets, v6)));
    expect((d.attrs as any).linkinfo.data).toEqual({ 'arp-ip-target': ['192.0.2.1', '198.51.100.7'], 'ns-ip6-target': ['2001:db8::1'] });
    const again = encodeBody(link, { attrs: { linkinfo: { kind: 'bond', data: { 'arp-ip-target': ['192.0.2.1', '198.51.100.7'], 'ns-ip6-target': ['2001:db8::1'] } } } });
    expect(toHexString(again.subarray(16))).toBe(toHexString(bond(cat(targets, v6)).subarray(16)));
  });

  it('keeps an indexed array whose item types are not 0, 1, 2, ... as raw bytes', () => {
    const d = roundTrip(link, bond(attr(8, cat(attr(0, [192, 0, 2, 1]), attr(5, [192, 0, 2, 2])))));
    expect((d.attrs as any).linkinfo.data['arp-ip-target'].$raw).toBeInstanceOf(Uint8Array);
  });
});

describe('af-spec (selected by the message family)', () => {
  it('decodes IFLA_BRIDGE_* in AF_BRIDGE messages and inet/inet6 nests otherwise', () => {
    // bridge vlan show: AF_BRIDGE ifinfomsg + IFLA_AF_SPEC { IFLA_BRIDGE_VLAN_INFO {flags pvid|untagged, vid 1} x2 }
    const vlans = cat(attr(2, [6, 0, 1, 0]), attr(2, [0, 0, 10, 0]));
    const br = roundTrip(link, cat(ifinfomsg(4, 0, 7), attr(IFLA_AF_SPEC, vlans)));
    expect((br.attrs as any)['af-spec']).toEqual({ 'vlan-info': [{ flags: ['pvid', 'untagged'], vid: 1 }, { flags: [], vid: 10 }] });
    const inet = roundTrip(link, cat(ifinfomsg(4, 0, 0), attr(IFLA_AF_SPEC, attr(2, attr(1, u32(1))))));
    expect((inet.attrs as any)['af-spec']).toEqual({ inet: { conf: [1] } });
    const out = encodeBody(link, { 'ifi-family': 7, 'ifi-index': 4, attrs: { 'af-spec': { flags: ['self'], 'vlan-info': [{ flags: ['pvid'], vid: 5 }] } } });
    expect(toHexString(out)).toBe(toHexString(cat(ifinfomsg(4, 0, 7, 0), attr(IFLA_AF_SPEC, cat(attr(0, [2, 0]), attr(2, [2, 0, 5, 0]))))));
  });
});
