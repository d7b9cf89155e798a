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
  /** Leave `scope` out (ip does when the listing was filtered by scope). */
  omitScope?: boolean;
}

/** ip's route flag keywords, in its order (`print_rt_flags`). */
const FLAG_ORDER: readonly RouteFlag[] = ['dead', 'onlink', 'pervasive', 'offload', 'trap', 'notify', 'linkdown', 'unresolved', 'rt_offload', 'rt_trap', 'rt_offload_failed'];

const TABLE_NAMES: Readonly<Record<number, string>> = { 253: 'default', 254: 'main', 255: 'local' };

/** ip's metric names (`mx_names`), indexed by RTAX_* number (RTAX_MTU = 2 after RTAX_LOCK = 1). */
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
const RTAX_FEATURE_ECN = 1;

/**
 * The metrics as ip prints them (print_rta_metrics): each metric present or locked, in RTAX
 * order; `[jsonKey, jsonValue, text]` per metric. JSON has the bare value (a lock shows only in
 * the text, as `mtu lock 1300`); rtt/rttvar are in the kernel's 1/8 and 1/4 ms, printed as whole
 * ms (`2s` from 1000 ms on in text); a hop limit of -1 (the default) is skipped; `features`
 * prints the ECN bit as `ecn` and any other bits as hex; the congestion algorithm's JSON key
 * is `congestion`.
 */
function metricItems(m: RouteMetrics): Array<[string, unknown, string]> {
  const out: Array<[string, unknown, string]> = [];
  const locked = (m.lock ?? 0) >>> 0;
  METRIC_ORDER.forEach(([k, name], i) => {
    const rtax = i + 2;
    const isLocked = (locked & (1 << rtax)) !== 0;
    const raw = m[k];
    if (raw === undefined && !isLocked) return;
    const lock = isLocked ? 'lock ' : '';
    if (k === 'congctl') {
      const v = typeof raw === 'string' ? raw : '';
      out.push(['congestion', v, `${name} ${lock}${v}`]);
      return;
    }
    let v = typeof raw === 'number' ? raw >>> 0 : 0;
    if (k === 'hoplimit' && v === 0xffffffff) return;
    if (k === 'features') {
      const parts: Array<[string, unknown, string]> = [];
      let text = `${name} ${lock}`;
      if (v & RTAX_FEATURE_ECN) {
        parts.push(['ecn', null, '']);
        text += 'ecn ';
      }
      if (v & ~RTAX_FEATURE_ECN) {
        parts.push(['features', `0x${v.toString(16)}`, '']);
        text += `0x${v.toString(16)} `;
      }
      // The text of every part goes with the first (an empty features value prints only its name).
      if (parts.length === 0) out.push(['', undefined, text.trimEnd()]);
      else {
        parts[0]![2] = text.trimEnd();
        out.push(...parts);
      }
      return;
    }
    if (k === 'rtt' || k === 'rttvar' || k === 'rtoMin') {
      if (k === 'rtt') v = Math.floor(v / 8);
      else if (k === 'rttvar') v = Math.floor(v / 4);
      out.push([name, v, `${name} ${lock}${v >= 1000 ? `${v / 1e3}s` : `${v}ms`}`]);
      return;
    }
    out.push([name, v, `${name} ${lock}${v}`]);
  });
  return out;
}

function metricsJson(m: RouteMetrics): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [key, value] of metricItems(m)) if (key !== '') o[key] = value;
  return o;
}

/** RTA_FLOW as ip prints it (print_rta_flow): `from` only when set. */
function flowJson(realm: number): Record<string, string> {
  const from = realm >>> 16;
  return from ? { from: realmName(from), to: realmName(realm & 0xffff) } : { to: realmName(realm & 0xffff) };
}

const flowText = (f: { from?: string; to: string }): string => (f.from !== undefined ? `realms ${f.from}/${f.to}` : `realm ${f.to}`);

/** A realm as ip prints it (rtnl_rtrealm_n2a with the default rt_realms: 0 is `cosmos`). */
function realmName(n: number): string {
  return n === 0 ? 'cosmos' : String(n);
}

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
  return build(r, ctx);
}

function build(r: Route, ctx: RoutePrintContext): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (r.type !== 'unicast' || ctx.details) o.type = typeof r.type === 'number' ? String(r.type) : r.type;
  o.dst = r.dst === undefined ? 'default' : prefixText(r.dst);
  if (r.srcPrefix !== undefined) o.from = prefixText(r.srcPrefix);
  if (r.tos !== 0) o.tos = `0x${r.tos.toString(16).padStart(2, '0')}`;
  // print_route: the nexthop object's id before the gateway and device it resolves to.
  if (r.nhId !== undefined) o.nhid = r.nhId;
  if (r.gw !== undefined) o.gateway = r.gw;
  if (r.via !== undefined) o.via = { family: r.via.family, host: r.via.address };
  if (r.linkIndex !== undefined && !ctx.omitDev) o.dev = ctx.linkName(r.linkIndex) ?? `if${r.linkIndex}`;
  if (r.table !== 0 && (r.table !== 254 || ctx.details) && !ctx.omitTable) o.table = tableName(r.table);
  // Cached (cloned) entries, such as `route get` answers, carry no meaningful protocol or scope.
  if (!r.flags.includes('cloned')) {
    if ((r.protocol !== 'boot' || ctx.details) && !ctx.omitProtocol) o.protocol = String(r.protocol);
    if ((r.scope !== 'global' || ctx.details) && !ctx.omitScope) o.scope = String(r.scope);
  }
  if (r.src !== undefined) o.prefsrc = r.src;
  if (r.priority !== undefined) o.metric = r.priority;
  o.flags = flagList(r.flags);
  // ip prints a mark only when it is not 0.
  if (r.mark) o.mark = r.mark;
  if (r.realm !== undefined) o.flow = flowJson(r.realm);
  // ip's order: uid, then the cache block (RTCF_* flags of a lookup, then the expiry), then metrics.
  if (r.uid !== undefined) o.uid = r.uid;
  // ip lists the RTCF_* cache flags of a cached IPv4 lookup (the route get answer).
  if (r.family === 'inet' && r.flags.includes('cloned')) o.cache = r.cacheFlags ?? [];
  if (r.expires !== undefined) o.expires = r.expires;
  if (r.metrics !== undefined) {
    const m = metricsJson(r.metrics);
    if (Object.keys(m).length > 0) o.metrics = [m];
  }
  if (r.iifIndex !== undefined) o.iif = ctx.linkName(r.iifIndex) ?? `if${r.iifIndex}`;
  // ip prints RTA_PREF before the next hops: RTA_MULTIPATH always comes last (print_route).
  if (r.pref !== undefined) o.pref = String(r.pref);
  if (r.multipath !== undefined) {
    o.nexthops = r.multipath.map((nh) => {
      const n: Record<string, unknown> = {};
      if (nh.gw !== undefined) n.gateway = nh.gw;
      if (nh.via !== undefined) n.via = { family: nh.via.family, host: nh.via.address };
      if (nh.realm !== undefined) n.flow = flowJson(nh.realm);
      if (nh.linkIndex) n.dev = ctx.linkName(nh.linkIndex) ?? `if${nh.linkIndex}`;
      n.weight = nh.weight;
      n.flags = flagList(nh.flags);
      return n;
    });
  }
  return o;
}

/** `ip -j route get` output: the lookup result, with `uid` and the cache marker. */
export function routeGetIpJson(r: Route, ctx: RoutePrintContext): Record<string, unknown> {
  // A lookup answer is a cached (cloned) entry: build() adds its `cache` flags.
  return build(r, ctx);
}

/** JSON keys ip prints in text as `WORD VALUE` (print_route), by key. */
const ROUTE_WORDS: Readonly<Record<string, string>> = {
  from: 'from', tos: 'tos', nhid: 'nhid', gateway: 'via', dev: 'dev', table: 'table', protocol: 'proto',
  scope: 'scope', prefsrc: 'src', metric: 'metric', uid: 'uid', iif: 'iif',
};

/**
 * The text form of `ip route show|get` (print_route): one line per route (a multipath route
 * adds a `\tnexthop` line per hop, a cached IPv4 lookup a `    cache` line). As ip, every item
 * ends with a space, `pref` excepted.
 */
export function routeText(r: Route, ctx: RoutePrintContext): string {
  const j = build(r, ctx);
  let s = '';
  const add = (t: string) => (s += `${t} `);
  for (const [k, v] of Object.entries(j)) {
    const word = ROUTE_WORDS[k];
    if (word !== undefined) {
      add(`${word} ${v as string | number}`);
      continue;
    }
    switch (k) {
      case 'type':
      case 'dst':
        add(v as string);
        break;
      case 'via':
        add(`via ${(v as { family: string }).family} ${(v as { host: string }).host}`);
        break;
      case 'flags':
        for (const f of v as string[]) add(f);
        break;
      case 'mark':
        add((v as number) >= 16 ? `mark 0x${(v as number).toString(16)}` : `mark ${v as number}`);
        break;
      case 'flow':
        add(flowText(v as { from?: string; to: string }));
        break;
      case 'cache': {
        const c = v as string[];
        s += `\n    cache ${c.length > 0 ? `<${c.join(',')}> ` : ''}`;
        break;
      }
      case 'expires':
        add(`expires ${v as number}sec`);
        break;
      case 'metrics':
        for (const [, , text] of metricItems(r.metrics!)) if (text !== '') add(text);
        break;
      case 'pref':
        s += `pref ${v as string}`;
        break;
      case 'nexthops':
        for (const nh of v as Record<string, unknown>[]) {
          s += '\n\tnexthop ';
          if (nh.gateway !== undefined) add(`via ${nh.gateway as string}`);
          if (nh.via !== undefined) add(`via ${(nh.via as { family: string }).family} ${(nh.via as { host: string }).host}`);
          if (nh.flow !== undefined) add(flowText(nh.flow as { from?: string; to: string }));
          if (nh.dev !== undefined) add(`dev ${nh.dev as string}`);
          add(`weight ${nh.weight as number}`);
          for (const f of nh.flags as string[]) add(f);
        }
        break;
    }
  }
  return s;
}
