/**
 * IP, CIDR and MAC text: strict parsing (bad input is a `TypeError`/`RangeError` naming the
 * field, raised before any system call), canonical formatting, and the small name tables that
 * addresses and routes share (families, scopes).
 *
 * Why our own parser instead of `node:net`: we need the bytes (for prefix arithmetic and
 * broadcast computation), the canonical RFC 5952 text the codec produces, and errors that
 * name the offending field; `net.isIP` gives none of these.
 */

/** Address families as numbers on the wire. */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;

/** An IP family by name, as `ip -j` prints it. */
export type Family = 'inet' | 'inet6';
/** What family arguments accept: `'inet'`, `'inet6'`, `4` or `6`. */
export type FamilyArg = Family | 4 | 6;

/**
 * Turn a family argument into its `AF_*` number.
 *
 * @example
 * ```ts
 * parseFamily('inet6'); // 10
 * parseFamily(4);       // 2
 * ```
 */
export function parseFamily(family: unknown, field = 'family'): typeof AF_INET | typeof AF_INET6 {
  if (family === 'inet' || family === 4) return AF_INET;
  if (family === 'inet6' || family === 6) return AF_INET6;
  throw new TypeError(`${field} must be 'inet', 'inet6', 4 or 6, got ${describe(family)}`);
}

/** `'inet'`/`'inet6'` for `AF_INET`/`AF_INET6`; other families are returned as numbers. */
export function familyName(af: number): Family | number {
  return af === AF_INET ? 'inet' : af === AF_INET6 ? 'inet6' : af;
}

/** A parsed IP address. */
export interface ParsedIP {
  /** `AF_INET` or `AF_INET6`. */
  af: typeof AF_INET | typeof AF_INET6;
  /** 4 or 16 bytes in network order. */
  bytes: Uint8Array;
  /** Canonical text (dotted quad, or RFC 5952 for IPv6). */
  text: string;
}

/** A parsed CIDR (`address/prefix`). */
export interface ParsedCIDR extends ParsedIP {
  prefixLen: number;
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  return String(v);
}

/** What {@link ipv4Into} found: four parts written, the shape with a part above 255, or anything else. */
export const IPV4_OK = 1;
const IPV4_RANGE = -1;
const IPV4_BAD = 0;

/**
 * Parse the dotted quad in `s` from `from` to `to` into `b` at `at`, in one pass over the
 * characters and with nothing allocated (this runs once per route or address in bulk inserts):
 * four decimal parts, no leading zeros ("010" is octal to inet_aton and decimal to us, so it is
 * refused rather than guessed). Returns IPV4_OK; IPV4_RANGE for a well-formed quad with a part
 * above 255 (so the error can say so); IPV4_BAD for anything else.
 */
export function ipv4Into(s: string, from: number, to: number, b: Uint8Array, at: number): number {
  if (to - from < 7 || to - from > 15) return IPV4_BAD;
  let part = 0;
  let value = 0;
  let digits = 0;
  let range = false;
  for (let i = from; i <= to; i++) {
    const c = i < to ? s.charCodeAt(i) : 46; // a final '.' closes the last part
    if (c === 46) {
      if (digits === 0 || part > 3) return IPV4_BAD;
      if (value > 255) range = true;
      b[at + part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return IPV4_BAD;
    if (digits > 0 && value === 0) return IPV4_BAD; // leading zero
    if (++digits > 3) return IPV4_BAD;
    value = value * 10 + d;
  }
  if (part !== 4) return IPV4_BAD;
  return range ? IPV4_RANGE : IPV4_OK;
}

/** The dotted quad in the first `n` characters of `s` as 4 new bytes (see {@link ipv4Into}). */
function parseIPv4Bytes(s: string, n = s.length): Uint8Array | 'range' | undefined {
  const out = new Uint8Array(4);
  const r = ipv4Into(s, 0, n, out, 0);
  return r === IPV4_OK ? out : r === IPV4_RANGE ? 'range' : undefined;
}

function parseIPv6Bytes(s: string): Uint8Array | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl !== -1) {
    if (s.indexOf('::', dbl + 1) !== -1) return undefined;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const groups: number[] = [];
  const parseSide = (part: string, allowV4: boolean): number[] | undefined => {
    if (part === '') return [];
    const items = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (allowV4 && i === items.length - 1 && it.includes('.')) {
        const v4 = parseIPv4Bytes(it);
        if (!(v4 instanceof Uint8Array)) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
      out.push(parseInt(it, 16));
    }
    return out;
  };
  const h = parseSide(head, dbl === -1);
  const t = dbl === -1 ? [] : parseSide(tail, true);
  if (h === undefined || t === undefined) return undefined;
  if (dbl === -1) {
    if (h.length !== 8) return undefined;
    groups.push(...h);
  } else {
    if (h.length + t.length > 7) return undefined;
    groups.push(...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 255;
  }
  return out;
}

/**
 * Parse an IPv4 or IPv6 address (no prefix). Throws `TypeError` for malformed text and
 * `RangeError` for an IPv4 part above 255, naming `field`.
 *
 * @example
 * ```ts
 * parseIP('2001:DB8::0:1').text; // '2001:db8::1'
 * ```
 */
export function parseIP(text: unknown, field = 'address', af?: number): ParsedIP {
  if (typeof text !== 'string') throw new TypeError(`${field} must be an IP address string, got ${describe(text)}`);
  let bytes: Uint8Array | 'range' | undefined;
  if (text.includes(':')) bytes = parseIPv6Bytes(text);
  else bytes = parseIPv4Bytes(text);
  if (bytes === 'range') throw new RangeError(`${field}: invalid IPv4 address ${JSON.stringify(text)} (a part is above 255)`);
  if (bytes === undefined) throw new TypeError(`${field}: invalid IP address ${JSON.stringify(text)}`);
  const family = bytes.length === 4 ? AF_INET : AF_INET6;
  if (af !== undefined && af !== AF_UNSPEC && af !== family) {
    throw new TypeError(`${field}: ${JSON.stringify(text)} is not an ${af === AF_INET ? 'IPv4' : 'IPv6'} address`);
  }
  // An accepted dotted quad is already canonical (no leading zeros, no other forms).
  return { af: family, bytes, text: family === AF_INET ? text : formatIP(bytes) };
}

/**
 * Parse `address/prefix` (or a bare address, taken as a host prefix /32 or /128).
 *
 * @example
 * ```ts
 * parseCIDR('192.0.2.2/24'); // { af: 2, prefixLen: 24, text: '192.0.2.2', bytes: ... }
 * parseCIDR('192.0.2.2/33'); // RangeError: address: prefix length 33 is out of range 0-32
 * ```
 */
export function parseCIDR(text: unknown, field = 'address', af?: number): ParsedCIDR {
  if (typeof text !== 'string') throw new TypeError(`${field} must be a CIDR string such as '192.0.2.2/24', got ${describe(text)}`);
  const slash = text.indexOf('/');
  const ipEnd = slash === -1 ? text.length : slash;
  // IPv4, what a loop adding addresses or routes parses thousands of times (mostly before the
  // JIT has compiled this), read in place: no parseIP call and no object in between. Anything
  // else, IPv6 and every error, goes through parseIP, which words the error.
  const v4 = af === AF_INET6 ? undefined : parseIPv4Bytes(text, ipEnd);
  let ipAf: ParsedIP['af'];
  let bytes: Uint8Array;
  let ipText = slash === -1 ? text : text.slice(0, slash);
  if (v4 instanceof Uint8Array) {
    ipAf = AF_INET;
    bytes = v4;
  } else {
    const ip = parseIP(ipText, field, af);
    ipAf = ip.af;
    bytes = ip.bytes;
    ipText = ip.text;
  }
  const max = ipAf === AF_INET ? 32 : 128;
  let prefixLen = max;
  if (slash !== -1) {
    // The digits read in place (no slice per address in a loop of adds); 1-3 of them.
    const end = text.length;
    prefixLen = end - slash - 1 > 0 && end - slash - 1 <= 3 ? 0 : -1;
    for (let i = slash + 1; i < end && prefixLen >= 0; i++) {
      const d = text.charCodeAt(i) - 48;
      prefixLen = d < 0 || d > 9 ? -1 : prefixLen * 10 + d;
    }
    if (prefixLen < 0) throw new TypeError(`${field}: invalid prefix length ${JSON.stringify(text.slice(slash + 1))} in ${JSON.stringify(text)}`);
    if (prefixLen > max) throw new RangeError(`${field}: prefix length ${prefixLen} is out of range 0-${max}`);
  }
  // A literal, not `{ ...ip, prefixLen }`: spreading copies through a slower generic path.
  return { af: ipAf, bytes, text: ipText, prefixLen };
}

const DEC: string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Canonical text for 4 or 16 address bytes (RFC 5952 for IPv6, IPv4-mapped in dotted form). */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return `${DEC[b[0]!]}.${DEC[b[1]!]}.${DEC[b[2]!]}.${DEC[b[3]!]}`;
  if (b.length !== 16) throw new RangeError(`an IP address has 4 or 16 bytes, got ${b.length}`);
  let mapped = true;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) mapped = false;
  if (mapped && b[10] === 0xff && b[11] === 0xff) return `::ffff:${formatIP(b.subarray(12))}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += g[i]!.toString(16);
  }
  return s;
}

/** The network part of `bytes` under `prefixLen` (host bits cleared), as new bytes. */
export function networkBytes(bytes: Uint8Array, prefixLen: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLen - 8 * i));
    out[i]! &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
  }
  return out;
}

/** Whether the first `len` bits of `a` and `b` agree (ip's inet_addr_match on raw bytes). */
export function samePrefix(a: Uint8Array, b: Uint8Array, len: number): boolean {
  for (let i = 0; i < len; i++) if (((a[i >> 3]! >> (7 - (i & 7))) & 1) !== ((b[i >> 3]! >> (7 - (i & 7))) & 1)) return false;
  return true;
}

/** The IPv4 broadcast address of `bytes/prefixLen` (host bits set). */
export function broadcastBytes(bytes: Uint8Array, prefixLen: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLen - 8 * i));
    out[i]! |= keep === 8 ? 0 : 0xff >> keep;
  }
  return out;
}

/** `text` with its host bits cleared, as CIDR text: `192.0.2.7/24` -> `192.0.2.0/24`. */
export function networkCIDR(cidr: ParsedCIDR): string {
  return `${formatIP(networkBytes(cidr.bytes, cidr.prefixLen))}/${cidr.prefixLen}`;
}

/**
 * Parse a link-layer address: two hex digits per octet separated by `:` (or `-`), lowercase
 * on output. Ethernet addresses have 6 octets; other link types (InfiniBand: 20) are allowed.
 *
 * @example
 * ```ts
 * parseMAC('02-00-00-AA-BB-CC'); // '02:00:00:aa:bb:cc'
 * parseMAC('zz');                // TypeError: hardwareAddr: invalid MAC address "zz"
 * ```
 */
export function parseMAC(text: unknown, field = 'hardwareAddr'): string {
  if (typeof text !== 'string') throw new TypeError(`${field} must be a MAC address string, got ${describe(text)}`);
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){0,31}$/.test(text) || (text.includes(':') && text.includes('-'))) {
    throw new TypeError(`${field}: invalid MAC address ${JSON.stringify(text)}`);
  }
  return text.toLowerCase().replaceAll('-', ':');
}

/** Route/address scopes by name (`ip`'s names; `universe` is `global`). */
export const SCOPES: Readonly<Record<string, number>> = {
  global: 0,
  universe: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};

/** A scope: `'global'`/`'universe'`, `'site'`, `'link'`, `'host'`, `'nowhere'`, or a number 0-255. */
export type Scope = 'global' | 'universe' | 'site' | 'link' | 'host' | 'nowhere' | number;

/** Scope name or number -> number. */
export function parseScope(scope: unknown, field = 'scope'): number {
  return parseNamedByte(scope, SCOPES, field);
}

/** Scope number -> name as `ip` prints it (`global`, `link`, ...), or the number. */
export function scopeName(n: number): Scope {
  switch (n) {
    case 0:
      return 'global';
    case 200:
      return 'site';
    case 253:
      return 'link';
    case 254:
      return 'host';
    case 255:
      return 'nowhere';
    default:
      return n;
  }
}

/**
 * `table[name]` when `name` is one of the table's own names, else undefined. A plain object
 * also answers `toString`, `constructor` or `__proto__` from its prototype, which a name given
 * by a caller must never match (it would pass a check and be written as 0).
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Resolve a name from `table` or an integer (also a decimal string) within 0..max. */
export function parseNamedByte(v: unknown, table: Readonly<Record<string, number>>, field: string, max = 255): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${field} must be an integer 0-${max} or a name, got ${v}`);
    return v;
  }
  if (typeof v === 'string') {
    const named = ownValue(table, v);
    if (named !== undefined) return named;
    if (/^(0|[1-9][0-9]*)$/.test(v)) return parseNamedByte(Number(v), table, field, max);
    if (/^0x[0-9a-fA-F]+$/.test(v)) return parseNamedByte(parseInt(v, 16), table, field, max);
    throw new TypeError(`${field}: unknown name ${JSON.stringify(v)} (expected one of ${Object.keys(table).join(', ')} or a number)`);
  }
  throw new TypeError(`${field} must be a name or a number, got ${describe(v)}`);
}

/** An unsigned 32-bit integer check, naming the field. */
export function checkU32(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`${field} must be an integer 0-4294967295, got ${describe(v)}`);
  }
  return v;
}

/** An integer within [min, max], naming the field. */
export function checkInt(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${field} must be an integer ${min}-${max}, got ${describe(v)}`);
  }
  return v;
}
