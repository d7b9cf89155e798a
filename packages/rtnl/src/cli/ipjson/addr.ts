/**
 * `ip -j [-d] addr show` output: links (as `ip -j link show` prints them) each with its
 * `addr_info`. The one place that knows iproute2's address key names and value formats
 * (iproute2 6.1, `print_addrinfo`).
 */
import type { Addr, AddrFlag } from '../../addr.js';
import { INFINITY_LIFE_TIME } from '../../addr.js';
import type { Link } from '../../link/link.js';
import { linkIpJson, linkText, type LinkPrintContext } from './link.js';

/**
 * ip's flag keys in its order (`ifa_flag_data`): the name it prints for each kernel flag.
 * `permanent` is printed inverted, as `dynamic` when missing.
 */
const FLAG_KEYS: ReadonlyArray<[AddrFlag, string]> = [
  // [our name, ip's key]
  ['secondary', 'secondary'],
  ['nodad', 'nodad'],
  ['optimistic', 'optimistic'],
  ['dadfailed', 'dadfailed'],
  ['home', 'home'],
  ['deprecated', 'deprecated'],
  ['tentative', 'tentative'],
  ['permanent', 'dynamic'],
  ['managetempaddr', 'mngtmpaddr'],
  ['noprefixroute', 'noprefixroute'],
  ['mcautojoin', 'autojoin'],
  ['stable-privacy', 'stable-privacy'],
];

const lifetime = (v: number): number => (v === Infinity ? INFINITY_LIFE_TIME : v);

/**
 * One `addr_info` entry.
 *
 * @example
 * ```ts
 * addrInfoIpJson({ address: '192.0.2.2/24', local: '192.0.2.2', family: 'inet', scope: 'global', ... });
 * // { family: 'inet', local: '192.0.2.2', prefixlen: 24, scope: 'global', label: 'eth0', ... }
 * ```
 */
export function addrInfoIpJson(a: Addr): Record<string, unknown> {
  const [own, len] = a.address.split('/');
  const o: Record<string, unknown> = { family: a.family, local: a.local ?? own };
  if (a.peer !== undefined) o.address = a.peer.split('/')[0];
  o.prefixlen = Number(len);
  if (a.broadcast !== undefined) o.broadcast = a.broadcast;
  o.scope = String(a.scope);
  const flags = new Set(a.flags);
  for (const [name, key] of FLAG_KEYS) {
    if (name === 'permanent') {
      if (!flags.has('permanent')) o.dynamic = true;
      continue;
    }
    if (!flags.has(name)) continue;
    // ip prints what the kernel reports; an IPv6 "secondary" address is "temporary".
    o[name === 'secondary' && a.family === 'inet6' ? 'temporary' : key] = true;
  }
  if (a.label !== undefined) o.label = a.label;
  o.valid_life_time = lifetime(a.validLft);
  o.preferred_life_time = lifetime(a.preferredLft);
  if (a.priority !== undefined) o.metric = a.priority;
  return o;
}

/**
 * `ip -j addr show`: one object per link, with its addresses in `addr_info` (kernel order).
 * With `onlyWithAddrs` (a family filter), links without addresses are left out, as ip does.
 */
export function addrShowIpJson(links: readonly Link[], addrs: readonly Addr[], ctx: LinkPrintContext, onlyWithAddrs = false): Record<string, unknown>[] {
  const byLink = groupByLink(addrs);
  const out: Record<string, unknown>[] = [];
  for (const l of links) {
    const mine = byLink.get(l.index) ?? [];
    if (onlyWithAddrs && mine.length === 0) continue;
    out.push({ ...linkJson(l, ctx), addr_info: mine.map(addrInfoIpJson) });
  }
  return out;
}

/** The link part: what `ip -j link show` prints, minus what `ip addr` leaves out. */
function linkJson(l: Link, ctx: LinkPrintContext): Record<string, unknown> {
  const o = linkIpJson(l, ctx);
  delete o.linkmode;
  delete o.inet6_addr_gen_mode;
  return o;
}

function groupByLink(addrs: readonly Addr[]): Map<number, Addr[]> {
  const m = new Map<number, Addr[]>();
  for (const a of addrs) {
    let list = m.get(a.linkIndex);
    if (!list) m.set(a.linkIndex, (list = []));
    list.push(a);
  }
  return m;
}

const lftText = (v: number): string => (v === Infinity || v === INFINITY_LIFE_TIME ? 'forever' : `${v}sec`);

/** The text form of `ip addr show` (link lines, then one `inet`/`inet6` block per address). */
export function addrShowText(links: readonly Link[], addrs: readonly Addr[], ctx: LinkPrintContext, onlyWithAddrs = false): string[] {
  const byLink = groupByLink(addrs);
  const lines: string[] = [];
  for (const l of links) {
    const mine = byLink.get(l.index) ?? [];
    if (onlyWithAddrs && mine.length === 0) continue;
    // `ip addr` prints the link line without the link mode.
    lines.push(linkText(l, ctx).replace(/ mode [A-Z]+/, ''));
    for (const a of mine) {
      const j = addrInfoIpJson(a);
      let s = `    ${a.family} ${j.local as string}`;
      if (j.address !== undefined) s += ` peer ${j.address as string}`;
      s += `/${j.prefixlen as number}`;
      if (j.broadcast !== undefined) s += ` brd ${j.broadcast as string}`;
      s += ` scope ${j.scope as string}`;
      for (const [, key] of FLAG_KEYS) if (j[key] === true) s += ` ${key}`;
      if (j.temporary === true) s += ' temporary';
      if (j.label !== undefined) s += ` ${j.label as string}`;
      lines.push(s);
      lines.push(`       valid_lft ${lftText(a.validLft)} preferred_lft ${lftText(a.preferredLft)}`);
    }
  }
  return lines;
}
