/**
 * The `Link` model and `linkFromMessage`: lift a decoded RTM_NEWLINK into a `Link`, straight
 * from the codec's message (no copies beyond the fields lifted).
 */
import type { Message } from '@nlkit/nl-codec';
import type { OwnedFd } from '@nlkit/syscall-shim';
import { lastOccurrences, stringAt } from '../lift/common.js';
import { kindModule } from './kinds/index.js';
import type { LinkData } from './spec.js';

/** Interface flags (`IFF_*`), lowercase as `ip` prints them uppercase. */
export type LinkFlag =
  | 'up' | 'broadcast' | 'debug' | 'loopback' | 'pointopoint' | 'notrailers' | 'running' | 'noarp' | 'promisc'
  | 'allmulti' | 'master' | 'slave' | 'multicast' | 'portsel' | 'automedia' | 'dynamic' | 'lower_up' | 'dormant' | 'echo';

/** `IFF_*` names by bit number. */
export const LINK_FLAG_BITS: readonly LinkFlag[] = [
  'up', 'broadcast', 'debug', 'loopback', 'pointopoint', 'notrailers', 'running', 'noarp', 'promisc',
  'allmulti', 'master', 'slave', 'multicast', 'portsel', 'automedia', 'dynamic', 'lower_up', 'dormant', 'echo',
];

/** RFC 2863 operational state (`IFLA_OPERSTATE`), lowercase. */
export type OperState = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';
export const OPER_STATES: readonly OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

/** `IFLA_STATS64` counters. */
export interface LinkStatistics {
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxErrors: bigint;
  txErrors: bigint;
  rxDropped: bigint;
  txDropped: bigint;
  multicast: bigint;
  collisions: bigint;
  rxLengthErrors: bigint;
  rxOverErrors: bigint;
  rxCrcErrors: bigint;
  rxFrameErrors: bigint;
  rxFifoErrors: bigint;
  rxMissedErrors: bigint;
  txAbortedErrors: bigint;
  txCarrierErrors: bigint;
  txFifoErrors: bigint;
  txHeartbeatErrors: bigint;
  txWindowErrors: bigint;
  rxCompressed: bigint;
  txCompressed: bigint;
  rxNohandler: bigint;
  rxOtherhostDropped: bigint;
}

/** Field names of {@link LinkStatistics} in `struct rtnl_link_stats64` order. */
export const STATS64_FIELDS: ReadonlyArray<keyof LinkStatistics> = [
  'rxPackets', 'txPackets', 'rxBytes', 'txBytes', 'rxErrors', 'txErrors', 'rxDropped', 'txDropped', 'multicast',
  'collisions', 'rxLengthErrors', 'rxOverErrors', 'rxCrcErrors', 'rxFrameErrors', 'rxFifoErrors', 'rxMissedErrors',
  'txAbortedErrors', 'txCarrierErrors', 'txFifoErrors', 'txHeartbeatErrors', 'txWindowErrors', 'rxCompressed',
  'txCompressed', 'rxNohandler', 'rxOtherhostDropped',
];

/**
 * A network interface as the kernel reports it.
 *
 * @example
 * ```ts
 * const link = await h.linkByName('br0');
 * console.log(link.index, link.kind, link.flags.includes('up'), link.mtu);
 * ```
 */
export interface Link {
  /** Interface index. */
  index: number;
  name: string;
  /** `IFLA_INFO_KIND` (`'bridge'`, `'veth'`, `'tun'`, ...); undefined for devices without one (lo, physical). */
  kind: string | undefined;
  /** Kind-specific data lifted from `IFLA_INFO_DATA` (e.g. tun `owner`/`group`/`multiQueue`). */
  data: LinkData | Record<string, unknown> | undefined;
  flags: LinkFlag[];
  operState: OperState;
  mtu: number;
  hardwareAddr: string | undefined;
  /** Broadcast hardware address. */
  broadcast: string | undefined;
  /** `IFLA_MASTER`, undefined when none. */
  masterIndex: number | undefined;
  /** `IFLA_LINK`: a veth's peer, a macvlan/vlan's lower device; undefined when absent. */
  parentIndex: number | undefined;
  /** `IFLA_LINK_NETNSID`: set when `parentIndex` is in another namespace. */
  parentNetnsId: number | undefined;
  txQLen: number;
  alias: string | undefined;
  /** Interface group (`IFLA_GROUP`). */
  group: number;
  /** ARPHRD type (`ifi_type`), e.g. 1 (Ethernet), 772 (loopback), 65534 (none). */
  hardwareType: number;
  /** `IFLA_INFO_SLAVE_KIND` of a port (e.g. `'bridge'` for a bridge port). */
  slaveKind: string | undefined;
  statistics: LinkStatistics | undefined;
  /** All decoded attributes (`IFLA_*` in the codec's spec names), for anything not lifted. */
  attrs: Record<string, unknown>;
  /** Queue fds of a tun/tap created by `linkAdd` (non-blocking, close-on-exec). */
  fds?: OwnedFd[];
}

/** Map a codec ifi-flags value (names from the spec, or a number) to `LinkFlag`s. */
export function liftFlags(v: unknown): LinkFlag[] {
  if (typeof v === 'number') return flagsFromBits(v);
  if (!Array.isArray(v)) return [];
  const out: LinkFlag[] = [];
  for (const f of v) {
    if (typeof f === 'number') {
      out.push(...flagsFromBits(f));
      continue;
    }
    // Spec names are hyphenated ('lower-up', 'point-to-point'); ours are ip's, lowercase.
    const name = FLAG_ALIASES[f as string] ?? (f as string);
    out.push(name as LinkFlag);
  }
  return out;
}

const FLAG_ALIASES: Record<string, LinkFlag> = {
  'lower-up': 'lower_up',
  'point-to-point': 'pointopoint',
  'no-trailers': 'notrailers',
  'no-arp': 'noarp',
  'all-multi': 'allmulti',
  'auto-media': 'automedia',
};

/** Names of the set bits of an `ifi_flags` value. */
export function flagsFromBits(bits: number): LinkFlag[] {
  const out: LinkFlag[] = [];
  for (let i = 0; i < LINK_FLAG_BITS.length; i++) if (bits & (1 << i)) out.push(LINK_FLAG_BITS[i]!);
  return out;
}

const u64 = (x: unknown): bigint => (typeof x === 'bigint' ? x : typeof x === 'number' ? BigInt(x) : 0n);

/**
 * @internal `IFLA_STATS64` as decoded by the codec (spec names) -> `LinkStatistics`. One object
 * literal with fixed keys (one hidden class): this runs once per link of a dump.
 */
export function liftStats(v: unknown): LinkStatistics | undefined {
  // Too short for its struct, the codec keeps it raw: no statistics then.
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v) || '$raw' in v) return undefined;
  const s = v as Record<string, unknown>;
  return {
    rxPackets: u64(s['rx-packets']),
    txPackets: u64(s['tx-packets']),
    rxBytes: u64(s['rx-bytes']),
    txBytes: u64(s['tx-bytes']),
    rxErrors: u64(s['rx-errors']),
    txErrors: u64(s['tx-errors']),
    rxDropped: u64(s['rx-dropped']),
    txDropped: u64(s['tx-dropped']),
    multicast: u64(s['multicast']),
    collisions: u64(s['collisions']),
    rxLengthErrors: u64(s['rx-length-errors']),
    rxOverErrors: u64(s['rx-over-errors']),
    rxCrcErrors: u64(s['rx-crc-errors']),
    rxFrameErrors: u64(s['rx-frame-errors']),
    rxFifoErrors: u64(s['rx-fifo-errors']),
    rxMissedErrors: u64(s['rx-missed-errors']),
    txAbortedErrors: u64(s['tx-aborted-errors']),
    txCarrierErrors: u64(s['tx-carrier-errors']),
    txFifoErrors: u64(s['tx-fifo-errors']),
    txHeartbeatErrors: u64(s['tx-heartbeat-errors']),
    txWindowErrors: u64(s['tx-window-errors']),
    rxCompressed: u64(s['rx-compressed']),
    txCompressed: u64(s['tx-compressed']),
    rxNohandler: u64(s['rx-nohandler']),
    rxOtherhostDropped: u64(s['rx-otherhost-dropped']),
  };
}

/** Lift a kind's info-data through its kind module (unknown kinds keep the raw decoded object). */
export function liftData(kind: string | undefined, data: unknown): Link['data'] {
  if (kind === undefined) return undefined;
  const k = kindModule(kind);
  const d = data !== null && typeof data === 'object' && !(data instanceof Uint8Array) ? (data as Record<string, unknown>) : undefined;
  if (k?.lift) return k.lift(d ?? {}) as Link['data'];
  return d;
}

const operName = (v: unknown): OperState =>
  typeof v === 'number' ? (OPER_STATES[v] ?? 'unknown') : typeof v === 'string' ? (v.toLowerCase() as OperState) : 'unknown';

/**
 * Turn a decoded `RTM_NEWLINK` (or `RTM_DELLINK`) message into a `Link`.
 *
 * @example
 * ```ts
 * import { decode } from '@nlkit/nl-codec';
 * const links = decode(bytes).filter((m) => m.header.type === 'RTM_NEWLINK').map(linkFromMessage);
 * ```
 */
export function linkFromMessage(m: Message): Link {
  const attrs = ((m as { attrs?: Record<string, unknown> }).attrs ?? {}) as Record<string, unknown>;
  // Lifted from the last occurrence of each attribute; `attrs` itself stays as decoded.
  const a = lastOccurrences(attrs);
  const info = lastOccurrences(objectOf(a.linkinfo) ?? {});
  const kind = textOf(info.kind);
  const slaveKind = textOf(info['slave-kind']);
  return {
    index: (m['ifi-index'] as number) ?? 0,
    name: textOf(a.ifname) ?? '',
    kind,
    data: liftData(kind, info.data),
    flags: liftFlags(m['ifi-flags']),
    operState: operName(a.operstate),
    mtu: numberOf(a.mtu) ?? 0,
    hardwareAddr: macOf(a.address),
    broadcast: macOf(a.broadcast),
    masterIndex: numberOf(a.master) || undefined,
    parentIndex: numberOf(a.link),
    parentNetnsId: numberOf(a['link-netnsid']),
    txQLen: numberOf(a.txqlen) ?? 0,
    alias: textOf(a.ifalias),
    group: numberOf(a.group) ?? 0,
    hardwareType: (m['ifi-type'] as number) ?? 0,
    slaveKind,
    statistics: liftStats(a.stats64),
    attrs,
  };
}

/*
 * Typed fields from the codec's values, so a `Link` field holds its declared type whatever the
 * bytes were: a payload that did not fit its type (`{ $raw }`) leaves the field unset, except
 * names and aliases, whose raw bytes (not UTF-8) are decoded leniently, as `decodeLinks` does.
 */
function numberOf(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function objectOf(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !('$raw' in v) ? (v as Record<string, unknown>) : undefined;
}

function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const raw = (v as { $raw?: unknown } | undefined)?.$raw;
  if (raw instanceof Uint8Array) return stringAt(raw, 0, raw.length);
  return undefined;
}

function macOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array && v.length > 0) return Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(':');
  return undefined;
}
