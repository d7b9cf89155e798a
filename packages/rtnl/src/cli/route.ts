/**
 * `rtnl route show [table T] [dev D] [proto P] [type T] | add|replace|append|del ROUTE | get ADDR`,
 * `ip route` syntax over the public route API.
 */
import '../route.js';
import '../link/index.js';
import { ownValue, parseCIDR, parseIP, samePrefix, scopeName, type Family, type ParsedCIDR } from '../ip.js';
import { ROUTE_TYPES, routeFromMessage, routeGetMessage, type NextHopSpec, type Route, type RouteFlag, type RouteMetrics, type RouteSpec } from '../route.js';
import { Args, CliError, runCommand, parseUint, type CliContext } from './args.js';
import { ctxFamily } from './addr.js';
import { routeGetIpJson, routeIpJson, routeText, type RoutePrintContext } from './ipjson/route.js';


const USAGE =
  'Usage: rtnl route { show [table T] [dev D] [proto P] [type T] [scope S] [root|match|exact PREFIX] | add|replace|append|del [TYPE] PREFIX|default [via GW] [dev D] [src S] [metric N] [table T] [proto P] [scope S] [mtu N] [advmss N] [onlink] [nexthop via GW dev D weight W]... | get [fibmatch] ADDR [from S] [iif D] [oif D] [mark M] }';

export async function run(ctx: CliContext, argv: string[]): Promise<void> {
  return runCommand(ctx, argv, 'route', USAGE, [
    { words: ['show', 'list', 'lst'], run: show },
    { words: ['add'], run: (c, a) => modify(c, a, 'add') },
    { words: ['replace', 'change'], run: (c, a) => modify(c, a, 'replace') },
    { words: ['append'], run: (c, a) => modify(c, a, 'append') },
    { words: ['prepend'], run: (c, a) => modify(c, a, 'add') },
    { words: ['delete', 'del'], run: (c, a) => modify(c, a, 'del') },
    { words: ['get'], run: get },
  ]);
}

/** ifindex -> name for the printer (one link dump, as ip's ll_init_map). */
async function linkNames(ctx: CliContext): Promise<{ name: (i: number) => string | undefined; index: (n: string) => number | undefined }> {
  const links = await ctx.handle().linkList();
  const names = new Map(links.map((l) => [l.index, l.name]));
  const indexes = new Map(links.map((l) => [l.name, l.index]));
  return { name: (i) => names.get(i), index: (n) => indexes.get(n) };
}

async function show(ctx: CliContext, a: Args): Promise<void> {
  let table: string | undefined;
  let dev: string | undefined;
  let proto: string | undefined;
  let type: string | undefined;
  let scope: string | undefined;
  let root: ParsedCIDR | undefined;
  let match: ParsedCIDR | undefined;
  const prefix = (w: string): ParsedCIDR => (w === 'default' ? { ...parseCIDR(ctxFamily(ctx) === 'inet6' ? '::/0' : '0.0.0.0/0'), text: w } : parseCIDR(w, 'prefix'));
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'table') table = a.next('table after "table"');
    else if (w === 'dev' || w === 'oif') dev = a.next(`device after "${w}"`);
    else if (w === 'proto' || w === 'protocol') proto = a.next('protocol after "proto"');
    else if (w === 'type') type = a.next('type after "type"');
    else if (w === 'scope') scope = a.next('scope after "scope"');
    else if (w === 'root') root = prefix(a.next('prefix after "root"'));
    else if (w === 'match') match = prefix(a.next('prefix after "match"'));
    else if (w === 'exact' || w === 'to' || (!w.startsWith('-') && root === undefined && match === undefined)) {
      // ip: a bare prefix (or `exact P`) is both the root and the match: that prefix exactly.
      let p = w === 'exact' || w === 'to' ? a.next(`prefix after "${w}"`) : w;
      if (w === 'to' && (p === 'root' || p === 'match' || p === 'exact')) {
        const q = prefix(a.next(`prefix after "${p}"`));
        if (p !== 'match') root = q;
        if (p !== 'root') match = q;
        continue;
      }
      root = match = prefix(p);
    } else throw new CliError(`unknown route show argument "${w}"`);
  }
  const h = ctx.handle();
  // As `ip route show`: IPv4 unless -6 says otherwise, both families for `table all`.
  const all = table === 'all' || table === '0';
  const family: Family | undefined = ctxFamily(ctx) ?? (all ? undefined : 'inet');
  let routes = await h.routeList({
    ...(family !== undefined ? { family } : {}),
    ...(table !== undefined ? { table: table === 'all' ? 'all' : /^\d+$/.test(table) ? Number(table) : table } : {}),
    ...(dev !== undefined ? { link: dev } : {}),
    ...(proto !== undefined ? { protocol: /^\d+$/.test(proto) ? Number(proto) : proto } : {}),
    ...(type !== undefined ? { type: type as never } : {}),
  });
  // The kernel's device filter also matches multipath routes with a next hop on the device;
  // ip lists only routes whose output interface is the device.
  // ip's prefix selectors (filter_nlmsg): `root P` keeps routes inside P, `match P` routes
  // that cover P, both (a bare prefix) exactly P.
  if (root !== undefined) routes = routes.filter((r) => inside(r, root!));
  if (match !== undefined) routes = routes.filter((r) => covers(r, match!));
  if (scope !== undefined) {
    const want = /^\d+$/.test(scope) ? String(scopeName(Number(scope))) : scope;
    routes = routes.filter((r) => String(r.scope) === want);
  }
  const links = await linkNames(ctx);
  if (dev !== undefined) {
    const index = links.index(dev);
    routes = routes.filter((r) => r.linkIndex === index);
  }
  const pc: RoutePrintContext = {
    details: ctx.details,
    linkName: links.name,
    omitDev: dev !== undefined,
    // ip prints the table only when listing every table.
    omitTable: !all,
    omitProtocol: proto !== undefined,
    omitScope: scope !== undefined,
  };
  if (ctx.json) ctx.printJson(routes.map((r) => routeIpJson(r, pc)));
  else for (const r of routes) ctx.print(routeText(r, pc));
}

/** A route's destination as (family, bytes, length); the default route is 0 bits. */
function dstOf(r: Route): { af: number; bytes: Uint8Array; len: number } {
  const af = r.family === 'inet6' ? 10 : 2;
  if (r.dst === undefined) return { af, bytes: new Uint8Array(af === 2 ? 4 : 16), len: 0 };
  const p = parseCIDR(r.dst);
  return { af: p.af, bytes: p.bytes, len: p.prefixLen };
}

/** `root P`: the route's destination lies inside P. */
function inside(r: Route, p: ParsedCIDR): boolean {
  const d = dstOf(r);
  return d.af === p.af && d.len >= p.prefixLen && samePrefix(d.bytes, p.bytes, p.prefixLen);
}

/** `match P`: the route's destination covers P. */
function covers(r: Route, p: ParsedCIDR): boolean {
  const d = dstOf(r);
  return d.af === p.af && d.len <= p.prefixLen && samePrefix(d.bytes, p.bytes, d.len);
}

const METRIC_WORDS: Readonly<Record<string, keyof RouteMetrics>> = {
  mtu: 'mtu',
  advmss: 'advmss',
  window: 'window',
  rtt: 'rtt',
  rttvar: 'rttvar',
  ssthresh: 'ssthresh',
  cwnd: 'cwnd',
  initcwnd: 'initcwnd',
  initrwnd: 'initrwnd',
  reordering: 'reordering',
  hoplimit: 'hoplimit',
  features: 'features',
  rto_min: 'rtoMin',
  quickack: 'quickack',
  fastopen_no_cookie: 'fastopenNoCookie',
  congctl: 'congctl',
};

/** RTAX_* numbers (include/uapi/linux/rtnetlink.h): the lock bit of a metric is 1 << RTAX. */
const RTAX: Readonly<Record<keyof RouteMetrics, number>> = {
  lock: 1, mtu: 2, window: 3, rtt: 4, rttvar: 5, ssthresh: 6, cwnd: 7, advmss: 8, reordering: 9, hoplimit: 10,
  initcwnd: 11, features: 12, rtoMin: 13, initrwnd: 14, quickack: 15, congctl: 16, fastopenNoCookie: 17,
};

/**
 * A time as ip's get_time_rtt reads it: a number with `s`/`sec`/`secs` or `ms`/`msec`/`msecs`
 * (milliseconds), or a bare number (raw: taken as the kernel's unit). Returns ms or raw.
 */
function timeArg(v: string, word: string): { value: number; raw: boolean } {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(s|sec|secs|ms|msec|msecs)?$/.exec(v);
  if (!m) throw new CliError(`invalid ${word} "${v}"`);
  const n = Number(m[1]);
  const unit = m[2];
  const value = Math.floor(unit === undefined || unit.startsWith('m') ? n : n * 1000);
  if (value > 0xffffffff) throw new CliError(`invalid ${word} "${v}"`);
  return { value, raw: unit === undefined };
}

/**
 * A metric's value as ip reads it: rtt in 1/8 ms and rttvar in 1/4 ms unless given raw,
 * rto_min in ms, `features ecn`, congctl an algorithm's name, everything else a plain number.
 */
function metricValue(k: keyof RouteMetrics, v: string, word: string): number | string {
  if (k === 'congctl') return v;
  if (k === 'rtt' || k === 'rttvar') {
    const t = timeArg(v, word);
    return t.raw ? t.value : t.value * (k === 'rtt' ? 8 : 4);
  }
  if (k === 'rtoMin') return timeArg(v, word).value;
  if (k === 'features') {
    if (v === 'ecn') return 1;
    throw new CliError(`invalid features "${v}" (ip knows "ecn")`);
  }
  return parseUint(v, word);
}

/** `via [inet|inet6] ADDR`: a gateway of the route's family, or RTA_VIA for another family. */
function viaArg(a: Args): string {
  const w = a.next('gateway after "via"');
  if (w === 'inet' || w === 'inet6') return a.next('gateway address after "via inet"');
  return w;
}

/**
 * `realms [FROM/]TO` as ip's get_rt_realms_or_raw takes it: each realm a number 0-65535 or
 * `cosmos` (0, the one name of the default rt_realms table), packed as `(from << 16) | to`.
 */
export function realmArg(v: string): number {
  const one = (x: string): number => {
    if (x === 'cosmos') return 0;
    if (!/^\d+$/.test(x)) throw new CliError(`invalid realm "${x}" (a number 0-65535 or cosmos)`);
    return parseUint(x, 'realm', 0xffff);
  };
  const slash = v.indexOf('/');
  return slash < 0 ? one(v) : ((one(v.slice(0, slash)) << 16) | one(v.slice(slash + 1))) >>> 0;
}

/** Parse `ip route add|del` arguments into a `RouteSpec`. Exported for tests. */
export function parseRouteArgs(argv: readonly string[], family?: Family): RouteSpec {
  const a = new Args(argv);
  const spec: RouteSpec & { metrics?: RouteMetrics } = {};
  const flags: RouteFlag[] = [];
  let dstSeen = false;
  let gwText: string | undefined;
  const nexthops: NextHopSpec[] = [];
  const setMetric = (k: keyof RouteMetrics, word: string) => {
    let v = a.next(`value after "${word}"`);
    spec.metrics ??= {};
    if (v === 'lock') {
      // The lock bit is 1 << RTAX_* of the metric.
      spec.metrics.lock = ((spec.metrics.lock ?? 0) | (1 << RTAX[k])) >>> 0;
      v = a.next(`value after "${word} lock"`);
    }
    (spec.metrics as Record<string, number | string>)[k] = metricValue(k, v, word);
  };
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'nexthop') {
      const nh: NextHopSpec = {};
      const nflags: RouteFlag[] = [];
      while (!a.done && a.peek() !== 'nexthop') {
        const x = a.next('nexthop argument');
        if (x === 'via') {
          const g = viaArg(a);
          if (family !== undefined && parseIP(g, 'via').af !== (family === 'inet' ? 2 : 10)) nh.via = g;
          else nh.gw = g;
        } else if (x === 'dev') nh.link = a.next('device after "dev"');
        else if (x === 'weight') nh.weight = parseUint(a.next('weight after "weight"'), 'weight', 256);
        else if (x === 'onlink') nflags.push('onlink');
        else if (x === 'realms' || x === 'realm') nh.realm = realmArg(a.next(`realm after "${x}"`));
        else throw new CliError(`unknown nexthop argument "${x}"`);
      }
      if (nflags.length) nh.flags = nflags;
      nexthops.push(nh);
      continue;
    }
    const metric = ownValue(METRIC_WORDS, w);
    if (metric !== undefined) {
      setMetric(metric, w);
      continue;
    }
    switch (w) {
      case 'via':
        gwText = viaArg(a);
        break;
      case 'dev':
      case 'oif':
        spec.link = a.next(`device after "${w}"`);
        break;
      case 'src':
        spec.src = a.next('address after "src"');
        break;
      case 'from':
        spec.srcPrefix = a.next('prefix after "from"');
        break;
      case 'metric':
      case 'priority':
      case 'preference':
        spec.priority = parseUint(a.next(`number after "${w}"`), w);
        break;
      case 'table':
        spec.table = numOrName(a.next('table after "table"'));
        break;
      case 'proto':
      case 'protocol':
        spec.protocol = numOrName(a.next('protocol after "proto"'));
        break;
      case 'scope':
        spec.scope = numOrName(a.next('scope after "scope"')) as never;
        break;
      case 'onlink':
        flags.push('onlink');
        break;
      case 'pervasive':
        flags.push('pervasive');
        break;
      case 'tos':
      case 'dsfield':
        spec.tos = parseUint(a.next(`value after "${w}"`), w, 255);
        break;
      case 'mark':
        spec.mark = parseUint(a.next('mark after "mark"'), 'mark');
        break;
      case 'realms':
      case 'realm':
        spec.realm = realmArg(a.next(`realm after "${w}"`));
        break;
      case 'expires':
        spec.expires = parseUint(a.next('seconds after "expires"'), 'expires');
        break;
      case 'nhid':
        spec.nhId = parseUint(a.next('nexthop id after "nhid"'), 'nhid');
        break;
      case 'pref': {
        const p = a.next('preference after "pref"');
        if (p !== 'low' && p !== 'medium' && p !== 'high') throw new CliError(`invalid pref "${p}"`);
        spec.pref = p;
        break;
      }
      case 'type':
        spec.type = typeWord(a.next('type after "type"'));
        break;
      case 'to':
        spec.dst = a.next('prefix after "to"');
        dstSeen = true;
        break;
      default:
        if (!dstSeen && ownValue(ROUTE_TYPES, w) !== undefined && w !== 'unspec') {
          spec.type = typeWord(w);
        } else if (!dstSeen) {
          spec.dst = w;
          dstSeen = true;
        } else throw new CliError(`unknown route argument "${w}"`);
    }
  }
  if (!dstSeen) throw new CliError('missing route destination (PREFIX or default)');
  if (flags.length) spec.flags = flags;
  if (nexthops.length) spec.multipath = nexthops;
  if (gwText !== undefined) {
    // A gateway of the other family travels as RTA_VIA.
    const routeFamily =
      family ?? (spec.dst !== undefined && spec.dst !== 'default' ? (spec.dst.includes(':') ? 'inet6' : 'inet') : undefined);
    const gwFamily = parseIP(gwText, 'via').af === 2 ? 'inet' : 'inet6';
    if (routeFamily !== undefined && routeFamily !== gwFamily) spec.via = gwText;
    else spec.gw = gwText;
  }
  if (family !== undefined) spec.family = family;
  return spec;
}

function numOrName(s: string): string | number {
  return /^\d+$/.test(s) ? Number(s) : s;
}

function typeWord(s: string): RouteSpec['type'] {
  if (ownValue(ROUTE_TYPES, s) === undefined) throw new CliError(`invalid route type "${s}"`);
  return s as RouteSpec['type'];
}

async function modify(ctx: CliContext, a: Args, op: 'add' | 'replace' | 'append' | 'del'): Promise<void> {
  const spec = parseRouteArgs(a.rest(), ctxFamily(ctx));
  const h = ctx.handle();
  if (op === 'add') await h.routeAdd(spec);
  else if (op === 'replace') await h.routeReplace(spec);
  else if (op === 'append') await h.routeAppend(spec);
  else await h.routeDel(spec);
}

/**
 * `ip route get fibmatch ADDR`: the lookup with RTM_F_FIB_MATCH, answered with the FIB entry
 * that matched (printed as route show prints it) instead of a cached result.
 */
async function fibMatch(ctx: CliContext, dst: string, opts: { src?: string; iif?: string; oif?: string; mark?: number }): Promise<Route> {
  const h = ctx.handle();
  const d = parseCIDR(dst, 'destination');
  const index = async (name: string | undefined) => (name === undefined ? undefined : (await h.linkByName(name)).index);
  const msg = routeGetMessage(d, opts.src === undefined ? undefined : parseIP(opts.src, 'from', d.af).text, await index(opts.oif), await index(opts.iif), opts.mark);
  msg['rtm-flags'] = ((msg['rtm-flags'] as number) | RTM_F_FIB_MATCH) >>> 0;
  const [r] = await h.request<Route>(msg, { map: (m) => (m.header.type === 'RTM_NEWROUTE' ? routeFromMessage(m) : undefined) });
  if (r === undefined) throw new Error(`the kernel sent no route for ${d.text}`);
  return r;
}

/** RTM_F_FIB_MATCH: answer a lookup with the matching FIB entry. */
const RTM_F_FIB_MATCH = 0x2000;

async function get(ctx: CliContext, a: Args): Promise<void> {
  let dst: string | undefined;
  let fibmatch = false;
  const opts: { src?: string; iif?: string; oif?: string; mark?: number } = {};
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'fibmatch') fibmatch = true;
    else if (w === 'from') opts.src = a.next('address after "from"');
    else if (w === 'iif') opts.iif = a.next('device after "iif"');
    else if (w === 'oif' || w === 'dev') opts.oif = a.next(`device after "${w}"`);
    else if (w === 'mark') opts.mark = parseUint(a.next('mark after "mark"'), 'mark');
    else if (w === 'to') dst = a.next('address after "to"');
    else if (dst === undefined) dst = w;
    else throw new CliError(`unknown route get argument "${w}"`);
  }
  if (dst === undefined) throw new CliError('missing address for "route get"');
  const h = ctx.handle();
  const r = fibmatch ? await fibMatch(ctx, dst, opts) : await h.routeGet(dst, opts);
  const pc: RoutePrintContext = { details: ctx.details, linkName: (await linkNames(ctx)).name };
  if (ctx.json) ctx.printJson([routeGetIpJson(r, pc)]);
  else ctx.print(routeText(r, pc));
}
