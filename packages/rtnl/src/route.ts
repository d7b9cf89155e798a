/**
 * Routes: `routeAdd`, `routeReplace`, `routeAppend`, `routeDel`, `routeList`, `routeGet`, and
 * `routeFromMessage`.
 *
 * Requests mirror iproute2 (`ip route`): protocol `boot` and scope `link` for a device-only
 * unicast route by default, table ids above 255 in `RTA_TABLE` with `rtm_table` = 0, the
 * output interface last. `src` is the preferred source (`RTA_PREFSRC`), as Go's `Route.Src`;
 * a source prefix (`ip route ... from P`, `RTA_SRC`) is `srcPrefix`.
 */
import { encode, type Message } from '@nlkit/nl-codec';
import { put32, putBytesAttr, putHeader, putU32Attr, wireMessage } from './conn/wire.js';
import { attrNumber, lastOccurrences } from './lift/common.js';
import { Handle, getDefaultHandle } from './handle.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  checkInt,
  checkU32,
  describe,
  familyName,
  formatIP,
  ipv4Into,
  IPV4_OK,
  networkBytes,
  ownValue,
  parseCIDR,
  parseFamily,
  parseIP,
  parseNamedByte,
  parseScope,
  scopeName,
  type Family,
  type FamilyArg,
  type ParsedCIDR,
  type Scope,
} from './ip.js';
import { resolveLinkIndex, validateLinkRef, type LinkRef } from './link/ref.js';
import { liftRoute } from './lift/route.js';

export { routeFromBytes } from './lift/route.js';

/** Route types (`RTN_*`). */
export type RouteType =
  | 'unspec'
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat'
  | 'xresolve';
export const ROUTE_TYPES: Readonly<Record<string, number>> = {
  unspec: 0,
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
  nat: 10,
  xresolve: 11,
};
const ROUTE_TYPE_NAMES = Object.keys(ROUTE_TYPES) as RouteType[];

/** Routing protocol names (`RTPROT_*` and iproute2's `rt_protos`). */
export const ROUTE_PROTOCOLS: Readonly<Record<string, number>> = {
  unspec: 0,
  redirect: 1,
  kernel: 2,
  boot: 3,
  static: 4,
  gated: 8,
  ra: 9,
  mrt: 10,
  zebra: 11,
  bird: 12,
  dnrouted: 13,
  xorp: 14,
  ntk: 15,
  dhcp: 16,
  keepalived: 18,
  babel: 42,
  openr: 99,
  bgp: 186,
  isis: 187,
  ospf: 188,
  rip: 189,
  eigrp: 192,
};
const PROTOCOL_NAMES = new Map<number, string>(Object.entries(ROUTE_PROTOCOLS).map(([k, v]) => [v, k]));

/** A protocol: a name (`'kernel'`, `'boot'`, `'static'`, ...) or a number. */
export type RouteProtocol = string | number;

/** Table names (`/etc/iproute2/rt_tables` defaults). */
export const ROUTE_TABLES: Readonly<Record<string, number>> = { unspec: 0, compat: 252, default: 253, main: 254, local: 255 };
export const RT_TABLE_MAIN = 254;
const RT_TABLE_UNSPEC = 0;

/** Route and next-hop flags (`RTNH_F_*` in the low byte, `RTM_F_*` above). */
export type RouteFlag =
  | 'dead'
  | 'pervasive'
  | 'onlink'
  | 'offload'
  | 'linkdown'
  | 'unresolved'
  | 'trap'
  | 'notify'
  | 'cloned'
  | 'equalize'
  | 'prefix'
  | 'lookup_table'
  | 'fib_match'
  | 'rt_offload'
  | 'rt_trap'
  | 'rt_offload_failed';
export const ROUTE_FLAGS: Readonly<Record<RouteFlag, number>> = {
  dead: 0x1,
  pervasive: 0x2,
  onlink: 0x4,
  offload: 0x8,
  linkdown: 0x10,
  unresolved: 0x20,
  trap: 0x40,
  notify: 0x100,
  cloned: 0x200,
  equalize: 0x400,
  prefix: 0x800,
  lookup_table: 0x1000,
  fib_match: 0x2000,
  rt_offload: 0x4000,
  rt_trap: 0x8000,
  rt_offload_failed: 0x20000000,
};
const ROUTE_FLAG_ENTRIES = Object.entries(ROUTE_FLAGS) as [RouteFlag, number][];
/** The codec's names for the next-hop flag bits (rt-route overlay `rtnh-flags`). */
const RTNH_CODEC_NAMES = ['dead', 'pervasive', 'onlink', 'offload', 'linkdown', 'unresolved', 'trap'];
const RTM_F_LOOKUP_TABLE = 0x1000;

/** Route metrics (`RTA_METRICS`). Times in the kernel's units (`rtt` etc. as the kernel stores them). */
export interface RouteMetrics {
  /** Bit mask of locked metrics (`RTAX_LOCK`). */
  lock?: number;
  mtu?: number;
  window?: number;
  rtt?: number;
  rttvar?: number;
  ssthresh?: number;
  cwnd?: number;
  advmss?: number;
  reordering?: number;
  hoplimit?: number;
  initcwnd?: number;
  features?: number;
  rtoMin?: number;
  initrwnd?: number;
  quickack?: number;
  /** Congestion control algorithm (`RTAX_CC_ALGO`). */
  congctl?: string;
  fastopenNoCookie?: number;
}
/** Our metric key -> the codec's (spec) attribute name. */
const METRIC_KEYS: Readonly<Record<keyof RouteMetrics, string>> = {
  lock: 'lock',
  mtu: 'mtu',
  window: 'window',
  rtt: 'rtt',
  rttvar: 'rttvar',
  ssthresh: 'ssthresh',
  cwnd: 'cwnd',
  advmss: 'advmss',
  reordering: 'reordering',
  hoplimit: 'hoplimit',
  initcwnd: 'initcwnd',
  features: 'features',
  rtoMin: 'rto-min',
  initrwnd: 'initrwnd',
  quickack: 'quickack',
  congctl: 'cc-algo',
  fastopenNoCookie: 'fastopen-no-cookie',
};
const METRIC_FROM_CODEC = new Map<string, keyof RouteMetrics>(Object.entries(METRIC_KEYS).map(([k, v]) => [v, k as keyof RouteMetrics]));

/** One next hop of a multipath route. */
export interface NextHop {
  gw?: string;
  /** Gateway of another family (`RTA_VIA`), e.g. an IPv6 next hop for an IPv4 route. */
  via?: { family: Family; address: string };
  linkIndex: number;
  /** `rtnh_hops + 1`: 1-256. */
  weight: number;
  flags: RouteFlag[];
  /** Routing realms of this hop (`RTA_FLOW`): `(from << 16) | to`. */
  realm?: number;
}

/** A route, as `routeList`/`routeGet` return it. */
export interface Route {
  /** Destination as CIDR text; `undefined` for the default route. */
  dst?: string;
  /** Preferred source address (`RTA_PREFSRC`), as Go's `Src`. */
  src?: string;
  /** Source prefix of a source-specific route (`RTA_SRC` + `rtm_src_len`). */
  srcPrefix?: string;
  gw?: string;
  via?: { family: Family; address: string };
  /** Output interface (`RTA_OIF`). */
  linkIndex?: number;
  /** Input interface (`RTA_IIF`). */
  iifIndex?: number;
  /** Metric (`RTA_PRIORITY`). */
  priority?: number;
  /** Table id (from `RTA_TABLE` when present, so ids above 255 are exact). */
  table: number;
  protocol: RouteProtocol;
  scope: Scope;
  type: RouteType | number;
  /**
   * Flag names. A route without flags (nearly every route of a large table) shares one frozen
   * empty array, {@link NO_ROUTE_FLAGS}, rather than holding its own: copy it before changing it.
   */
  flags: RouteFlag[];
  tos: number;
  metrics?: RouteMetrics;
  multipath?: NextHop[];
  family: Family | number;
  /** IPv6 router preference (`RTA_PREF`). */
  pref?: 'low' | 'medium' | 'high' | number;
  /** Seconds until the route expires (`RTA_EXPIRES`). */
  expires?: number;
  mark?: number;
  uid?: number;
  /** Nexthop object id (`RTA_NH_ID`). */
  nhId?: number;
  /** Routing realms (`RTA_FLOW`): `(from << 16) | to`, as `ip route add ... realms FROM/TO` sets them. */
  realm?: number;
  /**
   * The `RTCF_*` bits of a cached IPv4 lookup result (a `routeGet` answer, flag `cloned`), by
   * ip's names (`'local'`, `'brd'`, `'mc'`, ...; an unnamed bit as `0x...`). Set by `routeGet`
   * only (dumps and events carry no cached IPv4 entries).
   */
  cacheFlags?: string[];
}

/** A next hop for `routeAdd`. */
export interface NextHopSpec {
  gw?: string;
  via?: string | { family: Family; address: string };
  link?: LinkRef;
  linkIndex?: number;
  weight?: number;
  flags?: readonly RouteFlag[];
  /** Routing realms of this hop (`RTA_FLOW`): `(from << 16) | to`. */
  realm?: number;
}

/** What `routeAdd`/`routeReplace`/`routeAppend`/`routeDel` accept. */
export interface RouteSpec {
  /** Destination CIDR (a bare address is a host route); `'default'` or omitted: the default route. */
  dst?: string;
  /** Preferred source (`RTA_PREFSRC`). */
  src?: string;
  srcPrefix?: string;
  gw?: string;
  /** Gateway of another family (`RTA_VIA`): text, or `{ family, address }` as listed. */
  via?: string | { family: Family; address: string };
  /** Output interface (or `linkIndex`). */
  link?: LinkRef;
  linkIndex?: number;
  priority?: number;
  /** Table id or name (`main`, `local`, `default`); default main. */
  table?: number | string;
  protocol?: RouteProtocol;
  scope?: Scope;
  type?: RouteType | number;
  /** Sent: `onlink`, `pervasive`, `equalize`; state flags the kernel reports (`dead`, `cloned`, ...) are ignored. */
  flags?: readonly RouteFlag[];
  tos?: number;
  metrics?: RouteMetrics;
  multipath?: readonly NextHopSpec[];
  /** Needed only when nothing else tells the family (a default route without a gateway). */
  family?: FamilyArg;
  pref?: 'low' | 'medium' | 'high';
  mark?: number;
  /** Routing realms (`RTA_FLOW`): `(from << 16) | to`, as `ip route add ... realms FROM/TO`. */
  realm?: number;
  /** Seconds until the route expires (`RTA_EXPIRES`; the kernel honours it for IPv6 routes). */
  expires?: number;
  /**
   * Use this nexthop object (`RTA_NH_ID`, see `ip nexthop`) instead of a gateway and device:
   * `gw`, `via`, `link` and `multipath` are then not sent (a listed route reports its object's).
   */
  nhId?: number;
  /** Ignored on input (so a listed `Route` can be passed back): not route keys. */
  iifIndex?: number;
  uid?: number;
}

export interface RouteListFilter {
  /** `'inet'`, `'inet6'`, 4 or 6; default: both. */
  family?: FamilyArg;
  /** Table id or name; default main (as `ip route show`); `'all'` or 0: every table. */
  table?: number | string;
  /** Only routes out of this link (`RTA_OIF`, filtered by the kernel). */
  link?: LinkRef;
  protocol?: RouteProtocol;
  type?: RouteType | number;
}

export interface RouteGetOptions {
  /** Source address of the lookup (`RTA_SRC`). */
  src?: string;
  /** Output interface to force (`RTA_OIF`). */
  oif?: LinkRef;
  /** Input interface (`RTA_IIF`): look up as if the packet arrived there. */
  iif?: LinkRef;
  mark?: number;
}

declare module './handle.js' {
  interface Handle {
    /**
     * Add a route (`EEXIST` if an identical one exists).
     *
     * @example
     * ```ts
     * await h.routeAdd({ dst: '198.51.100.0/24', gw: '192.0.2.1' });
     * await h.routeAdd({ dst: '203.0.113.0/24', link: 'eth0', scope: 'link' });
     * ```
     */
    routeAdd(route: RouteSpec): Promise<void>;
    /**
     * Add a route or replace the one with the same key (`NLM_F_REPLACE`).
     *
     * @example
     * ```ts
     * await h.routeReplace({ dst: 'default', gw: '192.0.2.254' });
     * ```
     */
    routeReplace(route: RouteSpec): Promise<void>;
    /**
     * Add a route after existing ones with the same key (`NLM_F_APPEND`; IPv6 makes it a multipath route).
     *
     * @example
     * ```ts
     * await h.routeAppend({ dst: '2001:db8:1::/64', gw: '2001:db8::2' });
     * ```
     */
    routeAppend(route: RouteSpec): Promise<void>;
    /**
     * Delete a route (`ESRCH` if there is none). Fields left out match anything. A `Route`
     * from `routeList` is accepted as it is (one of a family other than IPv4/IPv6 is refused
     * with a TypeError before any system call).
     *
     * @example
     * ```ts
     * await h.routeDel({ dst: '198.51.100.0/24' });
     * for (const r of await h.routeList({ table: 100 })) await h.routeDel(r);
     * ```
     */
    routeDel(route: RouteSpec | Route): Promise<void>;
    /**
     * List routes; table, family, link and protocol filters run in the kernel.
     *
     * @example
     * ```ts
     * const main4 = await h.routeList({ family: 'inet' });
     * const everything = await h.routeList({ table: 'all' });
     * ```
     */
    routeList(filter?: RouteListFilter): Promise<Route[]>;
    /**
     * Ask the kernel which route it would use for `destination` (`ip route get`).
     *
     * @example
     * ```ts
     * const r = await h.routeGet('198.51.100.7');
     * console.log(r.gw, r.linkIndex, r.src);
     * ```
     */
    routeGet(destination: string, options?: RouteGetOptions): Promise<Route>;
  }
}

function tableId(v: unknown, field = 'table'): number {
  return parseNamedByte(v, ROUTE_TABLES, field, 0xffffffff);
}

function routeTypeNumber(v: unknown): number {
  return parseNamedByte(v, ROUTE_TYPES, 'type');
}

function flagBits(flags: unknown, field: string): number {
  if (flags === undefined) return 0;
  if (!Array.isArray(flags)) throw new TypeError(`${field} must be an array of flag names, got ${describe(flags)}`);
  let bits = 0;
  for (const f of flags) {
    const b = typeof f === 'string' ? ROUTE_FLAGS[f as RouteFlag] : undefined;
    if (b === undefined) throw new TypeError(`${field}: unknown route flag ${describe(f)}`);
    bits |= b;
  }
  return bits >>> 0;
}

/**
 * The `flags` of every listed route that has none: one frozen empty array, so a million-route
 * table does not hold a million empty arrays (a fifth of its objects).
 *
 * @example
 * ```ts
 * const r = (await h.routeList())[0]!;
 * const flags = r.flags === NO_ROUTE_FLAGS ? [] : [...r.flags];
 * ```
 */
export const NO_ROUTE_FLAGS: RouteFlag[] = Object.freeze([]) as unknown as RouteFlag[];

/** Bit mask -> flag names; bits without a name are left out. */
export function routeFlagNames(bits: number): RouteFlag[] {
  const out: RouteFlag[] = [];
  if (bits === 0) return out;
  for (const [name, bit] of ROUTE_FLAG_ENTRIES) if (bits & bit) out.push(name);
  return out;
}

function rtnhCodecFlags(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < RTNH_CODEC_NAMES.length; i++) if (bits & (1 << i)) out.push(RTNH_CODEC_NAMES[i]!);
  return out;
}

function bitsFrom(v: unknown, names: readonly string[]): number {
  if (typeof v === 'number') return v;
  if (!Array.isArray(v)) return 0;
  let bits = 0;
  for (const f of v) {
    if (typeof f === 'number') bits |= f;
    else {
      const i = names.indexOf(f as string);
      if (i >= 0) bits |= 1 << i;
    }
  }
  return bits;
}

/** Encode `struct rtvia` (u16 family + address bytes). */
function rtvia(ip: { af: number; bytes: Uint8Array }): Uint8Array {
  const out = new Uint8Array(2 + ip.bytes.length);
  out[0] = ip.af & 255;
  out[1] = ip.af >> 8;
  out.set(ip.bytes, 2);
  return out;
}

function parseVia(v: unknown): { family: Family; address: string } | undefined {
  if (!(v instanceof Uint8Array) || v.length < 2) return undefined;
  const af = v[0]! | (v[1]! << 8);
  const addr = v.subarray(2);
  if ((af === AF_INET && addr.length === 4) || (af === AF_INET6 && addr.length === 16)) {
    return { family: familyName(af) as Family, address: formatIP(addr) };
  }
  return undefined;
}

const PREFS: Readonly<Record<string, number>> = { medium: 0, high: 1, low: 3 };

/** @internal A `RouteSpec` after validation (addresses as bytes, names as numbers). */
export interface ParsedRoute {
  af: number;
  dst: ParsedCIDR | undefined;
  srcPrefix: ParsedCIDR | undefined;
  gw: Uint8Array | undefined;
  via: { af: number; bytes: Uint8Array } | undefined;
  prefsrc: Uint8Array | undefined;
  link: LinkRef | undefined;
  priority: number | undefined;
  table: number | undefined;
  protocol: number | undefined;
  scope: number | undefined;
  type: number | undefined;
  flags: number;
  tos: number;
  metrics: Record<string, unknown> | undefined;
  multipath: { gw: Uint8Array | undefined; via: { af: number; bytes: Uint8Array } | undefined; link: LinkRef | undefined; hops: number; flags: number; realm: number | undefined }[] | undefined;
  pref: number | undefined;
  mark: number | undefined;
  realm: number | undefined;
  expires: number | undefined;
  nhId: number | undefined;
}

/**
 * Flags a request can carry. The others (`dead`, `linkdown`, `offload`, `cloned`, ...) describe
 * a route's state as the kernel reports it; they are dropped on input so that a `Route` from
 * `routeList` can be passed back to `routeDel`/`routeReplace` (the kernel refuses some of them).
 */
const REQUEST_FLAGS = ROUTE_FLAGS.onlink | ROUTE_FLAGS.pervasive | ROUTE_FLAGS.equalize;

/** `via` as text, or as the `{ family, address }` a listed route carries. */
function viaText(v: unknown): unknown {
  return v !== null && typeof v === 'object' && typeof (v as { address?: unknown }).address === 'string' ? (v as { address: string }).address : v;
}

function linkOf(link: unknown, linkIndex: unknown, field: string): LinkRef | undefined {
  if (link !== undefined) return link as LinkRef;
  if (linkIndex === undefined) return undefined;
  return checkInt(linkIndex, `${field}Index`, 1, 0x7fffffff);
}

/** Validate a `RouteSpec` completely, before any system call. */
export function parseRouteSpec(spec: unknown): ParsedRoute {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`route must be an object, got ${describe(spec)}`);
  const s = spec as RouteSpec;
  let af = s.family === undefined ? AF_UNSPEC : parseFamily(s.family);
  const fam = (): number | undefined => (af === AF_UNSPEC ? undefined : af);
  let dst: ParsedCIDR | undefined;
  if (s.dst !== undefined && s.dst !== 'default') {
    dst = parseCIDR(s.dst, 'dst', fam());
    af = dst.af;
    // IPv4 refuses host bits beyond the prefix (EINVAL); IPv6 masks them off silently.
    if (dst.af === AF_INET && hasHostBits(dst)) {
      throw new TypeError(`dst: ${s.dst} has host bits set beyond /${dst.prefixLen} (the network is ${formatIP(networkBytes(dst.bytes, dst.prefixLen))}/${dst.prefixLen})`);
    }
  }
  const gw = s.gw === undefined ? undefined : parseIP(s.gw, 'gw', fam());
  if (gw) af = gw.af;
  const prefsrc = s.src === undefined ? undefined : parseIP(s.src, 'src', fam());
  if (prefsrc) af = prefsrc.af;
  const srcPrefix = s.srcPrefix === undefined ? undefined : parseCIDR(s.srcPrefix, 'srcPrefix', fam());
  if (srcPrefix) af = srcPrefix.af;
  // RTA_VIA may be of the other family: it does not decide the route's family.
  const viaIp = s.via === undefined ? undefined : parseIP(viaText(s.via), 'via');
  if (viaIp && gw) throw new TypeError('gw and via are mutually exclusive');
  let multipath: ParsedRoute['multipath'];
  if (s.multipath !== undefined) {
    if (!Array.isArray(s.multipath) || s.multipath.length === 0) throw new TypeError('multipath must be a non-empty array of next hops');
    if (gw || viaIp) throw new TypeError('multipath routes take their gateways in the next hops, not in gw/via');
    multipath = s.multipath.map((nh: NextHopSpec, i: number) => {
      const field = `multipath[${i}]`;
      if (nh === null || typeof nh !== 'object') throw new TypeError(`${field} must be an object`);
      const ngw = nh.gw === undefined ? undefined : parseIP(nh.gw, `${field}.gw`, fam());
      if (ngw) af = ngw.af;
      const nvia = nh.via === undefined ? undefined : parseIP(viaText(nh.via), `${field}.via`);
      const weight = nh.weight === undefined ? 1 : checkInt(nh.weight, `${field}.weight`, 1, 256);
      return {
        gw: ngw?.bytes,
        via: nvia,
        link: linkOf(nh.link, nh.linkIndex, `${field}.link`),
        hops: weight - 1,
        flags: flagBits(nh.flags, `${field}.flags`) & REQUEST_FLAGS,
        realm: nh.realm === undefined ? undefined : checkU32(nh.realm, `${field}.realm`),
      };
    });
  }
  // Nothing said which family (a default route via another family or out of a device): IPv4, as `ip route`.
  if (af === AF_UNSPEC) af = AF_INET;
  let metrics: Record<string, unknown> | undefined;
  if (s.metrics !== undefined) {
    if (s.metrics === null || typeof s.metrics !== 'object') throw new TypeError('metrics must be an object');
    metrics = {};
    for (const [k, v] of Object.entries(s.metrics)) {
      if (v === undefined) continue;
      const codecKey = METRIC_KEYS[k as keyof RouteMetrics];
      if (codecKey === undefined) throw new TypeError(`metrics: unknown metric ${JSON.stringify(k)} (known: ${Object.keys(METRIC_KEYS).join(', ')})`);
      if (k === 'congctl') {
        if (typeof v !== 'string' || v.length === 0) throw new TypeError('metrics.congctl must be a non-empty string');
        metrics[codecKey] = v;
      } else metrics[codecKey] = checkU32(v, `metrics.${k}`);
    }
  }
  const pref = typeof s.pref === 'string' ? ownValue(PREFS, s.pref) : undefined;
  if (s.pref !== undefined && pref === undefined) throw new TypeError(`pref must be 'low', 'medium' or 'high', got ${describe(s.pref)}`);
  const nhId = s.nhId === undefined ? undefined : checkInt(s.nhId, 'nhId', 1, 0xffffffff);
  // A route through a nexthop object: the gateway and device the kernel lists for it belong to
  // the object, and the kernel refuses them next to RTA_NH_ID ("mutually exclusive"), so they
  // are not sent (a listed route can be passed back to routeDel/routeReplace as it is).
  const viaObject = nhId !== undefined;
  return {
    af,
    dst,
    srcPrefix,
    gw: viaObject ? undefined : gw?.bytes,
    via: viaObject ? undefined : viaIp,
    prefsrc: prefsrc?.bytes,
    link: viaObject ? undefined : linkOf(s.link, s.linkIndex, 'link'),
    priority: s.priority === undefined ? undefined : checkU32(s.priority, 'priority'),
    table: s.table === undefined ? undefined : tableId(s.table),
    protocol: s.protocol === undefined ? undefined : parseNamedByte(s.protocol, ROUTE_PROTOCOLS, 'protocol'),
    scope: s.scope === undefined ? undefined : parseScope(s.scope),
    type: s.type === undefined ? undefined : routeTypeNumber(s.type),
    flags: flagBits(s.flags, 'flags') & REQUEST_FLAGS,
    tos: s.tos === undefined ? 0 : checkInt(s.tos, 'tos', 0, 255),
    metrics,
    multipath: viaObject ? undefined : multipath,
    pref,
    mark: s.mark === undefined ? undefined : checkU32(s.mark, 'mark'),
    realm: s.realm === undefined ? undefined : checkU32(s.realm, 'realm'),
    expires: s.expires === undefined ? undefined : checkU32(s.expires, 'expires'),
    nhId,
  };
}

/** The route's scope, or iproute2's default for its type when none was given. */
function defaultScope(p: ParsedRoute, rtype: number, del: boolean): number {
  if (p.scope !== undefined) return p.scope;
  // iproute2's defaults (iproute.c): host for local/nat, link for broadcast-like types and
  // for a unicast route without any gateway, nowhere (match any) when deleting.
  if (rtype === ROUTE_TYPES.local || rtype === ROUTE_TYPES.nat) return 254;
  if (rtype === ROUTE_TYPES.broadcast || rtype === ROUTE_TYPES.multicast || rtype === ROUTE_TYPES.anycast) return 253;
  if (rtype === ROUTE_TYPES.unicast || rtype === 0) {
    if (del) return 255;
    if (p.gw === undefined && !p.via && !p.multipath) return 253;
  }
  return 0;
}

/** Build the RTM_NEWROUTE/RTM_DELROUTE message once the links are resolved. */
export function routeMessage(
  type: 'RTM_NEWROUTE' | 'RTM_DELROUTE',
  headerFlags: string[],
  p: ParsedRoute,
  oif: number | undefined,
  nexthopIndexes: (number | undefined)[] = [],
): Message {
  const del = type === 'RTM_DELROUTE';
  const attrs: Record<string, unknown> = {};
  // Addresses go to the codec as bytes: already parsed, no text round trip per route.
  if (p.dst) attrs.dst = p.dst.bytes;
  if (p.srcPrefix) attrs.src = p.srcPrefix.bytes;
  if (p.gw !== undefined) attrs.gateway = p.gw;
  if (p.via) attrs.via = rtvia(p.via);
  if (p.prefsrc !== undefined) attrs.prefsrc = p.prefsrc;
  if (p.priority !== undefined) attrs.priority = p.priority;
  const table = p.table ?? RT_TABLE_MAIN;
  if (table >= 256) attrs.table = table;
  if (p.mark !== undefined) attrs.mark = p.mark;
  if (p.pref !== undefined) attrs.pref = p.pref;
  if (p.realm !== undefined) attrs.flow = p.realm;
  if (p.expires !== undefined) attrs.expires = p.expires;
  if (p.nhId !== undefined) attrs['nh-id'] = p.nhId;
  if (p.metrics && Object.keys(p.metrics).length > 0) attrs.metrics = p.metrics;
  if (p.multipath) {
    attrs.multipath = p.multipath.map((nh, i) => {
      const a: Record<string, unknown> = {};
      if (nh.gw !== undefined) a.gateway = nh.gw;
      if (nh.via) a.via = rtvia(nh.via);
      if (nh.realm !== undefined) a.flow = nh.realm;
      return { 'rtnh-flags': rtnhCodecFlags(nh.flags), 'rtnh-hops': nh.hops, 'rtnh-ifindex': nexthopIndexes[i] ?? 0, attrs: a };
    });
  }
  if (oif !== undefined) attrs.oif = oif;
  const rtype = p.type ?? (del ? 0 : ROUTE_TYPES.unicast!);
  const scope = defaultScope(p, rtype, del);
  return {
    header: { type, flags: headerFlags, seq: 0, pid: 0 },
    'rtm-family': p.af,
    'rtm-dst-len': p.dst ? p.dst.prefixLen : 0,
    'rtm-src-len': p.srcPrefix ? p.srcPrefix.prefixLen : 0,
    'rtm-tos': p.tos,
    'rtm-table': table < 256 ? table : RT_TABLE_UNSPEC,
    'rtm-protocol': p.protocol ?? (del ? 0 : ROUTE_PROTOCOLS.boot!),
    'rtm-scope': scope,
    'rtm-type': ROUTE_TYPE_NAMES[rtype] ?? rtype,
    'rtm-flags': p.flags,
    attrs,
  };
}

const SET = 'rt-route/route-attrs';
const RTA_DST = attrNumber(SET, 'dst');
const RTA_SRC = attrNumber(SET, 'src');
const RTA_GATEWAY = attrNumber(SET, 'gateway');
const RTA_VIA = attrNumber(SET, 'via');
const RTA_PREFSRC = attrNumber(SET, 'prefsrc');
const RTA_PRIORITY = attrNumber(SET, 'priority');
const RTA_TABLE = attrNumber(SET, 'table');
const RTA_MARK = attrNumber(SET, 'mark');
const RTA_PREF = attrNumber(SET, 'pref');
const RTA_FLOW = attrNumber(SET, 'flow');
const RTA_EXPIRES = attrNumber(SET, 'expires');
const RTA_NH_ID = attrNumber(SET, 'nh-id');
const RTA_OIF = attrNumber(SET, 'oif');
const RTM_NEWROUTE_TYPE = 24;
const RTM_DELROUTE_TYPE = 25;
/** `nlmsg_flags` of the four route changes (the engine adds REQUEST and ACK). */
const NLM_F_REPLACE = 0x100;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLM_F_APPEND = 0x800;

/** @internal What a route change sends: its message type, header flags (both forms) and name for errors. */
export interface RouteChange {
  type: 'RTM_NEWROUTE' | 'RTM_DELROUTE';
  typeNumber: number;
  flagNames: string[];
  flags: number;
}
/** @internal */
export const ROUTE_ADD: RouteChange = { type: 'RTM_NEWROUTE', typeNumber: RTM_NEWROUTE_TYPE, flagNames: ['create', 'excl'], flags: NLM_F_CREATE | NLM_F_EXCL };
/** @internal */
export const ROUTE_REPLACE: RouteChange = { type: 'RTM_NEWROUTE', typeNumber: RTM_NEWROUTE_TYPE, flagNames: ['create', 'replace'], flags: NLM_F_CREATE | NLM_F_REPLACE };
/** @internal */
export const ROUTE_APPEND: RouteChange = { type: 'RTM_NEWROUTE', typeNumber: RTM_NEWROUTE_TYPE, flagNames: ['create', 'append'], flags: NLM_F_CREATE | NLM_F_APPEND };
/** @internal */
export const ROUTE_DEL: RouteChange = { type: 'RTM_DELROUTE', typeNumber: RTM_DELROUTE_TYPE, flagNames: [], flags: 0 };

/**
 * @internal The size of the message {@link writeRouteMessage} writes for `p`, or -1 when the route has
 * nests (metrics, multipath), which go through the codec.
 */
export function routeWireLength(p: ParsedRoute, oif: number | undefined): number {
  if (p.multipath !== undefined || (p.metrics !== undefined && Object.keys(p.metrics).length > 0)) return -1;
  let n = 28; // nlmsghdr + rtmsg
  if (p.dst) n += 4 + p.dst.bytes.length;
  if (p.srcPrefix) n += 4 + p.srcPrefix.bytes.length;
  if (p.gw !== undefined) n += 4 + p.gw.length;
  if (p.via) n += 4 + ((2 + p.via.bytes.length + 3) & ~3);
  if (p.prefsrc !== undefined) n += 4 + p.prefsrc.length;
  if (p.priority !== undefined) n += 8;
  if ((p.table ?? RT_TABLE_MAIN) >= 256) n += 8;
  if (p.mark !== undefined) n += 8;
  if (p.pref !== undefined) n += 8;
  if (p.realm !== undefined) n += 8;
  if (p.expires !== undefined) n += 8;
  if (p.nhId !== undefined) n += 8;
  if (oif !== undefined) n += 8;
  return n;
}


/**
 * @internal Write the message {@link routeMessage} builds for `p` at `at` in `b` (which must hold
 * {@link routeWireLength} bytes from there, zero-filled): the same bytes `encode()` gives,
 * without the object form and the table walk, so a batch of a million routes is written
 * straight into its datagrams. `seq` and `pid` are left for the engine. Returns the end.
 */
export function writeRouteMessage(b: Uint8Array, at: number, change: RouteChange, p: ParsedRoute, oif: number | undefined, length: number): number {
  const del = change.typeNumber === RTM_DELROUTE_TYPE;
  const table = p.table ?? RT_TABLE_MAIN;
  const rtype = p.type ?? (del ? 0 : ROUTE_TYPES.unicast!);
  putHeader(b, at, length, change.typeNumber, change.flags);
  b[at + 16] = p.af;
  b[at + 17] = p.dst ? p.dst.prefixLen : 0;
  b[at + 18] = p.srcPrefix ? p.srcPrefix.prefixLen : 0;
  b[at + 19] = p.tos;
  b[at + 20] = table < 256 ? table : RT_TABLE_UNSPEC;
  b[at + 21] = p.protocol ?? (del ? 0 : ROUTE_PROTOCOLS.boot!);
  b[at + 22] = defaultScope(p, rtype, del);
  b[at + 23] = rtype;
  put32(b, at + 24, p.flags);
  let q = at + 28;
  if (p.dst) q = putBytesAttr(b, q, RTA_DST, p.dst.bytes);
  if (p.srcPrefix) q = putBytesAttr(b, q, RTA_SRC, p.srcPrefix.bytes);
  if (p.gw !== undefined) q = putBytesAttr(b, q, RTA_GATEWAY, p.gw);
  if (p.via) {
    const len = 4 + 2 + p.via.bytes.length;
    b[q] = len;
    b[q + 1] = 0;
    b[q + 2] = RTA_VIA;
    b[q + 3] = 0;
    b[q + 4] = p.via.af;
    b[q + 5] = p.via.af >>> 8;
    b.set(p.via.bytes, q + 6);
    q += (len + 3) & ~3;
  }
  if (p.prefsrc !== undefined) q = putBytesAttr(b, q, RTA_PREFSRC, p.prefsrc);
  if (p.priority !== undefined) q = putU32Attr(b, q, RTA_PRIORITY, p.priority);
  if (table >= 256) q = putU32Attr(b, q, RTA_TABLE, table);
  if (p.mark !== undefined) q = putU32Attr(b, q, RTA_MARK, p.mark);
  if (p.pref !== undefined) {
    b[q] = 5;
    b[q + 1] = 0;
    b[q + 2] = RTA_PREF;
    b[q + 3] = 0;
    b[q + 4] = p.pref;
    q += 8;
  }
  if (p.realm !== undefined) q = putU32Attr(b, q, RTA_FLOW, p.realm);
  if (p.expires !== undefined) q = putU32Attr(b, q, RTA_EXPIRES, p.expires);
  if (p.nhId !== undefined) q = putU32Attr(b, q, RTA_NH_ID, p.nhId);
  if (oif !== undefined) q = putU32Attr(b, q, RTA_OIF, oif);
  return q;
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 0x7fffffff;
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/**
 * @internal The bulk path's shortcut for the common shape of a large table's routes: an IPv4 `dst`
 * prefix, optionally an IPv4 `gw`, the output link by index, `priority` and a numeric
 * `table`, nothing else. Validated and written at `at` in `b` (72 bytes of room) in one pass
 * over the text, with the same bytes `routeMessage` + `encode()` give and nothing allocated.
 * Returns the message's length, or 0 when the spec is anything else or anything is invalid:
 * the caller then takes the full path, which also reports the exact error.
 */
export function writeSimpleRoute(b: Uint8Array, at: number, change: RouteChange, spec: unknown): number {
  if (spec === null || typeof spec !== 'object') return 0;
  const r = spec as RouteSpec;
  const dst = r.dst;
  if (typeof dst !== 'string') return 0;
  if (
    r.src !== undefined ||
    r.srcPrefix !== undefined ||
    r.via !== undefined ||
    r.protocol !== undefined ||
    r.scope !== undefined ||
    r.type !== undefined ||
    r.flags !== undefined ||
    r.tos !== undefined ||
    r.metrics !== undefined ||
    r.multipath !== undefined ||
    r.family !== undefined ||
    r.pref !== undefined ||
    r.mark !== undefined ||
    r.realm !== undefined ||
    r.expires !== undefined ||
    r.nhId !== undefined
  ) {
    return 0;
  }
  const link = r.link !== undefined ? r.link : r.linkIndex;
  if (link !== undefined && !isIndex(link)) return 0;
  const priority = r.priority;
  if (priority !== undefined && !isU32(priority)) return 0;
  const table = r.table === undefined ? RT_TABLE_MAIN : r.table;
  if (!isU32(table)) return 0;
  // dst: "a.b.c.d/n" (or a bare address: a host route).
  const slash = dst.indexOf('/');
  let prefixLen = 32;
  if (slash !== -1) {
    const digits = dst.length - slash - 1;
    if (digits < 1 || digits > 2) return 0;
    prefixLen = 0;
    for (let i = slash + 1; i < dst.length; i++) {
      const d = dst.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return 0;
      prefixLen = prefixLen * 10 + d;
    }
    if (prefixLen > 32) return 0;
  }
  if (ipv4Into(dst, 0, slash === -1 ? dst.length : slash, b, at + 32) !== IPV4_OK) return 0;
  // Host bits beyond the prefix: the full path throws the kernel's EINVAL as a TypeError.
  const addr = ((b[at + 32]! << 24) | (b[at + 33]! << 16) | (b[at + 34]! << 8) | b[at + 35]!) >>> 0;
  if (prefixLen < 32 && (addr & (0xffffffff >>> prefixLen)) !== 0) return 0;
  let q = at + 36;
  const gw = r.gw;
  if (gw !== undefined) {
    if (typeof gw !== 'string' || ipv4Into(gw, 0, gw.length, b, q + 4) !== IPV4_OK) return 0;
    b[q] = 8;
    b[q + 1] = 0;
    b[q + 2] = RTA_GATEWAY;
    b[q + 3] = 0;
    q += 8;
  }
  if (priority !== undefined) q = putU32Attr(b, q, RTA_PRIORITY, priority);
  if (table >= 256) q = putU32Attr(b, q, RTA_TABLE, table);
  if (link !== undefined) q = putU32Attr(b, q, RTA_OIF, link);
  const del = change.typeNumber === RTM_DELROUTE_TYPE;
  const length = q - at;
  putHeader(b, at, length, change.typeNumber, change.flags);
  b[at + 16] = AF_INET;
  b[at + 17] = prefixLen;
  b[at + 18] = 0;
  b[at + 19] = 0;
  b[at + 20] = table < 256 ? table : RT_TABLE_UNSPEC;
  b[at + 21] = del ? 0 : ROUTE_PROTOCOLS.boot!;
  // iproute2's scope defaults (see defaultScope): universe via a gateway, link without one, nowhere to delete.
  b[at + 22] = del ? 255 : gw === undefined ? 253 : 0;
  b[at + 23] = del ? 0 : ROUTE_TYPES.unicast!;
  put32(b, at + 24, 0);
  b[at + 28] = 8;
  b[at + 29] = 0;
  b[at + 30] = RTA_DST;
  b[at + 31] = 0;
  return length;
}

const SCRATCH = new Uint8Array(128);

/** @internal The request of a route change as bytes: written directly when it has no nests, else encoded by the codec. */
export function routeRequestBytes(change: RouteChange, p: ParsedRoute, oif: number | undefined, nexthopIndexes: (number | undefined)[] = []): Uint8Array {
  const length = routeWireLength(p, oif);
  if (length < 0) return encode(routeMessage(change.type, change.flagNames, p, oif, nexthopIndexes));
  const b = new Uint8Array(length);
  writeRouteMessage(b, 0, change, p, oif, length);
  return b;
}

/**
 * One route change. Only a link given by name needs a lookup first; otherwise this makes no
 * promise of its own beyond the request's, and the message is written straight into bytes.
 */
function modify(h: Handle, change: RouteChange, route: RouteSpec): Promise<void> {
  const simple = writeSimpleRoute(SCRATCH, 0, change, route);
  if (simple > 0) return h.request(wireMessage(change.type, SCRATCH.slice(0, simple)), VOID) as unknown as Promise<void>;
  let p: ParsedRoute;
  try {
    p = parseRouteSpec(route); // every input check before any system call
  } catch (e) {
    return Promise.reject(e);
  }
  let oif: number | undefined;
  if (p.multipath === undefined) {
    try {
      oif = knownLinkIndex(p.link);
    } catch (e) {
      return Promise.reject(e);
    }
    if (oif !== -1) return h.request(wireMessage(change.type, routeRequestBytes(change, p, oif)), VOID) as unknown as Promise<void>;
  }
  return modifySlow(h, change, p);
}

async function modifySlow(h: Handle, change: RouteChange, p: ParsedRoute): Promise<void> {
  const oif = p.link === undefined ? undefined : await resolveLinkIndex(h, p.link);
  let nhIdx: (number | undefined)[] = [];
  if (p.multipath) nhIdx = await Promise.all(p.multipath.map((nh) => (nh.link === undefined ? undefined : resolveLinkIndex(h, nh.link))));
  await h.request(wireMessage(change.type, routeRequestBytes(change, p, oif, nhIdx)));
}

/**
 * @internal The output interface's index when it needs no lookup (none, a number or a `Link`), checked
 * as `resolveLinkIndex` checks it; -1 for a name, which needs one.
 */
export function knownLinkIndex(link: LinkRef | undefined): number | undefined {
  if (link === undefined) return undefined;
  if (typeof link === 'string') return -1;
  validateLinkRef(link);
  return typeof link === 'number' ? link : link.index;
}

/** Route changes resolve to nothing: ask the engine for `undefined` rather than a result array. */
const VOID = { resolveVoid: true } as const;

Handle.prototype.routeAdd = function (this: Handle, route: RouteSpec): Promise<void> {
  return modify(this, ROUTE_ADD, route);
};
Handle.prototype.routeReplace = function (this: Handle, route: RouteSpec): Promise<void> {
  return modify(this, ROUTE_REPLACE, route);
};
Handle.prototype.routeAppend = function (this: Handle, route: RouteSpec): Promise<void> {
  return modify(this, ROUTE_APPEND, route);
};
Handle.prototype.routeDel = function (this: Handle, route: RouteSpec | Route): Promise<void> {
  return modify(this, ROUTE_DEL, route as RouteSpec);
};

function prefName(v: number): Route['pref'] {
  return v === 0 ? 'medium' : v === 1 ? 'high' : v === 3 ? 'low' : v;
}

/** `protocol` number -> name (`kernel`, `boot`, `static`, ...) or the number. */
export function protocolName(n: number): RouteProtocol {
  return PROTOCOL_NAMES.get(n) ?? n;
}

function liftNextHops(list: unknown): NextHop[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: NextHop[] = [];
  for (const item of list) {
    const it = item as Record<string, unknown>;
    const a = (it.attrs ?? {}) as Record<string, unknown>;
    const nh: NextHop = {
      linkIndex: it['rtnh-ifindex'] as number,
      weight: ((it['rtnh-hops'] as number) ?? 0) + 1,
      flags: routeFlagNames(bitsFrom(it['rtnh-flags'], RTNH_CODEC_NAMES)),
    };
    if (typeof a.gateway === 'string') nh.gw = a.gateway;
    const via = parseVia(a.via);
    if (via) nh.via = via;
    if (typeof a.flow === 'number') nh.realm = a.flow;
    out.push(nh);
  }
  return out;
}

/**
 * Lift an `RTM_NEWROUTE`/`RTM_DELROUTE` message (a dump entry, a `routeGet` reply or an
 * event) into a `Route`.
 *
 * @example
 * ```ts
 * const routes = decode(bytes).filter((m) => m.header.type === 'RTM_NEWROUTE').map(routeFromMessage);
 * ```
 */
export function routeFromMessage(m: Message): Route {
  const attrs = lastOccurrences((m.attrs ?? {}) as Record<string, unknown>);
  const af = m['rtm-family'] as number;
  const rtype = m['rtm-type'];
  const rtmTable = m['rtm-table'] as number;
  const r: Route = {
    table: typeof attrs.table === 'number' ? attrs.table : rtmTable,
    protocol: protocolName(m['rtm-protocol'] as number),
    scope: scopeName(m['rtm-scope'] as number),
    type: typeof rtype === 'string' ? (rtype as RouteType) : (rtype as number),
    flags: (m['rtm-flags'] as number) >>> 0 === 0 ? NO_ROUTE_FLAGS : routeFlagNames((m['rtm-flags'] as number) >>> 0),
    tos: m['rtm-tos'] as number,
    family: familyName(af),
  };
  const dstLen = m['rtm-dst-len'] as number;
  if (typeof attrs.dst === 'string') r.dst = `${attrs.dst}/${dstLen}`;
  else if (dstLen !== 0) r.dst = `${af === AF_INET6 ? '::' : '0.0.0.0'}/${dstLen}`;
  if (typeof attrs.src === 'string') r.srcPrefix = `${attrs.src}/${m['rtm-src-len'] as number}`;
  if (typeof attrs.prefsrc === 'string') r.src = attrs.prefsrc;
  if (typeof attrs.gateway === 'string') r.gw = attrs.gateway;
  const via = parseVia(attrs.via);
  if (via) r.via = via;
  if (typeof attrs.oif === 'number') r.linkIndex = attrs.oif;
  if (typeof attrs.iif === 'number') r.iifIndex = attrs.iif;
  if (typeof attrs.priority === 'number') r.priority = attrs.priority;
  const mx = attrs.metrics;
  if (mx !== null && typeof mx === 'object') {
    const metrics: RouteMetrics = {};
    for (const [k, v] of Object.entries(mx as Record<string, unknown>)) {
      const key = METRIC_FROM_CODEC.get(k);
      if (key === undefined) continue;
      if (key === 'congctl') {
        if (typeof v === 'string') metrics.congctl = v;
      } else if (typeof v === 'number') metrics[key] = v;
    }
    r.metrics = metrics;
  }
  const mp = liftNextHops(attrs.multipath);
  if (mp) r.multipath = mp;
  if (typeof attrs.pref === 'number') r.pref = prefName(attrs.pref);
  if (typeof attrs.expires === 'number') r.expires = attrs.expires;
  else {
    // The kernel reports a route's remaining lifetime in RTA_CACHEINFO, in clock ticks (USER_HZ 100).
    const ci = attrs.cacheinfo as Record<string, unknown> | undefined;
    const ticks = ci?.['rta-expires'];
    if (typeof ticks === 'number' && ticks !== 0) r.expires = Math.trunc((ticks | 0) / 100);
  }
  if (typeof attrs.mark === 'number') r.mark = attrs.mark;
  if (typeof attrs.uid === 'number') r.uid = attrs.uid;
  if (typeof attrs['nh-id'] === 'number') r.nhId = attrs['nh-id'];
  if (typeof attrs.flow === 'number') r.realm = attrs.flow;
  return r;
}

/** RTCF_* bits (include/uapi/linux/in_route.h) with ip's names, in ip's order (print_cache_flags). */
const RTCF_NAMES: ReadonlyArray<[number, string]> = [
  [0x80000000, 'local'],
  [0x40000000, 'reject'],
  [0x20000000, 'mc'],
  [0x10000000, 'brd'],
  [0x08000000, 'dst-nat'],
  [0x00800000, 'src-nat'],
  [0x00400000, 'masq'],
  [0x00020000, 'dst-direct'],
  [0x04000000, 'src-direct'],
  [0x00040000, 'redirected'],
  [0x01000000, 'redirect'],
  [0x00200000, 'fastroute'],
  [0x00010000, 'notify'],
  [0x00080000, 'proxy'],
];

function cacheFlagNames(bits: number): string[] {
  let rest = bits & 0xffff0000;
  const out: string[] = [];
  for (const [bit, name] of RTCF_NAMES) {
    if ((rest & bit) === 0) continue;
    out.push(name);
    rest = (rest & ~bit) >>> 0;
  }
  if (rest !== 0) out.push(`0x${(rest >>> 0).toString(16)}`);
  return out;
}

/** The `RTM_GETROUTE` dump request for a filter (what `ip route show` sends). */
export function routeDumpMessage(af: number, table: number, oif: number | undefined, protocol: number, type: number): Message {
  const attrs: Record<string, unknown> = {};
  // iproute2 passes the table in RTA_TABLE (any id) and leaves rtm_table 0.
  if (table !== RT_TABLE_UNSPEC) attrs.table = table;
  if (oif !== undefined) attrs.oif = oif;
  return {
    header: { type: 'RTM_GETROUTE', flags: [], seq: 0, pid: 0 },
    'rtm-family': af,
    'rtm-dst-len': 0,
    'rtm-src-len': 0,
    'rtm-tos': 0,
    'rtm-table': 0,
    'rtm-protocol': protocol,
    'rtm-scope': 0,
    'rtm-type': ROUTE_TYPE_NAMES[type] ?? type,
    'rtm-flags': 0,
    attrs,
  };
}

Handle.prototype.routeList = async function (this: Handle, filter: RouteListFilter = {}): Promise<Route[]> {
  if (filter === null || typeof filter !== 'object') throw new TypeError(`filter must be an object, got ${describe(filter)}`);
  const af = filter.family === undefined ? AF_UNSPEC : parseFamily(filter.family);
  const table = filter.table === undefined ? RT_TABLE_MAIN : filter.table === 'all' ? RT_TABLE_UNSPEC : tableId(filter.table);
  const protocol = filter.protocol === undefined ? 0 : parseNamedByte(filter.protocol, ROUTE_PROTOCOLS, 'protocol');
  const type = filter.type === undefined ? 0 : routeTypeNumber(filter.type);
  const oif = filter.link === undefined ? undefined : await resolveLinkIndex(this, filter.link);
  const strict = this.options.strict !== false;
  const map = (m: Message): Route | undefined => {
    if (m.header.type !== 'RTM_NEWROUTE') return undefined;
    const r = routeFromMessage(m);
    // The kernel applies these filters under strict checking; the checks only bite on a
    // handle opened with `strict: false`. Cloned (cache) entries are never listed, as in `ip route show`.
    if (r.flags.includes('cloned')) return undefined;
    if (!strict) {
      if (table !== RT_TABLE_UNSPEC && r.table !== table) return undefined;
      if (oif !== undefined && r.linkIndex !== oif) return undefined;
      if (protocol !== 0 && m['rtm-protocol'] !== protocol) return undefined;
      if (type !== 0 && ROUTE_TYPES[r.type as string] !== type && r.type !== type) return undefined;
    }
    return r;
  };
  // Lifted straight from each reply's bytes in the received datagram (`lift/route.ts`): the
  // same routes as `map`.
  const mapAt = (b: Uint8Array, o: number, len: number): Route | undefined => {
    if ((b[o + 4]! | (b[o + 5]! << 8)) !== RTM_NEWROUTE) return undefined;
    // RTM_F_CLONED lives in rtm_flags' second byte: test the bit before lifting anything.
    if ((b[o + 25]! & (RTM_F_CLONED >> 8)) !== 0) return undefined;
    const r = liftRoute(b, o, len);
    if (!strict) {
      if (table !== RT_TABLE_UNSPEC && r.table !== table) return undefined;
      if (oif !== undefined && r.linkIndex !== oif) return undefined;
      if (protocol !== 0 && b[o + 21] !== protocol) return undefined;
      if (type !== 0 && ROUTE_TYPES[r.type as string] !== type && r.type !== type) return undefined;
    }
    return r;
  };
  return this.request(routeDumpMessage(af, table, oif, protocol, type), { dump: true, map, mapAt });
};
const RTM_NEWROUTE = 24;
const RTM_F_CLONED = 0x200;

/** The `RTM_GETROUTE` lookup request `routeGet` sends. */
export function routeGetMessage(dst: { af: number; text: string; bytes: Uint8Array }, src: string | undefined, oif: number | undefined, iif: number | undefined, mark: number | undefined): Message {
  const attrs: Record<string, unknown> = { dst: dst.text };
  if (src !== undefined) attrs.src = src;
  if (iif !== undefined) attrs.iif = iif;
  if (oif !== undefined) attrs.oif = oif;
  if (mark !== undefined) attrs.mark = mark;
  return {
    header: { type: 'RTM_GETROUTE', flags: [], seq: 0, pid: 0 },
    'rtm-family': dst.af,
    'rtm-dst-len': dst.af === AF_INET ? 32 : 128,
    'rtm-src-len': src === undefined ? 0 : dst.af === AF_INET ? 32 : 128,
    'rtm-tos': 0,
    'rtm-table': 0,
    'rtm-protocol': 0,
    'rtm-scope': 0,
    'rtm-type': 'unspec',
    // As iproute2: report the table the route was found in, not always main. IPv6 reports
    // it anyway and refuses the flag under strict checking.
    'rtm-flags': dst.af === AF_INET ? RTM_F_LOOKUP_TABLE : 0,
    attrs,
  };
}

Handle.prototype.routeGet = async function (this: Handle, destination: string, options: RouteGetOptions = {}): Promise<Route> {
  const dstCidr = parseCIDR(destination, 'destination');
  if (dstCidr.prefixLen !== (dstCidr.af === AF_INET ? 32 : 128)) throw new TypeError(`destination must be an address, not a prefix: ${JSON.stringify(destination)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object, got ${describe(options)}`);
  const src = options.src === undefined ? undefined : parseIP(options.src, 'src', dstCidr.af).text;
  const mark = options.mark === undefined ? undefined : checkU32(options.mark, 'mark');
  const oif = options.oif === undefined ? undefined : await resolveLinkIndex(this, options.oif);
  const iif = options.iif === undefined ? undefined : await resolveLinkIndex(this, options.iif);
  const [route] = await this.request(routeGetMessage(dstCidr, src, oif, iif, mark), {
    map: (m) => {
      if (m.header.type !== 'RTM_NEWROUTE') return undefined;
      const r = routeFromMessage(m);
      // A cached IPv4 lookup carries the RTCF_* bits in the high half of rtm_flags.
      if (r.family === 'inet' && r.flags.includes('cloned')) r.cacheFlags = cacheFlagNames((m['rtm-flags'] as number) >>> 0);
      return r;
    },
  });
  if (route === undefined) throw new Error(`the kernel sent no route for ${dstCidr.text}`);
  return route;
};

/** {@link Handle.routeAdd} on the default handle. */
export const routeAdd = (route: RouteSpec): Promise<void> => getDefaultHandle().routeAdd(route);
/** {@link Handle.routeReplace} on the default handle. */
export const routeReplace = (route: RouteSpec): Promise<void> => getDefaultHandle().routeReplace(route);
/** {@link Handle.routeAppend} on the default handle. */
export const routeAppend = (route: RouteSpec): Promise<void> => getDefaultHandle().routeAppend(route);
/** {@link Handle.routeDel} on the default handle. */
export const routeDel = (route: RouteSpec | Route): Promise<void> => getDefaultHandle().routeDel(route);
/** {@link Handle.routeList} on the default handle. */
export const routeList = (filter?: RouteListFilter): Promise<Route[]> => getDefaultHandle().routeList(filter);
/** {@link Handle.routeGet} on the default handle. */
export const routeGet = (destination: string, options?: RouteGetOptions): Promise<Route> => getDefaultHandle().routeGet(destination, options);

/** Whether a prefix has bits set beyond its length (the kernel refuses such a destination). */
function hasHostBits(dst: ParsedCIDR): boolean {
  const b = dst.bytes;
  for (let i = 0; i < b.length; i++) {
    const keep = dst.prefixLen - 8 * i;
    if (keep >= 8) continue;
    const mask = keep <= 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    if ((b[i]! & ~mask & 0xff) !== 0) return true;
  }
  return false;
}

/** Alias of {@link RouteListFilter} (the name `streams.ts` uses). */
export type RouteFilter = RouteListFilter;
