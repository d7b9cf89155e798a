import { describe, expect, it } from 'vitest';
import { decode } from '../message/decode.js';
import type { Message } from '../message/message.js';
import { datagrams, loadVectors } from '../test-support/vectors.js';
import { locateMessages, type MessageSource } from './layout.js';
import { summary } from './summary.js';

/** The summary of a vector's traffic, with `len=` from where each message was decoded. */
function summaryOf(name: string): string[] {
  const lines: string[] = [];
  for (const d of datagrams(loadVectors().filter((o) => o.name === name))) {
    const messages = decode(d.bytes);
    const offsets = locateMessages(d.bytes, messages);
    const sources = new Map<Message, MessageSource>(messages.map((m, i) => [m, { bytes: d.bytes, offset: offsets[i]! }]));
    lines.push(...summary(messages, { sources }).split('\n').filter((l) => l !== ''));
  }
  return lines;
}

describe('summary', () => {
  it('names the link of each link message by ifname and index', () => {
    expect(summaryOf('link_add_bridge').slice(2)).toEqual([
      '> RTM_NEWLINK [request,ack,excl,create] seq=1795631531 len=56 br0',
      '< NLMSG_ERROR [capped] seq=1795631531 len=36 ACK',
    ]);
    expect(summaryOf('neigh_show')).toContain('< RTM_NEWLINK [multi] seq=1795631584 len=1880 br0 index 2');
  });

  it('names addresses by address/prefixlen and device, routes by dst/len, gateway and device, neighbours by dst and lladdr', () => {
    expect(summaryOf('addr_add_v4_brd_label')).toContain('> RTM_NEWADDR [request,ack,excl,create] seq=1795631568 len=60 10.0.0.1/24 dev 2');
    expect(summaryOf('addr_add_v6_nodad')).toContain('> RTM_NEWADDR [request,ack,excl,create] seq=1795631569 len=64 2001:db8::1/64 dev 2');
    expect(summaryOf('route_show_dump')).toContain('< RTM_NEWROUTE [multi,dump_filtered] seq=1795631578 len=60 10.2.0.0/24 via 10.0.0.2 dev 1');
    expect(summaryOf('route_add_gw')[0]).toBe('> RTM_NEWROUTE [request,ack,excl,create] seq=1795631574 len=44 10.2.0.0/24 via 10.0.0.2');
    expect(summaryOf('neigh_show')).toContain('< RTM_NEWNEIGH [multi] seq=1795631585 len=76 10.0.0.3 lladdr 02:00:00:00:00:04 dev 2');
  });

  it('shows errors by errno name, ext-ack message and attribute path', () => {
    const lines = summaryOf('link_err_gso_max_size_range');
    expect(lines[1]).toBe('< NLMSG_ERROR [] seq=0 len=52 ENODEV');
    expect(lines.at(-1)).toBe('< NLMSG_ERROR [ack_tlvs] seq=1795631563 len=132 ERANGE "integer out of range" at .gso-max-size');
  });

  it('starts with the capture time and takes the direction from the capture when there is one', () => {
    const m = {
      header: { type: 'RTM_NEWROUTE', flags: ['request'], seq: 3, pid: 0 },
      packet: { index: 0, time: { sec: 1700000000, nsec: 1200 }, direction: 'to-user', protocol: 0 },
      'rtm-family': 2, 'rtm-dst-len': 0,
      attrs: { oif: 4 },
    } as unknown as Message;
    expect(summary(m)).toBe('1700000000.000001200 < RTM_NEWROUTE [request] seq=3 default dev 4\n');
  });

  it('shows the size of a body kept raw and unknown flag bits in hex', () => {
    const m = { header: { type: 999, flags: ['request', 0x4000], seq: 1, pid: 0 }, payload: new Uint8Array(12) } as Message;
    expect(summary([m])).toBe('> 999 [request,0x4000] seq=1 payload 12 bytes\n');
  });
});
