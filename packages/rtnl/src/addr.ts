/**
 * Addresses: `addrAdd`, `addrReplace`, `addrDel`, `addrList` and `addrFromMessage`.
 *
 * The kernel's IPv4 semantics, mirrored as Go and iproute2 do: `IFA_LOCAL` is the interface's
 * own address and `IFA_ADDRESS` the peer (equal to the local address when the link is not
 * point-to-point). IPv6 sends only `IFA_ADDRESS` unless a peer is configured.
 */
import { decode, messageFlagsValue, messageTypeNumber, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, type Message } from '@nlkit/nl-codec';
import { put32, putBytesAttr, putHeader, wireMessage, wireWriter, type WireMessage } from './conn/wire.js';
import { Handle, getDefaultHandle } from './handle.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  broadcastBytes,
  checkU32,
  describe,
  familyName,
  formatIP,
  ownValue,
  parseCIDR,
  parseFamily,
  parseIP,
  parseScope,
  scopeName,
  type Family,
  type FamilyArg,
  type ParsedCIDR,
  type Scope,
} from './ip.js';
import { resolveLinkIndex, type LinkRef } from './link/ref.js';
import { liftAddr } from './lift/addr.js';
import { attrNumber, lastOccurrences } from './lift/common.js';

export { addrFromBytes } from './lift/addr.js';

/** Address flags (`IFA_F_*`), by the names `ip` uses where they differ from the kernel's. */
export type AddrFlag =
  | 'secondary'
  | 'nodad'
  | 'optimistic'
  | 'dadfailed'
  | 'home'
  | 'deprecated'
  | 'tentative'
  | 'permanent'
  | 'managetempaddr'
  | 'noprefixroute'
  | 'mcautojoin'
  | 'stable-privacy';

/** Flag name -> bit. Aliases accepted on input: `temporary`, `homeaddress`, `mngtmpaddr`, `autojoin`. */
const ADDR_FLAG_BITS: Readonly<Record<string, number>> = {
  secondary: 0x01,
  temporary: 0x01,
  nodad: 0x02,
  optimistic: 0x04,
  dadfailed: 0x08,
  home: 0x10,
  homeaddress: 0x10,
  deprecated: 0x20,
  tentative: 0x40,
  permanent: 0x80,
  managetempaddr: 0x100,
  mngtmpaddr: 0x100,
  noprefixroute: 0x200,
  mcautojoin: 0x400,
  autojoin: 0x400,
  'stable-privacy': 0x800,
};
/** Bit index -> our output name. */
const ADDR_FLAG_NAMES: readonly AddrFlag[] = [
  'secondary',
  'nodad',
  'optimistic',
  'dadfailed',
  'home',
  'deprecated',
  'tentative',
  'permanent',
  'managetempaddr',
  'noprefixroute',
  'mcautojoin',
  'stable-privacy',
];
/** Bit index -> the codec's (spec) name, used when building requests. */
const CODEC_FLAG_NAMES: readonly string[] = [
  'secondary',
  'nodad',
  'optimistic',
  'dadfailed',
  'homeaddress',
  'deprecated',
  'tentative',
  'permanent',
  'managetempaddr',
  'noprefixroute',
  'mcautojoin',
  'stable-privacy',
];

/** The lifetime value the kernel uses for "forever". */
export const INFINITY_LIFE_TIME = 0xffffffff;

/**
 * An interface address, as `addrList` returns it.
 *
 * `address` is the interface's own address with the prefix length (`192.0.2.2/24`). For a
 * point-to-point address, `peer` is the other end with the prefix (`IFA_ADDRESS`), and
 * `local` the own address without one (`IFA_LOCAL`).
 */
export interface Addr {
  /** Own address as CIDR text: `192.0.2.2/24`, `2001:db8::2/64`. */
  address: string;
  /** `IFA_LOCAL` (IPv4 always; IPv6 only on point-to-point). */
  local?: string;
  /** The peer of a point-to-point address, as CIDR text (`IFA_ADDRESS` when it differs from `IFA_LOCAL`). */
  peer?: string;
  /** IPv4 broadcast address. */
  broadcast?: string;
  /** IPv4 label (`eth0:1`). */
  label?: string;
  /** `'global'`, `'site'`, `'link'`, `'host'`, `'nowhere'`, or a number. */
  scope: Scope;
  flags: AddrFlag[];
  /** Seconds; `Infinity` means forever. */
  validLft: number;
  /** Seconds; `Infinity` means forever. */
  preferredLft: number;
  linkIndex: number;
  family: Family;
  /** Metric of the prefix route the kernel adds (`IFA_RT_PRIORITY`), when set. */
  priority?: number;
}

/** What `addrAdd`/`addrReplace`/`addrDel` accept: CIDR text or an `Addr`-like object. */
export type AddrSpec =
  | string
  | {
      address: string;
      /** Point-to-point peer (address or CIDR); the prefix length then applies to it. */
      peer?: string;
      /**
       * IPv4 broadcast. Default: computed from the prefix for prefixes shorter than /31, as
       * Go's netlink does. `null`: send none (what `ip addr add` does without `brd`).
       */
      broadcast?: string | null;
      label?: string;
      scope?: Scope;
      flags?: readonly (AddrFlag | 'temporary' | 'homeaddress' | 'mngtmpaddr' | 'autojoin')[];
      /** Seconds, `Infinity` or `'forever'`. */
      validLft?: number | 'forever';
      preferredLft?: number | 'forever';
      /** Metric of the prefix route (`IFA_RT_PRIORITY`). */
      priority?: number;
      /** Ignored (the `link` argument decides); lets an `Addr` from `addrList` be passed back. */
      linkIndex?: number;
      family?: Family;
      local?: string;
    };

export interface AddrListOptions {
  /** `'inet'`, `'inet6'`, 4 or 6. Default: both. */
  family?: FamilyArg;
}

declare module './handle.js' {
  interface Handle {
    /**
     * Add an address (fails with `EEXIST` if it is already there).
     *
     * @example
     * ```ts
     * await h.addrAdd('eth0', '192.0.2.2/24');
     * await h.addrAdd(link, { address: '2001:db8::2/64', flags: ['nodad'] });
     * ```
     */
    addrAdd(link: LinkRef, addr: AddrSpec): Promise<void>;
    /**
     * Add an address or update an existing one (lifetimes, flags, broadcast, label).
     *
     * @example
     * ```ts
     * await h.addrReplace('eth0', { address: '192.0.2.2/24', validLft: 300, preferredLft: 300 });
     * ```
     */
    addrReplace(link: LinkRef, addr: AddrSpec): Promise<void>;
    /**
     * Remove an address (`EADDRNOTAVAIL` if the link does not have it).
     *
     * @example
     * ```ts
     * await h.addrDel('eth0', '192.0.2.2/24');
     * ```
     */
    addrDel(link: LinkRef, addr: AddrSpec): Promise<void>;
    /**
     * List addresses, of one link and/or one family (both filters run in the kernel).
     *
     * @example
     * ```ts
     * const v6 = await h.addrList('eth0', { family: 'inet6' });
     * const all = await h.addrList();
     * ```
     */
    addrList(link?: LinkRef, options?: AddrListOptions): Promise<Addr[]>;
  }
}

/** An `AddrSpec` checked and parsed: everything needed to build the request. */
interface ParsedAddr {
  cidr: ParsedCIDR;
  peer: ParsedCIDR | undefined;
  /** `undefined`: not given; `null`: explicitly none. */
  broadcast: string | null | undefined;
  label: string | undefined;
  scope: number | undefined;
  flags: number;
  validLft: number | undefined;
  preferredLft: number | undefined;
  priority: number | undefined;
}

function lifetime(v: unknown, field: string): number {
  if (v === 'forever' || v === Infinity) return INFINITY_LIFE_TIME;
  return checkU32(v, field);
}

/** Flag names -> bit mask, rejecting unknown names. */
export function addrFlagBits(flags: unknown, field = 'flags'): number {
  if (flags === undefined) return 0;
  if (!Array.isArray(flags)) throw new TypeError(`${field} must be an array of flag names, got ${describe(flags)}`);
  let bits = 0;
  for (const f of flags) {
    const b = typeof f === 'string' ? ownValue(ADDR_FLAG_BITS, f) : undefined;
    if (b === undefined) throw new TypeError(`${field}: unknown address flag ${describe(f)} (known: ${ADDR_FLAG_NAMES.join(', ')})`);
    bits |= b;
  }
  return bits;
}

/**
 * The names of each mask seen so far, by mask (masks of known bits only: below 1 << 12).
 * Why: a dump's addresses nearly all share one mask (`permanent`), and a copy of a kept list
 * costs less than the twelve-bit loop, above all before the JIT has compiled the lifter (a
 * short-lived process such as the CLI never gets that far).
 */
const FLAG_LISTS: (readonly AddrFlag[] | undefined)[] = new Array<readonly AddrFlag[] | undefined>(1 << ADDR_FLAG_NAMES.length).fill(undefined);

/** Bit mask -> our flag names (unknown bits are dropped: there are none below 0x1000 today). A fresh array each call. */
export function addrFlagNames(bits: number): AddrFlag[] {
  const known = bits & (FLAG_LISTS.length - 1);
  const kept = FLAG_LISTS[known];
  if (kept !== undefined) return kept.slice();
  const out: AddrFlag[] = [];
  for (let i = 0; i < ADDR_FLAG_NAMES.length; i++) if (known & (1 << i)) out.push(ADDR_FLAG_NAMES[i]!);
  FLAG_LISTS[known] = out.slice();
  return out;
}

function codecFlags(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < CODEC_FLAG_NAMES.length; i++) if (bits & (1 << i)) out.push(CODEC_FLAG_NAMES[i]!);
  return out;
}

/** Validate an `AddrSpec` completely (throws `TypeError`/`RangeError` naming the field). */
export function parseAddrSpec(spec: unknown): ParsedAddr {
  if (typeof spec === 'string') {
    return {
      cidr: parseCIDR(spec, 'address'),
      peer: undefined,
      broadcast: undefined,
      label: undefined,
      scope: undefined,
      flags: 0,
      validLft: undefined,
      preferredLft: undefined,
      priority: undefined,
    };
  }
  if (spec === null || typeof spec !== 'object') throw new TypeError(`addr must be CIDR text or an object with an address, got ${describe(spec)}`);
  const s = spec as Exclude<AddrSpec, string>;
  const cidr = parseCIDR(s.address, 'address');
  let peer: ParsedCIDR | undefined;
  if (s.peer !== undefined) {
    peer = parseCIDR(s.peer, 'peer', cidr.af);
    // As with `ip addr add A peer P/len`: the prefix belongs to the peer.
    if (!s.peer.includes('/')) peer = { ...peer, prefixLen: cidr.prefixLen };
  }
  let broadcast: string | null | undefined;
  if (s.broadcast === null) broadcast = null;
  else if (s.broadcast !== undefined) {
    if (cidr.af !== AF_INET) throw new TypeError('broadcast: only IPv4 addresses have a broadcast address');
    broadcast = parseIP(s.broadcast, 'broadcast', AF_INET).text;
  }
  if (s.label !== undefined) {
    if (typeof s.label !== 'string' || s.label.length === 0) throw new TypeError(`label must be a non-empty string, got ${describe(s.label)}`);
    if (Buffer.byteLength(s.label) > 15) throw new RangeError(`label ${JSON.stringify(s.label)} is longer than 15 bytes (IFNAMSIZ)`);
    if (cidr.af !== AF_INET) throw new TypeError('label: only IPv4 addresses have labels');
  }
  const scope = s.scope === undefined ? undefined : parseScope(s.scope, 'scope');
  const flags = addrFlagBits(s.flags);
  let validLft = s.validLft === undefined ? undefined : lifetime(s.validLft, 'validLft');
  let preferredLft = s.preferredLft === undefined ? undefined : lifetime(s.preferredLft, 'preferredLft');
  if (validLft !== undefined || preferredLft !== undefined) {
    validLft ??= INFINITY_LIFE_TIME;
    preferredLft ??= validLft;
    if (validLft === 0) throw new RangeError('validLft must be above 0');
    if (preferredLft > validLft) throw new RangeError(`preferredLft (${preferredLft}) must not exceed validLft (${validLft})`);
  }
  const priority = s.priority === undefined ? undefined : checkU32(s.priority, 'priority');
  return { cidr, peer, broadcast, label: s.label, scope, flags, validLft, preferredLft, priority };
}

/**
 * Build an RTM_NEWADDR/RTM_DELADDR message. Attribute order follows iproute2 (`IFA_LOCAL`,
 * peer, explicit broadcast, label, `IFA_ADDRESS`, computed broadcast, ...), so requests are
 * byte-for-byte what `ip addr` sends for the same command.
 */
export function addrMessage(type: 'RTM_NEWADDR' | 'RTM_DELADDR', flags: string[], index: number, p: ParsedAddr): Message {
  const { cidr } = p;
  // Addresses go to the codec as bytes: already parsed, no text round trip.
  const attrs: Record<string, unknown> = { local: cidr.bytes };
  if (p.peer) attrs.address = p.peer.bytes;
  const del = type === 'RTM_DELADDR';
  if (typeof p.broadcast === 'string' && !del) attrs.broadcast = p.broadcast;
  if (p.priority !== undefined) attrs['rt-priority'] = p.priority;
  if (p.label !== undefined) attrs.label = p.label;
  if (!p.peer) attrs.address = cidr.bytes;
  const prefixLen = p.peer ? p.peer.prefixLen : cidr.prefixLen;
  // Go's rule: compute the broadcast for IPv4 prefixes below /31 when none was given.
  if (p.broadcast === undefined && !del && cidr.af === AF_INET && prefixLen < 31 && !p.peer) {
    attrs.broadcast = formatIP(broadcastBytes(cidr.bytes, prefixLen));
  }
  let u8flags = 0;
  if (p.flags > 0xff) attrs.flags = codecFlags(p.flags);
  else u8flags = p.flags;
  if (p.validLft !== undefined && !del) {
    attrs.cacheinfo = { 'ifa-prefered': p.preferredLft, 'ifa-valid': p.validLft, cstamp: 0, tstamp: 0 };
  }
  // iproute2's default scope: host for 127/8, else global (the kernel picks IPv6 scopes itself).
  const scope = p.scope ?? (!del && cidr.af === AF_INET && cidr.bytes[0] === 127 ? 254 : 0);
  return {
    header: { type, flags, seq: 0, pid: 0 },
    'ifa-family': cidr.af,
    'ifa-prefixlen': prefixLen,
    'ifa-flags': codecFlags(u8flags),
    'ifa-scope': scope,
    'ifa-index': index,
    attrs,
  };
}

const ifa = (name: string): number => attrNumber('rt-addr/addr-attrs', name);
const IFA_ADDRESS = ifa('address');
const IFA_LOCAL = ifa('local');
const IFA_LABEL = ifa('label');
const IFA_BROADCAST = ifa('broadcast');
const IFA_CACHEINFO = ifa('cacheinfo');
const IFA_FLAGS = ifa('flags');
const IFA_RT_PRIORITY = ifa('rt-priority');

/**
 * @internal The bytes of `addrMessage(type, flags, index, p)`, written directly (see `conn/wire.ts` for
 * why): same attributes in the same order, so requests stay what `ip addr` sends.
 */
export function addrWire(type: 'RTM_NEWADDR' | 'RTM_DELADDR', flags: string[] | number, index: number, p: ParsedAddr): WireMessage {
  const { cidr } = p;
  const del = type === 'RTM_DELADDR';
  const prefixLen = p.peer ? p.peer.prefixLen : cidr.prefixLen;
  const scope = p.scope ?? (!del && cidr.af === AF_INET && cidr.bytes[0] === 127 ? 254 : 0);
  // The operations pass their flags as a number (no name lookups per request); tests by name.
  const bits = typeof flags === 'number' ? flags : messageFlagsValue(messageTypeNumber(type), flags as Parameters<typeof messageFlagsValue>[1]);
  // Go's rule: an IPv4 prefix below /31 without a peer or a broadcast given gets the computed one.
  const computedBroadcast = p.broadcast === undefined && !del && cidr.af === AF_INET && prefixLen < 31 && !p.peer;
  if (p.peer === undefined && typeof p.broadcast !== 'string' && p.priority === undefined && p.label === undefined && p.flags <= 0xff && (p.validLft === undefined || del)) {
    return localAddrWire(type, bits, index, cidr, scope, p.flags, computedBroadcast);
  }
  const w = wireWriter(type, bits);
  w.u8(cidr.af).u8(prefixLen).u8(p.flags > 0xff ? 0 : p.flags).u8(scope).u32(index);
  w.attrBytes(IFA_LOCAL, cidr.bytes);
  if (p.peer) w.attrBytes(IFA_ADDRESS, p.peer.bytes);
  // An explicit broadcast keeps its place before the label; a computed one goes after IFA_ADDRESS.
  const explicitBroadcast = typeof p.broadcast === 'string' && !del;
  if (explicitBroadcast) w.attrBytes(IFA_BROADCAST, parseIP(p.broadcast as string, 'broadcast', AF_INET).bytes);
  if (p.priority !== undefined) w.attrU32(IFA_RT_PRIORITY, p.priority);
  if (p.label !== undefined) w.attrString(IFA_LABEL, p.label);
  if (!p.peer) w.attrBytes(IFA_ADDRESS, cidr.bytes);
  if (computedBroadcast) w.attrBytes(IFA_BROADCAST, broadcastBytes(cidr.bytes, prefixLen));
  if (p.flags > 0xff) w.attrU32(IFA_FLAGS, p.flags);
  if (p.validLft !== undefined && !del) {
    // struct ifa_cacheinfo: preferred, valid, cstamp, tstamp (the kernel ignores the stamps).
    const ci = new Uint8Array(16);
    const v = new DataView(ci.buffer);
    v.setUint32(0, p.preferredLft!, true);
    v.setUint32(4, p.validLft, true);
    w.attrBytes(IFA_CACHEINFO, ci);
  }
  return wireMessage(type, w.finish());
}

const ADDR_TYPES = { RTM_NEWADDR: messageTypeNumber('RTM_NEWADDR'), RTM_DELADDR: messageTypeNumber('RTM_DELADDR') };

/**
 * `addrWire` for the commonest address, a local address with nothing else (what `addrAdd(link,
 * 'a.b.c.d/len')` sends): `struct ifaddrmsg`, IFA_LOCAL, IFA_ADDRESS and for IPv4 below /31 the
 * computed IFA_BROADCAST, written with plain stores into an exact-size array, as
 * `ifinfoWire` does for link changes (see `conn/wire.ts` for why). The same bytes as the
 * writer path (property-tested against the object form).
 */
function localAddrWire(type: 'RTM_NEWADDR' | 'RTM_DELADDR', bits: number, index: number, cidr: ParsedCIDR, scope: number, flags: number, broadcast: boolean): WireMessage {
  const a = cidr.bytes;
  const prefixLen = cidr.prefixLen;
  const attr = 4 + a.length; // 8 or 20: already aligned
  const size = 24 + 2 * attr + (broadcast ? 8 : 0);
  const b = new Uint8Array(size);
  putHeader(b, 0, size, ADDR_TYPES[type], bits);
  b[16] = cidr.af;
  b[17] = prefixLen;
  b[18] = flags;
  b[19] = scope;
  put32(b, 20, index);
  const end = putBytesAttr(b, putBytesAttr(b, 24, IFA_LOCAL, a), IFA_ADDRESS, a);
  if (broadcast) putBytesAttr(b, end, IFA_BROADCAST, broadcastBytes(a, prefixLen));
  return wireMessage(type, b);
}


function lft(v: number): number {
  return v === INFINITY_LIFE_TIME ? Infinity : v;
}

/** Bits of a flags value the codec gives as names (or numbers for unknown bits). */
function bitsOf(v: unknown, table: Readonly<Record<string, number>>): number {
  if (typeof v === 'number') return v;
  if (!Array.isArray(v)) return 0;
  let bits = 0;
  for (const f of v) bits |= typeof f === 'number' ? f : (table[f as string] ?? 0);
  return bits;
}

const CODEC_FLAG_BITS: Readonly<Record<string, number>> = Object.fromEntries(CODEC_FLAG_NAMES.map((n, i) => [n, 1 << i]));

/**
 * Lift an `RTM_NEWADDR`/`RTM_DELADDR` message (from a dump or an event) into an `Addr`.
 *
 * @example
 * ```ts
 * const addrs = decode(bytes).filter((m) => m.header.type === 'RTM_NEWADDR').map(addrFromMessage);
 * ```
 */
export function addrFromMessage(m: Message): Addr {
  const attrs = lastOccurrences((m.attrs ?? {}) as Record<string, unknown>);
  const af = m['ifa-family'] as number;
  const prefixLen = m['ifa-prefixlen'] as number;
  const addressAttr = typeof attrs.address === 'string' ? attrs.address : undefined;
  const localAttr = typeof attrs.local === 'string' ? attrs.local : undefined;
  const own = localAttr ?? addressAttr ?? '';
  const a: Addr = {
    address: `${own}/${prefixLen}`,
    scope: scopeName(m['ifa-scope'] as number),
    // IFA_FLAGS (u32), when present, supersedes the 8-bit header field.
    flags: addrFlagNames(attrs.flags !== undefined ? bitsOf(attrs.flags, CODEC_FLAG_BITS) : bitsOf(m['ifa-flags'], CODEC_FLAG_BITS)),
    validLft: Infinity,
    preferredLft: Infinity,
    linkIndex: m['ifa-index'] as number,
    family: familyName(af) as Family,
  };
  if (localAttr !== undefined) a.local = localAttr;
  if (localAttr !== undefined && addressAttr !== undefined && addressAttr !== localAttr) a.peer = `${addressAttr}/${prefixLen}`;
  // The codec's overlay decodes IFA_BROADCAST as an address (the kernel spec says u32); bytes
  // of another length stay bytes there, and are not an IPv4 broadcast.
  if (typeof attrs.broadcast === 'string') a.broadcast = attrs.broadcast;
  if (typeof attrs.label === 'string') a.label = attrs.label;
  const ci = attrs.cacheinfo as { 'ifa-prefered'?: number; 'ifa-valid'?: number } | undefined;
  if (ci && typeof ci['ifa-valid'] === 'number') {
    a.validLft = lft(ci['ifa-valid']);
    a.preferredLft = lft(ci['ifa-prefered'] ?? INFINITY_LIFE_TIME);
  }
  if (typeof attrs['rt-priority'] === 'number') a.priority = attrs['rt-priority'];
  return a;
}

const mapAddr = (m: Message): Addr | undefined => (m.header.type === 'RTM_NEWADDR' ? addrFromMessage(m) : undefined);

const RTM_NEWADDR = 20;
/**
 * `mapAt` of the dump: RTM_NEWADDR messages lifted from the received datagram's bytes
 * (no view per message), anything else skipped.
 */
const liftAddrAt = (b: Uint8Array, o: number, len: number): Addr | undefined =>
  (b[o + 4]! | (b[o + 5]! << 8)) === RTM_NEWADDR ? liftAddr(b, o, len) : undefined;
/** ifa_index of the address message at `o` (0 when it is too short to hold one). */
const liftAddrIndex = (b: Uint8Array, o: number, len: number): number => (len >= 24 ? (b[o + 20]! | (b[o + 21]! << 8) | (b[o + 22]! << 16) | (b[o + 23]! << 24)) >>> 0 : 0);

/** Address changes resolve to nothing: the engine gives `undefined` instead of a result array. */
const VOID = { resolveVoid: true } as const;

function modify(h: Handle, type: 'RTM_NEWADDR' | 'RTM_DELADDR', flags: number, link: LinkRef, addr: AddrSpec): Promise<void> {
  let parsed: ParsedAddr;
  try {
    parsed = parseAddrSpec(addr); // all input checks before any system call
    // An ifindex needs no lookup: send at once (no async step per address in a loop of adds).
    if (typeof link === 'number' && Number.isInteger(link) && link > 0 && link <= 0x7fffffff) {
      return h.request(addrWire(type, flags, link, parsed), VOID) as unknown as Promise<void>;
    }
  } catch (e) {
    return Promise.reject(e);
  }
  return resolveLinkIndex(h, link).then((index) => h.request(addrWire(type, flags, index, parsed), VOID) as unknown as Promise<void>);
}

Handle.prototype.addrAdd = function (this: Handle, link: LinkRef, addr: AddrSpec): Promise<void> {
  return modify(this, 'RTM_NEWADDR', NLM_F_CREATE | NLM_F_EXCL, link, addr);
};

Handle.prototype.addrReplace = function (this: Handle, link: LinkRef, addr: AddrSpec): Promise<void> {
  return modify(this, 'RTM_NEWADDR', NLM_F_CREATE | NLM_F_REPLACE, link, addr);
};

Handle.prototype.addrDel = function (this: Handle, link: LinkRef, addr: AddrSpec): Promise<void> {
  return modify(this, 'RTM_DELADDR', 0, link, addr);
};

/** The dump request `addrList` sends (family 0 = all; index 0 = all links). */
export function addrDumpMessage(af: number, index: number): Message {
  return {
    header: { type: 'RTM_GETADDR', flags: [], seq: 0, pid: 0 },
    'ifa-family': af,
    'ifa-prefixlen': 0,
    'ifa-flags': [],
    'ifa-scope': 0,
    'ifa-index': index,
    attrs: {},
  };
}

Handle.prototype.addrList = async function (this: Handle, link?: LinkRef, options: AddrListOptions = {}): Promise<Addr[]> {
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object, got ${describe(options)}`);
  const af = options.family === undefined ? AF_UNSPEC : parseFamily(options.family);
  const index = link === undefined ? 0 : await resolveLinkIndex(this, link);
  // The kernel filters by ifa_index under strict checking; the check below only matters on a
  // handle opened with `strict: false`, where the kernel ignores the index.
  // Lifted straight from each reply's bytes (`lift/addr.ts`), the same result as `mapAddr`.
  const mapAt =
    index === 0 || this.options.strict !== false
      ? liftAddrAt
      : (b: Uint8Array, o: number, len: number): Addr | undefined => (liftAddrIndex(b, o, len) === index ? liftAddrAt(b, o, len) : undefined);
  return this.request(addrDumpMessage(af, index), { dump: true, map: mapAddr, mapAt });
};

/** {@link Handle.addrAdd} on the default handle. */
export const addrAdd = (link: LinkRef, addr: AddrSpec): Promise<void> => getDefaultHandle().addrAdd(link, addr);
/** {@link Handle.addrReplace} on the default handle. */
export const addrReplace = (link: LinkRef, addr: AddrSpec): Promise<void> => getDefaultHandle().addrReplace(link, addr);
/** {@link Handle.addrDel} on the default handle. */
export const addrDel = (link: LinkRef, addr: AddrSpec): Promise<void> => getDefaultHandle().addrDel(link, addr);
/** {@link Handle.addrList} on the default handle. */
export const addrList = (link?: LinkRef, options?: AddrListOptions): Promise<Addr[]> => getDefaultHandle().addrList(link, options);


