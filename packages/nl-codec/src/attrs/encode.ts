/**
 * The attribute walker (encode side). `measure*` computes the exact size once;
 * `write*` then fills one buffer front to back, writing each payload first and
 * its 4-byte header afterwards (so nested sizes are never computed twice).
 *
 * Errors are TypeError/RangeError whose message starts with the attribute path
 * (`.linkinfo.data.id: ...`). No path string is built on the hot path: each
 * level that catches an error prepends its own segment (`withPath`), and
 * `finishPath` puts the path in front of the message at the API boundary.
 */
import {
  K_ARRAY, K_BINARY, K_BITFIELD32, K_FLAG, K_INDEXED, K_IP, K_MAC, K_NEST, K_NEST_LIST, K_S16, K_S32, K_S64, K_S8,
  K_SINT, K_STRING, K_STRUCT, K_STRUCT_ARRAY, K_SUBMSG, K_U16, K_U32, K_U64, K_U8, K_UINT, KIND_WIDTH,
  type CAttr, type CFormat, type CMember, type CSet, type CStruct,
} from './compile.js';
import { NLA_TYPE_MASK, selectorText } from './decode.js';
import { bytesOf, describe, isObj, kindName, rawOf, seg, typeError, withPath, writeScalar } from './scalars.js';
import { macBytes, parseIp, utf8Length, writeUtf8 } from './text.js';
import { STRUCT_ENCODERS } from '../schema/structs.generated.js';

export { finishPath } from './scalars.js';

type Obj = Record<string, unknown>;

const MAX_ATTR = 0xffff;

// ---------------------------------------------------------------- structs

function structSize(st: CStruct, val: unknown): number {
  if (!isObj(val)) throw typeError(`a ${st.name} object`, val);
  const tail = val.$tail;
  return st.size + (tail instanceof Uint8Array ? tail.length : 0);
}

/** Write struct members of `val` at `p` (zeros for missing members); returns the end offset. */
export function writeStruct(st: CStruct, val: Obj, b: Uint8Array, v: DataView, p: number, withTail: boolean, skip = ''): number {
  let f = st.fastWrite;
  if (f === undefined) {
    f = STRUCT_ENCODERS[st.key] ?? null;
    st.fastWrite = f;
  }
  if (f !== null && skip === '') {
    f(val, b, v, p);
    return withTail ? writeTail(st, val, b, p) : p + st.size;
  }
  writeStructMembers(st, val, b, v, p, skip);
  return withTail ? writeTail(st, val, b, p) : p + st.size;
}

function writeTail(st: CStruct, val: Obj, b: Uint8Array, p: number): number {
  const end = p + st.size;
  const tail = val.$tail;
  if (!(tail instanceof Uint8Array)) return end;
  b.set(tail, end);
  return end + tail.length;
}

/** The generic member loop (reference for the generated encoders; used for nest-list items). */
export function writeStructMembers(st: CStruct, val: Obj, b: Uint8Array, v: DataView, p: number, skip = ''): void {
  b.fill(0, p, p + st.size);
  const pads = val.$pad as Record<string, Uint8Array> | undefined;
  const ms = st.members;
  let i = 0;
  try {
    for (; i < ms.length; i++) {
      const m = ms[i]!;
      const q = p + m.offset;
      if (m.kind === 0) {
        const pb = pads?.[m.name];
        if (pb instanceof Uint8Array) b.set(pb.subarray(0, m.size), q);
        continue;
      }
      if (m.name === skip) continue;
      const mv = val[m.name];
      if (mv === undefined) continue;
      writeMember(m, mv, b, v, q);
    }
  } catch (e) {
    throw withPath(e, `.${ms[i]!.name}`);
  }
}

function writeMember(m: CMember, mv: unknown, b: Uint8Array, v: DataView, q: number): void {
  switch (m.kind) {
    case K_U8: case K_U16: case K_U32: case K_U64: case K_S8: case K_S16: case K_S32: case K_S64:
      writeScalar(m.kind, m.le, m.en, m.asFlags, mv, b, v, q);
      return;
    case K_STRUCT:
      if (!isObj(mv)) throw typeError(`a ${m.struct!.name} object`, mv);
      writeStruct(m.struct!, mv, b, v, q, false);
      return;
    case K_MAC:
    case K_IP: {
      const bytes = typeof mv === 'string' ? (m.kind === K_MAC ? macBytes(mv) : parseIp(mv)) : mv;
      if (!(bytes instanceof Uint8Array) || bytes.length !== m.size) throw typeError(m.kind === K_MAC ? 'a MAC address' : `an IPv${m.size === 4 ? 4 : 6} address`, mv);
      b.set(bytes, q);
      return;
    }
    default: {
      if (!(mv instanceof Uint8Array)) throw typeError('a Uint8Array', mv);
      if (mv.length > m.size) throw new RangeError(`${mv.length} bytes do not fit ${m.size}`);
      b.set(mv, q);
    }
  }
}

// ---------------------------------------------------------------- headed (fixed header + attrs)

/** Size of `{ ...headerMembers, attrs }` (or `$raw`). */
export function measureHeaded(st: CStruct, set: CSet, val: unknown): number {
  if (!isObj(val)) throw typeError(`an object with ${st.name} members and attrs`, val);
  const r = val.$raw;
  if (r instanceof Uint8Array) return r.length;
  const hp = val.$headerPad;
  const hs = hp instanceof Uint8Array ? st.size + hp.length : (st.size + 3) & ~3;
  const attrs = val.attrs;
  if (attrs === undefined) return hs;
  if (!isObj(attrs)) throw withPath(typeError('an object', attrs), '.attrs');
  const saved = family;
  family = familyOf(st, val);
  try {
    return hs + measureAttrs(set, attrs);
  } finally {
    family = saved;
  }
}

export function writeHeaded(st: CStruct, set: CSet, val: Obj, b: Uint8Array, v: DataView, p: number): number {
  const r = val.$raw;
  if (r instanceof Uint8Array) {
    b.set(r, p);
    return p + r.length;
  }
  let off = writeStruct(st, val, b, v, p, false);
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
  const saved = family;
  family = familyOf(st, val);
  try {
    return writeAttrs(set, attrs as Obj, b, v, off);
  } finally {
    family = saved;
  }
}

// ---------------------------------------------------------------- attribute values

function uintWidth(val: unknown, signed: boolean): number {
  if (typeof val === 'bigint') return 8;
  if (typeof val !== 'number' || !Number.isSafeInteger(val)) throw typeError('an integer or bigint', val);
  if (signed) return val >= -0x80000000 && val <= 0x7fffffff ? 4 : 8;
  if (val < 0) throw new RangeError(`${val} is negative`);
  return val <= 0xffffffff ? 4 : 8;
}

/**
 * Address family of the innermost fixed header being written (for `$family`
 * sub-message selectors such as IFLA_PROTINFO); saved and restored around
 * every headed object.
 */
let family = 0;

function familyOf(st: CStruct, val: Obj): number {
  if (st.familyMember === undefined) return family;
  const f = val[st.familyMember];
  return typeof f === 'number' ? f : 0;
}

function selectFormat(a: CAttr, obj: Obj): CFormat {
  const raw = a.selector === '$family' ? String(family) : obj[a.selector];
  const sel = selectorText(raw);
  const formats = a.subMsg!.formats;
  const f = (sel !== undefined ? formats.get(sel) : undefined) ?? formats.get('*');
  if (f === undefined || (f.set === null && f.header === null))
    throw new TypeError(
      `no ${a.name} format for ${a.selector === '$family' ? 'address family' : a.selector} ${sel !== undefined ? JSON.stringify(sel) : describe(raw)}; give the payload as a Uint8Array`,
    );
  return f;
}

function formatFlags(a: CAttr, obj: Obj): number {
  const f = selectFormat(a, obj).flags;
  return f >= 0 ? f : a.defFlags;
}

function stringSize(val: unknown): number {
  if (typeof val !== 'string') throw typeError('a string', val);
  const n = utf8Length(val);
  if (n < 0) throw new TypeError('string contains a NUL or a lone surrogate');
  return n + 1;
}

function expected(a: CAttr): string {
  switch (a.kind) {
    case K_MAC: return 'a MAC address or a Uint8Array';
    case K_IP: return 'an IP address or a Uint8Array';
    case K_ARRAY: return `an array of ${kindName(a.subKind)}`;
    case K_INDEXED: return 'an array';
    case K_STRUCT_ARRAY: return `an array of ${a.struct!.name} objects`;
    case K_NEST_LIST: return `an array of ${a.struct!.name} objects`;
    default: return 'a Uint8Array';
  }
}

/** Payload size of one attribute value. */
function payloadSize(a: CAttr, val: unknown, obj: Obj): number {
  const raw = bytesOf(val);
  if (raw !== undefined) return raw.length;
  const kind = a.kind;
  if (kind <= K_S64) return KIND_WIDTH[kind]!;
  switch (kind) {
    case K_UINT: return uintWidth(val, false);
    case K_SINT: return uintWidth(val, true);
    case K_STRING: return stringSize(val);
    case K_FLAG:
      if (val !== true) throw typeError('true', val);
      return 0;
    case K_NEST:
      if (a.header !== null) return measureHeaded(a.header, a.set!, val);
      if (!isObj(val)) throw typeError('an object of attributes', val);
      return measureAttrs(a.set!, val);
    case K_MAC:
      if (typeof val !== 'string') break;
      if (macBytes(val) === undefined) throw typeError('a MAC address like aa:bb:cc:dd:ee:ff', val);
      return 6;
    case K_IP: {
      if (typeof val !== 'string') break;
      const ip = parseIp(val);
      if (ip === undefined) throw typeError('an IPv4 or IPv6 address', val);
      return ip.length;
    }
    case K_STRUCT:
      return structSize(a.struct!, val);
    case K_ARRAY:
      if (!Array.isArray(val)) break;
      return val.length * a.subWidth;
    case K_SUBMSG: {
      const f = selectFormat(a, obj);
      if (f.header !== null) return measureHeaded(f.header, f.set!, val);
      if (!isObj(val)) throw typeError('an object of attributes', val);
      return measureAttrs(f.set!, val);
    }
    case K_INDEXED: {
      if (!Array.isArray(val)) break;
      let n = 0;
      for (let i = 0; i < val.length; i++) {
        try {
          n += (4 + indexedItemSize(a, val[i]) + 3) & ~3;
        } catch (e) {
          throw withPath(e, `[${i}]`);
        }
      }
      return n;
    }
    case K_BITFIELD32:
      return 8;
    case K_STRUCT_ARRAY:
      if (!Array.isArray(val)) break;
      return val.length * a.struct!.size;
    case K_NEST_LIST: {
      if (!Array.isArray(val)) break;
      const hs = (a.struct!.size + 3) & ~3;
      let n = 0;
      for (let i = 0; i < val.length; i++) {
        const it = val[i];
        try {
          if (!isObj(it)) throw typeError(`a ${a.struct!.name} object`, it);
          const attrs = it.attrs;
          if (attrs !== undefined && !isObj(attrs)) throw withPath(typeError('an object', attrs), '.attrs');
          n += (hs + (attrs === undefined ? 0 : measureAttrs(a.set!, attrs)) + 3) & ~3;
        } catch (e) {
          throw withPath(e, `[${i}]`);
        }
      }
      return n;
    }
    default:
      break;
  }
  throw typeError(expected(a), val);
}

function indexedItemSize(a: CAttr, it: unknown): number {
  switch (a.subKind) {
    case K_NEST:
      if (!isObj(it)) throw typeError('an object of attributes', it);
      return measureAttrs(a.set!, it);
    case K_STRING:
      return stringSize(it);
    case K_BINARY: {
      if (typeof it === 'string') {
        const bytes = a.subHint === 'mac' ? macBytes(it) : parseIp(it);
        if (bytes === undefined) throw typeError(a.subHint === 'mac' ? 'a MAC address' : 'an IP address', it);
        return bytes.length;
      }
      if (!(it instanceof Uint8Array)) throw typeError('a Uint8Array', it);
      return it.length;
    }
    default:
      return a.subWidth;
  }
}

function writeIndexedItem(a: CAttr, it: unknown, b: Uint8Array, v: DataView, p: number): number {
  switch (a.subKind) {
    case K_NEST:
      return writeAttrs(a.set!, it as Obj, b, v, p);
    case K_STRING: {
      const n = writeUtf8(it as string, b, p);
      b[p + n] = 0;
      return p + n + 1;
    }
    case K_BINARY: {
      const bytes = typeof it === 'string' ? (a.subHint === 'mac' ? macBytes(it)! : parseIp(it)!) : (it as Uint8Array);
      b.set(bytes, p);
      return p + bytes.length;
    }
    default:
      if (a.subHint === 'ipv4' && typeof it === 'string') {
        const ip = parseIp(it);
        if (ip === undefined || ip.length !== 4) throw typeError('an IPv4 address', it);
        b.set(ip, p);
      } else writeScalar(a.subKind, a.le, null, false, it, b, v, p);
      return p + a.subWidth;
  }
}

/** Write one payload at `p`; returns the end offset (unpadded). `payloadSize` validated the shape. */
function writePayload(a: CAttr, val: unknown, b: Uint8Array, v: DataView, p: number, obj: Obj): number {
  const raw = bytesOf(val);
  if (raw !== undefined) {
    b.set(raw, p);
    return p + raw.length;
  }
  const kind = a.kind;
  if (kind <= K_S64) {
    writeScalar(kind, a.le, a.en, a.asFlags, val, b, v, p);
    return p + KIND_WIDTH[kind]!;
  }
  switch (kind) {
    case K_UINT:
    case K_SINT: {
      const w = uintWidth(val, kind === K_SINT);
      if (w === 4) writeScalar(kind === K_SINT ? K_S32 : K_U32, a.le, null, false, val, b, v, p);
      else writeScalar(kind === K_SINT ? K_S64 : K_U64, a.le, null, false, val, b, v, p);
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
      if (a.header !== null) return writeHeaded(a.header, a.set!, val as Obj, b, v, p);
      return writeAttrs(a.set!, val as Obj, b, v, p);
    case K_MAC:
    case K_IP: {
      const bytes = kind === K_MAC ? macBytes(val as string)! : parseIp(val as string)!;
      b.set(bytes, p);
      return p + bytes.length;
    }
    case K_STRUCT:
      return writeStruct(a.struct!, val as Obj, b, v, p, true);
    case K_ARRAY: {
      const arr = val as unknown[];
      const w = a.subWidth;
      const sk = a.subKind;
      const le = a.le;
      let i = 0;
      try {
        if (sk === K_U32) {
          for (; i < arr.length; i++) {
            const x = arr[i];
            if (typeof x === 'number' && x >= 0 && x <= 0xffffffff && Number.isInteger(x)) v.setUint32(p + 4 * i, x, le);
            else writeScalar(sk, le, null, false, x, b, v, p + 4 * i);
          }
        } else for (; i < arr.length; i++) writeScalar(sk, le, null, false, arr[i], b, v, p + i * w);
      } catch (e) {
        throw withPath(e, `[${i}]`);
      }
      return p + arr.length * w;
    }
    case K_SUBMSG: {
      const f = selectFormat(a, obj);
      if (f.header !== null) return writeHeaded(f.header, f.set!, val as Obj, b, v, p);
      return writeAttrs(f.set!, val as Obj, b, v, p);
    }
    case K_INDEXED: {
      const arr = val as unknown[];
      let off = p;
      let i = 0;
      try {
        for (; i < arr.length; i++) {
          const end = writeIndexedItem(a, arr[i], b, v, off + 4);
          const len = end - off;
          v.setUint16(off, len, true);
          v.setUint16(off + 2, i, true);
          const next = off + ((len + 3) & ~3);
          b.fill(0, end, next);
          off = next;
        }
      } catch (e) {
        throw withPath(e, `[${i}]`);
      }
      return off;
    }
    case K_BITFIELD32: {
      if (!isObj(val)) throw typeError('an object { value, selector }', val);
      try {
        writeScalar(K_U32, true, null, false, val.value, b, v, p);
      } catch (e) {
        throw withPath(e, '.value');
      }
      try {
        writeScalar(K_U32, true, null, false, val.selector, b, v, p + 4);
      } catch (e) {
        throw withPath(e, '.selector');
      }
      return p + 8;
    }
    case K_STRUCT_ARRAY: {
      const arr = val as unknown[];
      const st = a.struct!;
      let i = 0;
      try {
        for (; i < arr.length; i++) {
          const it = arr[i];
          if (!isObj(it)) throw typeError(`a ${st.name} object`, it);
          writeStruct(st, it, b, v, p + i * st.size, false);
        }
      } catch (e) {
        throw withPath(e, `[${i}]`);
      }
      return p + arr.length * st.size;
    }
    case K_NEST_LIST: {
      const arr = val as Obj[];
      const st = a.struct!;
      const lm = st.members.find((m) => m.name === a.lengthMember)!;
      const hs = (st.size + 3) & ~3;
      let off = p;
      let i = 0;
      try {
        for (; i < arr.length; i++) {
          const it = arr[i]!;
          writeStruct(st, it, b, v, off, false, a.lengthMember);
          b.fill(0, off + st.size, off + hs);
          const end = it.attrs === undefined ? off + hs : writeAttrs(a.set!, it.attrs as Obj, b, v, off + hs);
          const len = end - off;
          if (lm.size === 2) v.setUint16(off + lm.offset, len, true);
          else b[off + lm.offset] = len;
          const next = off + ((len + 3) & ~3);
          b.fill(0, end, next);
          off = next;
        }
      } catch (e) {
        throw withPath(e, `[${i}]`);
      }
      return off;
    }
    default:
      break;
  }
  throw typeError(expected(a), val);
}

// ---------------------------------------------------------------- attribute lists

function unknownAttr(val: unknown): { type: number; flags: number; bytes: Uint8Array } {
  if (isObj(val) && typeof val.type === 'number' && val.bytes instanceof Uint8Array) {
    const flags = val.flags === undefined ? 0 : val.flags;
    if (typeof flags !== 'number') throw withPath(typeError('a number', flags), '.flags');
    if (!Number.isInteger(val.type) || val.type < 0 || val.type > NLA_TYPE_MASK) throw withPath(new RangeError(`${val.type} is not an attribute type`), '.type');
    return { type: val.type, flags: flags & ~NLA_TYPE_MASK, bytes: val.bytes };
  }
  throw typeError('an unknown attribute { type, flags, bytes }', val);
}

/** Metadata of one attribute object, read once per object (absent in the common case). */
interface Meta {
  flags: Record<string, unknown> | undefined;
  unterminated: Record<string, unknown> | undefined;
  repeated: unknown[] | undefined;
}

function metaOf(obj: Obj): Meta | null {
  const flags = obj.$flags;
  const unterminated = obj.$unterminated;
  const repeated = obj.$repeated;
  if (flags === undefined && unterminated === undefined && repeated === undefined) return null;
  return {
    flags: isObj(flags) ? flags : undefined,
    unterminated: isObj(unterminated) ? unterminated : undefined,
    repeated: Array.isArray(repeated) ? repeated : undefined,
  };
}

function flagsFor(meta: Meta | null, key: string, index: number, def: number): number {
  const f = meta?.flags;
  if (f === undefined) return def;
  const x = f[key];
  if (typeof x === 'number') return x;
  if (Array.isArray(x)) {
    const y = x[index < 0 ? 0 : index];
    if (typeof y === 'number') return y;
  }
  return def;
}

/** Was this string occurrence sent without its NUL (`$unterminated`)? */
function isUnterminated(meta: Meta | null, key: string, index: number): boolean {
  const u = meta?.unterminated;
  if (u === undefined) return false;
  const x = u[key];
  if (x === true) return true;
  return Array.isArray(x) && x[index < 0 ? 0 : index] === true;
}

/** Is the value of `key` an array of occurrences (multi-attr or repeated)? */
function isMulti(a: CAttr | undefined, meta: Meta | null, key: string, val: unknown): boolean {
  if (a !== undefined && a.multi) return Array.isArray(val);
  const rep = meta?.repeated;
  return rep !== undefined && rep.includes(key);
}

/** `$order` as [key, occurrence index (-1 = single)] pairs. */
function orderEntries(set: CSet, obj: Obj, meta: Meta | null, order: unknown[]): Array<[string, number]> {
  const seen = new Map<string, number>();
  const out: Array<[string, number]> = [];
  for (const key of order) {
    if (typeof key !== 'string' || obj[key] === undefined) throw withPath(new TypeError(`${String(key)} is not in the object`), '.$order');
    const all = obj[key];
    if (isMulti(set.byName.get(key), meta, key, all)) {
      const i = seen.get(key) ?? 0;
      seen.set(key, i + 1);
      if (i >= (all as unknown[]).length) throw withPath(new TypeError(`more ${key} entries than values`), '.$order');
      out.push([key, i]);
    } else out.push([key, -1]);
  }
  return out;
}

function lookup(set: CSet, key: string): CAttr | undefined {
  const a = set.byName.get(key);
  if (a === undefined && !key.startsWith('unknown-'))
    throw withPath(new TypeError(`unknown attribute in ${set.name} (known: ${[...set.byName.keys()].join(', ')})`), `.${key}`);
  return a;
}

/** Size of one attribute (header, payload and padding). */
function attrSize(a: CAttr | undefined, key: string, val: unknown, idx: number, obj: Obj, meta: Meta | null): number {
  try {
    let pl: number;
    if (a === undefined) pl = unknownAttr(val).bytes.length;
    else {
      pl = payloadSize(a, val, obj);
      if (meta !== null && a.kind === K_STRING && isUnterminated(meta, key, idx)) pl--;
    }
    if (pl + 4 > MAX_ATTR) throw new RangeError(`${pl} bytes do not fit one attribute (max ${MAX_ATTR - 4})`);
    return (pl + 7) & ~3;
  } catch (e) {
    throw withPath(e, seg(key, idx));
  }
}

/** Encoded size of an attribute object (exact: what `writeAttrs` will write). */
export function measureAttrs(set: CSet, obj: Obj): number {
  const meta = metaOf(obj);
  let size = 0;
  const order = obj.$order;
  if (Array.isArray(order)) {
    for (const [key, idx] of orderEntries(set, obj, meta, order)) {
      const all = obj[key];
      size += attrSize(set.byName.get(key), key, idx < 0 ? all : (all as unknown[])[idx], idx, obj, meta);
    }
  } else {
    for (const key in obj) {
      if (key.charCodeAt(0) === 36 /* $ */) continue;
      const val = obj[key];
      if (val === undefined) continue;
      const a = lookup(set, key);
      if (a !== undefined && a.kind === K_FLAG && val === false) continue;
      if (isMulti(a, meta, key, val)) {
        const arr = val as unknown[];
        for (let i = 0; i < arr.length; i++) size += attrSize(a, key, arr[i], i, obj, meta);
      } else size += attrSize(a, key, val, -1, obj, meta);
    }
  }
  const unp = obj.$unpadded;
  if (typeof unp === 'number' && unp > 0 && unp < 4) size -= unp;
  const tr = obj.$trailing;
  if (tr instanceof Uint8Array) size += tr.length;
  return size;
}

/** Write one attribute at `off`; returns the offset after its padding. */
function writeOne(a: CAttr | undefined, key: string, val: unknown, idx: number, obj: Obj, meta: Meta | null, b: Uint8Array, v: DataView, off: number): number {
  let type: number;
  let fl: number;
  let end: number;
  try {
    if (a === undefined) {
      const u = unknownAttr(val);
      type = u.type;
      fl = u.flags;
      b.set(u.bytes, off + 4);
      end = off + 4 + u.bytes.length;
    } else {
      type = a.type;
      // a sub-message format may carry other NLA_F_* bits than the attribute (protinfo)
      const def = a.kind === K_SUBMSG && !(val instanceof Uint8Array) && rawOf(val) === undefined ? formatFlags(a, obj) : a.defFlags;
      fl = meta === null ? def : flagsFor(meta, key, idx, def);
      end = writePayload(a, val, b, v, off + 4, obj);
      if (meta !== null && a.kind === K_STRING && isUnterminated(meta, key, idx)) end--;
    }
  } catch (e) {
    throw withPath(e, seg(key, idx));
  }
  const len = end - off;
  v.setUint16(off, len, true);
  v.setUint16(off + 2, (type | fl) & 0xffff, true);
  const next = off + ((len + 3) & ~3);
  if (next > end) b.fill(0, end, next);
  return next;
}

/** Write an attribute object at `off`; returns the end offset. */
export function writeAttrs(set: CSet, obj: Obj, b: Uint8Array, v: DataView, off: number): number {
  const meta = metaOf(obj);
  const pads = obj.$padding;
  const start = off;
  const order = obj.$order;
  if (Array.isArray(order)) {
    for (const [key, idx] of orderEntries(set, obj, meta, order)) {
      const all = obj[key];
      off = writeOne(set.byName.get(key), key, idx < 0 ? all : (all as unknown[])[idx], idx, obj, meta, b, v, off);
    }
  } else {
    for (const key in obj) {
      if (key.charCodeAt(0) === 36 /* $ */) continue;
      const val = obj[key];
      if (val === undefined) continue;
      const a = set.byName.get(key);
      if (a !== undefined && a.kind === K_FLAG && val === false) continue;
      if (isMulti(a, meta, key, val)) {
        const arr = val as unknown[];
        for (let i = 0; i < arr.length; i++) off = writeOne(a, key, arr[i], i, obj, meta, b, v, off);
      } else off = writeOne(a, key, val, -1, obj, meta, b, v, off);
    }
  }
  if (Array.isArray(pads)) applyPadding(pads as Array<[number, Uint8Array]>, b, v, start, off);
  const unp = obj.$unpadded;
  if (typeof unp === 'number' && unp > 0 && unp < 4) off -= unp;
  const tr = obj.$trailing;
  if (tr instanceof Uint8Array) {
    b.set(tr, off);
    off += tr.length;
  }
  return off;
}

/** Put recorded nonzero padding back after the attributes were written (rare). */
function applyPadding(pads: Array<[number, Uint8Array]>, b: Uint8Array, v: DataView, start: number, end: number): void {
  let off = start;
  let ordinal = 0;
  while (end - off >= 4) {
    const len = v.getUint16(off, true);
    const next = off + ((len + 3) & ~3);
    for (const [n, bytes] of pads) {
      if (n === ordinal && bytes instanceof Uint8Array) b.set(bytes.subarray(0, Math.max(0, Math.min(next, b.length) - off - len)), off + len);
    }
    ordinal++;
    off = next;
  }
}
