import { readFileSync } from 'node:fs';
import { decode } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import '../../link/index.js';
import { linkFromMessage, type Link, type LinkFlag } from '../../link/link.js';
import { linkIpJson, parseGroupNames } from './link.js';

interface Vector {
  name: string;
  group: string;
  messages: Array<{ dir: string; hex: string }>;
  ip_json: Array<Record<string, unknown>>;
}

const vectors = readFileSync(new URL('../../../../../../shared/vectors/iproute2.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Vector);

// Timers tick between the command and `ip -j -d link show`; everything else is the same state.
const TIMERS = new Set(['hello_timer', 'tcn_timer', 'topology_change_timer', 'gc_timer', 'hold_timer', 'message_age_timer', 'forward_delay_timer']);
function withoutTimers(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(withoutTimers);
  if (o && typeof o === 'object') return Object.fromEntries(Object.entries(o).filter(([k]) => !TIMERS.has(k)).map(([k, v]) => [k, withoutTimers(v)]));
  return o;
}

/** Links the kernel sent in this vector (replies to show/get requests). */
function received(v: Vector): Link[] {
  return v.messages
    .filter((m) => m.dir === 'recv')
    .flatMap((m) => decode(Buffer.from(m.hex, 'hex')))
    .filter((m) => m.header.type === 'RTM_NEWLINK')
    .map(linkFromMessage);
}

/** Stand-ins for links that ip named but the vector's replies did not carry. */
function stubs(v: Vector): Map<number, Link> {
  const m = new Map<number, Link>();
  for (const j of v.ip_json) {
    m.set(j.ifindex as number, { index: j.ifindex as number, name: j.ifname as string, flags: (j.flags as string[]).map((f) => f.toLowerCase() as LinkFlag) } as Link);
  }
  return m;
}

// Commands that only read state: what they received is what `ip -j -d link show` printed next.
const readOnly = vectors.filter((v) => v.group === 'link' && /^link_(show|err)_/.test(v.name) && received(v).length > 0);

describe('ip -j -d link show printer against iproute2 6.1 vectors', () => {
  it('has read-only link vectors with RTM_NEWLINK replies to compare', () => {
    expect(readOnly.map((v) => v.name)).toEqual(expect.arrayContaining(['link_show_dump', 'link_show_dev', 'link_show_detail_dev', 'link_show_type_filter', 'link_show_master_filter']));
  });

  for (const v of readOnly) {
    it(`prints every key of ${v.name} as ip does (bridge, veth, macvlan, tun, bridge ports)`, () => {
      const links = received(v);
      const byIndex = stubs(v);
      for (const l of links) byIndex.set(l.index, l);
      for (const l of links) {
        const expected = v.ip_json.find((j) => j.ifindex === l.index);
        expect(expected, `${v.name}: ip printed ifindex ${l.index}`).toBeDefined();
        const ours = linkIpJson(l, { details: true, byIndex });
        expect(withoutTimers(ours)).toEqual(withoutTimers(expected));
        expect(Object.keys(ours)).toEqual(Object.keys(expected!));
      }
    });
  }

  it('prints the short form without -d: no linkinfo, promiscuity or queue counts', () => {
    const v = vectors.find((x) => x.name === 'link_show_dump')!;
    const links = received(v);
    const byIndex = new Map(links.map((l) => [l.index, l]));
    const br = linkIpJson(links.find((l) => l.kind === 'bridge')!, { details: false, byIndex });
    expect(Object.keys(br)).toEqual(['ifindex', 'ifname', 'flags', 'mtu', 'qdisc', 'operstate', 'linkmode', 'group', 'txqlen', 'link_type', 'address', 'broadcast', 'ifalias']);
  });
});

describe('interface group names (rtnl_group_n2a)', () => {
  it('reads NUMBER NAME lines, hex numbers and comments; a later line for a number wins', () => {
    const m = parseGroupNames('# device group names\n0\tdefault\n0x10 storage # trailing comment\n  7   lab\n7 lab2\nbogus line\n');
    expect([...m]).toEqual([[0, 'default'], [16, 'storage'], [7, 'lab2']]);
  });
});
