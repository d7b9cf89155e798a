/**
 * Shared pieces of the raw lifters (`addrFromBytes`, `routeFromBytes`, `neighFromBytes`): the
 * attribute numbers taken from the codec's tables, and the hot text formatters.
 *
 * Why raw lifters at all: `decode()` builds a full object tree per message (names, flag
 * arrays, nested structs) that the `Addr`/`Route`/`Neigh` lifters then read a handful of
 * fields from. At a million routes that tree is most of the time and memory. The raw lifters
 * read the family header and walk the top-level attributes once; whenever a message holds
 * something they do not handle exactly as the codec would (a wrong payload length, a repeated
 * attribute, NLA_F_* bits, a nest such as RTA_MULTIPATH), they hand that message to the
 * generic path instead, so the results are the same object either way.
 */
import { hexColon, ipv6Text, schema, utf8Text } from '@nlkit/nl-codec';

/**
 * The number of attribute `name` of codec set `set`, read once at module load so that the
 * codec's tables stay the single source of truth. Throws at load when the tables lack it.
 */
export function attrNumber(set: string, name: string): number {
  const v = schema.attributeInfo(set, name)?.value;
  if (typeof v !== 'number') throw new Error(`@nlkit/rtnl: the codec's table ${set} has no attribute ${JSON.stringify(name)}`);
  return v;
}

/** The codec leaves the address attributes of `AF_MPLS` messages as bytes (they are labels): such messages take the generic path. */
export const AF_MPLS = 28;

/** Decimal text of each byte, for IPv4 formatting without number-to-string conversions. */
const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** `"n."` for each byte. */
const DEC_DOT: readonly string[] = DEC.map((d) => d + '.');
/**
 * `"a.b."` for the first two bytes, filled on first use (at most 65,536 short strings): a
 * route table's prefixes share few of them, and every one saved is two concatenations less.
 */
const FIRST_TWO: (string | undefined)[] = new Array<string | undefined>(65536).fill(undefined);

/** `"c.d"` for the last two bytes, filled on first use. */
const LAST_TWO: (string | undefined)[] = new Array<string | undefined>(65536).fill(undefined);
/** `"/n"` for each prefix length. */
const SLASH: readonly string[] = DEC.map((d) => '/' + d);

/**
 * Dotted quad of the 4 bytes at `p`: one concatenation of two cached halves, so a route dump
 * makes one string per address rather than a chain of temporary ones.
 */
export function ipv4At(b: Uint8Array, p: number): string {
  const k = (b[p]! << 8) | b[p + 1]!;
  let head = FIRST_TWO[k];
  if (head === undefined) head = FIRST_TWO[k] = DEC_DOT[b[p]!]! + DEC_DOT[b[p + 1]!]!;
  const t = (b[p + 2]! << 8) | b[p + 3]!;
  let tail = LAST_TWO[t];
  if (tail === undefined) tail = LAST_TWO[t] = DEC_DOT[b[p + 2]!]! + DEC[b[p + 3]!]!;
  return head + tail;
}

/** `"c.d/n"` for the last two bytes and a prefix length, filled on first use; the length each was made for. */
const LAST_TWO_SLASH: (string | undefined)[] = new Array<string | undefined>(65536).fill(undefined);
const LAST_TWO_SLASH_LEN = new Uint8Array(65536);

/**
 * `"a.b.c.d/n"` for the 4 bytes at `p` and prefix length `n`: one concatenation of two cached
 * parts (a table's prefixes mostly share their length, so the tail cache keyed by the last two
 * bytes nearly always holds the right one), so a route costs one string, not two.
 */
export function ipv4PrefixAt(b: Uint8Array, p: number, n: number): string {
  const k = (b[p]! << 8) | b[p + 1]!;
  let head = FIRST_TWO[k];
  if (head === undefined) head = FIRST_TWO[k] = DEC_DOT[b[p]!]! + DEC_DOT[b[p + 1]!]!;
  const t = (b[p + 2]! << 8) | b[p + 3]!;
  let tail = LAST_TWO_SLASH[t];
  if (tail === undefined || LAST_TWO_SLASH_LEN[t] !== n) {
    tail = LAST_TWO_SLASH[t] = DEC_DOT[b[p + 2]!]! + DEC[b[p + 3]!]! + SLASH[n & 255]!;
    LAST_TWO_SLASH_LEN[t] = n;
  }
  return head + tail;
}

/** `"/n"` for a prefix length 0-255 (no number-to-string conversion per route). */
export function slashLen(n: number): string {
  return SLASH[n]!;
}

/** RFC 5952 text of the 16 bytes at `p`, exactly as the codec gives it (its formatter). */
export const ipv6At = ipv6Text;

/** An address payload of 4 or 16 bytes as text; `undefined` for any other length. */
export function ipAt(b: Uint8Array, p: number, len: number): string | undefined {
  return len === 4 ? ipv4At(b, p) : len === 16 ? ipv6At(b, p) : undefined;
}

/** Colon-separated lowercase hex of `len` bytes (link-layer addresses), the codec's formatter. */
export { hexColon };

/**
 * A NUL-terminated ASCII string payload as text, or `undefined` when the codec would not give
 * exactly this string (no NUL: the codec still gives the text, so that is accepted; bytes
 * after the NUL or non-ASCII bytes: left to the codec).
 */
export function asciiStringAt(b: Uint8Array, p: number, len: number): string | undefined {
  if (len === 0) return undefined;
  let end = p + len;
  if (end > p && b[end - 1] === 0) end--;
  let s = '';
  for (let i = p; i < end; i++) {
    const c = b[i]!;
    if (c === 0 || c > 0x7f) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * {@link asciiStringAt}, giving back the string last made in slot `key` of `slots` (a
 * power-of-two sized array) when the bytes spell it again. Why: an address label is its link's
 * name, the same in every dump, and building it char by char makes a temporary string per
 * char; a reused one allocates nothing, which a dump's first repetitions (young-generation
 * pages touched for the first time) notice.
 */
export function asciiStringAtCached(slots: (string | undefined)[], key: number, b: Uint8Array, p: number, len: number): string | undefined {
  if (len === 0) return undefined;
  const slot = key & (slots.length - 1);
  const kept = slots[slot];
  if (kept !== undefined) {
    const n = b[p + len - 1] === 0 ? len - 1 : len;
    if (n === kept.length) {
      let i = 0;
      while (i < n && kept.charCodeAt(i) === b[p + i]) i++;
      if (i === n) return kept;
    }
  }
  const made = asciiStringAt(b, p, len);
  if (made !== undefined) slots[slot] = made;
  return made;
}

/** Lenient UTF-8 for the rare string that is not valid UTF-8. */
const lenientUtf8 = new TextDecoder();

/**
 * A string attribute's payload (`len` bytes at `p`) without its terminating NUL, as the codec
 * reads it; bytes that are not UTF-8, which the codec keeps raw, decoded leniently (U+FFFD).
 */
export function stringAt(b: Uint8Array, p: number, len: number): string {
  const n = len > 0 && b[p + len - 1] === 0 ? len - 1 : len;
  return utf8Text(b, p, n) ?? lenientUtf8.decode(b.subarray(p, p + n));
}

/** Little-endian u32 at `p`. */
export function u32At(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** Little-endian u16 at `p`. */
export function u16At(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8);
}

/** The `nlmsg_len` of a message given as bytes, checked against the bytes (for the public lifters). */
export function checkedLength(msg: unknown, what: string): number {
  if (!(msg instanceof Uint8Array)) throw new TypeError(`${what}: the message must be a Uint8Array`);
  if (msg.byteLength < 16) throw new RangeError(`${what}: a netlink message has at least 16 bytes, got ${msg.byteLength}`);
  const len = u32At(msg, 0);
  if (len < 16 || len > msg.byteLength) throw new RangeError(`${what}: nlmsg_len ${len} does not fit the ${msg.byteLength} bytes given`);
  return len;
}

/**
 * The attributes of a decoded message as the lifters read them, which is how the kernel reads
 * its own input (nla_parse keeps the last occurrence): an attribute the codec found repeated
 * (an array of its occurrences, listed in `$repeated`) counts as its last occurrence. A payload
 * that does not fit its type stays the codec's `{ $raw }`, which the lifters' type checks skip.
 * Returns `attrs` itself when nothing repeats, as in every message the kernel sends.
 */
export function lastOccurrences(attrs: Record<string, unknown>): Record<string, unknown> {
  const repeated = attrs.$repeated;
  if (!Array.isArray(repeated)) return attrs;
  const out = { ...attrs };
  for (const name of repeated as string[]) {
    const v = attrs[name];
    if (Array.isArray(v) && v.length > 0) out[name] = v[v.length - 1];
  }
  return out;
}
