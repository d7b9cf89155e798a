/** Each kind: what linkAdd sends, decoded by the codec, lifts back to the spec's values and prints as ip does. */
import { decode, encode } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { linkAddMessage, validateLinkSpec } from '../add.js';
import { linkFromMessage } from '../link.js';
import { bridgePortText, kindModule, knownKinds, RequestResources } from './index.js';

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

  describe('ip -d text (expected strings are iproute2 6.1 output for the same kernel attributes)', () => {
    const text = (kind: string, d: Record<string, unknown>) => kindModule(kind)!.ipText!(d, { ...ctx, userName: (u) => (u === 0 ? 'root' : undefined) });

    it('vxlan: remote/local without the 6, srcport, tos/ttl words, no df unset, maxaddr, csum words', () => {
      const d = {
        id: 5, group6: '2001:db8::1', local6: '2001:db8::2', 'port-range': { low: 1000, high: 2000 }, port: 4789, learning: 1, proxy: 1, rsc: 1,
        l2miss: 1, l3miss: 1, tos: 1, ttl: 0, 'ttl-inherit': 0, df: 'inherit', label: 0x123, ageing: 100, limit: 10, 'udp-csum': 0,
        'udp-zero-csum6-tx': 1, 'udp-zero-csum6-rx': 1,
      };
      expect(text('vxlan', d)).toBe('id 5 remote 2001:db8::1 local 2001:db8::2 srcport 1000 2000 dstport 4789 proxy rsc l2miss l3miss tos inherit ttl auto df inherit flowlabel 0x123 ageing 100 maxaddr 10 noudpcsum udp6zerocsumtx udp6zerocsumrx ');
    });

    it('vxlan: "ttl inherit" where ttl goes, dev by name, gbp; metadata devices print "vnifilter" glued to "id"', () => {
      const d = { id: 6, group: '239.1.1.1', link: 2, local: '0.0.0.0', 'port-range': { low: 0, high: 0 }, port: 8472, learning: 1, ttl: 0, 'ttl-inherit': 1, df: 'set', ageing: 300, 'udp-csum': 1, 'udp-zero-csum6-tx': 0, 'udp-zero-csum6-rx': 0, gbp: true };
      expect(text('vxlan', d)).toBe('id 6 group 239.1.1.1 dev eth0 srcport 0 0 dstport 8472 ttl inherit df set ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx gbp ');
      const ext = { 'collect-metadata': 1, vnifilter: 1, id: 0, 'port-range': { low: 0, high: 0 }, port: 4792, learning: 0, ttl: 0, df: 'unset', ageing: 300, 'udp-csum': 1, 'udp-zero-csum6-tx': 0, 'udp-zero-csum6-rx': 0 };
      expect(text('vxlan', ext)).toBe('external vnifilterid 0 srcport 0 0 dstport 4792 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx ');
    });

    it('macvlan: nopromisc as a word, source-mode remotes with their count', () => {
      expect(text('macvlan', { mode: 'passthru', flags: ['nopromisc'], 'bc-queue-len': 1000, 'bc-queue-len-used': 1000 })).toBe('mode passthru nopromisc bcqueuelen 1000 usedbcqueuelen 1000 ');
      const src = { mode: 'source', 'macaddr-count': 2, 'macaddr-data': { macaddr: ['02:00:00:00:00:06', '02:00:00:00:00:05'] }, 'bc-queue-len': 1000, 'bc-queue-len-used': 1000 };
      expect(text('macvtap', src)).toBe('mode source bcqueuelen 1000 usedbcqueuelen 1000 remotes (2) 02:00:00:00:00:06 02:00:00:00:00:05 ');
      expect(kindModule('macvlan')!.ipJson!(src, ctx)).toEqual({ mode: 'source', bcqueuelen: 1000, usedbcqueuelen: 1000, macaddr_count: 2, macaddr_data: ['02:00:00:00:00:06', '02:00:00:00:00:05'] });
    });

    it('tun: on/off words, multi_queue only when set, owner by name', () => {
      expect(text('tun', { type: 2, pi: 0, 'vnet-hdr': 1, persist: 1, 'num-queues': 0, 'num-disabled-queues': 0, 'multi-queue': 1, owner: 0 })).toBe('type tap pi off vnet_hdr on multi_queue numqueues 0 numdisabled 0 persist on user root ');
      expect(text('tun', { type: 1, pi: 1, 'vnet-hdr': 0, persist: 1, 'multi-queue': 0 })).toBe('type tun pi on vnet_hdr off persist on ');
    });

    it('bridge port: relabelled keys, on/off, padded timers, mcast_fast_leave after mcast_router, named mask bits and backup port', () => {
      const d = {
        state: 0, priority: 5, cost: 10, mode: 1, guard: 1, protect: 1, 'fast-leave': 1, learning: 0, 'unicast-flood': 0, id: 0x1401, no: 1,
        'designated-port': 5121, 'designated-cost': 0, 'hold-timer': 0n, 'message-age-timer': 0n, 'forward-delay-timer': 1336n,
        'topology-change-ack': 0, 'config-pending': 0, proxyarp: 1, 'proxyarp-wifi': 1, 'multicast-router': 2, 'mcast-flood': 0, 'bcast-flood': 0,
        'mcast-to-ucast': 1, 'neigh-suppress': 1, 'group-fwd-mask': 0x4008, 'vlan-tunnel': 1, isolated: 1, locked: 1, 'backup-port': 2,
      };
      expect(bridgePortText(d, ctx)).toBe(
        'state disabled priority 5 cost 10 hairpin on guard on root_block on fastleave on learning off flood off port_id 0x1401 port_no 0x1 designated_port 5121 designated_cost 0 hold_timer    0.00 message_age_timer    0.00 forward_delay_timer   13.36 topology_change_ack 0 config_pending 0 proxy_arp on proxy_arp_wifi on mcast_router 2 mcast_fast_leave on mcast_flood off bcast_flood off mcast_to_unicast on neigh_suppress on group_fwd_mask 0x4008 group_fwd_mask_str 0x8,lldp vlan_tunnel on isolated on locked on backup_port eth0 ',
      );
    });

    it('vlan: protocol, id and the flags as a <...> list', () => {
      const { json } = roundTrip({ kind: 'vlan', name: 'v10', parentIndex: 2, id: 10, protocol: '802.1ad', reorderHdr: true, gvrp: false });
      expect(json).toEqual({ protocol: '802.1ad', id: 10, flags: ['REORDER_HDR'] });
      expect(text('vlan', { protocol: '8021ad', id: 10, flags: { flags: ['reorder-hdr'], mask: 0xffffffff } })).toBe('protocol 802.1ad id 10 <REORDER_HDR> ');
    });

    it('bridge: ip\'s text labels for the *_cnt/*_intvl keys and the group address', () => {
      const t = text('bridge', { 'forward-delay': 1500, 'group-addr': '01:80:c2:00:00:00', 'mcast-last-member-cnt': 2, 'mcast-query-intvl': 12500, 'gc-timer': 29847n });
      expect(t).toBe('forward_delay 1500 gc_timer  298.47 group_address 01:80:c2:00:00:00 mcast_last_member_count 2 mcast_query_interval 12500 ');
    });
  });
});
