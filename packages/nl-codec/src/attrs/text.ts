/**
 * Text forms of attribute payloads: strings, MAC and IP addresses. Decoding uses
 * lookup tables (one string per byte value) so that a MAC or an IPv4 address is a
 * handful of concatenations; encoding parses strictly and reports what is wrong.
 */

// The runtime is browser-compatible and the build has no DOM/Node typings, so
// declare just what we use of the WHATWG encoding API (present in Node and browsers).
declare const TextDecoder: new (
  label: string,
  options: { fatal: boolean; ignoreBOM: boolean },
) => { decode(input: Uint8Array): string };
declare const TextEncoder: new () => {
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
};

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** `HEX[b]` = two lowercase hex digits; `HEXC[b]` = `:` + two digits; `HEX1[b]` = no leading zero. */
const HEX: string[] = [];
const HEXC: string[] = [];
const HEX1: string[] = [];
/** `DEC[b]` = decimal text of b; `DECD[b]` = `.` + decimal. */
const DEC: string[] = [];
const DECD: string[] = [];
/** Character codes of the two hex digits of a byte. */
const HI = new Uint8Array(256);
const LO = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  HEX.push(i.toString(16).padStart(2, '0'));
  HEX1.push(i.toString(16));
  HI[i] = HEX[i]!.charCodeAt(0);
  LO[i] = HEX[i]!.charCodeAt(1);
  HEXC.push(`:${HEX[i]}`);
  DEC.push(String(i));
  DECD.push(`.${i}`);
}

/**
 * Recently decoded MAC addresses, by a hash of their six bytes (`MAC_HI`/`MAC_LO` hold the
 * bytes of the string in the same slot). A link's address is in its dump message, in its
 * `hardwareAddr` and again in `attrs.address`, and listings repeat: returning the string made
 * last time instead of a new 17-character one means less for V8 to allocate and collect.
 * Strings are immutable, so sharing one is invisible to callers; a slot whose bytes differ is
 * simply replaced. 8192 slots, so a few thousand links fit: at most ~450 KB held (17-character
 * strings, the table and the key arrays).
 */
const MAC_SLOTS = 8192;
const MAC_TEXT: string[] = new Array<string>(MAC_SLOTS).fill('');
const MAC_HI = new Int32Array(MAC_SLOTS);
const MAC_LO = new Int32Array(MAC_SLOTS).fill(-1); // -1: no 2-byte tail equals it, so empty slots never match

/** `aa:bb:cc:dd:ee:ff` from 6 bytes at `p`. */
export function macText(b: Uint8Array, p: number): string {
  const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!;
  // The broadcast and all-zero addresses are in nearly every link message: share them
  // (strings are immutable) instead of building five strings each time.
  if ((x0 & x1 & x2 & x3 & x4 & x5) === 0xff) return 'ff:ff:ff:ff:ff:ff';
  if ((x0 | x1 | x2 | x3 | x4 | x5) === 0) return '00:00:00:00:00:00';
  const hi = (x0 << 24) | (x1 << 16) | (x2 << 8) | x3;
  const lo = (x4 << 8) | x5;
  // The low bytes vary most between the devices of one host (same OUI, random or serial tail).
  const slot = (Math.imul(hi ^ (lo << 16) ^ lo, 0x9e3779b1) >>> 19) & (MAC_SLOTS - 1);
  if (MAC_HI[slot] === hi && MAC_LO[slot] === lo) return MAC_TEXT[slot]!;
  MAC_HI[slot] = hi;
  MAC_LO[slot] = lo;
  // One flat 17-character string (concatenation would build five, two of them cons strings).
  return (MAC_TEXT[slot] = String.fromCharCode(
    HI[x0]!, LO[x0]!, 58, HI[x1]!, LO[x1]!, 58, HI[x2]!, LO[x2]!, 58, HI[x3]!, LO[x3]!, 58, HI[x4]!, LO[x4]!, 58, HI[x5]!, LO[x5]!,
  ));
}

/** Colon-separated hex for any length (used for non-6-byte link-layer addresses in messages). */
export function hexColon(b: Uint8Array, p: number, len: number): string {
  if (len === 0) return '';
  let s = HEX[b[p]!]!;
  for (let i = 1; i < len; i++) s += HEXC[b[p + i]!]!;
  return s;
}

export function ipv4Text(b: Uint8Array, p: number): string {
  return DEC[b[p]!]! + DECD[b[p + 1]!]! + DECD[b[p + 2]!]! + DECD[b[p + 3]!]!;
}

/**
 * RFC 5952 text of the 16 bytes at `p`: lowercase, the longest run (>= 2) of zero groups as
 * `::` (the first on a tie), IPv4-mapped as `::ffff:a.b.c.d`. No group array and no number
 * conversions: route and neighbour dumps format one per message.
 */
export function ipv6Text(b: Uint8Array, p: number): string {
  // IPv4-mapped addresses are shown in dotted form, as inet_ntop does.
  let mapped = true;
  for (let i = 0; i < 10; i++) if (b[p + i] !== 0) { mapped = false; break; }
  if (mapped && b[p + 10] === 0xff && b[p + 11] === 0xff) return `::ffff:${ipv4Text(b, p + 12)}`;
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[p + 2 * i] === 0 && b[p + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart + 1;
      }
    } else runStart = -1;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) s += ':';
    const hi = b[p + 2 * i]!;
    const lo = b[p + 2 * i + 1]!;
    // Groups print without leading zeros.
    s += hi === 0 ? (lo < 16 ? HEX1[lo]! : HEX[lo]!) : hi < 16 ? HEX1[hi]! + HEX[lo]! : HEX[hi]! + HEX[lo]!;
  }
  return s;
}

/**
 * `parseMac` with a small cache: encoding parses each MAC twice (measure, then
 * write) and most messages repeat a few (ff:ff:ff:ff:ff:ff). The result is
 * shared: callers only copy from it.
 */
const macCache = new Map<string, Uint8Array>();
export function macBytes(s: string): Uint8Array | undefined {
  let m = macCache.get(s);
  if (m !== undefined) return m;
  m = parseMac(s);
  if (m === undefined) return undefined;
  if (macCache.size >= 256) macCache.clear();
  macCache.set(s, m);
  return m;
}

/** Parse `aa:bb:cc:dd:ee:ff` (also `-` separators); undefined when malformed. */
export function parseMac(s: string): Uint8Array | undefined {
  if (s.length !== 17) return undefined;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const h = hexByte(s, i * 3);
    if (h < 0) return undefined;
    if (i < 5) {
      const sep = s.charCodeAt(i * 3 + 2);
      if (sep !== 58 && sep !== 45) return undefined;
    }
    out[i] = h;
  }
  return out;
}

/** Parse colon-separated hex bytes of any count (`''` = empty); undefined when malformed. */
export function parseHexColon(s: string): Uint8Array | undefined {
  if (s === '') return new Uint8Array(0);
  if ((s.length + 1) % 3 !== 0) return undefined;
  const n = (s.length + 1) / 3;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const h = hexByte(s, i * 3);
    if (h < 0 || (i < n - 1 && s.charCodeAt(i * 3 + 2) !== 58)) return undefined;
    out[i] = h;
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function hexByte(s: string, i: number): number {
  const a = hexDigit(s.charCodeAt(i));
  const b = hexDigit(s.charCodeAt(i + 1));
  return a < 0 || b < 0 ? -1 : (a << 4) | b;
}

/** Parse dotted-quad IPv4 (no leading zeros beyond `0`, each part 0-255) into `out` at `p`. */
function parseIpv4Into(s: string, out: Uint8Array, p: number): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const t = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(t)) return false;
    const v = Number(t);
    if (v > 255) return false;
    out[p + i] = v;
  }
  return true;
}

export function parseIpv4(s: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  return parseIpv4Into(s, out, 0) ? out : undefined;
}

/** Parse IPv6 text (with `::`, optional trailing dotted IPv4); undefined when malformed. */
export function parseIpv6(s: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::') && dbl >= 0) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const hp = head === '' ? [] : head.split(':');
  const tp = tail === '' ? [] : tail.split(':');
  const groups: number[] = [];
  const tailGroups: number[] = [];
  const parse = (parts: string[], into: number[], last: boolean): boolean => {
    for (let i = 0; i < parts.length; i++) {
      const t = parts[i]!;
      if (last && i === parts.length - 1 && t.includes('.')) {
        const v4 = new Uint8Array(4);
        if (!parseIpv4Into(t, v4, 0)) return false;
        into.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(t)) return false;
      into.push(parseInt(t, 16));
    }
    return true;
  };
  if (dbl >= 0) {
    if (!parse(hp, groups, false) || !parse(tp, tailGroups, true)) return undefined;
    if (groups.length + tailGroups.length > 7) return undefined;
  } else {
    if (!parse(hp, groups, true) || groups.length !== 8) return undefined;
  }
  const all = dbl >= 0 ? [...groups, ...new Array<number>(8 - groups.length - tailGroups.length).fill(0), ...tailGroups] : groups;
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return out;
}

/** IPv4 or IPv6 text -> 4 or 16 bytes (IPv6 when the text contains `:`). */
export function parseIp(s: string): Uint8Array | undefined {
  return s.includes(':') ? parseIpv6(s) : parseIpv4(s);
}

/**
 * The string in `[p, p + len)` when it is NUL-free valid UTF-8, else undefined
 * (the caller then keeps the raw bytes so nothing is lost).
 */
export function utf8Text(b: Uint8Array, p: number, len: number): string | undefined {
  const e = p + len;
  // Fast path: short ASCII (interface names, kinds, qdiscs) without TextDecoder.
  if (len <= 16) {
    // One pass: NUL and non-ASCII checks, and the cache's hash (every byte counts: names of
    // one dump differ in their last digits, va1, va10, va100...).
    let any = 0;
    let h = len;
    for (let i = p; i < e; i++) {
      const c = b[i]!;
      if (c === 0) return undefined;
      any |= c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (any >= 0x80) return utf8Slow(b, p, e);
    return len < 2 ? asciiShort(b, p, len) : asciiInterned(b, p, len, h);
  }
  return utf8Slow(b, p, e);
}

const fromCharCode = String.fromCharCode;

/**
 * Recently decoded short ASCII strings, by a hash of their bytes. Kinds (`veth`), qdiscs
 * (`noqueue`), operstates and interface names repeat: in every message of a dump, in a link's
 * `name` and again in `attrs.ifname`, and from one listing to the next. Returning the string
 * decoded last time instead of a new one makes a 2001-link dump allocate less, so V8 collects
 * less often. Strings are immutable, so sharing one is invisible to callers; a slot that holds
 * another string is simply replaced. 8192 slots of at most 16 characters: at most ~330 KB held.
 */
const INTERN_SLOTS = 8192;
const INTERNED: string[] = new Array<string>(INTERN_SLOTS).fill('');

/** The `len` ASCII bytes at `p` (their hash `h`, computed by the caller's scan) as a string. */
function asciiInterned(b: Uint8Array, p: number, len: number, h: number): string {
  const slot = (h >>> 16) & (INTERN_SLOTS - 1);
  const hit = INTERNED[slot]!;
  if (hit.length === len) {
    let i = 0;
    while (i < len && hit.charCodeAt(i) === b[p + i]) i++;
    if (i === len) return hit;
  }
  return (INTERNED[slot] = asciiShort(b, p, len));
}

/** Up to 16 ASCII bytes as one string (one allocation: no intermediate strings per character). */
function asciiShort(b: Uint8Array, p: number, len: number): string {
  switch (len) {
    case 0: return '';
    case 1: return fromCharCode(b[p]!);
    case 2: return fromCharCode(b[p]!, b[p + 1]!);
    case 3: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
    case 4: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    case 5: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
    case 6: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
    case 7: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
    case 8: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    default: {
      // 9-16 bytes: two halves of up to 8 (IFNAMSIZ names are at most 15).
      const h = len >> 1;
      return asciiShort(b, p, h) + asciiShort(b, p + h, len - h);
    }
  }
}

function utf8Slow(b: Uint8Array, p: number, e: number): string | undefined {
  for (let i = p; i < e; i++) if (b[i] === 0) return undefined;
  try {
    return utf8Decoder.decode(b.subarray(p, e));
  } catch {
    return undefined;
  }
}

/** UTF-8 byte length of `s`, or -1 when it contains a lone surrogate or a NUL (not representable losslessly). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return -1;
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}

/** Write `s` as UTF-8 at `p` (the caller measured it with utf8Length); returns bytes written. */
export function writeUtf8(s: string, b: Uint8Array, p: number): number {
  const n = s.length;
  if (n <= 32) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) { ascii = false; break; }
      b[p + i] = c;
    }
    if (ascii) return n;
  }
  return utf8Encoder.encodeInto(s, b.subarray(p)).written;
}
