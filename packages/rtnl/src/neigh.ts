/**
 * Neighbours: ARP/NDP entries and, with `family: 'bridge'`, bridge FDB entries.
 * `neighAdd`, `neighSet` (replace), `neighDel`, `neighList`, and `neighFromMessage`.
 *
 * Requests mirror iproute2 (`ip neigh`, `bridge fdb`): state `permanent` unless told otherwise,
 * `NDA_DST` then `NDA_LLADDR`. Dump filters travel as `NDA_IFINDEX`/`NDA_MASTER`, the only form
 * the kernel's strict checking accepts for neighbour dumps.
 */
import type { Message } from '@nlkit/nl-codec';
import { Handle, getDefaultHandle } from './handle.js';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC, checkInt, checkU32, describe, familyName, ownValue, parseIP, parseMAC, type Family, type FamilyArg } from './ip.js';
import { resolveLinkIndex, type LinkRef } from './link/ref.js';
import { ROUTE_TYPES, type RouteType } from './route.js';
import { liftNeigh } from './lift/neigh.js';
import { lastOccurrences } from './lift/common.js';

export { neighFromBytes } from './lift/neigh.js';

/** Neighbour states (`NUD_*`). */
export type NeighState = 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'noarp' | 'permanent';
const STATE_NAMES: readonly NeighState[] = ['incomplete', 'reachable', 'stale', 'delay', 'probe', 'failed', 'noarp', 'permanent'];
/** Neighbour flags (`NTF_*`). */
export type NeighFlag = 'use' | 'self' | 'master' | 'proxy' | 'extern_learn' | 'offloaded' | 'sticky' | 'router';
const FLAG_NAMES: readonly NeighFlag[] = ['use', 'self', 'master', 'proxy', 'extern_learn', 'offloaded', 'sticky', 'router'];
/** The codec's (spec) names for the same bits. */
const CODEC_FLAG_NAMES: readonly string[] = ['use', 'self', 'master', 'proxy', 'ext-learned', 'offloaded', 'sticky', 'router'];
/** Extended flags (`NDA_FLAGS_EXT`). */
export type NeighExtFlag = 'managed' | 'locked' | 'ext-validated';
const EXT_FLAG_NAMES: readonly NeighExtFlag[] = ['managed', 'locked', 'ext-validated'];

/** A neighbour family: `'inet'`, `'inet6'`, `'bridge'` (FDB), or 4/6/7. */
export type NeighFamily = Family | 'bridge';
export type NeighFamilyArg = FamilyArg | 'bridge' | 7;

/** A neighbour entry (ARP, NDP or FDB). */
export interface Neigh {
  linkIndex: number;
  family: NeighFamily | number;
  /** Names of the `NUD_*` bits (usually one; `[]` is `NUD_NONE`). */
  state: NeighState[];
  flags: NeighFlag[];
  /** `ndm_type` (`unicast`, `local`, ...). */
  type: RouteType | number;
  /** Protocol address (`NDA_DST`); for FDB entries of a VXLAN device, the remote. */
  ip?: string;
  /** Link-layer address (`NDA_LLADDR`). */
  hardwareAddr?: string;
  vlan?: number;
  vni?: number;
  /** UDP port of a VXLAN FDB entry (`NDA_PORT`). */
  port?: number;
  /** Bridge (or other master) of an FDB entry (`NDA_MASTER`). */
  masterIndex?: number;
  /** Device of a VXLAN remote (`NDA_IFINDEX`). */
  vxlanLinkIndex?: number;
  srcVni?: number;
  linkNetnsId?: number;
  probes?: number;
  protocol?: number;
  nhId?: number;
  flagsExt?: NeighExtFlag[];
  /** Cache timers in clock ticks (`NDA_CACHEINFO`). */
  cacheinfo?: { confirmed: number; used: number; updated: number; refcnt: number };
}

/** What `neighAdd`/`neighSet`/`neighDel` accept. */
export interface NeighSpec {
  /** The device (or `linkIndex`). */
  link?: LinkRef;
  linkIndex?: number;
  /** Protocol address (required for ARP/NDP entries). */
  ip?: string;
  hardwareAddr?: string;
  /** Default `inet`/`inet6` from `ip`, `'bridge'` for FDB entries. */
  family?: NeighFamilyArg;
  /** A state name or several; default `permanent`. */
  state?: NeighState | readonly NeighState[];
  flags?: readonly NeighFlag[];
  type?: RouteType | number;
  vlan?: number;
  vni?: number;
  port?: number;
  masterIndex?: number;
  /** Who installed the entry (`NDA_PROTOCOL`, 0-255; `ip neigh add ... proto P`). */
  protocol?: number;
  /** Ignored on input (lets a listed `Neigh` be passed back). */
  cacheinfo?: unknown;
}

export interface NeighListFilter {
  /** Only entries of this device (`NDA_IFINDEX`, filtered by the kernel). */
  link?: LinkRef;
  /** `'inet'`, `'inet6'`, `'bridge'` (FDB), 4, 6 or 7; default ARP and NDP. */
  family?: NeighFamilyArg;
  /** FDB entries of ports of this bridge (`NDA_MASTER`). */
  master?: LinkRef;
}

declare module './handle.js' {
  interface Handle {
    /**
     * Add a neighbour entry (`EEXIST` if one exists). State defaults to `permanent`.
     *
     * @example
     * ```ts
     * await h.neighAdd({ link: 'eth0', ip: '192.0.2.1', hardwareAddr: '02:00:00:00:00:01' });
     * await h.neighAdd({ link: 'vxlan0', family: 'bridge', hardwareAddr: '00:00:00:00:00:00', ip: '198.51.100.2', flags: ['self'] });
     * ```
     */
    neighAdd(neigh: NeighSpec): Promise<void>;
    /**
     * Add or replace a neighbour entry (`ip neigh replace`).
     *
     * @example
     * ```ts
     * await h.neighSet({ link: 'eth0', ip: '192.0.2.1', hardwareAddr: '02:00:00:00:00:09', state: 'stale' });
     * ```
     */
    neighSet(neigh: NeighSpec): Promise<void>;
    /**
     * Delete a neighbour entry (`ENOENT` if there is none). A `Neigh` from `neighList` is
     * accepted as it is (one of another family is refused with a TypeError before any system call).
     *
     * @example
     * ```ts
     * await h.neighDel({ link: 'eth0', ip: '192.0.2.1' });
     * for (const n of await h.neighList({ link: 'eth0' })) await h.neighDel(n);
     * ```
     */
    neighDel(neigh: NeighSpec | Neigh): Promise<void>;
    /**
     * List neighbour entries (ARP and NDP by default; `family: 'bridge'` for the FDB).
     *
     * @example
     * ```ts
     * const arp = await h.neighList({ link: 'eth0', family: 'inet' });
     * const fdb = await h.neighList({ family: 'bridge', master: 'br0' });
     * ```
     */
    neighList(filter?: NeighListFilter): Promise<Neigh[]>;
  }
}

function neighFamily(v: unknown, field = 'family'): number {
  if (v === 'bridge' || v === 7 || v === AF_BRIDGE) return AF_BRIDGE;
  if (v === 'inet' || v === 4) return AF_INET;
  if (v === 'inet6' || v === 6) return AF_INET6;
  throw new TypeError(`${field} must be 'inet', 'inet6', 'bridge', 4, 6 or 7, got ${describe(v)}`);
}

function namesToBits(v: unknown, names: readonly string[], field: string, what: string): number {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list)) throw new TypeError(`${field} must be a ${what} name or an array of names, got ${describe(v)}`);
  let bits = 0;
  for (const n of list) {
    const i = typeof n === 'string' ? names.indexOf(n) : -1;
    if (i < 0) throw new TypeError(`${field}: unknown ${what} ${describe(n)} (known: ${names.join(', ')})`);
    bits |= 1 << i;
  }
  return bits;
}

function bitsToNames<T extends string>(v: unknown, codecNames: readonly string[], names: readonly T[]): T[] {
  let bits = 0;
  if (typeof v === 'number') bits = v;
  else if (Array.isArray(v)) {
    for (const f of v) {
      if (typeof f === 'number') bits |= f;
      else {
        const i = codecNames.indexOf(f as string);
        if (i >= 0) bits |= 1 << i;
      }
    }
  }
  const out: T[] = [];
  for (let i = 0; i < names.length; i++) if (bits & (1 << i)) out.push(names[i]!);
  return out;
}

interface ParsedNeigh {
  af: number;
  link: LinkRef;
  ip: string | undefined;
  lladdr: string | undefined;
  state: number;
  flags: number;
  type: number;
  vlan: number | undefined;
  vni: number | undefined;
  port: number | undefined;
  master: number | undefined;
  protocol: number | undefined;
}

/** Validate a `NeighSpec` completely, before any system call. */
export function parseNeighSpec(spec: unknown, forDelete = false): ParsedNeigh {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`neigh must be an object, got ${describe(spec)}`);
  const s = spec as NeighSpec;
  let link: LinkRef;
  if (s.link !== undefined) link = s.link;
  else if (s.linkIndex !== undefined) link = checkInt(s.linkIndex, 'linkIndex', 1, 0x7fffffff);
  else throw new TypeError('neigh needs a link (or linkIndex)');
  let af = s.family === undefined ? AF_UNSPEC : neighFamily(s.family);
  const ip = s.ip === undefined ? undefined : parseIP(s.ip, 'ip', af === AF_BRIDGE ? undefined : af);
  if (af === AF_UNSPEC) {
    if (!ip) throw new TypeError('neigh needs an ip (or family: \'bridge\' for an FDB entry)');
    af = ip.af;
  }
  const lladdr = s.hardwareAddr === undefined ? undefined : parseMAC(s.hardwareAddr, 'hardwareAddr');
  if (af === AF_BRIDGE && lladdr === undefined) throw new TypeError('an FDB entry (family bridge) needs a hardwareAddr');
  const state = s.state === undefined ? 0x80 : namesToBits(s.state, STATE_NAMES, 'state', 'neighbour state');
  if (state > 0xffff) throw new RangeError('state is out of range');
  const flags = s.flags === undefined ? 0 : namesToBits(s.flags, FLAG_NAMES, 'flags', 'neighbour flag');
  const type = s.type === undefined ? 0 : typeof s.type === 'number' ? checkInt(s.type, 'type', 0, 255) : typeof s.type === 'string' ? ownValue(ROUTE_TYPES, s.type) : undefined;
  if (type === undefined) throw new TypeError(`type: unknown route type ${describe(s.type)}`);
  void forDelete;
  return {
    af,
    link,
    ip: ip?.text,
    lladdr,
    state,
    flags,
    type,
    vlan: s.vlan === undefined ? undefined : checkInt(s.vlan, 'vlan', 0, 4095),
    vni: s.vni === undefined ? undefined : checkInt(s.vni, 'vni', 0, 0xffffff),
    port: s.port === undefined ? undefined : checkInt(s.port, 'port', 0, 65535),
    master: s.masterIndex === undefined ? undefined : checkU32(s.masterIndex, 'masterIndex'),
    protocol: s.protocol === undefined ? undefined : checkInt(s.protocol, 'protocol', 0, 255),
  };
}

function codecBits(bits: number, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) if (bits & (1 << i)) out.push(names[i]!);
  return out;
}

/** Build the RTM_NEWNEIGH/RTM_DELNEIGH message (iproute2's attribute order). */
export function neighMessage(type: 'RTM_NEWNEIGH' | 'RTM_DELNEIGH', headerFlags: string[], p: ParsedNeigh, index: number): Message {
  const attrs: Record<string, unknown> = {};
  if (p.ip !== undefined) attrs.dst = p.ip;
  if (p.lladdr !== undefined && (type === 'RTM_NEWNEIGH' || p.af === AF_BRIDGE)) attrs.lladdr = p.lladdr;
  if (p.vlan !== undefined) attrs.vlan = p.vlan;
  if (p.port !== undefined) attrs.port = p.port;
  if (p.vni !== undefined) attrs.vni = p.vni;
  if (p.master !== undefined) attrs.master = p.master;
  if (p.protocol !== undefined && type === 'RTM_NEWNEIGH') attrs.protocol = p.protocol;
  return {
    header: { type, flags: headerFlags, seq: 0, pid: 0 },
    'ndm-family': p.af,
    'ndm-ifindex': index,
    'ndm-state': codecBits(p.state, STATE_NAMES),
    'ndm-flags': codecBits(p.flags, CODEC_FLAG_NAMES),
    'ndm-type': ROUTE_TYPE_LIST[p.type] ?? p.type,
    attrs,
  };
}
const ROUTE_TYPE_LIST = Object.keys(ROUTE_TYPES);

async function modify(h: Handle, type: 'RTM_NEWNEIGH' | 'RTM_DELNEIGH', flags: string[], neigh: NeighSpec): Promise<void> {
  const p = parseNeighSpec(neigh, type === 'RTM_DELNEIGH');
  if (p.af !== AF_BRIDGE && p.ip === undefined) throw new TypeError('neigh needs an ip');
  const index = await resolveLinkIndex(h, p.link);
  await h.request(neighMessage(type, flags, p, index));
}

Handle.prototype.neighAdd = function (this: Handle, neigh: NeighSpec): Promise<void> {
  return modify(this, 'RTM_NEWNEIGH', ['create', 'excl'], neigh);
};
Handle.prototype.neighSet = function (this: Handle, neigh: NeighSpec): Promise<void> {
  return modify(this, 'RTM_NEWNEIGH', ['create', 'replace'], neigh);
};
Handle.prototype.neighDel = function (this: Handle, neigh: NeighSpec | Neigh): Promise<void> {
  return modify(this, 'RTM_DELNEIGH', [], neigh as NeighSpec);
};

/**
 * Lift an `RTM_NEWNEIGH`/`RTM_DELNEIGH` message into a `Neigh`.
 *
 * @example
 * ```ts
 * const entries = decode(bytes).filter((m) => m.header.type === 'RTM_NEWNEIGH').map(neighFromMessage);
 * ```
 */
export function neighFromMessage(m: Message): Neigh {
  const attrs = lastOccurrences((m.attrs ?? {}) as Record<string, unknown>);
  const af = m['ndm-family'] as number;
  const t = m['ndm-type'];
  const n: Neigh = {
    linkIndex: m['ndm-ifindex'] as number,
    family: af === AF_BRIDGE ? 'bridge' : familyName(af),
    state: bitsToNames(m['ndm-state'], STATE_NAMES, STATE_NAMES),
    flags: bitsToNames(m['ndm-flags'], CODEC_FLAG_NAMES, FLAG_NAMES),
    type: typeof t === 'string' ? (t as RouteType) : (t as number),
  };
  if (typeof attrs.dst === 'string') n.ip = attrs.dst;
  if (typeof attrs.lladdr === 'string') n.hardwareAddr = attrs.lladdr;
  else if (attrs.lladdr instanceof Uint8Array && attrs.lladdr.length > 0) {
    n.hardwareAddr = Array.from(attrs.lladdr, (b) => b.toString(16).padStart(2, '0')).join(':');
  }
  if (typeof attrs.vlan === 'number') n.vlan = attrs.vlan;
  if (typeof attrs.vni === 'number') n.vni = attrs.vni;
  if (typeof attrs.port === 'number') n.port = attrs.port;
  if (typeof attrs.master === 'number') n.masterIndex = attrs.master;
  if (typeof attrs.ifindex === 'number') n.vxlanLinkIndex = attrs.ifindex;
  if (typeof attrs['src-vni'] === 'number') n.srcVni = attrs['src-vni'];
  if (typeof attrs['link-netnsid'] === 'number') n.linkNetnsId = attrs['link-netnsid'];
  if (typeof attrs.probes === 'number') n.probes = attrs.probes;
  if (typeof attrs.protocol === 'number') n.protocol = attrs.protocol;
  if (typeof attrs['nh-id'] === 'number') n.nhId = attrs['nh-id'];
  if (attrs['flags-ext'] !== undefined) n.flagsExt = bitsToNames(attrs['flags-ext'], EXT_FLAG_NAMES, EXT_FLAG_NAMES);
  const ci = attrs.cacheinfo as Record<string, unknown> | undefined;
  if (ci && typeof ci.confirmed === 'number') {
    n.cacheinfo = { confirmed: ci.confirmed, used: ci.used as number, updated: ci.updated as number, refcnt: ci.refcnt as number };
  }
  return n;
}

/**
 * `NUD_*` bits -> state names (bits without a name are left out).
 *
 * @example
 * ```ts
 * neighStateNames(0x82); // ['reachable', 'permanent']
 * ```
 */
export function neighStateNames(bits: number): NeighState[] {
  return bitsToNames(bits, STATE_NAMES, STATE_NAMES);
}
/**
 * `NTF_*` bits -> flag names (`ip`'s names: `extern_learn` for `NTF_EXT_LEARNED`).
 *
 * @example
 * ```ts
 * neighFlagNames(0x12); // ['self', 'extern_learn']
 * ```
 */
export function neighFlagNames(bits: number): NeighFlag[] {
  return bitsToNames(bits, CODEC_FLAG_NAMES, FLAG_NAMES);
}
/**
 * `NTF_EXT_*` bits (`NDA_FLAGS_EXT`) -> names.
 *
 * @example
 * ```ts
 * neighExtFlagNames(0x2); // ['locked']
 * ```
 */
export function neighExtFlagNames(bits: number): NeighExtFlag[] {
  return bitsToNames(bits, EXT_FLAG_NAMES, EXT_FLAG_NAMES);
}

const RTM_NEWNEIGH = 28;

/** The dump request `neighList` sends. */
export function neighDumpMessage(af: number, index: number | undefined, master: number | undefined): Message {
  const attrs: Record<string, unknown> = {};
  if (index !== undefined) attrs.ifindex = index;
  if (master !== undefined) attrs.master = master;
  return {
    header: { type: 'RTM_GETNEIGH', flags: [], seq: 0, pid: 0 },
    'ndm-family': af,
    'ndm-ifindex': 0,
    'ndm-state': [],
    'ndm-flags': [],
    'ndm-type': 'unspec',
    attrs,
  };
}

Handle.prototype.neighList = async function (this: Handle, filter: NeighListFilter = {}): Promise<Neigh[]> {
  if (filter === null || typeof filter !== 'object') throw new TypeError(`filter must be an object, got ${describe(filter)}`);
  const af = filter.family === undefined ? AF_UNSPEC : neighFamily(filter.family);
  const index = filter.link === undefined ? undefined : await resolveLinkIndex(this, filter.link);
  const master = filter.master === undefined ? undefined : await resolveLinkIndex(this, filter.master);
  const strict = this.options.strict !== false;
  const map = (m: Message): Neigh | undefined => {
    if (m.header.type !== 'RTM_NEWNEIGH') return undefined;
    const n = neighFromMessage(m);
    // Filters the kernel applies under strict checking; here only for `strict: false` handles.
    if (!strict && index !== undefined && n.linkIndex !== index) return undefined;
    if (!strict && master !== undefined && n.masterIndex !== master) return undefined;
    return n;
  };
  // Lifted straight from each reply's bytes (`lift/neigh.ts`): the same entries as `map`.
  const mapRaw = (b: Uint8Array): Neigh | undefined => {
    if ((b[4]! | (b[5]! << 8)) !== RTM_NEWNEIGH) return undefined;
    const n = liftNeigh(b, b.byteLength);
    if (!strict && index !== undefined && n.linkIndex !== index) return undefined;
    if (!strict && master !== undefined && n.masterIndex !== master) return undefined;
    return n;
  };
  return this.request(neighDumpMessage(af, index, master), { dump: true, map, mapRaw });
};

/** {@link Handle.neighAdd} on the default handle. */
export const neighAdd = (neigh: NeighSpec): Promise<void> => getDefaultHandle().neighAdd(neigh);
/** {@link Handle.neighSet} on the default handle. */
export const neighSet = (neigh: NeighSpec): Promise<void> => getDefaultHandle().neighSet(neigh);
/** {@link Handle.neighDel} on the default handle. */
export const neighDel = (neigh: NeighSpec | Neigh): Promise<void> => getDefaultHandle().neighDel(neigh);
/** {@link Handle.neighList} on the default handle. */
export const neighList = (filter?: NeighListFilter): Promise<Neigh[]> => getDefaultHandle().neighList(filter);

/** Alias of {@link NeighListFilter} (the name `streams.ts` uses). */
export type NeighFilter = NeighListFilter;
