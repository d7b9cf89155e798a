/**
 * The attribute walker (encode side). `measure*` computes the exact size once;
 * `write*` then fills one buffer front to back, writing each payload first and
 * its 4-byte header afterwards (so nested sizes are never computed twice).
 * Errors are TypeError/RangeError whose message starts with the attribute path
 * (`.linkinfo.data.id: ...`).
 */
import {
  K_ARRAY, K_BITFIELD32, K_FLAG, K_INDEXED, K_IP, K_MAC, K_NEST, K_NEST_LIST, K_S16, K_S32, K_S64, K_S8,
  K_SINT, K_STRING, K_STRUCT, K_STRUCT_ARRAY, K_SUBMSG, K_U16, K_U32, K_U64, K_U8, K_UINT, KIND_WIDTH,
  type CAttr, type CEnum, type CMember, type CSet, type CStruct,
} from './compile.js';
import { NLA_TYPE_MASK } from './decode.js';
import { parseIp, parseMac, utf8Length, writeUtf8 } from './text.js';

type Obj = Record<string, unknown>;

const MAX_ATTR = 0xffff;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a Uint8Array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return String(v);
  return typeof v;
}

function typeError(path: string, what: string, v: unknown): TypeError {
  return new TypeError(`${path || '.'}: expected ${what}, got ${describe(v)}`);
}

function rawOf(v: unknown): Uint8Array | undefined {
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v)) {
    const r = (v as Obj).$raw;
    if (r instanceof Uint8Array) return r;
  }
  return undefined;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

// ---------------------------------------------------------------- scalars

const RANGE: ReadonlyArray<readonly [number, number]> = [
  [0, 0], [0, 0xff], [0, 0xffff], [0, 0xffffffff], [0, 0], [-0x80, 0x7f], [-0x8000, 0x7fff], [-0x80000000, 0x7fffffff],
];

/** A number for a <= 32-bit scalar, from a number, an enum name or an array of flag names. */
function scalarNumber(kind: number, en: CEnum | null, asFlags: boolean, val: unknown, path: string): number {
  let n: number;
  if (typeof val === 'number') n = val;
  else if (en !== null && typeof val === 'string') {
    const e = en.byName.get(val);
    if (e === undefined) throw new RangeError(`${path}: unknown ${en.key.split('/')[1]} name ${JSON.stringify(val)} (known: ${[...en.byName.keys()].join(', ')})`);
    n = e;
  } else if (en !== null && asFlags && Array.isArray(val)) {
    n = 0;
    for (const f of val) {
      if (typeof f === 'number' && Number.isInteger(f) && f >= 0 && f <= 0xffffffff) n = (n | f) >>> 0;
      else if (typeof f === 'string') {
        const e = en.byName.get(f);
        if (e === undefined) throw new RangeError(`${path}: unknown flag ${JSON.stringify(f)} (known: ${[...en.byName.keys()].join(', ')})`);
        n = (n | e) >>> 0;
      } else throw typeError(path, 'flag names or numbers', f);
    }
  } else throw typeError(path, en === null ? 'a number' : asFlags ? 'an array of flag names' : 'a number or enum name', val);
  const r = RANGE[kind]!;
  if (!Number.isInteger(n) || n < r[0] || n > r[1]) {
    // flag sets of signed members are bit masks: accept the unsigned form too
    if (!(kind >= K_S8 && Number.isInteger(n) && n >= 0 && n <= -r[0] * 2 - 1)) throw new RangeError(`${path}: ${n} does not fit ${kindName(kind)}`);
  }
  return n;
}

function kindName(kind: number): string {
  return ['', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64'][kind] ?? 'this type';
}

function bigValue(kind: number, val: unknown, path: string): bigint {
  let n: bigint;
  if (typeof val === 'bigint') n = val;
  else if (typeof val === 'number' && Number.isSafeInteger(val)) n = BigInt(val);
  else throw typeError(path, 'a bigint', val);
  if (kind === K_U64 ? n < 0n || n > 0xffffffffffffffffn : n < -0x8000000000000000n || n > 0x7fffffffffffffffn)
    throw new RangeError(`${path}: ${n} does not fit ${kindName(kind)}`);
  return n;
}

function writeScalar(kind: number, le: boolean, en: CEnum | null, asFlags: boolean, val: unknown, b: Uint8Array, v: DataView, p: number, path: string): void {
  switch (kind) {
    case K_U64:
      v.setBigUint64(p, bigValue(kind, val, path), le);
      return;
    case K_S64:
      v.setBigInt64(p, bigValue(kind, val, path), le);
      return;
  }
  const n = scalarNumber(kind, en, asFlags, val, path);
  switch (kind) {
    case K_U8: case K_S8: b[p] = n & 0xff; return;
    case K_U16: case K_S16: v.setUint16(p, n & 0xffff, le); return;
    default: v.setUint32(p, n >>> 0, le); return;
  }
}

// ---------------------------------------------------------------- structs

function structSize(st: CStruct, val: unknown, path: string): number {
  if (val instanceof Uint8Array) return val.length;
  const r = rawOf(val);
  if (r !== undefined) return r.length;
  if (!isObj(val)) throw typeError(path, `a ${st.name} object`, val);
  const tail = val.$tail;
  return st.size + (tail instanceof Uint8Array ? tail.length : 0);
}

/** Write struct members of `val` at `p` (zeros for missing members); returns the end offset. */
export function writeStruct(st: CStruct, val: Obj, b: Uint8Array, v: DataView, p: number, path: string, withTail: boolean): number {
  b.fill(0, p, p + st.size);
  const pads = val.$pad as Record<string, Uint8Array> | undefined;
  for (const m of st.members) {
    const q = p + m.offset;
    if (m.kind === 0) {
      const pb = pads?.[m.name];
      if (pb instanceof Uint8Array) b.set(pb.subarray(0, m.size), q);
      continue;
    }
    const mv = val[m.name];
    if (mv === undefined) continue;
    writeMember(m, mv, b, v, q, `${path}.${m.name}`);
  }
  let end = p + st.size;
  if (withTail) {
    const tail = val.$tail;
    if (tail instanceof Uint8Array) {
      b.set(tail, end);
      end += tail.length;
    }
  }
  return end;
}

function writeMember(m: CMember, mv: unknown, b: Uint8Array, v: DataView, q: number, path: string): void {
  switch (m.kind) {
    case K_U8: case K_U16: case K_U32: case K_U64: case K_S8: case K_S16: case K_S32: case K_S64:
      writeScalar(m.kind, m.le, m.en, m.asFlags, mv, b, v, q, path);
      return;
    case K_STRUCT:
      if (!isObj(mv)) throw typeError(path, `a ${m.struct!.name} object`, mv);
      writeStruct(m.struct!, mv, b, v, q, path, false);
      return;
    case K_MAC:
    case K_IP: {
      const bytes = typeof mv === 'string' ? (m.kind === K_MAC ? parseMac(mv) : parseIp(mv)) : mv;
      if (!(bytes instanceof Uint8Array) || bytes.length !== m.size) throw typeError(path, m.kind === K_MAC ? 'a MAC address' : `an IPv${m.size === 4 ? 4 : 6} address`, mv);
      b.set(bytes, q);
      return;
    }
    default: {
      if (!(mv instanceof Uint8Array)) throw typeError(path, 'a Uint8Array', mv);
      if (mv.length > m.size) throw new RangeError(`${path}: ${mv.length} bytes do not fit ${m.size}`);
      b.set(mv, q);
    }
  }
}

// ---------------------------------------------------------------- headed (fixed header + attrs)

/** Size of `{ ...headerMembers, attrs }` (or `$raw`). */
export function measureHeaded(st: CStruct, set: CSet, val: unknown, path: string): number {
  if (!isObj(val)) throw typeError(path, `an object with ${st.name} members and attrs`, val);
  const r = val.$raw;
  if (r instanceof Uint8Array) return r.length;
  const hp = val.$headerPad;
  const hs = hp instanceof Uint8Array ? st.size + hp.length : (st.size + 3) & ~3;
  const attrs = val.attrs;
  if (attrs === undefined) return hs;
  if (!isObj(attrs)) throw typeError(`${path}.attrs`, 'an object', attrs);
  return hs + measureAttrs(set, attrs, path);
}

export function writeHeaded(st: CStruct, set: CSet, val: Obj, b: Uint8Array, v: DataView, p: number, path: string): number {
  const r = val.$raw;
  if (r instanceof Uint8Array) {
    b.set(r, p);
    return p + r.length;
  }
  let off = writeStruct(st, val, b, v, p, path, false);
  const hp = val.$headerPad;
  if (hp instanceof Uint8Array) {
    b.set(hp, off);
    off += hp.length;
  } else {
    const hs = p + ((st.size + 3) & ~3);
    b.fill(0, off, hs);
    off = hs;
  }
  const attrs = val.attrs;
  if (attrs === undefined) return off;
  return writeAttrs(set, attrs as Obj, b, v, off, path);
}

// ---------------------------------------------------------------- attribute values

function bytesOf(val: unknown): Uint8Array | undefined {
  return val instanceof Uint8Array ? val : rawOf(val);
}

function uintWidth(val: unknown, signed: boolean, path: string): number {
  if (typeof val === 'bigint') return 8;
  if (typeof val !== 'number' || !Number.isSafeInteger(val)) throw typeError(path, 'an integer or bigint', val);
  if (signed) return val >= -0x80000000 && val <= 0x7fffffff ? 4 : 8;
  if (val < 0) throw new RangeError(`${path}: ${val} is negative`);
  return val <= 0xffffffff ? 4 : 8;
}

function selectFormat(a: CAttr, obj: Obj, path: string) {
  const sel = obj[a.selector];
  const f = typeof sel === 'string' ? a.subMsg!.formats.get(sel) : undefined;
  if (f === undefined || (f.set === null && f.header === null))
    throw new TypeError(`${path}: no ${a.name} format for ${a.selector} ${typeof sel === 'string' ? JSON.stringify(sel) : describe(sel)}; give the payload as a Uint8Array`);
  return f;
}

/** Payload size of one attribute value. */
function payloadSize(a: CAttr, val: unknown, path: string, obj: Obj): number {
  const raw = bytesOf(val);
  if (raw !== undefined) return raw.length;
  const kind = a.kind;
  if (kind <= K_S64) return KIND_WIDTH[kind]!;
  switch (kind) {
    case K_UINT: return uintWidth(val, false, path);
    case K_SINT: return uintWidth(val, true, path);
    case K_STRING: {
      if (typeof val !== 'string') throw typeError(path, 'a string', val);
      const n = utf8Length(val);
      if (n < 0) throw new TypeError(`${path}: string contains a NUL or a lone surrogate`);
      return n + 1;
    }
    case K_FLAG:
      if (val !== true) throw typeError(path, 'true', val);
      return 0;
    case K_NEST:
      if (a.header !== null) return measureHeaded(a.header, a.set!, val, path);
      if (!isObj(val)) throw typeError(path, 'an object of attributes', val);
      return measureAttrs(a.set!, val, path);
    case K_MAC:
      if (typeof val === 'string') {
        if (parseMac(val) === undefined) throw typeError(path, 'a MAC address like aa:bb:cc:dd:ee:ff', val);
        return 6;
      }
      break;
    case K_IP:
      if (typeof val === 'string') {
        const ip = parseIp(val);
        if (ip === undefined) throw typeError(path, 'an IPv4 or IPv6 address', val);
        return ip.length;
      }
      break;
    case K_STRUCT:
      return structSize(a.struct!, val, path);
    case K_ARRAY:
      if (Array.isArray(val)) return val.length * a.subWidth;
      break;
    case K_SUBMSG: {
      if (val instanceof Uint8Array) return val.length;
      const f = selectFormat(a, obj, path);
      if (f.header !== null) return measureHeaded(f.header, f.set!, val, path);
      if (!isObj(val)) throw typeError(path, 'an object of attributes', val);
      return measureAttrs(f.set!, val, path);
    }
    case K_INDEXED: {
      if (!Array.isArray(val)) break;
      let n = 0;
      for (let i = 0; i < val.length; i++) n += (4 + indexedItemSize(a, val[i], `${path}[${i}]`) + 3) & ~3;
      return n;
    }
    case K_BITFIELD32:
      return 8;
    case K_STRUCT_ARRAY:
      if (Array.isArray(val)) return val.length * a.struct!.size;
      break;
    case K_NEST_LIST: {
      if (!Array.isArray(val)) break;
      const hs = (a.struct!.size + 3) & ~3;
      let n = 0;
      for (let i = 0; i < val.length; i++) {
        const it = val[i];
        const ip = `${path}[${i}]`;
        if (!isObj(it)) throw typeError(ip, `a ${a.struct!.name} object`, it);
        const attrs = it.attrs;
        if (attrs !== undefined && !isObj(attrs)) throw typeError(`${ip}.attrs`, 'an object', attrs);
        n += (hs + (attrs === undefined ? 0 : measureAttrs(a.set!, attrs, ip)) + 3) & ~3;
      }
      return n;
    }
    default:
      break;
  }
  const bytes = bytesOf(val);
  if (bytes === undefined) throw typeError(path, expected(a), val);
  return bytes.length;
}

function expected(a: CAttr): string {
  switch (a.kind) {
    case K_MAC: return 'a MAC address or a Uint8Array';
    case K_IP: return 'an IP address or a Uint8Array';
    case K_ARRAY: return `an array of ${kindName(a.subKind)}`;
    case K_INDEXED: case K_STRUCT_ARRAY: case K_NEST_LIST: return 'an array';
    default: return 'a Uint8Array';
  }
}

function indexedItemSize(a: CAttr, it: unknown, path: string): number {
  switch (a.subKind) {
    case K_NEST:
      if (!isObj(it)) throw typeError(path, 'an object of attributes', it);
      return measureAttrs(a.set!, it, path);
    case K_STRING: {
      if (typeof it !== 'string') throw typeError(path, 'a string', it);
      const n = utf8Length(it);
      if (n < 0) throw new TypeError(`${path}: string contains a NUL or a lone surrogate`);
      return n + 1;
    }
    case 12: /* K_BINARY */ {
      if (typeof it === 'string') {
        const bytes = a.subHint === 'mac' ? parseMac(it) : parseIp(it);
        if (bytes === undefined) throw typeError(path, a.subHint === 'mac' ? 'a MAC address' : 'an IP address', it);
        return bytes.length;
      }
      if (!(it instanceof Uint8Array)) throw typeError(path, 'a Uint8Array', it);
      return it.length;
    }
    default:
      return a.subWidth;
  }
}

function writeIndexedItem(a: CAttr, it: unknown, b: Uint8Array, v: DataView, p: number, path: string): number {
  switch (a.subKind) {
    case K_NEST:
      return writeAttrs(a.set!, it as Obj, b, v, p, path);
    case K_STRING: {
      const n = writeUtf8(it as string, b, p);
      b[p + n] = 0;
      return p + n + 1;
    }
    case 12: {
      const bytes = typeof it === 'string' ? (a.subHint === 'mac' ? parseMac(it)! : parseIp(it)!) : (it as Uint8Array);
      b.set(bytes, p);
      return p + bytes.length;
    }
    default:
      if (a.subHint === 'ipv4' && typeof it === 'string') {
        const ip = parseIp(it);
        if (ip === undefined || ip.length !== 4) throw typeError(path, 'an IPv4 address', it);
        b.set(ip, p);
      } else writeScalar(a.subKind, a.le, null, false, it, b, v, p, path);
      return p + a.subWidth;
  }
}

/** Write one payload at `p`; returns the end offset (unpadded). */
function writePayload(a: CAttr, val: unknown, b: Uint8Array, v: DataView, p: number, path: string, obj: Obj): number {
  const raw = bytesOf(val);
  if (raw !== undefined) {
    b.set(raw, p);
    return p + raw.length;
  }
  const kind = a.kind;
  if (kind <= K_S64) {
    writeScalar(kind, a.le, a.en, a.asFlags, val, b, v, p, path);
    return p + KIND_WIDTH[kind]!;
  }
  switch (kind) {
    case K_UINT: case K_SINT: {
      const w = uintWidth(val, kind === K_SINT, path);
      if (w === 4) writeScalar(kind === K_SINT ? K_S32 : K_U32, a.le, null, false, val, b, v, p, path);
      else writeScalar(kind === K_SINT ? K_S64 : K_U64, a.le, null, false, val, b, v, p, path);
      return p + w;
    }
    case K_STRING: {
      const n = writeUtf8(val as string, b, p);
      b[p + n] = 0;
      return p + n + 1;
    }
    case K_FLAG:
      return p;
    case K_NEST:
      if (a.header !== null) return writeHeaded(a.header, a.set!, val as Obj, b, v, p, path);
      return writeAttrs(a.set!, val as Obj, b, v, p, path);
    case K_MAC:
    case K_IP:
      if (typeof val === 'string') {
        const bytes = kind === K_MAC ? parseMac(val)! : parseIp(val)!;
        b.set(bytes, p);
        return p + bytes.length;
      }
      break;
    case K_STRUCT:
      if (isObj(val)) return writeStruct(a.struct!, val, b, v, p, path, true);
      break;
    case K_ARRAY:
      if (Array.isArray(val)) {
        const w = a.subWidth;
        for (let i = 0; i < val.length; i++) writeScalar(a.subKind, a.le, null, false, val[i], b, v, p + i * w, `${path}[${i}]`);
        return p + val.length * w;
      }
      break;
    case K_SUBMSG: {
      if (val instanceof Uint8Array) break;
      const f = selectFormat(a, obj, path);
      if (f.header !== null) return writeHeaded(f.header, f.set!, val as Obj, b, v, p, path);
      return writeAttrs(f.set!, val as Obj, b, v, p, path);
    }
    case K_INDEXED: {
      const arr = val as unknown[];
      let off = p;
      for (let i = 0; i < arr.length; i++) {
        const end = writeIndexedItem(a, arr[i], b, v, off + 4, `${path}[${i}]`);
        const len = end - off;
        v.setUint16(off, len, true);
        v.setUint16(off + 2, i, true);
        const next = off + ((len + 3) & ~3);
        b.fill(0, end, next);
        off = next;
      }
      return off;
    }
    case K_BITFIELD32: {
      if (!isObj(val)) throw typeError(path, 'an object { value, selector }', val);
      writeScalar(K_U32, true, null, false, val.value, b, v, p, `${path}.value`);
      writeScalar(K_U32, true, null, false, val.selector, b, v, p + 4, `${path}.selector`);
      return p + 8;
    }
    case K_STRUCT_ARRAY: {
      if (!Array.isArray(val)) break;
      const st = a.struct!;
      for (let i = 0; i < val.length; i++) {
        const it = val[i];
        if (!isObj(it)) throw typeError(`${path}[${i}]`, `a ${st.name} object`, it);
        writeStruct(st, it, b, v, p + i * st.size, `${path}[${i}]`, false);
      }
      return p + val.length * st.size;
    }
    case K_NEST_LIST: {
      if (!Array.isArray(val)) break;
      const st = a.struct!;
      const lm = st.members.find((m) => m.name === a.lengthMember)!;
      const hs = (st.size + 3) & ~3;
      let off = p;
      for (let i = 0; i < val.length; i++) {
        const it = val[i] as Obj;
        const ip = `${path}[${i}]`;
        writeStruct(st, it, b, v, off, ip, false);
        b.fill(0, off + st.size, off + hs);
        const end = it.attrs === undefined ? off + hs : writeAttrs(a.set!, it.attrs as Obj, b, v, off + hs, ip);
        const len = end - off;
        if (lm.size === 2) v.setUint16(off + lm.offset, len, true);
        else b[off + lm.offset] = len;
        const next = off + ((len + 3) & ~3);
        b.fill(0, end, next);
        off = next;
      }
      return off;
    }
    default:
      break;
  }
  const bytes = bytesOf(val);
  if (bytes === undefined) throw typeError(path, expected(a), val);
  b.set(bytes, p);
  return p + bytes.length;
}

// ---------------------------------------------------------------- attribute lists

function flagsFor(obj: Obj, key: string, index: number, def: number): number {
  const f = obj.$flags as Record<string, unknown> | undefined;
  if (f === undefined) return def;
  const x = f[key];
  if (typeof x === 'number') return x;
  if (Array.isArray(x)) {
    const y = x[index < 0 ? 0 : index];
    if (typeof y === 'number') return y;
  }
  return def;
}

function unknownAttr(val: unknown, path: string): { type: number; flags: number; bytes: Uint8Array } {
  if (isObj(val) && typeof val.type === 'number' && val.bytes instanceof Uint8Array) {
    const flags = val.flags === undefined ? 0 : val.flags;
    if (typeof flags !== 'number') throw typeError(`${path}.flags`, 'a number', flags);
    if (!Number.isInteger(val.type) || val.type < 0 || val.type > NLA_TYPE_MASK) throw new RangeError(`${path}.type: ${val.type} is not an attribute type`);
    return { type: val.type, flags: flags & ~NLA_TYPE_MASK, bytes: val.bytes };
  }
  throw typeError(path, 'an unknown attribute { type, flags, bytes }', val);
}

/** Was this string occurrence sent without its NUL (`$unterminated`)? */
function isUnterminated(obj: Obj, key: string, index: number): boolean {
  const u = obj.$unterminated as Record<string, unknown> | undefined;
  if (u === undefined) return false;
  const x = u[key];
  if (x === true) return true;
  return Array.isArray(x) && x[index < 0 ? 0 : index] === true;
}

/** Is the value of `key` an array of occurrences (multi-attr or repeated)? */
function isMulti(a: CAttr | undefined, obj: Obj, key: string, val: unknown): boolean {
  if (a !== undefined && a.multi) return Array.isArray(val);
  const rep = obj.$repeated;
  return Array.isArray(rep) && rep.includes(key);
}

/**
 * Calls `visit` for each attribute in emission order. Shared by measure and write
 * so their iteration can never disagree.
 */
function eachAttr(set: CSet, obj: Obj, path: string, visit: (a: CAttr | undefined, key: string, val: unknown, index: number, ap: string) => void): void {
  const order = obj.$order;
  if (Array.isArray(order)) {
    const seen = new Map<string, number>();
    for (const key of order as string[]) {
      const all = obj[key];
      const a = set.byName.get(key);
      if (all === undefined) throw new TypeError(`${path}.$order: ${key} is not in the object`);
      if (isMulti(a, obj, key, all)) {
        const i = seen.get(key) ?? 0;
        seen.set(key, i + 1);
        if (i >= (all as unknown[]).length) throw new TypeError(`${path}.$order: more ${key} entries than values`);
        visit(a, key, (all as unknown[])[i], i, `${path}.${key}[${i}]`);
      } else visit(a, key, all, -1, `${path}.${key}`);
    }
    return;
  }
  for (const key in obj) {
    if (key.charCodeAt(0) === 36 /* $ */) continue;
    const val = obj[key];
    if (val === undefined) continue;
    const a = set.byName.get(key);
    if (a === undefined && !key.startsWith('unknown-'))
      throw new TypeError(`${path}.${key}: unknown attribute in ${set.name} (known: ${[...set.byName.keys()].join(', ')})`);
    if (a !== undefined && a.kind === K_FLAG && val === false) continue;
    if (isMulti(a, obj, key, val)) {
      const arr = val as unknown[];
      for (let i = 0; i < arr.length; i++) visit(a, key, arr[i], i, `${path}.${key}[${i}]`);
    } else visit(a, key, val, -1, `${path}.${key}`);
  }
}

/** Encoded size of an attribute object (exact: what `writeAttrs` will write). */
export function measureAttrs(set: CSet, obj: Obj, path: string): number {
  let size = 0;
  let last = 0;
  eachAttr(set, obj, path, (a, key, val, i, ap) => {
    let pl = a === undefined ? unknownAttr(val, ap).bytes.length : payloadSize(a, val, ap, obj);
    if (a !== undefined && a.kind === K_STRING && typeof val === 'string' && isUnterminated(obj, key, i)) pl--;
    if (pl + 4 > MAX_ATTR) throw new RangeError(`${ap}: ${pl} bytes do not fit one attribute (max ${MAX_ATTR - 4})`);
    last = (pl + 4 + 3) & ~3;
    size += last;
  });
  const unp = obj.$unpadded;
  if (typeof unp === 'number' && unp > 0 && unp < 4) size -= unp;
  const tr = obj.$trailing;
  if (tr instanceof Uint8Array) size += tr.length;
  return size;
}

/** Write an attribute object at `off`; returns the end offset. */
export function writeAttrs(set: CSet, obj: Obj, b: Uint8Array, v: DataView, off: number, path: string): number {
  const pads = obj.$padding as Array<[number, Uint8Array]> | undefined;
  let ordinal = 0;
  eachAttr(set, obj, path, (a, key, val, i, ap) => {
    let type: number;
    let fl: number;
    let end: number;
    if (a === undefined) {
      const u = unknownAttr(val, ap);
      type = u.type;
      fl = u.flags;
      b.set(u.bytes, off + 4);
      end = off + 4 + u.bytes.length;
    } else {
      type = a.type;
      fl = flagsFor(obj, key, i, a.defFlags);
      end = writePayload(a, val, b, v, off + 4, ap, obj);
      if (a.kind === K_STRING && typeof val === 'string' && isUnterminated(obj, key, i)) end--;
    }
    const len = end - off;
    v.setUint16(off, len, true);
    v.setUint16(off + 2, (type | fl) & 0xffff, true);
    const next = off + ((len + 3) & ~3);
    b.fill(0, end, next);
    if (pads !== undefined) {
      for (const [n, bytes] of pads) if (n === ordinal) b.set(bytes.subarray(0, Math.min(next, b.length) - end), end);
    }
    ordinal++;
    off = next;
  });
  const unp = obj.$unpadded;
  if (typeof unp === 'number' && unp > 0 && unp < 4) off -= unp;
  const tr = obj.$trailing;
  if (tr instanceof Uint8Array) {
    b.set(tr, off);
    off += tr.length;
  }
  return off;
}
