/**
 * The attribute walker (decode side): one pass over a DataView, values built
 * straight into the result object, no intermediate attribute list and no
 * closure per attribute. Alignment and the NLA_F_* bits are handled here only.
 *
 * Losslessness: whatever the tables cannot express exactly is kept as data (see
 * SCHEMA.md for the `$` metadata keys); `encode` reproduces the input bytes.
 */
import { NetlinkDecodeError } from './errors.js';
import {
  K_ARRAY, K_BINARY, K_BITFIELD32, K_FLAG, K_INDEXED, K_IP, K_MAC, K_NEST, K_NEST_LIST, K_S16, K_S32, K_S64, K_S8,
  K_SINT, K_STRING, K_STRUCT, K_STRUCT_ARRAY, K_SUBMSG, K_U16, K_U32, K_U64, K_U8, K_UINT,
  templateOf, type CAttr, type CSet, type CStruct, type Shape,
} from './compile.js';
import { canCompile, compileHeaded, compileLayout, learnArray, sameWords, type HeadedDecoder, type HeadedHelpers, type LayoutDecoder, type LayoutHelpers } from './specialize.js';
import { ipv4Text, ipv6Text, macText, utf8Text } from './text.js';
import { emptyRecord, enumName, flagNames, readU64 } from './values.js';
import { STRUCT_DECODERS } from '../schema/structs.generated.js';

export { enumName, flagNames, readU64 } from './values.js';

/** Address family whose "ipv4"-hinted attributes are not IP addresses (labels). */
const AF_MPLS = 28;
export const NLA_TYPE_MASK = 0x3fff;

const UNKNOWN_KEYS: string[] = [];
/** `unknown-<type>`, interned so the decoder does not build the string each time. */
export function unknownKey(type: number): string {
  let k = UNKNOWN_KEYS[type];
  if (k === undefined) {
    k = `unknown-${type}`;
    UNKNOWN_KEYS[type] = k;
  }
  return k;
}

/** A known attribute whose payload does not fit its type: the bytes, untouched. */
export interface RawValue {
  $raw: Uint8Array;
}

function raw(b: Uint8Array, p: number, len: number): RawValue {
  return { $raw: b.slice(p, p + len) };
}

function scalarOut(a: CAttr, v: number): unknown {
  const en = a.en;
  if (en === null) return v;
  return a.asFlags ? flagNames(en, v) : enumName(en, v);
}

/**
 * Decode the members of `st` at `p` (the caller checked `len >= st.size`) into
 * `out`. Nonzero pad members are kept in `$pad`; bytes past the struct in `$tail`
 * when `tail` is set.
 */
export function decodeStructInto(st: CStruct, b: Uint8Array, v: DataView, p: number, len: number, out: Record<string, unknown>, tail: boolean, skip = ''): void {
  const ms = st.members;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    if (m.name === skip) continue;
    const q = p + m.offset;
    let val: unknown;
    switch (m.kind) {
      case 0: {
        // pad: dropped when zero (the common case), kept when not
        let zero = true;
        for (let j = 0; j < m.size; j++) if (b[q + j] !== 0) { zero = false; break; }
        if (!zero) {
          const pad = (out.$pad ??= {}) as Record<string, Uint8Array>;
          pad[m.name] = b.slice(q, q + m.size);
        }
        continue;
      }
      case K_U8: val = b[q]!; break;
      case K_U16: val = v.getUint16(q, m.le); break;
      case K_U32: val = v.getUint32(q, m.le); break;
      case K_U64: out[m.name] = readU64(v, q, m.le); continue;
      case K_S8: val = v.getInt8(q); break;
      case K_S16: val = v.getInt16(q, m.le); break;
      case K_S32: val = v.getInt32(q, m.le); break;
      case K_S64: out[m.name] = v.getBigInt64(q, m.le); continue;
      case K_MAC: out[m.name] = macText(b, q); continue;
      case K_IP: out[m.name] = m.size === 4 ? ipv4Text(b, q) : ipv6Text(b, q); continue;
      case K_STRUCT:
        out[m.name] = structObject(m.struct!, b, v, q);
        continue;
      default:
        // binary / string members: fixed-size byte arrays
        out[m.name] = b.slice(q, q + m.size);
        continue;
    }
    const en = m.en;
    out[m.name] = en === null ? val : m.asFlags ? flagNames(en, val as number) : enumName(en, val as number);
  }
  if (tail && len > st.size) out.$tail = b.slice(p + st.size, p + len);
}

/** The members of `st` at `p` as a new object (the caller checked the length). */
function structObject(st: CStruct, b: Uint8Array, v: DataView, p: number): Record<string, unknown> {
  let f = st.fast;
  if (f === undefined) {
    f = STRUCT_DECODERS[st.key] ?? null;
    st.fast = f;
  }
  if (f !== null) return f(b, v, p);
  const o: Record<string, unknown> = { ...st.template };
  decodeStructInto(st, b, v, p, st.size, o, false);
  return o;
}

function decodeStruct(st: CStruct, b: Uint8Array, v: DataView, p: number, len: number): unknown {
  if (len < st.size) return raw(b, p, len);
  const o = structObject(st, b, v, p);
  if (len > st.size) o.$tail = b.slice(p + st.size, p + len);
  return o;
}

function decodeArray(a: CAttr, b: Uint8Array, v: DataView, p: number, len: number): unknown {
  const w = a.subWidth;
  if (len % w !== 0) return raw(b, p, len);
  const n = len / w;
  const out = new Array<unknown>(n);
  const le = a.le;
  switch (a.subKind) {
    case K_U32: for (let i = 0; i < n; i++) out[i] = v.getUint32(p + 4 * i, le); break;
    case K_U64: for (let i = 0; i < n; i++) out[i] = readU64(v, p + 8 * i, le); break;
    case K_U8: for (let i = 0; i < n; i++) out[i] = b[p + i]; break;
    case K_U16: for (let i = 0; i < n; i++) out[i] = v.getUint16(p + 2 * i, le); break;
    case K_S8: for (let i = 0; i < n; i++) out[i] = v.getInt8(p + i); break;
    case K_S16: for (let i = 0; i < n; i++) out[i] = v.getInt16(p + 2 * i, le); break;
    case K_S32: for (let i = 0; i < n; i++) out[i] = v.getInt32(p + 4 * i, le); break;
    default: for (let i = 0; i < n; i++) out[i] = v.getBigInt64(p + 8 * i, le); break;
  }
  return out;
}

function decodeIp(b: Uint8Array, p: number, len: number, fam: number): unknown {
  if (fam !== AF_MPLS) {
    if (len === 4) return ipv4Text(b, p);
    if (len === 16) return ipv6Text(b, p);
  }
  return b.slice(p, p + len);
}

/** Indexed array: children typed 0, 1, 2, ... each holding one element; anything else stays raw. */
function decodeIndexed(a: CAttr, b: Uint8Array, v: DataView, p: number, len: number, fam: number): unknown {
  const out: unknown[] = [];
  const end = p + len;
  let off = p;
  while (end - off >= 4) {
    const l = v.getUint16(off, true);
    const t = v.getUint16(off + 2, true);
    const next = off + ((l + 3) & ~3);
    if (l < 4 || next > end || t !== out.length || !zeroPad(b, off + l, next)) return raw(b, p, len);
    const q = off + 4;
    const pl = l - 4;
    let val: unknown;
    switch (a.subKind) {
      case K_NEST:
        val = decodeAttrs(a.set!, b, v, q, q + pl, fam);
        break;
      case K_STRING: {
        val = pl > 0 && b[q + pl - 1] === 0 ? utf8Text(b, q, pl - 1) : undefined;
        if (val === undefined) return raw(b, p, len);
        break;
      }
      case K_BINARY:
        if (a.subHint === 'mac' && pl === 6) val = macText(b, q);
        else if (a.subHint === 'ipv4' || a.subHint === 'ipv6' || a.subHint === 'ipv4-or-v6') val = decodeIp(b, q, pl, fam);
        else val = b.slice(q, q + pl);
        break;
      default: {
        if (pl !== a.subWidth) return raw(b, p, len);
        val = readScalar(a.subKind, b, v, q, a.le);
        if (a.subHint === 'ipv4' && pl === 4) val = ipv4Text(b, q);
        break;
      }
    }
    out.push(val);
    off = next;
  }
  if (off !== end) return raw(b, p, len);
  return out;
}

function zeroPad(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

function readScalar(kind: number, b: Uint8Array, v: DataView, q: number, le: boolean): number | bigint {
  switch (kind) {
    case K_U8: return b[q]!;
    case K_U16: return v.getUint16(q, le);
    case K_U32: return v.getUint32(q, le);
    case K_U64: return readU64(v, q, le);
    case K_S8: return v.getInt8(q);
    case K_S16: return v.getInt16(q, le);
    case K_S32: return v.getInt32(q, le);
    default: return v.getBigInt64(q, le);
  }
}

/** rtnexthop-style list: struct (with a length member) + attributes, each item 4-byte aligned. */
function decodeNestList(a: CAttr, b: Uint8Array, v: DataView, p: number, len: number, fam: number): unknown {
  const st = a.struct!;
  const lm = st.members.find((m) => m.name === a.lengthMember)!;
  const out: unknown[] = [];
  const end = p + len;
  let off = p;
  while (off < end) {
    if (end - off < st.size) return raw(b, p, len);
    const l = lm.size === 2 ? v.getUint16(off + lm.offset, true) : b[off + lm.offset]!;
    const next = off + ((l + 3) & ~3);
    if (l < st.size || next > end || !zeroPad(b, off + l, next)) return raw(b, p, len);
    const item: Record<string, unknown> = {};
    decodeStructInto(st, b, v, off, st.size, item, false, a.lengthMember);
    if (item.$pad !== undefined) return raw(b, p, len);
    const hs = (st.size + 3) & ~3;
    if (hs > l) {
      if (!zeroPad(b, off + st.size, off + l)) return raw(b, p, len);
      item.attrs = {};
    } else {
      if (!zeroPad(b, off + st.size, off + hs)) return raw(b, p, len);
      let attrs: Record<string, unknown>;
      try {
        attrs = decodeAttrs(a.set!, b, v, off + hs, off + l, fam);
      } catch (e) {
        if (e instanceof NetlinkDecodeError) return raw(b, p, len);
        throw e;
      }
      if (attrs.$trailing !== undefined || attrs.$unpadded !== undefined) return raw(b, p, len);
      item.attrs = attrs;
    }
    out.push(item);
    off = next;
  }
  return out;
}

/**
 * Decode a body or nest with a fixed header: header members into `out`, then
 * `attrs`. A payload shorter than the header is kept as `$raw`.
 */
export function decodeHeaded(st: CStruct, set: CSet, b: Uint8Array, v: DataView, p: number, end: number, out: Record<string, unknown>, fam: number): void {
  const len = end - p;
  if (len < st.size) {
    out.$raw = b.slice(p, end);
    return;
  }
  decodeStructInto(st, b, v, p, st.size, out, false);
  const as = attrsStart(st, p, end);
  if (as !== p + ((st.size + 3) & ~3) || !zeroPad(b, p + st.size, as)) out.$headerPad = b.slice(p + st.size, as);
  out.attrs = decodeAttrs(set, b, v, as, end, headerFamily(st, b, p, fam));
}

/**
 * Only the attributes of a body or nest with a fixed header (what `decodeHeaded` puts in
 * `attrs`), or undefined for a payload shorter than the header (kept as `$raw` there).
 */
export function decodeHeadedAttrs(st: CStruct, set: CSet, b: Uint8Array, v: DataView, p: number, end: number, fam: number): Record<string, unknown> | undefined {
  if (end - p < st.size) return undefined;
  return decodeAttrs(set, b, v, attrsStart(st, p, end), end, headerFamily(st, b, p, fam));
}

/** Where the attributes after fixed header `st` at `p` start: the header padded to 4, at most `end`. */
function attrsStart(st: CStruct, p: number, end: number): number {
  return Math.min(p + ((st.size + 3) & ~3), end);
}

/** The address family the fixed header at `p` carries, or `fam` when it has none. */
function headerFamily(st: CStruct, b: Uint8Array, p: number, fam: number): number {
  return st.familyOffset >= 0 ? b[p + st.familyOffset]! : fam;
}

/** Decimal text of 0-255, for `$family` sub-message selectors. */
export const FAMILY_TEXT: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * The selector value a sub-message uses: the first occurrence of the sibling
 * (a repeated selector is an array), so decode and encode agree whatever repeats.
 */
export function selectorText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** `selValue`: the selector sibling's value decoded so far (undefined when it has not come yet). */
function decodeSubMessage(a: CAttr, b: Uint8Array, v: DataView, p: number, len: number, fam: number, selValue: unknown): unknown {
  const sel = a.selector === '$family' ? FAMILY_TEXT[fam] : selectorText(selValue);
  const formats = a.subMsg!.formats;
  // '*' is the format for any other selector value (af-spec: every family but AF_BRIDGE)
  const f = (sel === undefined ? undefined : formats.get(sel)) ?? formats.get('*');
  if (f === undefined || (f.set === null && f.header === null)) return b.slice(p, p + len);
  let out: Record<string, unknown>;
  if (f.header !== null) {
    out = {};
    decodeHeaded(f.header, f.set!, b, v, p, p + len, out, fam);
  } else out = decodeAttrs(f.set!, b, v, p, p + len, fam);
  // after the nested decode, which would otherwise consume it
  formatFlags = f.flags;
  return out;
}

function decodeValue(a: CAttr, b: Uint8Array, v: DataView, p: number, len: number, fam: number, obj: Record<string, unknown> | null): unknown {
  switch (a.kind) {
    case K_U32:
      if (len !== 4) break;
      return a.en === null ? v.getUint32(p, a.le) : scalarOut(a, v.getUint32(p, a.le));
    case K_U8:
      if (len !== 1) break;
      return a.en === null ? b[p] : scalarOut(a, b[p]!);
    case K_U16:
      if (len !== 2) break;
      return a.en === null ? v.getUint16(p, a.le) : scalarOut(a, v.getUint16(p, a.le));
    case K_U64:
      if (len !== 8) break;
      return readU64(v, p, a.le);
    case K_S8:
      if (len !== 1) break;
      return scalarOut(a, v.getInt8(p));
    case K_S16:
      if (len !== 2) break;
      return scalarOut(a, v.getInt16(p, a.le));
    case K_S32:
      if (len !== 4) break;
      return scalarOut(a, v.getInt32(p, a.le));
    case K_S64:
      if (len !== 8) break;
      return v.getBigInt64(p, a.le);
    case K_UINT:
      if (len === 4) return v.getUint32(p, a.le);
      if (len === 8) return readU64(v, p, a.le);
      break;
    case K_SINT:
      if (len === 4) return v.getInt32(p, a.le);
      if (len === 8) return v.getBigInt64(p, a.le);
      break;
    case K_STRING: {
      // iproute2 sends some strings (IFLA_INFO_KIND, IFLA_IFALIAS) without the NUL,
      // which the kernel accepts: decode them too, and tell the caller.
      if (len === 0 || b[p + len - 1] !== 0) {
        const s = utf8Text(b, p, len);
        if (s === undefined) break;
        unterminated = true;
        return s;
      }
      const s = utf8Text(b, p, len - 1);
      if (s === undefined) break;
      return s;
    }
    case K_FLAG:
      if (len !== 0) break;
      return true;
    case K_NEST:
      if (depth >= MAX_DEPTH) break;
      if (a.header !== null) {
        const o: Record<string, unknown> = {};
        decodeHeaded(a.header, a.set!, b, v, p, p + len, o, fam);
        return o;
      }
      return decodeAttrs(a.set!, b, v, p, p + len, fam);
    case K_MAC:
      if (len === 6) return macText(b, p);
      return b.slice(p, p + len);
    case K_IP:
      return decodeIp(b, p, len, fam);
    case K_STRUCT:
      return decodeStruct(a.struct!, b, v, p, len);
    case K_ARRAY:
      return decodeArray(a, b, v, p, len);
    case K_SUBMSG:
      if (depth >= MAX_DEPTH) break;
      return decodeSubMessage(a, b, v, p, len, fam, obj === null ? undefined : obj[a.selector]);
    case K_INDEXED:
      if (depth >= MAX_DEPTH) break;
      return decodeIndexed(a, b, v, p, len, fam);
    case K_BITFIELD32:
      if (len !== 8) break;
      return { value: v.getUint32(p, true), selector: v.getUint32(p + 4, true) };
    case K_STRUCT_ARRAY: {
      const st = a.struct!;
      if (st.size === 0 || len % st.size !== 0) break;
      const out: unknown[] = [];
      for (let q = p; q < p + len; q += st.size) out.push(structObject(st, b, v, q));
      return out;
    }
    case K_NEST_LIST:
      if (depth >= MAX_DEPTH) break;
      return decodeNestList(a, b, v, p, len, fam);
    case K_BINARY:
    default:
      return binary(b, p, len);
  }
  return raw(b, p, len);
}

/**
 * One shared empty payload (a Uint8Array costs ~200 bytes even when empty, and link dumps
 * carry empty attributes such as `devlink-port` in every message). Frozen, and with no
 * elements there is nothing to change, so sharing it is safe.
 */
const EMPTY = Object.freeze(new Uint8Array(0));

/** A binary payload: a copy (the caller may reuse its buffer), or the shared empty array. */
export function binary(b: Uint8Array, p: number, len: number): Uint8Array {
  return len === 0 ? EMPTY : b.slice(p, p + len);
}

/** Set by decodeValue when a string had no NUL (module state: no allocation, no closure). */
let unterminated = false;
/** Set by decodeSubMessage: the selected format's usual NLA_F_* bits (-1 = the attribute's). */
let formatFlags = -1;

function recordUnterminated(obj: Record<string, unknown>, key: string, index: number): void {
  const u = (obj.$unterminated ??= {}) as Record<string, true | boolean[]>;
  if (index < 0) {
    u[key] = true;
    return;
  }
  let arr = u[key];
  if (!Array.isArray(arr)) {
    arr = [];
    u[key] = arr;
  }
  while (arr.length < index) arr.push(false);
  arr[index] = true;
}

/**
 * `$flags[key]`: the bits of a single attribute, or per occurrence for arrays
 * (null = that occurrence had its default bits, which may differ between
 * occurrences: a raw sub-message and a decoded one).
 */
function recordFlags(obj: Record<string, unknown>, key: string, index: number, fl: number): void {
  const flags = (obj.$flags ??= {}) as Record<string, number | Array<number | null>>;
  if (index < 0) {
    flags[key] = fl;
    return;
  }
  let arr = flags[key];
  if (!Array.isArray(arr)) {
    arr = [];
    flags[key] = arr;
  }
  while (arr.length < index) arr.push(null);
  arr[index] = fl;
}

/**
 * Decode the attributes in `[start, end)` against `set` into a new object
 * (keys in wire order). Throws NetlinkDecodeError for a malformed length.
 */
/**
 * Nesting depth of the decode in progress. Beyond MAX_DEPTH a nest stays raw
 * bytes (lossless) instead of recursing: crafted input can nest veth peers
 * ~1600 deep within one 64 KiB attribute, enough to overflow the stack.
 * Reset by resetDepth() at the start of every top-level decode.
 */
let depth = 0;
const MAX_DEPTH = 48;

export function resetDepth(): void {
  depth = 0;
}

export function decodeAttrs(set: CSet, b: Uint8Array, v: DataView, start: number, end: number, fam: number): Record<string, unknown> {
  depth++;
  let obj: Record<string, unknown> | null = null;
  const layouts = specialize ? set.layouts : NO_LAYOUTS;
  for (let i = 0; i < layouts.length && obj === null; i++) obj = layouts[i]!(b, v, start, end, fam);
  if (obj === null) obj = decodeAttrsAt(set, b, v, start, end, fam);
  depth--;
  return obj;
}

/** What compiled layouts call back into: the walker's own value decoders. */
const HELPERS: LayoutHelpers = {
  u64: readU64,
  en: enumName,
  fl: flagNames,
  str(b, p, n) {
    if (n === 0 || b[p + n - 1] !== 0) return undefined;
    const s = utf8Text(b, p, n - 1);
    return s === undefined ? raw(b, p, n) : s;
  },
  mac: macText,
  val: (a, b, v, p, n, fam) => decodeValue(a, b, v, p, n, fam, null),
  sub: (a, b, v, p, n, fam, sel) => (depth >= MAX_DEPTH ? raw(b, p, n) : decodeSubMessage(a, b, v, p, n, fam, sel)),
  ff() {
    const f = formatFlags;
    formatFlags = -1;
    return f;
  },
  zp: zeroPad,
  nest: (a, b, v, p, n, fam) => (depth >= MAX_DEPTH ? raw(b, p, n) : decodeAttrs(a.set!, b, v, p, p + n, fam)),
  struct: (a, b, v, p, n) => decodeStruct(a.struct!, b, v, p, n),
  ip: decodeIp,
  bin: binary,
  sameWords,
  learnArray,
  raw,
  structDecoder(a) {
    const st = a.struct!;
    if (st.fast === undefined) st.fast = STRUCT_DECODERS[st.key] ?? null;
    return st.fast;
  },
};

const NO_LAYOUTS: CSet['layouts'] = [];
/** Whether compiled layout decoders are used and learned (see specialize.ts). */
let specialize = true;

/**
 * @internal Turn the compiled layout decoders on or off (tests compare both paths;
 * `bench/decode.mjs --generic` measures the walker alone). Returns the previous setting.
 */
export function useLayoutDecoders(on: boolean): boolean {
  const was = specialize;
  specialize = on;
  return was;
}

/**
 * @internal Compile the layout decoder for the attributes in `[start, end)` of `set`
 * (their exact type sequence), or null when the layout is not compilable. For tests.
 */
export function compileLayoutAt(set: CSet, v: DataView, start: number, end: number): LayoutDecoder | null {
  const types: number[] = [];
  let off = start;
  while (end - off >= 4) {
    const len = v.getUint16(off, true);
    if (len < 4) return null;
    types.push(v.getUint16(off + 2, true) & NLA_TYPE_MASK);
    off += (len + 3) & ~3;
  }
  return compileLayout(set, types, HELPERS);
}

const HEADED_HELPERS: HeadedHelpers = {
  u64: readU64,
  en: enumName,
  fl: flagNames,
  mac: macText,
  ip4: ipv4Text,
  ip6: ipv6Text,
  struct: structObject,
  zp: zeroPad,
  attrs: decodeAttrs,
};

/** The compiled body decoder for fixed header `st` + set `set`, or null (cache it: this compiles). */
export function headedDecoder(st: CStruct, set: CSet): HeadedDecoder | null {
  return compileHeaded(st, set, HEADED_HELPERS);
}

/**
 * A message body with fixed header `st` and attribute set `set` as a new object
 * `{ header, ...members, attrs }`: the same object (keys and order) as decoding it with
 * {@link decodeHeaded} into `{ header }`, built as one literal by `f` (from
 * {@link headedDecoder}) when it has no metadata. The caller resets the depth.
 */
export function decodeHeadedNew(f: HeadedDecoder | null, st: CStruct, set: CSet, header: unknown, b: Uint8Array, v: DataView, p: number, end: number, fam: number): Record<string, unknown> {
  if (f !== null && specialize) {
    const o = f(header, b, v, p, end, fam);
    if (o !== null) return o;
  }
  const out: Record<string, unknown> = { header };
  decodeHeaded(st, set, b, v, p, end, out, fam);
  return out;
}

/** Most compiled layouts kept per set, and most compiled over its lifetime. */
const LAYOUTS_PER_SET = 4;
const COMPILES_PER_SET = 32;

function decodeAttrsAt(set: CSet, b: Uint8Array, v: DataView, start: number, end: number, fam: number): Record<string, unknown> {
  if (start === end) return emptyRecord();
  const shape = findShape(set, v, start, end);
  const obj: Record<string, unknown> = shape === null ? {} : { ...shape.template };
  // Copy the layout now: nested decodes below reuse the scratch buffer.
  let learn: Uint16Array | null = null;
  if (shape === null && scratchCount > 0 && (set.shapeMisses++ & 7) === 0) {
    // Sampled (one miss in 8): compile a layout on its second sighting, so one-off
    // messages cost no compilation; without a compiler, cache a template instead.
    if (specialize && set.compiles < COMPILES_PER_SET && canCompile()) {
      const pending = set.pending;
      if (pending !== null && sameTypes(pending, scratchCount)) learn = pending;
      else set.pending = scratch.slice(0, scratchCount);
    } else if (scratchCount >= SHAPE_MIN) learn = scratch.slice(0, scratchCount);
  }
  const byType = set.byType;
  let off = start;
  let lastKey = '';
  let ordinal = 0;
  let needOrder = false;
  while (end - off >= 4) {
    const len = v.getUint16(off, true);
    const rt = v.getUint16(off + 2, true);
    if (len < 4) throw new NetlinkDecodeError(`attribute length ${len} < 4 in ${set.name}`, off);
    if (len > end - off) throw new NetlinkDecodeError(`attribute length ${len} runs past the end of ${set.name} (${end - off} bytes left)`, off);
    const type = rt & NLA_TYPE_MASK;
    const fl = rt & ~NLA_TYPE_MASK;
    const a = byType[type];
    const p = off + 4;
    const pl = len - 4;
    let key: string;
    let value: unknown;
    if (a === undefined) {
      key = unknownKey(type);
      value = { type, flags: fl, bytes: b.slice(p, p + pl) };
    } else {
      key = a.name;
      value = decodeValue(a, b, v, p, pl, fam, obj);
    }
    let def = a === undefined ? 0 : a.defFlags;
    if (formatFlags >= 0) {
      def = formatFlags;
      formatFlags = -1;
    }
    // With a known layout the first occurrence of each key is known: skip the lookup.
    const prev = shape !== null && shape.first[ordinal] === 1 ? undefined : obj[key];
    if (prev === undefined) {
      obj[key] = a !== undefined && a.multi ? [value] : value;
      if (a !== undefined && fl !== def) recordFlags(obj, key, a.multi ? 0 : -1, fl);
      if (unterminated) {
        unterminated = false;
        recordUnterminated(obj, key, a !== undefined && a.multi ? 0 : -1);
      }
    } else {
      // A repeat: multi-attr arrays grow; a repeated non-multi attribute becomes
      // an array of its occurrences and is listed in $repeated.
      let arr: unknown[];
      if (a !== undefined && a.multi) arr = prev as unknown[];
      else {
        const rep = (obj.$repeated ??= []) as string[];
        if (rep.includes(key)) arr = prev as unknown[];
        else {
          rep.push(key);
          arr = [prev];
          obj[key] = arr;
          // flags recorded for the first occurrence move to index 0
          const f = obj.$flags as Record<string, number | Array<number | null>> | undefined;
          const f0 = f?.[key];
          if (f !== undefined && typeof f0 === 'number') f[key] = [f0];
          const u = obj.$unterminated as Record<string, true | boolean[]> | undefined;
          if (u !== undefined && u[key] === true) u[key] = [true];
        }
      }
      arr.push(value);
      if (unterminated) {
        unterminated = false;
        recordUnterminated(obj, key, arr.length - 1);
      }
      if (a !== undefined && fl !== def) recordFlags(obj, key, arr.length - 1, fl);
      else {
        const f = obj.$flags as Record<string, number | Array<number | null>> | undefined;
        const cur = f?.[key];
        if (Array.isArray(cur)) cur.push(null);
      }
      if (lastKey !== key) needOrder = true;
    }
    lastKey = key;
    let next = off + ((len + 3) & ~3);
    if (next > end) {
      // The last attribute's padding is cut off by the end of the container.
      obj.$unpadded = next - end;
      next = end;
    }
    if ((len & 3) !== 0 && !zeroPad(b, off + len, next)) {
      const pads = (obj.$padding ??= []) as Array<[number, Uint8Array]>;
      pads.push([ordinal, b.slice(off + len, next)]);
    }
    ordinal++;
    off = next;
  }
  if (off < end) obj.$trailing = b.slice(off, end);
  if (needOrder) obj.$order = wireOrder(set, v, start, end);
  if (learn !== null) learnShape(set, obj, learn);
  return obj;
}

// ---------------------------------------------------------------- shape cache

/** Layouts shorter than this are cheap to build directly (V8 keeps small objects fast). */
const SHAPE_MIN = 10;
const SHAPE_MAX = 512;
const SHAPES_PER_SET = 4;
const scratch = new Uint16Array(SHAPE_MAX);
let scratchCount = 0;

/**
 * Walk the attribute headers once (cheap: two u16 reads each) and return the cached
 * template for this exact type sequence, or null. Leaves the sequence in `scratch`.
 */
function findShape(set: CSet, v: DataView, start: number, end: number): Shape | null {
  let n = 0;
  let off = start;
  while (end - off >= 4) {
    const len = v.getUint16(off, true);
    if (len < 4 || n === SHAPE_MAX) {
      scratchCount = 0;
      return null;
    }
    scratch[n++] = v.getUint16(off + 2, true) & NLA_TYPE_MASK;
    off += (len + 3) & ~3;
  }
  scratchCount = n;
  if (n < SHAPE_MIN) return null;
  const shapes = set.shapes;
  outer: for (let i = 0; i < shapes.length; i++) {
    const t = shapes[i]!.types;
    if (t.length !== n) continue;
    for (let j = 0; j < n; j++) if (t[j] !== scratch[j]) continue outer;
    return shapes[i]!;
  }
  return null;
}

/** Remember the layout just decoded (sampled: one miss in 8 learns, so varied traffic does not pay for it). */
function learnShape(set: CSet, obj: Record<string, unknown>, types: Uint16Array): void {
  const keys = Object.keys(obj);
  for (const k of keys) if (k.charCodeAt(0) === 36) return; // metadata: not a layout worth caching
  if (set.pending === types) {
    set.pending = null;
    set.compiles++;
    const fn = compileLayout(set, types, HELPERS);
    if (fn !== null) {
      const layouts = set.layouts;
      if (layouts.length === LAYOUTS_PER_SET) layouts.pop();
      layouts.unshift(fn);
      return;
    }
    if (types.length < SHAPE_MIN) return;
  }
  const shapes = set.shapes;
  if (shapes.length === SHAPES_PER_SET) shapes.pop();
  const first = new Uint8Array(types.length);
  const seen = new Set<number>();
  for (let i = 0; i < types.length; i++) {
    if (!seen.has(types[i]!)) first[i] = 1;
    seen.add(types[i]!);
  }
  shapes.unshift({ types, first, template: templateOf(keys) });
}

/** Whether the first `n` types in `scratch` are exactly `types`. */
function sameTypes(types: Uint16Array, n: number): boolean {
  if (types.length !== n) return false;
  for (let i = 0; i < n; i++) if (types[i] !== scratch[i]) return false;
  return true;
}

/** Keys in wire sequence (one per attribute), for `$order`. */
function wireOrder(set: CSet, v: DataView, start: number, end: number): string[] {
  const keys: string[] = [];
  let off = start;
  while (end - off >= 4) {
    const len = v.getUint16(off, true);
    const type = v.getUint16(off + 2, true) & NLA_TYPE_MASK;
    const a = set.byType[type];
    keys.push(a === undefined ? unknownKey(type) : a.name);
    off += (len + 3) & ~3;
  }
  return keys;
}
