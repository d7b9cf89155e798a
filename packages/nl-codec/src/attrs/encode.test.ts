import { describe, expect, it } from 'vitest';
import { extAckCodec } from '../body.js';
import { codec, decodeBody, encodeBody, toHexString } from './test-support/fixtures.js';
import { attr, cat, ifinfomsg, NESTED, str, u32 } from './test-support/build.js';

const link = codec(16);
const route = codec(24);
const addr = codec(20);

function enc(c: typeof link, body: Record<string, unknown>): string {
  return toHexString(encodeBody(c, body));
}

describe('encoding user-built objects', () => {
  it('encodes a veth create request: header defaults, nests without NLA_F_NESTED, peer with its own header', () => {
    const body = {
      'ifi-index': 0,
      attrs: { ifname: 'v0', linkinfo: { kind: 'veth', data: { peer: { attrs: { ifname: 'v1' } } } } },
    };
    const peer = cat(ifinfomsg(0, 0, 0, 0), attr(3, str('v1')));
    const expected = cat(ifinfomsg(0, 0, 0, 0), attr(3, str('v0')), attr(18, cat(attr(1, str('veth')), attr(2, attr(1, peer)))));
    expect(enc(link, body)).toBe(toHexString(expected));
  });

  it('sets NLA_F_NESTED where the table says the kernel expects it (prop-list)', () => {
    const out = encodeBody(link, { attrs: { 'prop-list': { 'alt-ifname': ['a', 'b'] } } });
    expect(toHexString(out)).toBe(toHexString(cat(ifinfomsg(0, 0, 0, 0), attr(52, cat(attr(53, str('a')), attr(53, str('b'))), NESTED))));
  });

  it('accepts names for enums and flags, text for MAC and IP addresses', () => {
    const l = decodeBody(link, cat(new Uint8Array(16), encodeBody(link, { 'ifi-flags': ['up', 'broadcast', 0x100000], attrs: { address: '02:AA:bb:cc:dd:ee' } })));
    expect(l['ifi-flags']).toEqual(['up', 'broadcast', 0x100000]);
    expect((l.attrs as any).address).toBe('02:aa:bb:cc:dd:ee');
    const r = decodeBody(route, cat(new Uint8Array(16), encodeBody(route, { 'rtm-family': 10, 'rtm-type': 'unicast', attrs: { dst: '2001:db8::1', gateway: '::ffff:192.0.2.1', multipath: [{ 'rtnh-ifindex': 2, attrs: { gateway: 'fe80::1' } }] } })));
    expect(r['rtm-type']).toBe('unicast');
    expect(r.attrs).toEqual({ dst: '2001:db8::1', gateway: '::ffff:192.0.2.1', multipath: [{ 'rtnh-flags': [], 'rtnh-hops': 0, 'rtnh-ifindex': 2, attrs: { gateway: 'fe80::1' } }] });
  });

  it('encodes uint as 4 bytes when it fits and 8 otherwise, u64 from bigint or number', () => {
    const small = encodeBody(link, { attrs: { 'max-pacing-offload-horizon': 5 } });
    expect(small.length).toBe(16 + 8);
    const big = encodeBody(link, { attrs: { 'max-pacing-offload-horizon': 2n ** 40n } });
    expect(big.length).toBe(16 + 12);
    const d = decodeBody(link, cat(new Uint8Array(16), big));
    expect((d.attrs as any)['max-pacing-offload-horizon']).toBe(2n ** 40n);
  });

  it('skips undefined values and false flags', () => {
    expect(enc(link, { attrs: { ifname: undefined, mtu: 1500 } })).toBe(toHexString(cat(ifinfomsg(0, 0, 0, 0), attr(4, u32(1500)))));
  });

  it('encodes ext-ack TLVs without a header', () => {
    const out = encodeBody(extAckCodec, { attrs: { msg: 'bad', offs: 36 } });
    expect(toHexString(out)).toBe(toHexString(cat(attr(1, str('bad')), attr(2, u32(36)))));
  });

  it('accepts bytes for any attribute and for unknown kinds', () => {
    const out = encodeBody(link, { attrs: { mtu: Uint8Array.from([1, 0, 0, 0]), linkinfo: { kind: 'wireguard', data: Uint8Array.from([9, 9]) } } });
    const d = decodeBody(link, cat(new Uint8Array(16), out));
    expect((d.attrs as any).mtu).toBe(1);
    expect((d.attrs as any).linkinfo.data).toEqual(Uint8Array.from([9, 9]));
  });
});

describe('encoding errors name the attribute', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp, ErrorConstructor]> = [
    ['a string for a u32', { attrs: { mtu: '1500' } }, /^\.mtu: expected a number, got the string "1500"/, TypeError],
    ['an out-of-range u32', { attrs: { mtu: 2 ** 32 } }, /^\.mtu: 4294967296 does not fit u32/, RangeError],
    ['a negative u8', { attrs: { operstate: -1 } }, /^\.operstate: -1 does not fit u8/, RangeError],
    ['a fractional number', { attrs: { mtu: 1.5 } }, /^\.mtu: 1.5 does not fit u32/, RangeError],
    ['a bad MAC', { attrs: { address: '02:00:00:00:00' } }, /^\.address: expected a MAC address/, TypeError],
    ['a bad IP', { 'rtm-family': 2, attrs: { dst: '10.0.0.256' } }, /^\.dst: expected an IPv4 or IPv6 address/, TypeError],
    ['an unknown attribute', { attrs: { mtuu: 1 } }, /^\.mtuu: unknown attribute in link-attrs/, TypeError],
    ['a nested wrong type', { attrs: { linkinfo: { kind: 'vxlan', data: { id: 'x' } } } }, /^\.linkinfo\.data\.id: expected a number/, TypeError],
    ['a veth peer wrong type', { attrs: { linkinfo: { kind: 'veth', data: { peer: { attrs: { mtu: -5 } } } } } }, /^\.linkinfo\.data\.peer\.mtu: -5 does not fit u32/, RangeError],
    ['an unknown flag name', { 'ifi-flags': ['upp'], attrs: {} }, /^\.ifi-flags: unknown flag "upp"/, RangeError],
    ['a string with a NUL', { attrs: { ifname: 'a\u0000b' } }, /^\.ifname: string contains a NUL/, TypeError],
    ['a kind without a format', { attrs: { linkinfo: { kind: 'wireguard', data: { x: 1 } } } }, /^\.linkinfo\.data: no data format for kind "wireguard"/, TypeError],
    ['a u64 out of range', { attrs: { stats64: { 'rx-packets': -1n } } }, /^\.stats64\.rx-packets: -1 does not fit u64/, RangeError],
    ['a multipath item of the wrong type', { attrs: { multipath: [5] } }, /^\.multipath\[0\]: expected a rtnexthop object/, TypeError],
    ['a too long attribute', { attrs: { ifalias: 'x'.repeat(70000) } }, /^\.ifalias: 70001 bytes do not fit one attribute/, RangeError],
  ];
  for (const [what, body, msg, type] of cases) {
    it(`rejects ${what}`, () => {
      const c = 'rtm-family' in body || 'multipath' in (body.attrs as object) ? route : link;
      expect(() => c.measure(body) + encodeBody(c, body).length).toThrow(type);
      expect(() => encodeBody(c, body)).toThrow(msg);
    });
  }

  it('rejects an unknown enum name in an address body', () => {
    expect(() => encodeBody(route, { 'rtm-type': 'bogus' })).toThrow(/^\.rtm-type: unknown rtm-type name "bogus"/);
    expect(() => encodeBody(addr, { attrs: 5 })).toThrow(/^\.attrs: expected an object/);
  });
});
