/**
 * `ip -j [-d] route show|get` output: the one place that knows iproute2's route key names,
 * value formats and which keys it leaves out by default (iproute2 6.1, `print_route`).
 */
import type { Route, RouteFlag, RouteMetrics } from '../../route.js';

export interface RoutePrintContext {
  details: boolean;
  /** ifindex -> name (for `dev`). */
  linkName(index: number): string | undefined;
  /** Leave `dev` out (ip does when the listing was filtered by device). */
  omitDev?: boolean;
  /** Leave `table` out (ip does when the listing asked for one table, main included). */
  omitTable?: boolean;
  /** Leave `protocol` out (ip does when the listing was filtered by protocol). */
  omitProtocol?: boolean;
}

/** ip's route flag keywords, in its order (`print_rt_flags`). */
const FLAG_ORDER: readonly RouteFlag[] = ['dead', 'onlink', 'pervasive', 'offload', 'trap', 'notify', 'linkdown', 'unresolved', 'rt_offload', 'rt_trap', 'rt_offload_failed'];

const TABLE_NAMES: Readonly<Record<number, string>> = { 253: 'default', 254: 'main', 255: 'local' };

/** ip's metric keys (`mx_names`) and their order. */
const METRIC_ORDER: ReadonlyArray<[keyof RouteMetrics, string]> = [
  ['mtu', 'mtu'],
  ['window', 'window'],
  ['rtt', 'rtt'],
  ['rttvar', 'rttvar'],
  ['ssthresh', 'ssthresh'],
  ['cwnd', 'cwnd'],
  ['advmss', 'advmss'],
  ['reordering', 'reordering'],
  ['hoplimit', 'hoplimit'],
  ['initcwnd', 'initcwnd'],
  ['features', 'features'],
  ['rtoMin', 'rto_min'],
  ['initrwnd', 'initrwnd'],
  ['quickack', 'quickack'],
  ['congctl', 'congctl'],
  ['fastopenNoCookie', 'fastopen_no_cookie'],
];

/** A table id as ip prints it: `main`, `local`, `default`, or the number as text. */
export function tableName(id: number): string {
  return TABLE_NAMES[id] ?? String(id);
}

/** `192.0.2.0/24`, or the bare address for a host prefix, as ip prints destinations. */
function prefixText(cidr: string): string {
  const [ip, len] = cidr.split('/');
  const max = ip!.includes(':') ? 128 : 32;
  return Number(len) === max ? ip! : cidr;
}

function flagList(flags: readonly RouteFlag[]): string[] {
  const set = new Set(flags);
  return FLAG_ORDER.filter((f) => set.has(f));
}

function metricsJson(m: RouteMetrics): Record<string, unknown> | undefined {
  const o: Record<string, unknown> = {};
  const locked = m.lock ?? 0;
  for (const [k, key] of METRIC_ORDER) {
    const v = m[k];
    if (v === undefined) continue;
    // RTAX numbers are 1-based (RTAX_MTU = 2 after RTAX_LOCK = 1); the lock bit is 1 << RTAX_*.
    const rtax = METRIC_ORDER.findIndex(([x]) => x === k) + 2;
    if (locked & (1 << rtax)) {
      o[key] = { value: v, lock: true };
      continue;
    }
    // ip prints rtt in ms (kernel unit 1/8 ms), rttvar in ms (1/4 ms), rto_min in ms.
    if (k === 'rtt' && typeof v === 'number') o[key] = v / 8;
    else if (k === 'rttvar' && typeof v === 'number') o[key] = v / 4;
    else o[key] = v;
  }
  return Object.keys(o).length > 0 ? o : undefined;
}

/**
 * One route as `ip -j route show` prints it.
 *
 * @example
 * ```ts
 * const names = new Map((await h.linkList()).map((l) => [l.index, l.name]));
 * routes.map((r) => routeIpJson(r, { details: false, linkName: (i) => names.get(i) }));
 * ```
 */
export function routeIpJson(r: Route, ctx: RoutePrintContext): Record<string, unknown> {
  return build(r, ctx, false);
}

function build(r: Route, ctx: RoutePrintContext, lookup: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (r.type !== 'unicast' || ctx.details) o.type = typeof r.type === 'number' ? String(r.type) : r.type;
  o.dst = r.dst === undefined ? 'default' : prefixText(r.dst);
  if (r.srcPrefix !== undefined) o.from = prefixText(r.srcPrefix);
  if (r.tos !== 0) o.tos = `0x${r.tos.toString(16).padStart(2, '0')}`;
  if (r.gw !== undefined) o.gateway = r.gw;
  if (r.via !== undefined) o.via = { family: r.via.family, host: r.via.address };
  if (r.linkIndex !== undefined && !ctx.omitDev) o.dev = ctx.linkName(r.linkIndex) ?? `if${r.linkIndex}`;
  if (r.table !== 0 && (r.table !== 254 || ctx.details) && !ctx.omitTable) o.table = tableName(r.table);
  // Cached (cloned) entries, such as `route get` answers, carry no meaningful protocol or scope.
  if (!r.flags.includes('cloned')) {
    if ((r.protocol !== 'boot' || ctx.details) && !ctx.omitProtocol) o.protocol = String(r.protocol);
    if (r.scope !== 'global' || ctx.details) o.scope = String(r.scope);
  }
  if (r.src !== undefined) o.prefsrc = r.src;
  if (r.priority !== undefined) o.metric = r.priority;
  o.flags = flagList(r.flags);
  if (r.mark !== undefined) o.mark = r.mark;
  // ip's order: uid, then the cache block (RTCF_* flags of a lookup, or the expiry), then metrics.
  if (r.uid !== undefined) o.uid = r.uid;
  if (lookup && r.flags.includes('cloned')) {
    o.cache = r.type === 'local' ? ['local'] : r.type === 'broadcast' ? ['brd'] : r.type === 'multicast' ? ['mc'] : [];
  }
  if (r.expires !== undefined) o.expires = r.expires;
  if (r.metrics !== undefined) {
    const m = metricsJson(r.metrics);
    if (m) o.metrics = [m];
  }
  if (r.multipath !== undefined) {
    o.nexthops = r.multipath.map((nh) => {
      const n: Record<string, unknown> = {};
      if (nh.gw !== undefined) n.gateway = nh.gw;
      if (nh.via !== undefined) n.via = { family: nh.via.family, host: nh.via.address };
      if (nh.linkIndex) n.dev = ctx.linkName(nh.linkIndex) ?? `if${nh.linkIndex}`;
      n.weight = nh.weight;
      n.flags = flagList(nh.flags);
      return n;
    });
  }
  if (r.pref !== undefined) o.pref = String(r.pref);
  return o;
}

/** `ip -j route get` output: the lookup result, with `uid` and the cache marker. */
export function routeGetIpJson(r: Route, ctx: RoutePrintContext): Record<string, unknown> {
  // ip lists the RTCF_* cache flags of a lookup; the ones shown follow from the route type.
  return build(r, ctx, true);
}

/** The text form of `ip route show` (one line per route). */
export function routeText(r: Route, ctx: RoutePrintContext): string {
  const j = routeIpJson(r, ctx);
  const parts: string[] = [];
  if (j.type !== undefined) parts.push(j.type as string);
  parts.push(j.dst as string);
  if (j.from !== undefined) parts.push('from', j.from as string);
  if (j.gateway !== undefined) parts.push('via', j.gateway as string);
  if (j.via !== undefined) parts.push('via', (j.via as { family: string }).family, (j.via as { host: string }).host);
  if (j.dev !== undefined) parts.push('dev', j.dev as string);
  if (j.table !== undefined) parts.push('table', j.table as string);
  if (j.protocol !== undefined) parts.push('proto', j.protocol as string);
  if (j.scope !== undefined) parts.push('scope', j.scope as string);
  if (j.prefsrc !== undefined) parts.push('src', j.prefsrc as string);
  if (j.metric !== undefined) parts.push('metric', String(j.metric));
  parts.push(...(j.flags as string[]));
  const m = (j.metrics as Record<string, unknown>[] | undefined)?.[0];
  if (m) for (const [k, v] of Object.entries(m)) parts.push(k, typeof v === 'object' ? `lock ${(v as { value: number }).value}` : String(v));
  if (j.pref !== undefined) parts.push('pref', j.pref as string);
  let s = parts.join(' ');
  for (const nh of (j.nexthops as Record<string, unknown>[] | undefined) ?? []) {
    s += `\n\tnexthop`;
    if (nh.gateway !== undefined) s += ` via ${nh.gateway as string}`;
    if (nh.dev !== undefined) s += ` dev ${nh.dev as string}`;
    s += ` weight ${nh.weight as number}`;
    for (const f of nh.flags as string[]) s += ` ${f}`;
  }
  return s;
}
