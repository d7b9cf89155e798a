/**
 * `routeFromBytes`: an `RTM_NEWROUTE`/`RTM_DELROUTE` message's bytes straight to a `Route`,
 * with the same result as `routeFromMessage(decode(bytes)[0])` (see `./common.ts` for why).
 *
 * Built for full-table dumps (a million routes): one pass over the attributes, no
 * intermediate objects, and the gateway and preferred-source strings shared between
 * consecutive routes that have the same one (a table typically has a handful of next hops).
 * Multipath, metrics and `RTA_VIA` routes go through the codec.
 */
import { decode, schema } from '@nlkit/nl-codec';
import { NO_ROUTE_FLAGS, protocolName, routeFlagNames, routeFromMessage, type Route, type RouteFlag, type RouteProtocol, type RouteType } from '../route.js';
import { AF_INET, AF_INET6, familyName, scopeName, type Family, type Scope } from '../ip.js';
import { AF_MPLS, attrNumber, checkedLength, ipv4At, ipv4PrefixAt, ipv6At, slashLen, u32At } from './common.js';

const SET = 'rt-route/route-attrs';
const RTA_DST = attrNumber(SET, 'dst');
const RTA_SRC = attrNumber(SET, 'src');
const RTA_IIF = attrNumber(SET, 'iif');
const RTA_OIF = attrNumber(SET, 'oif');
const RTA_GATEWAY = attrNumber(SET, 'gateway');
const RTA_PRIORITY = attrNumber(SET, 'priority');
const RTA_PREFSRC = attrNumber(SET, 'prefsrc');
const RTA_METRICS = attrNumber(SET, 'metrics');
const RTA_MULTIPATH = attrNumber(SET, 'multipath');
const RTA_CACHEINFO = attrNumber(SET, 'cacheinfo');
const RTA_TABLE = attrNumber(SET, 'table');
const RTA_MARK = attrNumber(SET, 'mark');
const RTA_VIA = attrNumber(SET, 'via');
const RTA_PREF = attrNumber(SET, 'pref');
const RTA_EXPIRES = attrNumber(SET, 'expires');
const RTA_UID = attrNumber(SET, 'uid');
const RTA_NH_ID = attrNumber(SET, 'nh-id');
const RTA_FLOW = attrNumber(SET, 'flow');
/** Offset of `rta_expires` in `struct rta_cacheinfo`, and the struct's size, from the codec's table. */
const CI_STRUCT = schema.STRUCTS['rt-route/rta-cacheinfo'];
const CI_EXPIRES = CI_STRUCT?.members.find((m) => m.name === 'rta-expires')?.offset;
const CI_SIZE = CI_STRUCT?.size;
if (typeof CI_EXPIRES !== 'number' || typeof CI_SIZE !== 'number') throw new Error("@nlkit/rtnl: the codec's tables lack rt-route/rta-cacheinfo rta-expires");

const LIFTED = [RTA_DST, RTA_SRC, RTA_IIF, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC, RTA_METRICS, RTA_MULTIPATH, RTA_CACHEINFO, RTA_TABLE, RTA_MARK, RTA_VIA, RTA_PREF, RTA_EXPIRES, RTA_UID, RTA_NH_ID, RTA_FLOW];
if (LIFTED.some((t) => t >= 31)) throw new Error("@nlkit/rtnl: a route attribute number no longer fits the lifter's bit set");
const MASK = LIFTED.reduce((m, t) => m | (1 << t), 0);
/** Attributes handled by the codec path: nests and the rare `RTA_VIA` and `RTA_FLOW` (realms). */
const GENERIC_MASK = (1 << RTA_METRICS) | (1 << RTA_MULTIPATH) | (1 << RTA_VIA) | (1 << RTA_FLOW);
/** Address attributes (binary, text by length). */
const ADDR_MASK = (1 << RTA_DST) | (1 << RTA_SRC) | (1 << RTA_GATEWAY) | (1 << RTA_PREFSRC);

/** `rtm_type` names exactly as the codec gives them (its enum; unknown values stay numbers). */
const TYPE_NAMES: (RouteType | number)[] = Array.from({ length: 256 }, (_, i) => i);
{
  const e = schema.ENUMS['rt-route/rtm-type'];
  if (e === undefined) throw new Error("@nlkit/rtnl: the codec's tables lack rt-route/rtm-type");
  for (const [name, value] of e.entries) TYPE_NAMES[value] = name as RouteType;
}

/** Attributes of the common literal shapes (see the end of liftRoute). */
const COMMON_MASK = (1 << RTA_DST) | (1 << RTA_GATEWAY) | (1 << RTA_OIF) | (1 << RTA_PRIORITY) | (1 << RTA_TABLE);
/**
 * `rtm_protocol` -> name or number, as protocolName gives it. Filled on first use: route.ts
 * imports this module, so its tables do not exist yet while this one loads.
 */
let PROTOCOL_NAMES: RouteProtocol[] = [];
/** `rtm_scope` -> name, and `rtm_family` -> name, as scopeName/familyName give them (no call per route). */
const SCOPE_NAMES: Scope[] = Array.from({ length: 256 }, (_, i) => scopeName(i));
const FAMILY_NAMES: (Family | number)[] = Array.from({ length: 256 }, (_, i) => familyName(i));


/** Little-endian u32 at `p` (small enough for the JIT to inline into the lifter). */
function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** Attribute headers (`nla_len` 8, `nla_type`) of the common route shape, as little-endian u32s. */
const H_TABLE = (8 | (RTA_TABLE << 16)) >>> 0;
const H_DST = (8 | (RTA_DST << 16)) >>> 0;
const H_GATEWAY = (8 | (RTA_GATEWAY << 16)) >>> 0;
const H_OIF = (8 | (RTA_OIF << 16)) >>> 0;

function liftFlags(bits: number): RouteFlag[] {
  return bits === 0 ? NO_ROUTE_FLAGS : routeFlagNames(bits);
}


/** `struct rtmsg` is 12 bytes after the 16-byte netlink header. */
const HDR = 28;

function generic(msg: Uint8Array): Route {
  return routeFromMessage(decode(msg)[0]!);
}

// The last gateway / preferred source seen, so routes through the same next hop share one string.
let lastGw = -1;
let lastGwText = '';
let lastSrc = -1;
let lastSrcText = '';

function ip(b: Uint8Array, p: number, len: number): string {
  return len === 4 ? ipv4At(b, p) : ipv6At(b, p);
}

/** `address/length` of the 4 or 16 address bytes at `p`: for IPv4 one concatenation. */
function prefixText(b: Uint8Array, p: number, alen: number, prefixLen: number): string {
  return alen === 4 ? ipv4PrefixAt(b, p, prefixLen) : ipv6At(b, p) + slashLen(prefixLen);
}

/**
 * Lift one route message (exactly its `nlmsg_len` bytes, header included) into a `Route`,
 * equal to what {@link routeFromMessage} gives for the decoded message. The bytes are only
 * read during the call. Throws `NetlinkDecodeError` for a malformed attribute, like `decode`.
 *
 * @example
 * ```ts
 * import { routeFromBytes } from '@nlkit/rtnl';
 * const route = routeFromBytes(datagram.subarray(offset, offset + length));
 * console.log(route.dst, route.gw, route.table);
 * ```
 */
export function routeFromBytes(msg: Uint8Array): Route {
  const len = checkedLength(msg, 'routeFromBytes');
  return liftRoute(msg, 0, len);
}

/**
 * @internal The lifter on the message of `len` bytes at offset `o` of `b` (a whole received
 * datagram: no view per message), its length already known to fit.
 */
export function liftRoute(b: Uint8Array, o: number, len: number): Route {
  if (len < HDR) return generic(b.subarray(o, o + len));
  if (PROTOCOL_NAMES.length === 0) PROTOCOL_NAMES = Array.from({ length: 256 }, (_, i) => protocolName(i));
  const af = b[o + 16]!;
  // The codec leaves MPLS addresses as bytes.
  if (af === AF_MPLS) return generic(b.subarray(o, o + len));
  // Nearly every route of a large IPv4 table has one shape, in the kernel's attribute order:
  // RTA_TABLE, RTA_DST, RTA_GATEWAY, RTA_OIF, four bytes each (no NLA_F_* bits: the headers
  // are compared whole). Built directly: the same object as the general path gives.
  if (
    len === 60 &&
    af === AF_INET &&
    u32(b, o + 28) === H_TABLE &&
    u32(b, o + 36) === H_DST &&
    u32(b, o + 44) === H_GATEWAY &&
    u32(b, o + 52) === H_OIF
  ) {
    const g = u32(b, o + 48);
    if (g !== lastGw) {
      lastGw = g;
      lastGwText = ipv4At(b, o + 48);
    }
    const flags = u32(b, o + 24);
    return {
      table: u32(b, o + 32),
      protocol: PROTOCOL_NAMES[b[o + 21]!]!,
      scope: SCOPE_NAMES[b[o + 22]!]!,
      type: TYPE_NAMES[b[o + 23]!]!,
      flags: flags === 0 ? NO_ROUTE_FLAGS : routeFlagNames(flags),
      tos: b[o + 19]!,
      family: 'inet',
      dst: ipv4PrefixAt(b, o + 40, b[o + 17]!),
      gw: lastGwText,
      linkIndex: u32(b, o + 56),
    };
  }
  // Where the destination's bytes are: formatted at the end together with its prefix length.
  let dst = -1;
  let dstAlen = 0;
  let src: string | undefined;
  let prefsrc: string | undefined;
  let gw: string | undefined;
  let oif = -1;
  let iif = -1;
  let priority = -1;
  let table = -1;
  let mark = -1;
  let pref = -1;
  let expires = -1;
  let ciExpires = 0;
  let uid = -1;
  let nhId = -1;
  let seen = 0;
  const end = o + len;
  let p = o + HDR;
  while (p + 4 <= end) {
    const alen = b[p]! | (b[p + 1]! << 8);
    if (alen < 4 || p + alen > end) return generic(b.subarray(o, end));
    const rawType = b[p + 2]! | (b[p + 3]! << 8);
    const d = p + 4;
    const plen = alen - 4;
    p += (alen + 3) & ~3;
    const t = rawType & 0x3fff;
    if (t >= 31) continue;
    const bit = 1 << t;
    if ((MASK & bit) === 0) continue;
    // NLA_F_* bits, a repeat, a nest: rare enough to leave to the codec.
    if (rawType !== t || (seen & bit) !== 0 || (GENERIC_MASK & bit) !== 0) return generic(b.subarray(o, end));
    seen |= bit;
    if ((ADDR_MASK & bit) !== 0) {
      if (plen !== 4 && plen !== 16) return generic(b.subarray(o, end));
      if (t === RTA_DST) {
        dst = d;
        dstAlen = plen;
      } else if (t === RTA_GATEWAY) {
        if (plen === 4) {
          const k = (b[d]! | (b[d + 1]! << 8) | (b[d + 2]! << 16) | (b[d + 3]! << 24)) >>> 0;
          if (k !== lastGw) {
            lastGw = k;
            lastGwText = ipv4At(b, d);
          }
          gw = lastGwText;
        } else gw = ipv6At(b, d);
      } else if (t === RTA_PREFSRC) {
        if (plen === 4) {
          const k = (b[d]! | (b[d + 1]! << 8) | (b[d + 2]! << 16) | (b[d + 3]! << 24)) >>> 0;
          if (k !== lastSrc) {
            lastSrc = k;
            lastSrcText = ipv4At(b, d);
          }
          prefsrc = lastSrcText;
        } else prefsrc = ipv6At(b, d);
      } else src = ip(b, d, plen);
    } else if (t === RTA_CACHEINFO) {
      // A struct shorter than the spec's is left raw by the codec: no expiry then.
      if (plen >= CI_SIZE!) ciExpires = u32At(b, d + CI_EXPIRES!);
    } else if (t === RTA_PREF) {
      if (plen !== 1) return generic(b.subarray(o, end));
      pref = b[d]!;
    } else {
      if (plen !== 4) return generic(b.subarray(o, end));
      const v = (b[d]! | (b[d + 1]! << 8) | (b[d + 2]! << 16) | (b[d + 3]! << 24)) >>> 0;
      if (t === RTA_OIF) oif = v;
      else if (t === RTA_TABLE) table = v;
      else if (t === RTA_PRIORITY) priority = v;
      else if (t === RTA_IIF) iif = v;
      else if (t === RTA_MARK) mark = v;
      else if (t === RTA_EXPIRES) expires = v;
      else if (t === RTA_UID) uid = v;
      else nhId = v;
    }
  }
  const dstLen = b[o + 17]!;
  // The common shapes of a large table (a prefix via a gateway, with or without a metric) are
  // built as one literal: every property in the object itself, none in a separate backing
  // store. Same keys in the same order as routeFromMessage gives them.
  if (dst >= 0 && gw !== undefined && oif >= 0 && (seen & ~COMMON_MASK) === 0) {
    const flags = (b[o + 24]! | (b[o + 25]! << 8) | (b[o + 26]! << 16) | (b[o + 27]! << 24)) >>> 0;
    if (priority < 0) {
      return {
        table: table >= 0 ? table : b[o + 20]!,
        protocol: PROTOCOL_NAMES[b[o + 21]!]!,
        scope: SCOPE_NAMES[b[o + 22]!]!,
        type: TYPE_NAMES[b[o + 23]!]!,
        flags: flags === 0 ? NO_ROUTE_FLAGS : routeFlagNames(flags),
        tos: b[o + 19]!,
        family: FAMILY_NAMES[af]!,
        dst: prefixText(b, dst, dstAlen, dstLen),
        gw,
        linkIndex: oif,
      };
    }
    return {
      table: table >= 0 ? table : b[o + 20]!,
      protocol: PROTOCOL_NAMES[b[o + 21]!]!,
      scope: SCOPE_NAMES[b[o + 22]!]!,
      type: TYPE_NAMES[b[o + 23]!]!,
      flags: flags === 0 ? NO_ROUTE_FLAGS : routeFlagNames(flags),
      tos: b[o + 19]!,
      family: FAMILY_NAMES[af]!,
      dst: prefixText(b, dst, dstAlen, dstLen),
      gw,
      linkIndex: oif,
      priority,
    };
  }
  const r: Route = {
    table: table >= 0 ? table : b[o + 20]!,
    protocol: PROTOCOL_NAMES[b[o + 21]!]!,
    scope: SCOPE_NAMES[b[o + 22]!]!,
    type: TYPE_NAMES[b[o + 23]!]!,
    flags: liftFlags(u32At(b, o + 24)),
    tos: b[o + 19]!,
    family: FAMILY_NAMES[af]!,
  };
  if (dst >= 0) r.dst = prefixText(b, dst, dstAlen, dstLen);
  else if (dstLen !== 0) r.dst = (af === AF_INET6 ? '::/' : '0.0.0.0/') + dstLen;
  if (src !== undefined) r.srcPrefix = src + slashLen(b[o + 18]!);
  if (prefsrc !== undefined) r.src = prefsrc;
  if (gw !== undefined) r.gw = gw;
  if (oif >= 0) r.linkIndex = oif;
  if (iif >= 0) r.iifIndex = iif;
  if (priority >= 0) r.priority = priority;
  if (pref >= 0) r.pref = pref === 0 ? 'medium' : pref === 1 ? 'high' : pref === 3 ? 'low' : pref;
  if (expires >= 0) r.expires = expires;
  else if (ciExpires !== 0) r.expires = Math.trunc((ciExpires | 0) / 100);
  if (mark >= 0) r.mark = mark;
  if (uid >= 0) r.uid = uid;
  if (nhId >= 0) r.nhId = nhId;
  return r;
}


