/**
 * `ip -j [-d] link show` output for `Link`s: the one place that knows iproute2's key names,
 * value formats and key order for links (matched against iproute2 6.1). Kind-specific
 * `info_data` comes from each kind module's `ipJson`.
 */
import { readFileSync } from 'node:fs';
import { bridgePortIpJson, bridgePortText, kindModule, type IpJsonContext } from '../../link/kinds/index.js';
import type { Link, LinkFlag } from '../../link/link.js';

/** What the printer needs besides the link itself. */
export interface LinkPrintContext {
  details: boolean;
  /** `-s` count: 1 prints `stats64` rx/tx, 2 adds the error breakdown. */
  stats?: number;
  /** Other links of the namespace by index (names of master/link, M-DOWN). */
  byIndex: ReadonlyMap<number, Link>;
}

/** ip's flag order (print_link_flags). */
const FLAG_ORDER: readonly LinkFlag[] = [
  'loopback', 'broadcast', 'pointopoint', 'multicast', 'noarp', 'allmulti', 'promisc', 'master', 'slave', 'debug',
  'dynamic', 'automedia', 'portsel', 'notrailers', 'up', 'lower_up', 'dormant', 'echo',
];

/** ARPHRD_* names as ip prints `link_type` (lib/ll_types.c). */
const ARPHRD: Record<number, string> = {
  0: 'netrom', 1: 'ether', 2: 'eether', 3: 'ax25', 4: 'pronet', 5: 'chaos', 6: 'ieee802', 7: 'arcnet', 8: 'atalk',
  15: 'dlci', 19: 'atm', 23: 'metricom', 24: 'ieee1394', 27: 'eui64', 32: 'infiniband', 256: 'slip', 257: 'cslip',
  258: 'slip6', 259: 'cslip6', 260: 'rsrvd', 264: 'adapt', 270: 'rose', 271: 'x25', 272: 'hwx25', 280: 'can',
  512: 'ppp', 513: 'cisco', 516: 'lapb', 517: 'ddcmp', 518: 'rawhdlc', 519: 'rawip', 768: 'ipip', 769: 'tunnel6',
  770: 'frad', 771: 'skip', 772: 'loopback', 773: 'localtlk', 774: 'fddi', 775: 'bif', 776: 'sit', 777: 'ipddp',
  778: 'gre', 779: 'pimreg', 780: 'hippi', 781: 'ash', 782: 'econet', 783: 'irda', 784: 'fcpp', 785: 'fcal',
  786: 'fcpl', 787: 'fcfb', 800: 'tr', 801: 'tr+ieee802.11', 802: 'ieee802.11/prism', 803: 'ieee802.11/radiotap',
  804: 'ieee802.15.4', 805: 'ieee802.15.4/monitor', 820: 'phonet', 821: 'phonet_pipe', 822: 'caif', 823: 'ip6gre',
  824: 'netlink', 825: '6lowpan', 826: 'vsockmon', 65534: 'none', 65535: 'void',
};

const OPER = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
const LINKMODE = ['DEFAULT', 'DORMANT', 'TESTING'];
const ADDR_GEN = ['eui64', 'none', 'stable_secret', 'random'];

function idNames(path: string): Map<number, string> {
  const m = new Map<number, string>();
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!)) if (!m.has(Number(f[2]))) m.set(Number(f[2]), f[0]);
    }
  } catch {
    /* no passwd/group file: numbers are printed */
  }
  return m;
}

/**
 * Interface group names as ip reads them (rtnl_group_n2a): `NUMBER NAME` lines of
 * /etc/iproute2/group, else /usr/share/iproute2/group; `#` starts a comment, numbers may be
 * hex; a later line for the same number wins (ip's hash chains put it first).
 */
export function parseGroupNames(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const f = /^(0x[0-9a-f]+|\d+)\s+(\S+)/i.exec(line);
    if (f) m.set(Number(f[1]), f[2]!);
  }
  return m;
}

let groupNames: Map<number, string> | undefined;

/** The name ip prints for interface group `n` (`default` for 0 in the stock file). */
export function linkGroupName(n: number): string {
  if (groupNames === undefined) {
    groupNames = new Map([[0, 'default']]);
    for (const path of ['/etc/iproute2/group', '/usr/share/iproute2/group']) {
      try {
        groupNames = parseGroupNames(readFileSync(path, 'utf8'));
        break;
      } catch {
        /* try the next place; with neither, ip prints numbers (and 0 as "default") */
      }
    }
  }
  return groupNames.get(n) ?? String(n);
}

/** An interface group argument: a number or a name from the group file, as ip takes it. */
export function linkGroupNumber(arg: string): number | undefined {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(arg)) return Number(arg);
  linkGroupName(0);
  for (const [n, name] of groupNames!) if (name === arg) return n;
  return undefined;
}

let users: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;

/** ip's flag list for a link (uppercase, its order, NO-CARRIER and M-DOWN as ip adds them). */
export function ipFlags(link: Link, byIndex: ReadonlyMap<number, Link>): string[] {
  const set = new Set(link.flags);
  const out: string[] = [];
  if (set.has('up') && !set.has('running')) out.push('NO-CARRIER');
  for (const f of FLAG_ORDER) if (set.has(f)) out.push(f.toUpperCase());
  if (link.parentIndex && link.parentNetnsId === undefined) {
    const parent = byIndex.get(link.parentIndex);
    if (parent !== undefined && !parent.flags.includes('up')) out.push('M-DOWN');
  }
  return out;
}

/**
 * One link as `ip -j [-d] link show` prints it.
 *
 * @example
 * ```ts
 * const links = await h.linkList();
 * const byIndex = new Map(links.map((l) => [l.index, l]));
 * console.log(JSON.stringify(links.map((l) => linkIpJson(l, { details: true, byIndex }))));
 * ```
 */
export function linkIpJson(link: Link, ctx: LinkPrintContext): Record<string, unknown> {
  const a = link.attrs;
  const o: Record<string, unknown> = { ifindex: link.index };
  const nameOf = (i: number) => ctx.byIndex.get(i)?.name ?? `if${i}`;
  if (link.parentIndex !== undefined) {
    if (link.parentIndex === 0) o.link = null;
    else if (link.parentNetnsId !== undefined) o.link_index = link.parentIndex;
    else o.link = nameOf(link.parentIndex);
  }
  o.ifname = link.name;
  o.flags = ipFlags(link, ctx.byIndex);
  o.mtu = link.mtu;
  if (typeof a.qdisc === 'string') o.qdisc = a.qdisc;
  if (link.masterIndex) o.master = nameOf(link.masterIndex);
  if (a.operstate !== undefined) o.operstate = OPER[OPER.indexOf(link.operState.toUpperCase())] ?? 'UNKNOWN';
  if (typeof a.linkmode === 'number') o.linkmode = LINKMODE[a.linkmode] ?? String(a.linkmode);
  if (a.group !== undefined) o.group = linkGroupName(link.group);
  // ip prints the queue length only when it is not 0 (print_queuelen).
  if (a.txqlen !== undefined && link.txQLen !== 0) o.txqlen = link.txQLen;
  o.link_type = ARPHRD[link.hardwareType] ?? `[${link.hardwareType}]`;
  if (link.hardwareAddr !== undefined) o.address = link.hardwareAddr;
  if (link.broadcast !== undefined) {
    // A point-to-point device's IFLA_BROADCAST is its peer: ip flags it, then prints it.
    if (link.flags.includes('pointopoint')) o.link_pointtopoint = true;
    o.broadcast = link.broadcast;
  }
  if (link.parentNetnsId !== undefined) o.link_netnsid = link.parentNetnsId;
  if (ctx.details) details(link, ctx, o);
  if (link.alias !== undefined && link.alias !== '') o.ifalias = link.alias;
  if (ctx.stats && link.statistics) o.stats64 = statsJson(link, ctx.stats);
  const props = a['prop-list'] as Record<string, unknown> | undefined;
  if (props && props['alt-ifname'] !== undefined) {
    const alt = props['alt-ifname'];
    o.altnames = Array.isArray(alt) ? alt : [alt];
  }
  return o;
}

/** What kind printers need: link, user and group names. */
function ipJsonContext(ctx: LinkPrintContext): IpJsonContext {
  return {
    linkName: (i) => ctx.byIndex.get(i)?.name,
    userName: (uid) => (users ??= idNames('/etc/passwd')).get(uid),
    groupName: (gid) => (groups ??= idNames('/etc/group')).get(gid),
  };
}

function details(link: Link, ctx: LinkPrintContext, o: Record<string, unknown>): void {
  const a = link.attrs;
  const n = (k: string) => (typeof a[k] === 'number' ? (a[k] as number) : typeof a[k] === 'bigint' ? Number(a[k]) : undefined);
  const put = (k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  put('promiscuity', n('promiscuity'));
  put('allmulti', n('allmulti'));
  put('min_mtu', n('min-mtu'));
  put('max_mtu', n('max-mtu'));
  const info = a.linkinfo as Record<string, unknown> | undefined;
  if (info !== undefined) {
    const li: Record<string, unknown> = {};
    const ictx = ipJsonContext(ctx);
    if (typeof info.kind === 'string') {
      li.info_kind = info.kind;
      const k = kindModule(info.kind);
      const data = info.data;
      if (k?.ipJson && data !== undefined && data !== null && typeof data === 'object' && !(data instanceof Uint8Array)) {
        const d = k.ipJson(data as Record<string, unknown>, ictx);
        if (d !== undefined && Object.keys(d).length > 0) li.info_data = d;
      }
    }
    if (typeof info['slave-kind'] === 'string') {
      li.info_slave_kind = info['slave-kind'];
      const sd = info['slave-data'];
      if (info['slave-kind'] === 'bridge' && sd && typeof sd === 'object' && !(sd instanceof Uint8Array)) {
        li.info_slave_data = bridgePortIpJson(sd as Record<string, unknown>, ictx);
      }
    }
    o.linkinfo = li;
  }
  const af = a['af-spec'] as Record<string, unknown> | undefined;
  const inet6 = af?.inet6 as Record<string, unknown> | undefined;
  if (inet6 !== undefined && typeof inet6['addr-gen-mode'] === 'number') o.inet6_addr_gen_mode = ADDR_GEN[inet6['addr-gen-mode']] ?? String(inet6['addr-gen-mode']);
  put('num_tx_queues', n('num-tx-queues'));
  put('num_rx_queues', n('num-rx-queues'));
  put('gso_max_size', n('gso-max-size'));
  put('gso_max_segs', n('gso-max-segs'));
  put('tso_max_size', n('tso-max-size'));
  put('tso_max_segs', n('tso-max-segs'));
  put('gro_max_size', n('gro-max-size'));
  if (typeof a['parent-dev-bus-name'] === 'string') o.parentbus = a['parent-dev-bus-name'];
  if (typeof a['parent-dev-name'] === 'string') o.parentdev = a['parent-dev-name'];
}

/**
 * A link's name as ip prints it (print_name_and_link): `name@parent`, `name@if<N>` for a parent
 * in another namespace, `name@NONE` for parent index 0, from the keys of its JSON object.
 */
function nameAndLink(name: string, j: Record<string, unknown>): string {
  if (j.link !== undefined) return `${name}@${j.link === null ? 'NONE' : (j.link as string)}`;
  if (j.link_index !== undefined) return `${name}@if${j.link_index as number}`;
  return name;
}

/**
 * The first columns of `ip -br link` and `ip -br addr` (print_linkinfo_brief) from a link's
 * JSON object: what it is attached to, its name and state.
 */
export function briefHeadJson(j: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (j.link !== undefined) o.link = j.link;
  else if (j.link_index !== undefined) o.link_index = j.link_index;
  o.ifname = j.ifname;
  if (j.operstate !== undefined) o.operstate = j.operstate;
  return o;
}

/** Those columns as text: `name[@link]` padded to 16, the state to 14, each ending with a space. */
export function briefHeadText(j: Record<string, unknown>): string {
  const s = `${nameAndLink(j.ifname as string, j).padEnd(16)} `;
  return j.operstate === undefined ? s : `${s}${(j.operstate as string).padEnd(14)} `;
}

/** `ip -br -j link`'s object: the head columns, the address, the flags. */
export function linkBriefJson(j: Record<string, unknown>): Record<string, unknown> {
  const o = briefHeadJson(j);
  if (j.address !== undefined) o.address = j.address;
  o.flags = j.flags;
  return o;
}

/** `ip -br link`'s line. */
export function linkBriefText(j: Record<string, unknown>): string {
  const address = j.address === undefined ? '' : `${j.address as string} `;
  return `${briefHeadText(j)}${address}<${(j.flags as string[]).join(',')}> `;
}

/** `ip link show` text form of one link (two lines, as ip prints them). */
export function linkText(link: Link, ctx: LinkPrintContext, view: LinkTextView = LINK_SHOW): string {
  const j = linkIpJson(link, ctx);
  let s = `${link.index}: ${nameAndLink(link.name, j)}`;
  // Each field ends with a space except qlen (print_linkinfo): a line without qlen ends in one.
  s += `: <${(j.flags as string[]).join(',')}> mtu ${link.mtu} `;
  if (j.qdisc) s += `qdisc ${j.qdisc as string} `;
  if (j.master) s += `master ${j.master as string} `;
  if (j.operstate) s += `state ${j.operstate as string} `;
  if (j.linkmode && view.linkMode) s += `mode ${j.linkmode as string} `;
  if (j.group) s += `group ${j.group as string} `;
  if (j.txqlen !== undefined) s += `qlen ${j.txqlen as number}`;
  else if (view.queueLength) s += `qlen ${view.queueLength}`;
  if (view.linkLayer) {
    // ip prints "link/TYPE " and then the address: a device without one keeps the space.
    s += `\n    link/${j.link_type as string} `;
    if (j.address) s += j.address as string;
    if (j.broadcast) s += `${j.link_pointtopoint ? ' peer ' : ' brd '}${j.broadcast as string}`;
    if (j.link_netnsid !== undefined) s += ` link-netnsid ${j.link_netnsid as number}`;
  } else if (j.link_netnsid !== undefined) {
    // Without the link-layer line, ip still prints the peer's namespace id, on the first line.
    s = `${s.trimEnd()} link-netnsid ${j.link_netnsid as number}`;
  }
  if (ctx.details) s += detailsText(link, ctx, j, view.addrGenMode);
  if (j.ifalias && (view.alias || ctx.details)) s += `\n    alias ${j.ifalias as string}`;
  const stats = view.stats ? linkStatsText(link, ctx) : undefined;
  if (stats !== undefined) s += `\n${stats}`;
  // Alternative names come last, one line each (print_linkinfo's IFLA_PROP_LIST loop).
  if (Array.isArray(j.altnames)) for (const n of j.altnames as string[]) s += `\n    altname ${n}`;
  return s;
}

/** What of a link's text to print: all of it for `ip link show`, less inside `ip addr show`. */
export interface LinkTextView {
  /** `mode DEFAULT` and the like (ip link only). */
  linkMode: boolean;
  /** The `link/TYPE ADDRESS brd ...` line. */
  linkLayer: boolean;
  /** The `alias` line without -d. */
  alias: boolean;
  /** The `-s` counters. */
  stats: boolean;
  /** With -d, the IPv6 `addrgenmode` (ip link only). */
  addrGenMode: boolean;
  /** `qlen` for a link dumped without `IFLA_TXQLEN` (ip reads it with an ioctl). */
  queueLength?: number | undefined;
}

const LINK_SHOW: LinkTextView = { linkMode: true, linkLayer: true, alias: true, stats: true, addrGenMode: true };

/** The `-s` counter lines of a link, as `linkText` prints them (ip addr prints them after the addresses). */
export function linkStatsText(link: Link, ctx: LinkPrintContext): string | undefined {
  return ctx.stats && link.statistics ? statsText(link, ctx.stats) : undefined;
}

/**
 * The `-d` part of the text (print_linkinfo with show_details): counts on the link/ line, the
 * kind and port lines, then the queue and offload limits. Every word ends with a space; 6.1
 * opens allmulti with one more (`promiscuity 0  allmulti 0`).
 */
function detailsText(link: Link, ctx: LinkPrintContext, j: Record<string, unknown>, addrGenMode: boolean): string {
  let s = '';
  if (j.promiscuity !== undefined) s += ` promiscuity ${j.promiscuity as number} `;
  if (j.allmulti !== undefined) s += ` allmulti ${j.allmulti as number} `;
  if (j.min_mtu !== undefined) s += `minmtu ${j.min_mtu as number} `;
  if (j.max_mtu !== undefined) s += `maxmtu ${j.max_mtu as number} `;
  const info = link.attrs.linkinfo as Record<string, unknown> | undefined;
  const li = j.linkinfo as Record<string, unknown> | undefined;
  if (info !== undefined && li !== undefined) {
    const ictx = ipJsonContext(ctx);
    if (typeof li.info_kind === 'string') {
      s += `\n    ${li.info_kind} `;
      const k = kindModule(li.info_kind);
      const data = info.data;
      const d = data !== null && typeof data === 'object' && !(data instanceof Uint8Array) ? (data as Record<string, unknown>) : undefined;
      if (d !== undefined && k?.ipText) s += k.ipText(d, ictx);
      else if (li.info_data !== undefined) {
        for (const [key, v] of Object.entries(li.info_data as Record<string, unknown>)) s += `${key} ${typeof v === 'object' ? JSON.stringify(v) : String(v)} `;
      }
    }
    if (typeof li.info_slave_kind === 'string') {
      s += `\n    ${li.info_slave_kind}_slave `;
      const sd = info['slave-data'];
      if (li.info_slave_kind === 'bridge' && sd && typeof sd === 'object' && !(sd instanceof Uint8Array)) s += bridgePortText(sd as Record<string, unknown>, ictx);
    }
  }
  if (j.inet6_addr_gen_mode !== undefined && addrGenMode) s += `addrgenmode ${j.inet6_addr_gen_mode as string} `;
  const words: Array<[string, string]> = [
    ['num_tx_queues', 'numtxqueues'], ['num_rx_queues', 'numrxqueues'], ['gso_max_size', 'gso_max_size'], ['gso_max_segs', 'gso_max_segs'],
    ['tso_max_size', 'tso_max_size'], ['tso_max_segs', 'tso_max_segs'], ['gro_max_size', 'gro_max_size'], ['parentbus', 'parentbus'], ['parentdev', 'parentdev'],
  ];
  for (const [key, word] of words) if (j[key] !== undefined) s += `${word} ${String(j[key])} `;
  return s;
}

/** `stats64` as `ip -j -s [-s]` prints it (iproute2 print_link_stats64). */
function statsJson(link: Link, level: number): Record<string, unknown> {
  const s = link.statistics!;
  const n = (v: bigint) => Number(v);
  const rx: Record<string, number> = {
    bytes: n(s.rxBytes), packets: n(s.rxPackets), errors: n(s.rxErrors), dropped: n(s.rxDropped),
    over_errors: n(s.rxOverErrors), multicast: n(s.multicast),
  };
  if (s.rxCompressed) rx.compressed = n(s.rxCompressed);
  const tx: Record<string, number> = {
    bytes: n(s.txBytes), packets: n(s.txPackets), errors: n(s.txErrors), dropped: n(s.txDropped),
    carrier_errors: n(s.txCarrierErrors), collisions: n(s.collisions),
  };
  if (s.txCompressed) tx.compressed = n(s.txCompressed);
  if (level > 1) {
    Object.assign(rx, {
      length_errors: n(s.rxLengthErrors), crc_errors: n(s.rxCrcErrors), frame_errors: n(s.rxFrameErrors),
      fifo_errors: n(s.rxFifoErrors), missed_errors: n(s.rxMissedErrors),
    });
    if (s.rxNohandler) rx.nohandler = n(s.rxNohandler);
    Object.assign(tx, {
      aborted_errors: n(s.txAbortedErrors), fifo_errors: n(s.txFifoErrors), window_errors: n(s.txWindowErrors),
      heartbeat_errors: n(s.txHeartbeatErrors),
    });
    const cc = link.attrs['carrier-changes'];
    if (typeof cc === 'number') tx.carrier_changes = cc;
  }
  return { rx, tx };
}

/**
 * ip's `-s [-s]` text (print_link_stats64): column widths grow with every number shown, the
 * second level adds the RX and TX error rows (TX errors end with the carrier transitions).
 */
function statsText(link: Link, level: number): string {
  const s = link.statistics!;
  const cc = link.attrs['carrier-changes'];
  const transitions = BigInt(typeof cc === 'number' ? cc : 0);
  const cols = [10, 7, 6, 7, 7, 7, 10];
  const rx = [s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, s.rxMissedErrors, s.multicast, s.rxCompressed];
  const tx = [s.txBytes, s.txPackets, s.txErrors, s.txDropped, s.txCarrierErrors, s.collisions, s.txCompressed];
  const rxErr = [0n, s.rxLengthErrors, s.rxCrcErrors, s.rxFrameErrors, s.rxFifoErrors, s.rxOverErrors, s.rxNohandler];
  const txErr = [0n, s.txAbortedErrors, s.txFifoErrors, s.txWindowErrors, s.txHeartbeatErrors, transitions, 0n];
  for (const row of level > 1 ? [rx, rxErr, tx, txErr] : [rx, tx]) row.forEach((v, i) => (cols[i] = Math.max(cols[i]!, String(v).length)));
  const w = (i: number) => cols[i]!;
  const num = (v: bigint, i: number) => `${String(v).padStart(w(i))} `;
  const head = (label: string, names: string[], compressed: boolean) =>
    `    ${label}: ${(names[0] ?? '').padStart(w(0) - 4)} ${names.slice(1).map((x, i) => x.padStart(w(i + 1))).join(' ')} ${(compressed ? 'compressed' : '').padStart(w(6))}`;
  const nums = (row: bigint[]) => `    ${row.slice(0, 6).map((v, i) => num(v, i)).join('')}${row[6] ? num(row[6], 6) : ''}`;
  const errHead = (label: string, names: string[]) => `    ${label} errors:${''.padStart(Math.max(0, w(0) - 10))} ${names.map((x, i) => x.padStart(w(i + 1))).join(' ')}`;
  const errNums = (row: bigint[], last: number) => `${''.padStart(w(0) + 5)}${row.slice(1, last).map((v, i) => num(v, i + 1)).join('')}`;
  const lines = [head('RX', ['bytes', 'packets', 'errors', 'dropped', 'missed', 'mcast'], rx[6] !== 0n), nums(rx)];
  if (level > 1) {
    const nohandler = s.rxNohandler !== 0n;
    lines.push(
      errHead('RX', ['length', 'crc', 'frame', 'fifo', 'overrun', ...(nohandler ? ['nohandler'] : [])]),
      errNums(rxErr, nohandler ? 7 : 6),
    );
  }
  lines.push(head('TX', ['bytes', 'packets', 'errors', 'dropped', 'carrier', 'collsns'], tx[6] !== 0n), nums(tx));
  if (level > 1) lines.push(errHead('TX', ['aborted', 'fifo', 'window', 'heartbt', 'transns']), errNums(txErr, 6));
  return lines.join('\n');
}
