/**
 * Layout-specialized decoders: for an attribute set and one exact wire layout (the
 * sequence of attribute types a dump repeats for every link), a function compiled
 * with `new Function` that checks the layout and builds the result as one object
 * literal.
 *
 * Why: the generic walker stores each value with a keyed store (`obj[a.name] = v`),
 * grows the object property by property, and dispatches on the attribute kind per
 * value. A literal with the keys in wire order is allocated once, fully in-object,
 * with a stable map; scalars, strings and number arrays are read inline. With the
 * array-literal cache below, this takes the 2001-link dump from ~9.7 ms to ~3 ms.
 *
 * When: the walker samples one miss in 8 per set and compiles a layout on its second
 * sighting, so one-off messages cost no compilation; a set keeps its 4 most recent
 * layouts and compiles at most 32 over its lifetime (varied traffic stays on the walker).
 *
 * Contract (what keeps decoding lossless): a compiled layout function either
 * returns exactly what the generic walker returns for the same bytes, or `null`
 * (then the walker decodes them). It returns null for anything the walker would
 * record as `$` metadata on the object (flags other than the table's, a string
 * without its NUL, nonzero padding, trailing or cut-short bytes, a malformed
 * length, a repeated non-multi attribute, interleaved repeats) and for scalars of
 * the wrong size. Values that are themselves objects (nests, structs, arrays,
 * sub-messages) are decoded by the walker's own value decoder, so their metadata
 * is whatever the walker produces.
 *
 * `new Function` is unavailable under a Content-Security-Policy without
 * `unsafe-eval` (browsers); then {@link compileLayout} returns null and the
 * generic walker (with its template cache) does all the work. In Node it is
 * always available.
 */
import {
  K_ARRAY, K_BINARY, K_BITFIELD32, K_FLAG, K_IP, K_MAC, K_NEST, K_S16, K_S32, K_S64, K_S8, K_SINT, K_STRING, K_STRUCT, K_SUBMSG,
  K_U16, K_U32, K_U64, K_U8, K_UINT,
  type CAttr, type CEnum, type CMember, type CSet, type CStruct,
} from './compile.js';
import { SMALL_BIGINT_LIMIT, SMALL_BIGINTS } from './values.js';

/** A compiled layout: the decoded attribute object, or null = not this layout (use the walker). */
export type LayoutDecoder = (b: Uint8Array, v: DataView, start: number, end: number, fam: number) => Record<string, unknown> | null;

/** What the generated code calls back into (the walker's own value decoders). */
export interface LayoutHelpers {
  /** 64-bit unsigned read (with the walker's small-value cache). */
  u64(v: DataView, p: number, le: boolean): bigint;
  /** Enum value to name. */
  en(e: CEnum, x: number): string | number;
  /** Flag bits to names. */
  fl(e: CEnum, x: number): Array<string | number>;
  /** A NUL-terminated string (or `{ $raw }` when it is not valid text); undefined when the NUL is missing. */
  str(b: Uint8Array, p: number, n: number): unknown;
  /** `aa:bb:cc:dd:ee:ff` from 6 bytes. */
  mac(b: Uint8Array, p: number): string;
  /** The walker's value decoder (any kind but sub-messages). */
  val(a: CAttr, b: Uint8Array, v: DataView, p: number, n: number, fam: number): unknown;
  /** A sub-message, its format chosen by `sel` (the selector sibling's value so far). */
  sub(a: CAttr, b: Uint8Array, v: DataView, p: number, n: number, fam: number, sel: unknown): unknown;
  /** The NLA_F_* bits the sub-message just decoded normally carries (-1 = the attribute's); resets them. */
  ff(): number;
  /** True when `b[from, to)` is all zero. */
  zp(b: Uint8Array, from: number, to: number): boolean;
  /** A nest without a fixed header (the walker's depth limit applies). */
  nest(a: CAttr, b: Uint8Array, v: DataView, p: number, n: number, fam: number): unknown;
  /** A struct-typed attribute of the wrong size (`$raw` or `$tail`). */
  struct(a: CAttr, b: Uint8Array, v: DataView, p: number, n: number): unknown;
  /** An address attribute: text by length and family, else the bytes. */
  ip(b: Uint8Array, p: number, n: number, fam: number): unknown;
  /** A binary payload (copy, or the shared empty array). */
  bin(b: Uint8Array, p: number, n: number): Uint8Array;
  /** `{ $raw }` copy of a payload that does not fit its type. */
  raw(b: Uint8Array, p: number, n: number): unknown;
  /** See {@link sameWords}. */
  sameWords(v: DataView, p: number, n: number, words: Uint32Array | null): boolean;
  /** See {@link learnArray}. */
  learnArray(ac: ArrayCache, v: DataView, p: number, n: number, values: unknown[]): void;
  /** The generated straight-line decoder of a struct (null = none). */
  structDecoder(a: CAttr): ((b: Uint8Array, v: DataView, p: number) => Record<string, unknown>) | null;
}

/** An inline 64-bit unsigned read at `p` (little-endian), small values from the shared cache. */
function u64Source(p: string): string {
  return `((t = v.getUint32(${p}, true)) < ${SMALL_BIGINT_LIMIT} && v.getUint32(${p} + 4, true) === 0 ? SB[t] : v.getBigUint64(${p}, true))`;
}

/** Element read of a binary `sub-type` array, at byte offset `q`. */
function elementSource(kind: number, q: string, le: string): string {
  switch (kind) {
    case K_U8: return `b[${q}]`;
    case K_U16: return `v.getUint16(${q}, ${le})`;
    case K_U32: return `v.getUint32(${q}, ${le})`;
    case K_U64: return le === 'true' ? u64Source(q) : `H.u64(v, ${q}, false)`;
    case K_S8: return `v.getInt8(${q})`;
    case K_S16: return `v.getInt16(${q}, ${le})`;
    case K_S32: return `v.getInt32(${q}, ${le})`;
    default: return `v.getBigInt64(${q}, ${le})`;
  }
}

const NLA_TYPE_MASK = 0x3fff;

/**
 * A repeated number array (binary `sub-type` of 32 or 64 bits). Link dumps carry the same
 * per-device sysctl arrays and all-zero counter arrays in every message; once a payload is
 * seen twice (sampled), its values are compiled into a function returning an array literal.
 * V8 gives every array made from such a literal the literal's elements copy-on-write: a new,
 * independent, mutable array that costs one small header instead of a copy of its elements,
 * and no per-element decoding. A hit is checked word by word against the cached payload, so
 * the values are always exactly what decoding would give. Arrays holding numbers beyond the
 * Smi range are copied from a private template instead (V8 cannot share their elements).
 */
export interface ArrayCache {
  /** The cached payload as little-endian 32-bit words. */
  words: Uint32Array | null;
  /** Returns a fresh array of the cached values (a literal). */
  make: (() => unknown[]) | null;
  /** The last sampled payload, to notice a repeat. */
  seen: Uint32Array | null;
  misses: number;
  compiles: number;
}

let literalsCompiled = 0;

/** @internal How many array literals have been compiled (tests check the cache is used). */
export function arrayLiteralsCompiled(): number {
  return literalsCompiled;
}

/** Most literals compiled per array attribute of a layout (varied payloads stop learning). */
const ARRAY_COMPILES = 8;
/** Largest payload (bytes) cached as a literal: big arrays are rare and costly to compile. */
const ARRAY_CACHE_MAX = 2048;

/** Whether `n` payload bytes at `p` are exactly `words`. */
export function sameWords(v: DataView, p: number, n: number, words: Uint32Array | null): boolean {
  if (words === null || words.length * 4 !== n) return false;
  for (let k = 0; k < words.length; k++) if (v.getUint32(p + 4 * k, true) !== words[k]) return false;
  return true;
}

/** Sampled on a miss: remember the payload; on a repeat, compile its literal. */
export function learnArray(ac: ArrayCache, v: DataView, p: number, n: number, values: unknown[]): void {
  const words = new Uint32Array(n / 4);
  for (let k = 0; k < words.length; k++) words[k] = v.getUint32(p + 4 * k, true);
  const seen = ac.seen;
  ac.seen = words;
  if (seen === null || seen.length !== words.length) return;
  for (let k = 0; k < words.length; k++) if (seen[k] !== words[k]) return;
  ac.seen = null;
  ac.compiles++;
  let text = '';
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    if (typeof x === 'bigint') text += `${x}n,`;
    else if (typeof x === 'number' && Number.isInteger(x) && x >= -0x40000000 && x < 0x40000000) text += `${x},`;
    else {
      // Not a Smi (u32 sysctls of 0xffffffff): V8 copies such elements anyway, but copying a
      // packed array of them (one memcpy) still beats decoding each value.
      const template = Array.from(values);
      ac.make = () => template.slice();
      ac.words = words;
      literalsCompiled++;
      return;
    }
  }
  try {
    ac.make = new Function(`"use strict"; return function () { return [${text}]; };`)() as () => unknown[];
    ac.words = words;
    literalsCompiled++;
  } catch {
    available = false;
  }
}

/** Payload size of the fixed-size kinds (anything else: -1, variable). */
function fixedWidth(a: CAttr): number {
  switch (a.kind) {
    case K_U8: case K_S8: return 1;
    case K_U16: case K_S16: return 2;
    case K_U32: case K_S32: return 4;
    case K_U64: case K_S64: case K_BITFIELD32: return 8;
    case K_FLAG: return 0;
    default: return -1;
  }
}

let available: boolean | undefined;

/** Whether `new Function` works here (false under a CSP without `unsafe-eval`). */
export function canCompile(): boolean {
  if (available === undefined) {
    try {
      available = (new Function('return 1') as () => number)() === 1;
    } catch {
      available = false;
    }
  }
  return available;
}

/** JavaScript source of the value of attribute `a` at `p{i}`, `n{i}` (a scalar kind). */
function scalarSource(a: CAttr, i: number, le: string): string {
  const p = `p${i}`;
  let read: string;
  switch (a.kind) {
    case K_U8: read = `b[${p}]`; break;
    case K_U16: read = `v.getUint16(${p}, ${le})`; break;
    case K_U32: read = `v.getUint32(${p}, ${le})`; break;
    case K_S8: read = `v.getInt8(${p})`; break;
    case K_S16: read = `v.getInt16(${p}, ${le})`; break;
    case K_S32: read = `v.getInt32(${p}, ${le})`; break;
    default: throw new Error('not a scalar');
  }
  // S8-S32 go through scalarOut in the walker, which is the identity without an enum.
  if (a.en === null) return read;
  return a.asFlags ? `H.fl(E[${i}], ${read})` : `H.en(E[${i}], ${read})`;
}

/**
 * Compile the decoder of `set` for the attribute-type sequence `types` (NLA type
 * numbers, flags masked off), or return null when the layout is not one this
 * compiler handles (then the walker keeps decoding it) or code cannot be compiled.
 */
export function compileLayout(set: CSet, types: ArrayLike<number>, H: LayoutHelpers): LayoutDecoder | null {
  const n = types.length;
  if (n === 0 || !canCompile()) return null;
  // Keys in first-occurrence order, with the ordinals of their occurrences.
  const keyOrder: string[] = [];
  const occ = new Map<string, number[]>();
  const attrs: (CAttr | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    const t = types[i]!;
    const a = set.byType[t];
    attrs.push(a);
    const key = a === undefined ? `unknown-${t}` : a.name;
    if (key === '__proto__') return null;
    let list = occ.get(key);
    if (list === undefined) {
      list = [];
      occ.set(key, list);
      keyOrder.push(key);
    } else {
      // A repeat is plain only for multi-attr attributes, right after the previous occurrence.
      if (a === undefined || !a.multi || list[list.length - 1] !== i - 1) return null;
    }
    list.push(i);
  }
  const E: (CEnum | null)[] = attrs.map((a) => (a === undefined ? null : a.en));
  const A: (CAttr | undefined)[] = attrs;
  const S: unknown[] = [];
  const AC: (ArrayCache | undefined)[] = [];
  // Named after the set, so profiles say which layout the time is spent in.
  const fname = `decode_${set.name.replace(/[^A-Za-z0-9]/g, '_')}_${set.compiles}`;
  const src: string[] = ['"use strict";', `return function ${fname}(b, v, start, end, fam) {`, '  let o = start, l = 0, t = 0, q = 0;'];
  // 1. Walk the headers: exact types, flags and sizes, zero padding, nothing left over.
  for (let i = 0; i < n; i++) {
    const a = attrs[i];
    const type = types[i]!;
    // Sub-messages and unknown attributes: their flags are checked (or kept) after decoding.
    const loose = a === undefined || a.kind === K_SUBMSG;
    const w = a === undefined ? -1 : fixedWidth(a);
    if (w >= 0 && !loose) {
      // A fixed-size attribute: its whole header (length, type, flags) is one known word.
      const aligned = (w + 4 + 3) & ~3;
      const header = ((((type | a.defFlags) & 0xffff) << 16) | (w + 4)) >>> 0;
      src.push(`  if (end - o < ${aligned} || v.getUint32(o, true) !== ${header}) return null;`);
      // u8 / u16: the 3 or 2 alignment bytes must be zero (inline: no call per attribute)
      if (((w + 4) & 3) !== 0) {
        const pads: string[] = [];
        for (let k = w + 4; k < aligned; k++) pads.push(`b[o + ${k}] !== 0`);
        src.push(`  if (${pads.join(' || ')}) return null;`);
      }
      src.push(`  const p${i} = o + 4;`, `  o += ${aligned};`);
      continue;
    }
    const typeCheck = loose ? `(t & ${NLA_TYPE_MASK}) !== ${type}` : `t !== ${type | a.defFlags}`;
    src.push(`  if (end - o < 4) return null;`, `  t = v.getUint32(o, true); l = t & 0xffff; t >>>= 16;`);
    if (w >= 0) {
      const aligned = (w + 4 + 3) & ~3;
      src.push(`  if (${typeCheck} || l !== ${w + 4}) return null;`, `  q = o + ${aligned}; if (q > end) return null;`);
      if (((w + 4) & 3) !== 0) src.push(`  if (!H.zp(b, o + ${w + 4}, q)) return null;`);
    } else {
      src.push(`  if (${typeCheck} || l < 4) return null;`, `  q = o + ((l + 3) & ~3); if (q > end) return null;`);
      src.push(`  if ((l & 3) !== 0 && !H.zp(b, o + l, q)) return null;`);
      src.push(`  const n${i} = l - 4;`);
    }
    if (loose) src.push(`  const f${i} = t & ${~NLA_TYPE_MASK & 0xffff};`);
    src.push(`  const p${i} = o + 4;`, `  o = q;`);
  }
  src.push('  if (o !== end) return null;');
  // 2. The values, in wire order (as the walker decodes them: nested errors surface in the same order).
  for (let i = 0; i < n; i++) {
    const a = attrs[i];
    const type = types[i]!;
    if (a === undefined) {
      src.push(`  const x${i} = { type: ${type}, flags: f${i}, bytes: b.slice(p${i}, p${i} + n${i}) };`);
      continue;
    }
    const le = a.le ? 'true' : 'false';
    switch (a.kind) {
      case K_U8: case K_U16: case K_U32: case K_S8: case K_S16: case K_S32:
        src.push(`  const x${i} = ${scalarSource(a, i, le)};`);
        break;
      case K_U64:
        src.push(`  const x${i} = ${a.le ? u64Source(`p${i}`) : `H.u64(v, p${i}, false)`};`);
        break;
      case K_UINT:
        src.push(`  const x${i} = n${i} === 4 ? v.getUint32(p${i}, ${le}) : n${i} === 8 ? ${a.le ? u64Source(`p${i}`) : `H.u64(v, p${i}, false)`} : H.raw(b, p${i}, n${i});`);
        break;
      case K_SINT:
        src.push(`  const x${i} = n${i} === 4 ? v.getInt32(p${i}, ${le}) : n${i} === 8 ? v.getBigInt64(p${i}, ${le}) : H.raw(b, p${i}, n${i});`);
        break;
      case K_BINARY:
        src.push(`  const x${i} = n${i} === 0 ? H.bin(b, p${i}, 0) : b.slice(p${i}, p${i} + n${i});`);
        break;
      case K_IP:
        src.push(`  const x${i} = H.ip(b, p${i}, n${i}, fam);`);
        break;
      case K_NEST:
        if (a.header !== null) src.push(`  const x${i} = H.val(A[${i}], b, v, p${i}, n${i}, fam);`);
        else src.push(`  const x${i} = H.nest(A[${i}], b, v, p${i}, n${i}, fam);`);
        break;
      case K_STRUCT: {
        // The generated decoder when the size is exact (the common case), the walker otherwise.
        const f = H.structDecoder(a);
        if (f === null) src.push(`  const x${i} = H.val(A[${i}], b, v, p${i}, n${i}, fam);`);
        else {
          S[i] = f;
          src.push(`  const x${i} = n${i} === ${a.struct!.size} ? S[${i}](b, v, p${i}) : H.struct(A[${i}], b, v, p${i}, n${i});`);
        }
        break;
      }
      case K_ARRAY: {
        const w = a.subWidth;
        const build = [
          `    const c = n${i} / ${w}; x${i} = new Array(c);`,
          `    for (let k = 0, q = p${i}; k < c; k++, q += ${w}) x${i}[k] = ${elementSource(a.subKind, 'q', le)};`,
        ];
        src.push(`  let x${i};`, `  if (n${i} % ${w} !== 0) x${i} = H.raw(b, p${i}, n${i});`);
        if (w === 4 || w === 8) {
          // Repeated payloads (per-device sysctls, zero counters) come from a literal (see ArrayCache).
          AC[i] = { words: null, make: null, seen: null, misses: 0, compiles: 0 };
          src.push(
            `  else if (AC[${i}].make !== null && H.sameWords(v, p${i}, n${i}, AC[${i}].words)) x${i} = AC[${i}].make();`,
            `  else {`,
            ...build,
            `    if (n${i} <= ${ARRAY_CACHE_MAX} && AC[${i}].compiles < ${ARRAY_COMPILES} && (AC[${i}].misses++ & 7) === 0) H.learnArray(AC[${i}], v, p${i}, n${i}, x${i});`,
            `  }`,
          );
        } else src.push(`  else {`, ...build, `  }`);
        break;
      }
      case K_S64:
        src.push(`  const x${i} = v.getBigInt64(p${i}, ${le});`);
        break;
      case K_FLAG:
        src.push(`  const x${i} = true;`);
        break;
      case K_BITFIELD32:
        src.push(`  const x${i} = { value: v.getUint32(p${i}, true), selector: v.getUint32(p${i} + 4, true) };`);
        break;
      case K_STRING:
        src.push(`  const x${i} = H.str(b, p${i}, n${i});`, `  if (x${i} === undefined) return null;`);
        break;
      case K_MAC:
        src.push(`  const x${i} = n${i} === 6 ? H.mac(b, p${i}) : b.slice(p${i}, p${i} + n${i});`);
        break;
      case K_SUBMSG: {
        // The selector as the walker sees it: the sibling's first occurrence, if it came before.
        const sel = set.byName.get(a.selector);
        const j = sel === undefined ? -1 : firstIndex(types, sel.type, i);
        src.push(`  const x${i} = H.sub(A[${i}], b, v, p${i}, n${i}, fam, ${j >= 0 ? `x${j}` : 'undefined'});`);
        src.push(`  { const ff = H.ff(); if ((ff >= 0 ? ff : ${a.defFlags}) !== f${i}) return null; }`);
        break;
      }
      default:
        src.push(`  const x${i} = H.val(A[${i}], b, v, p${i}, n${i}, fam);`);
        break;
    }
  }
  // 3. One literal: keys in first-occurrence order, multi-attr values as arrays.
  const props = keyOrder.map((k) => {
    const list = occ.get(k)!;
    const a = attrs[list[0]!];
    const val = a !== undefined && a.multi ? `[${list.map((i) => `x${i}`).join(', ')}]` : `x${list[0]}`;
    return `    ${JSON.stringify(k)}: ${val},`;
  });
  src.push('  return {', ...props, '  };', '};');
  try {
    const factory = new Function('H', 'A', 'E', 'S', 'SB', 'AC', src.join('\n')) as (h: LayoutHelpers, a: unknown, e: unknown, s: unknown, sb: unknown, ac: unknown) => LayoutDecoder;
    return factory(H, A, E, S, SMALL_BIGINTS, AC);
  } catch {
    available = false;
    return null;
  }
}

/** Index of the first attribute of type `type` before ordinal `before`, or -1. */
function firstIndex(types: ArrayLike<number>, type: number, before: number): number {
  for (let i = 0; i < before; i++) if (types[i] === type) return i;
  return -1;
}

/** What compiled fixed-header decoders call back into. */
export interface HeadedHelpers {
  u64(v: DataView, p: number, le: boolean): bigint;
  en(e: CEnum, x: number): string | number;
  fl(e: CEnum, x: number): Array<string | number>;
  mac(b: Uint8Array, p: number): string;
  ip4(b: Uint8Array, p: number): string;
  ip6(b: Uint8Array, p: number): string;
  /** A nested struct member as an object. */
  struct(st: CStruct, b: Uint8Array, v: DataView, p: number): Record<string, unknown>;
  zp(b: Uint8Array, from: number, to: number): boolean;
  /** The attributes after the header (the walker's decodeAttrs, depth counted). */
  attrs(set: CSet, b: Uint8Array, v: DataView, start: number, end: number, fam: number): Record<string, unknown>;
}

/**
 * A message body (fixed header + attributes) as one literal `{ header, ...members, attrs }`,
 * or null when the walker must decode it (payload shorter than the header, a nonzero pad
 * member or alignment gap: the cases it records as `$pad`, `$headerPad`, `$raw`).
 */
export type HeadedDecoder = (header: unknown, b: Uint8Array, v: DataView, p: number, end: number, fam: number) => Record<string, unknown> | null;

/** The value expression of a struct member at `p + offset` (as the walker's decodeStructInto reads it). */
function memberSource(m: CMember, i: number, consts: unknown[]): string {
  const q = m.offset === 0 ? 'p' : `p + ${m.offset}`;
  const le = m.le ? 'true' : 'false';
  let read: string;
  switch (m.kind) {
    case K_U8: read = `b[${q}]`; break;
    case K_U16: read = `v.getUint16(${q}, ${le})`; break;
    case K_U32: read = `v.getUint32(${q}, ${le})`; break;
    case K_S8: read = `v.getInt8(${q})`; break;
    case K_S16: read = `v.getInt16(${q}, ${le})`; break;
    case K_S32: read = `v.getInt32(${q}, ${le})`; break;
    case K_U64: return m.le ? u64Source(q) : `H.u64(v, ${q}, false)`;
    case K_S64: return `v.getBigInt64(${q}, ${le})`;
    case K_MAC: return `H.mac(b, ${q})`;
    case K_IP: return m.size === 4 ? `H.ip4(b, ${q})` : `H.ip6(b, ${q})`;
    case K_STRUCT:
      consts[i] = m.struct;
      return `H.struct(C[${i}], b, v, ${q})`;
    default: return `b.slice(${q}, ${q} + ${m.size})`;
  }
  if (m.en === null) return read;
  consts[i] = m.en;
  return m.asFlags ? `H.fl(C[${i}], ${read})` : `H.en(C[${i}], ${read})`;
}

/**
 * Compile the body decoder for fixed header `st` followed by attribute set `set` (a message
 * type), or null when code cannot be compiled here.
 */
export function compileHeaded(st: CStruct, set: CSet, H: HeadedHelpers): HeadedDecoder | null {
  if (!canCompile()) return null;
  const hs = (st.size + 3) & ~3;
  const src = ['"use strict";', `return function decode_${st.name.replace(/[^A-Za-z0-9]/g, '_')}_body(h, b, v, p, end, fam) {`, '  let t = 0;'];
  src.push(`  if (end - p < ${hs}) return null;`);
  for (const m of st.members) if (m.kind === 0) src.push(`  if (!H.zp(b, p + ${m.offset}, p + ${m.offset + m.size})) return null;`);
  if (hs > st.size) src.push(`  if (!H.zp(b, p + ${st.size}, p + ${hs})) return null;`);
  if (st.familyOffset >= 0) src.push(`  fam = b[p + ${st.familyOffset}];`);
  const consts: unknown[] = [];
  const props = ['    header: h,'];
  st.members.forEach((m, i) => {
    if (m.kind === 0 || m.name === '__proto__') return;
    props.push(`    ${JSON.stringify(m.name)}: ${memberSource(m, i, consts)},`);
  });
  // attrs last: the members above are evaluated first, as the walker reads them.
  props.push(`    attrs: H.attrs(SET, b, v, p + ${hs}, end, fam),`);
  src.push('  return {', ...props, '  };', '};');
  if (st.members.some((m) => m.name === '__proto__' || m.name === 'header' || m.name === 'attrs')) return null;
  try {
    const factory = new Function('H', 'C', 'SET', 'SB', src.join('\n')) as (h: unknown, c: unknown, s: unknown, sb: unknown) => HeadedDecoder;
    return factory(H, consts, set, SMALL_BIGINTS);
  } catch {
    available = false;
    return null;
  }
}
