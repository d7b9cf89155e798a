/** Each kind: what linkAdd sends, decoded by the codec, lifts back to the spec's values and prints as ip does. */
import { decode, encode } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { linkAddMessage, validateLinkSpec } from '../add.js';
import { linkFromMessage } from '../link.js';
import { kindModule, knownKinds, RequestResources } from './index.js';

const ctx = { linkName: (i: number) => (i === 2 ? 'eth0' : undefined), userName: () => undefined, groupName: () => undefined };

function roundTrip(spec: Record<string, unknown>) {
  const k = validateLinkSpec(spec);
  const [m] = decode(encode({ ...linkAddMessage(spec, k, new RequestResources()), header: { type: 'RTM_NEWLINK', flags: [], seq: 1, pid: 0 } }));
  const link = linkFromMessage(m!);
  const info = (link.attrs.linkinfo as { data?: Record<string, unknown> }).data ?? {};
  return { link, json: kindModule(k.kind)!.ipJson?.(info, ctx) };
}

describe('kind modules', () => {
  it('registers every kind the issue lists, tun as not creatable over rtnetlink', () => {
    expect(knownKinds().sort()).toEqual(['bond', 'bridge', 'dummy', 'geneve', 'ifb', 'ipvlan', 'macvlan', 'macvtap', 'tun', 'veth', 'vlan', 'vxlan']);
    expect(kindModule('tun')!.creatable).toBe(false);
  });

  it('vlan: id, 802.1ad and flags lift back and print as ip does', () => {
    const { link, json } = roundTrip({ kind: 'vlan', name: 'v10', parentIndex: 2, id: 10, protocol: '802.1ad', reorderHdr: true, gvrp: false });
    expect(link.data).toEqual({ id: 10, protocol: '802.1ad', flags: ['reorder-hdr'] });
    expect(link.parentIndex).toBe(2);
    expect(json).toEqual({ protocol: '802.1ad', id: 10, flags: ['REORDER_HDR'] });
  });

  it('bond: mode and policies lift back by name', () => {
    const { link, json } = roundTrip({ kind: 'bond', name: 'b0', mode: 'active-backup', miimon: 100, updelay: 200, xmitHashPolicy: 'layer2+3', lacpRate: 'fast', minLinks: 1 });
    expect(link.data).toMatchObject({ mode: 'active-backup', miimon: 100, updelay: 200, xmitHashPolicy: 'layer2+3', adLacpRate: 1, minLinks: 1 });
    expect(json).toEqual({ mode: 'active-backup', miimon: 100, updelay: 200, min_links: 1, xmit_hash_policy: 'layer2+3', ad_lacp_rate: 'fast' });
  });

  it('bridge: the big-endian VLAN protocol lifts and prints in ip\'s spelling', () => {
    const { link, json } = roundTrip({ kind: 'bridge', name: 'br0', vlanProtocol: '802.1ad', stpState: 1 });
    expect((link.attrs.linkinfo as { data: Record<string, unknown> }).data['vlan-protocol']).toBe('8021ad');
    expect(link.data).toMatchObject({ vlanProtocol: '802.1ad', stpState: 1 });
    expect(json).toMatchObject({ vlan_protocol: '802.1ad', stp_state: 1 });
    expect(roundTrip({ kind: 'bridge', name: 'br1', vlanProtocol: '802.1Q' }).json).toMatchObject({ vlan_protocol: '802.1Q' });
  });

  it('geneve: the IPv4 remote is an address in IFLA_GENEVE_REMOTE; IPv6 goes to remote6', () => {
    const v4 = roundTrip({ kind: 'geneve', name: 'g0', id: 5, remote: '192.0.2.1', ttl: 3 });
    expect(v4.link.data).toMatchObject({ id: 5, remote: '192.0.2.1', ttl: 3 });
    expect(v4.json).toEqual({ id: 5, remote: '192.0.2.1', ttl: 3 });
    const v6 = roundTrip({ kind: 'geneve', name: 'g1', id: 6, remote: '2001:db8::1' });
    expect(v6.link.data).toMatchObject({ id: 6, remote6: '2001:db8::1' });
    expect(v6.json).toEqual({ id: 6, remote: '2001:db8::1' });
  });

  it('ipvlan: mode and flag lift back', () => {
    const { link, json } = roundTrip({ kind: 'ipvlan', name: 'i0', parentIndex: 2, mode: 'l3s', flag: 'vepa' });
    expect(link.data).toEqual({ mode: 'l3s', flags: 'vepa' });
    expect(json).toEqual({ mode: 'l3s', flags: 'vepa' });
  });

  it('vxlan: an IPv6 group goes to group6 and the lower device prints by name', () => {
    const { link, json } = roundTrip({ kind: 'vxlan', name: 'vx0', id: 7, group: 'ff05::100', parentIndex: 2, dstport: 4789 });
    expect(link.data).toMatchObject({ id: 7, group6: 'ff05::100', link: 2, port: 4789 });
    expect(json).toMatchObject({ id: 7, group6: 'ff05::100', link: 'eth0', port: 4789 });
  });

  it('macvlan: passthru with nopromisc', () => {
    const { link, json } = roundTrip({ kind: 'macvlan', name: 'm0', parentIndex: 2, mode: 'passthru', noPromisc: true });
    expect(link.data).toMatchObject({ mode: 'passthru', flags: ['nopromisc'] });
    expect(json).toEqual({ mode: 'passthru', nopromisc: true });
  });

  it('bridge: options lift back in camelCase', () => {
    const { link } = roundTrip({ kind: 'bridge', name: 'br0', stpState: 1, priority: 4096, vlanFiltering: true, mcastSnooping: false, groupAddress: '01:80:c2:00:00:0e' });
    expect(link.data).toMatchObject({ stpState: 1, priority: 4096, vlanFiltering: 1, mcastSnooping: 0, groupAddr: '01:80:c2:00:00:0e' });
  });
});
