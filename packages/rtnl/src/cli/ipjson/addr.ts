/**
 * `ip -j [-d] addr show` output: links (as `ip -j link show` prints them) each with its
 * `addr_info`. The one place that knows iproute2's address key names and value formats
 * (iproute2 6.1, `print_addrinfo`).
 */
import type { Addr, AddrFlag } from '../../addr.js';
import { INFINITY_LIFE_TIME } from '../../addr.js';
import type { Family } from '../../ip.js';
import type { Link } from '../../link/link.js';
import { briefHeadJson, briefHeadText, linkIpJson, linkStatsText, linkText, type LinkPrintContext, type LinkTextView } from './link.js';

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
  // ip prints the prefix route's metric (IFA_RT_PRIORITY) right after the prefix length.
  if (a.priority !== undefined) o.metric = a.priority;
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
  return o;
}

/** What `ip addr show` was asked for, beyond the links and addresses. */
export interface AddrShowOptions {
  /** The `-4`/`-6` filter. */
  family?: Family;
  /**
   * Queue lengths by ifindex, for links dumped without `IFLA_TXQLEN` (the kernel's AF_INET6 link
   * dump): ip reads those with the SIOCGIFTXQLEN ioctl and prints them all the same.
   */
  queueLengths?: ReadonlyMap<number, number>;
  /**
   * Addresses that failed a selector (`scope`, `to`, `label`, a flag): ip still opens a JSON
   * object for each, so they print as `{}` (and as nothing in text).
   */
  hidden?: ReadonlySet<Addr>;
  /** Links left out by `up` (down): ip prints `{}` for each (nothing in text). */
  hiddenLinks?: ReadonlySet<number>;
  /** `label PATTERN`: ip prints the addresses only, without the link part. */
  noLink?: boolean;
}

/**
 * `ip -j addr show`: one object per link, with its addresses in `addr_info` (kernel order).
 * With a family filter (`-4`/`-6`), links without such addresses are left out and, unless
 * `ctx.details`, so is the link-layer part (`link_type`, `address`, `broadcast`), as ip does.
 */
export function addrShowIpJson(links: readonly Link[], addrs: readonly Addr[], ctx: LinkPrintContext, opts: AddrShowOptions = {}): Record<string, unknown>[] {
  const { family } = opts;
  const byLink = groupByLink(addrs);
  const out: Record<string, unknown>[] = [];
  for (const l of links) {
    const mine = byLink.get(l.index) ?? [];
    if (family !== undefined && mine.length === 0) continue;
    if (opts.hiddenLinks?.has(l.index)) {
      out.push({});
      continue;
    }
    const info = mine.map((a) => (opts.hidden?.has(a) ? {} : addrInfoIpJson(a)));
    if (opts.noLink) {
      out.push({ addr_info: info });
      continue;
    }
    const o: Record<string, unknown> = { ...linkJson(l, ctx, opts), addr_info: info };
    // `ip -s addr` prints the link statistics after the addresses.
    if (o.stats64 !== undefined) {
      const stats = o.stats64;
      delete o.stats64;
      o.stats64 = stats;
    }
    out.push(o);
  }
  return out;
}

/** The link part: what `ip -j link show` prints, minus what `ip addr` leaves out. */
function linkJson(l: Link, ctx: LinkPrintContext, { family, queueLengths }: AddrShowOptions): Record<string, unknown> {
  let o = linkIpJson(l, ctx);
  const qlen = queueLengths?.get(l.index);
  if (o.txqlen === undefined && qlen) o = withQueueLength(o, qlen);
  delete o.linkmode;
  delete o.inet6_addr_gen_mode;
  // `ip addr` prints the alias only with -d (print_linkinfo: `do_link || show_details`).
  if (!ctx.details) delete o.ifalias;
  if (family !== undefined && !ctx.details) {
    delete o.link_type;
    delete o.address;
    delete o.broadcast;
    delete o.permaddr;
    // link_netnsid stays: ip prints it outside the link-layer block.
  }
  return o;
}

/** `txqlen` in ip's place: after `operstate`/`group`, before the link-layer keys. */
function withQueueLength(o: Record<string, unknown>, qlen: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const [k, v] of Object.entries(o)) {
    if (!placed && (k === 'link_type' || k === 'address' || k === 'broadcast' || k === 'promiscuity')) {
      out.txqlen = qlen;
      placed = true;
    }
    out[k] = v;
  }
  if (!placed) out.txqlen = qlen;
  return out;
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

/**
 * One address as `ip addr show` prints it (print_addrinfo): the `inet`/`inet6` line and the
 * lifetimes line. ip ends every item of the first line with a space, so a line without a label
 * (every IPv6 address) ends with one.
 */
export function addrText(a: Addr): [string, string] {
  const j = addrInfoIpJson(a);
  let s = `    ${a.family} ${j.local as string}`;
  if (j.address !== undefined) s += ` peer ${j.address as string}`;
  s += `/${j.prefixlen as number} `;
  if (j.metric !== undefined) s += `metric ${j.metric as number} `;
  if (j.broadcast !== undefined) s += `brd ${j.broadcast as string} `;
  s += `scope ${j.scope as string} `;
  for (const [name, key] of FLAG_KEYS) {
    if (name === 'secondary' && j.temporary === true) s += 'temporary ';
    else if (j[key] === true) s += `${key} `;
  }
  if (j.label !== undefined) s += j.label as string;
  return [s, `       valid_lft ${lftText(a.validLft)} preferred_lft ${lftText(a.preferredLft)}`];
}

/**
 * The text form of `ip addr show`: per link its link text (one string, possibly several
 * lines), then two lines per address. With a family filter, the `link/...` line is left out
 * unless `ctx.details`, as ip does.
 */
export function addrShowText(links: readonly Link[], addrs: readonly Addr[], ctx: LinkPrintContext, opts: AddrShowOptions = {}): string[] {
  const { family } = opts;
  const byLink = groupByLink(addrs);
  const lines: string[] = [];
  for (const l of links) {
    const mine = byLink.get(l.index) ?? [];
    if (family !== undefined && mine.length === 0) continue;
    if (opts.hiddenLinks?.has(l.index)) continue;
    const [head, stats] = linkTextForAddr(l, ctx, opts);
    if (!opts.noLink) lines.push(head);
    for (const a of mine) if (!opts.hidden?.has(a)) lines.push(...addrText(a));
    // `ip -s addr` prints the link statistics after the addresses.
    if (stats !== undefined && !opts.noLink) lines.push(stats);
  }
  return lines;
}

/**
 * The link lines of `ip addr show`, and its `-s` counters (printed after the addresses): the
 * link text without the link mode, the alias (unless -d), the IPv6 addrgenmode (as its JSON
 * form) and, with a family filter (unless -d), the `link/...` line.
 */
function linkTextForAddr(l: Link, ctx: LinkPrintContext, { family, queueLengths }: AddrShowOptions): [string, string | undefined] {
  const view: LinkTextView = {
    linkMode: false,
    linkLayer: family === undefined || ctx.details === true,
    alias: false,
    stats: false,
    addrGenMode: false,
    queueLength: queueLengths?.get(l.index),
  };
  return [linkText(l, ctx, view), linkStatsText(l, ctx)];
}

/**
 * `ip -br [-j] addr show`: per link (the same links as the full form) its name, state and
 * addresses (print_linkinfo_brief, then print_addrinfo's brief part: `local[ peer
 * address]/prefixlen`). Returns the JSON objects, or with `text` the lines.
 */
export function addrBrief(links: readonly Link[], addrs: readonly Addr[], ctx: LinkPrintContext, opts: AddrShowOptions, text: true): string[];
export function addrBrief(links: readonly Link[], addrs: readonly Addr[], ctx: LinkPrintContext, opts: AddrShowOptions, text?: false): Record<string, unknown>[];
export function addrBrief(links: readonly Link[], addrs: readonly Addr[], ctx: LinkPrintContext, opts: AddrShowOptions = {}, text = false): Array<string | Record<string, unknown>> {
  const byLink = groupByLink(addrs);
  const out: Array<string | Record<string, unknown>> = [];
  for (const l of links) {
    const mine = byLink.get(l.index) ?? [];
    if (opts.family !== undefined && mine.length === 0) continue;
    if (opts.hiddenLinks?.has(l.index)) {
      if (!text) out.push({});
      continue;
    }
    const j = linkIpJson(l, { ...ctx, details: false, stats: 0 });
    const o = briefHeadJson(j);
    const info: Record<string, unknown>[] = [];
    for (const a of mine) {
      if (opts.hidden?.has(a)) {
        info.push({});
        continue;
      }
      const x = addrInfoIpJson(a);
      info.push({ local: x.local, ...(x.address !== undefined ? { address: x.address } : {}), prefixlen: x.prefixlen });
    }
    o.addr_info = info;
    if (!text) {
      out.push(o);
      continue;
    }
    let s = briefHeadText(j);
    for (const x of info) {
      if (x.local === undefined) continue;
      s += `${x.local as string}${x.address !== undefined ? ` peer ${x.address as string}` : ''}/${x.prefixlen as number} `;
    }
    out.push(s);
  }
  return out;
}

/**
 * `ip -o addr show`: one line per address, `IDX: NAME` before its two lines joined by a
 * backslash; no link lines and no statistics (print_addrinfo with oneline).
 */
export function addrOneline(links: readonly Link[], addrs: readonly Addr[], opts: AddrShowOptions = {}): string[] {
  const byLink = groupByLink(addrs);
  const out: string[] = [];
  for (const l of links) {
    if (opts.hiddenLinks?.has(l.index)) continue;
    for (const a of byLink.get(l.index) ?? []) {
      if (opts.hidden?.has(a)) continue;
      const [first, second] = addrText(a);
      out.push(`${l.index}: ${l.name}${first}\\${second}`);
    }
  }
  return out;
}
