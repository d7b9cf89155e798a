import { readFileSync } from 'node:fs';
import { encode } from '@nlkit/nl-codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkAddMessage, validateLinkSpec } from './add.js';
import { RequestResources } from './kinds/index.js';
import { vethAddWire } from './message.js';
import type { LinkSpec } from './spec.js';
import '../tuntap.js';

// Hand assembly from /usr/include/linux/if_link.h numbers, independent of the codec tables.
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const RTM_NEWLINK = 16;
const NLM_F_ECHO = 0x8;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;

function pad(b: number[]): number[] {
  while (b.length % 4) b.push(0);
  return b;
}
function nla(type: number, payload: number[]): number[] {
  const len = 4 + payload.length;
  return pad([len & 0xff, len >> 8, type & 0xff, type >> 8, ...payload]);
}
const str = (s: string) => [...Buffer.from(s), 0];
const u8 = (v: number) => [v];
const u16 = (v: number) => [v & 0xff, v >> 8];
const be16 = (v: number) => [v >> 8, v & 0xff];
const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
function newlink(attrs: number[], flags = NLM_F_ECHO | NLM_F_EXCL | NLM_F_CREATE): Uint8Array {
  const body = [0, 0, ...u16(0), ...u32(0), ...u32(0), ...u32(0), ...attrs];
  const len = 16 + body.length;
  return Uint8Array.from([...u32(len), ...u16(RTM_NEWLINK), ...u16(flags), ...u32(0), ...u32(0), ...body]);
}
const linkinfo = (kind: string, data?: number[]) =>
  nla(IFLA_LINKINFO, [...nla(IFLA_INFO_KIND, str(kind)), ...(data ? nla(IFLA_INFO_DATA, data) : [])]);

function bytesOf(spec: object): Uint8Array {
  const k = validateLinkSpec(spec);
  const res = new RequestResources();
  try {
    return encode(linkAddMessage(spec as Record<string, unknown>, k, res));
  } finally {
    res.release();
  }
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('linkAdd request bytes', () => {
  it('encodes dummy as IFLA_IFNAME, IFLA_MTU and a kind-only IFLA_LINKINFO', () => {
    expect(hex(bytesOf({ kind: 'dummy', name: 'd0', mtu: 9000 }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('d0')), ...nla(IFLA_MTU, u32(9000)), ...linkinfo('dummy')])),
    );
  });

  it('encodes vlan with IFLA_LINK, IFLA_VLAN_ID and a big-endian 802.1ad IFLA_VLAN_PROTOCOL', () => {
    const data = [...nla(1, u16(10)), ...nla(5, be16(0x88a8))];
    expect(hex(bytesOf({ kind: 'vlan', name: 'v10', parentIndex: 2, id: 10, protocol: '802.1ad' }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('v10')), ...nla(IFLA_LINK, u32(2)), ...linkinfo('vlan', data)])),
    );
  });

  it('encodes vlan flags as struct ifla_vlan_flags { flags, mask }', () => {
    const data = [...nla(1, u16(5)), ...nla(2, [...u32(1), ...u32(1 | 2)])];
    expect(hex(bytesOf({ kind: 'vlan', name: 'v5', parentIndex: 2, id: 5, reorderHdr: true, gvrp: false }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('v5')), ...nla(IFLA_LINK, u32(2)), ...linkinfo('vlan', data)])),
    );
  });

  it('encodes bond mode 802.3ad as IFLA_BOND_MODE u8 4 and miimon as u32', () => {
    const data = [...nla(1, u8(4)), ...nla(3, u32(100)), ...nla(14, u8(1)), ...nla(21, u8(1))];
    expect(hex(bytesOf({ kind: 'bond', name: 'b0', mode: '802.3ad', miimon: 100, xmitHashPolicy: 'layer3+4', lacpRate: 'fast' }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('b0')), ...linkinfo('bond', data)])),
    );
  });

  it('encodes geneve id, an IPv4 remote in network order and a big-endian port', () => {
    const data = [...nla(1, u32(5)), ...nla(2, [192, 0, 2, 1]), ...nla(5, be16(6081))];
    expect(hex(bytesOf({ kind: 'geneve', name: 'g0', id: 5, remote: '192.0.2.1', port: 6081 }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('g0')), ...linkinfo('geneve', data)])),
    );
  });

  it('encodes geneve with an IPv6 remote as IFLA_GENEVE_REMOTE6', () => {
    const addr = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
    const data = [...nla(1, u32(7)), ...nla(7, addr)];
    expect(hex(bytesOf({ kind: 'geneve', name: 'g6', id: 7, remote: '2001:db8::1' }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('g6')), ...linkinfo('geneve', data)])),
    );
  });

  it('encodes ipvlan mode l3 as u16 1 and the private flag as u16 1', () => {
    const data = [...nla(1, u16(1)), ...nla(2, u16(1))];
    expect(hex(bytesOf({ kind: 'ipvlan', name: 'i0', parentIndex: 2, mode: 'l3', flag: 'private' }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('i0')), ...nla(IFLA_LINK, u32(2)), ...linkinfo('ipvlan', data)])),
    );
  });

  it('encodes the bridge VLAN protocol big-endian, as the kernel reads it (nla_get_be16)', () => {
    const data = [...nla(8, be16(0x88a8))]; // IFLA_BR_VLAN_PROTOCOL
    expect(hex(bytesOf({ kind: 'bridge', name: 'br0', vlanProtocol: '802.1ad' }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('br0')), ...linkinfo('bridge', data)])),
    );
  });

  it('encodes vxlan id, group, IFLA_VXLAN_LINK (not IFLA_LINK), learning off and a big-endian dstport', () => {
    const data = [...nla(1, u32(42)), ...nla(2, [239, 1, 1, 1]), ...nla(3, u32(2)), ...nla(7, u8(0)), ...nla(15, be16(4789))];
    expect(hex(bytesOf({ kind: 'vxlan', name: 'vx0', id: 42, group: '239.1.1.1', parentIndex: 2, learning: false, dstport: 4789 }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('vx0')), ...linkinfo('vxlan', data)])),
    );
  });

  it('encodes macvlan mode bridge as IFLA_MACVLAN_MODE 4', () => {
    expect(hex(bytesOf({ kind: 'macvlan', name: 'mv0', parentIndex: 3, mode: 'bridge' }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('mv0')), ...nla(IFLA_LINK, u32(3)), ...linkinfo('macvlan', nla(1, u32(4)))])),
    );
  });

  it('encodes the veth peer as VETH_INFO_PEER: an ifinfomsg followed by the peer attributes', () => {
    const peer = [...new Array(16).fill(0), ...nla(IFLA_IFNAME, str('v1')), ...nla(IFLA_MTU, u32(1400))];
    expect(hex(bytesOf({ kind: 'veth', name: 'v0', peer: { name: 'v1', mtu: 1400 } }))).toBe(
      hex(newlink([...nla(IFLA_IFNAME, str('v0')), ...linkinfo('veth', nla(1, peer))])),
    );
  });

  it('sends the same bridge request as `ip link add br0 type bridge`, plus NLM_F_ECHO and the kind string NUL', () => {
    const vec = readFileSync(new URL('../../../../../shared/vectors/iproute2.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { name: string; messages: Array<{ dir: string; hex: string }> })
      .find((v) => v.name === 'link_add_bridge')!;
    const sent = Buffer.from(vec.messages.filter((m) => m.dir === 'send')[1]!.hex, 'hex');
    // Zero iproute2's seq and ACK/REQUEST bits; the engine fills those in.
    sent.writeUInt16LE(sent.readUInt16LE(6) & ~0x5 | NLM_F_ECHO, 6);
    sent.writeUInt32LE(0, 8);
    // iproute2 leaves the NUL off IFLA_INFO_KIND (length 10); we send it (11). Same padding.
    expect(sent.readUInt16LE(44)).toBe(10);
    sent.writeUInt16LE(11, 44);
    expect(hex(bytesOf({ kind: 'bridge', name: 'br0' }))).toBe(sent.toString('hex'));
  });
});

describe('linkAdd spec validation (no system call)', () => {
  const bad: Array<[string, object, RegExp]> = [
    ['a 16-byte name', { kind: 'bridge', name: 'abcdefghijklmnop' }, /16 bytes/],
    ['a name with "/"', { kind: 'bridge', name: 'a/b' }, /"\/"/],
    ['a name with ":"', { kind: 'bridge', name: 'a:b' }, /":"/],
    ['a name with a space', { kind: 'bridge', name: 'a b' }, /" "/],
    ['an empty name', { kind: 'bridge', name: '' }, /empty/],
    ['an MTU of 67', { kind: 'dummy', name: 'd0', mtu: 67 }, /mtu must be in 68..65535/],
    ['an MTU of 65536', { kind: 'dummy', name: 'd0', mtu: 65536 }, /mtu/],
    ['a malformed MAC', { kind: 'dummy', name: 'd0', hardwareAddr: 'zz' }, /invalid MAC address "zz"/],
    ['an unknown kind', { kind: 'wireguardx', name: 'w0' }, /unknown link kind "wireguardx"/],
    ['an unknown option', { kind: 'bridge', name: 'br0', stpstate: 1 }, /unknown option "stpstate"/],
    ['a macvlan without parent', { kind: 'macvlan', name: 'mv0' }, /parentIndex/],
    ['a vlan id of 4095', { kind: 'vlan', name: 'v0', parentIndex: 1, id: 4095 }, /id must be in 0..4094/],
    ['an unknown bond mode', { kind: 'bond', name: 'b0', mode: 'fastest' }, /mode must be one of/],
    ['a vxlan without id', { kind: 'vxlan', name: 'vx0' }, /id/],
    ['an unknown veth peer option', { kind: 'veth', name: 'v0', peer: { name: 'v1', colour: 'red' } }, /unknown option "colour"/],
    ['a 16-byte veth peer name', { kind: 'veth', name: 'v0', peer: { name: 'abcdefghijklmnop' } }, /peer.name/],
  ];
  for (const [what, spec, msg] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => validateLinkSpec(spec)).toThrow(msg);
    });
  }

  it('throws TypeError for a wrong type and RangeError for a bad value', () => {
    expect(() => validateLinkSpec({ kind: 'dummy', name: 'd0', mtu: '1500' })).toThrow(TypeError);
    expect(() => validateLinkSpec({ kind: 'dummy', name: 'd0', mtu: 10 })).toThrow(RangeError);
  });
});

describe('LinkSpec typing (checked by tsc, the package lint)', () => {
  it('is a discriminated union on kind', () => {
    const specs: LinkSpec[] = [
      { kind: 'bridge', name: 'br0', stpState: 1 },
      { kind: 'veth', name: 'v0', peer: { name: 'v1' } },
      { kind: 'macvlan', name: 'm0', parentIndex: 2, mode: 'bridge' },
      { kind: 'tuntap', name: 'tap0', mode: 'tap', queues: 4, owner: 0 },
      // @ts-expect-error stpState is a bridge option, not a veth one
      { kind: 'veth', name: 'v0', stpState: 1 },
      // @ts-expect-error macvlan needs its lower device
      { kind: 'macvlan', name: 'm0' },
      // @ts-expect-error no such kind
      { kind: 'wireguardx', name: 'w0' },
    ];
    expect(specs).toHaveLength(7);
  });
});

describe('vethAddWire (the veth request written straight into bytes)', () => {
  /** The object form + encode(), as linkAdd sends any other spec. */
  const generic = (spec: Record<string, unknown>): string => {
    const k = validateLinkSpec(spec);
    const m = linkAddMessage(spec, k, new RequestResources());
    return Buffer.from(encode({ ...m, header: { ...m.header, seq: 0, pid: 0 } })).toString('hex');
  };
  const wire = (name: string, peer: string | undefined, up: boolean): string => Buffer.from(vethAddWire(name, peer, up).bytes).toString('hex');

  it('writes the same bytes as linkAddMessage + encode for any names, with or without a peer or up', () => {
    const ifname = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,15}$/).filter((n) => n !== '.' && n !== '..');
    fc.assert(
      fc.property(ifname, fc.option(ifname, { nil: undefined }), fc.boolean(), (name, peer, up) => {
        const spec: Record<string, unknown> = { kind: 'veth', name, ...(peer !== undefined ? { peer: { name: peer } } : {}), ...(up ? { up: true } : {}) };
        expect(wire(name, peer, up)).toBe(generic(spec));
      }),
      { numRuns: 500 },
    );
    // A multi-byte UTF-8 name (15 bytes) too.
    expect(wire('väth-ü€', 'pëer', false)).toBe(generic({ kind: 'veth', name: 'väth-ü€', peer: { name: 'pëer' } }));
  });
});
