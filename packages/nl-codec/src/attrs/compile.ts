/**
 * Turns the generated tables into the runtime form the walker uses: per set an
 * array indexed by attribute type (no map lookup on the decode path), per
 * attribute a numeric kind for one `switch`, enums as dense arrays. Sets are
 * compiled lazily and cached; cycles (veth `peer` -> link-attrs) are fine because
 * a set object is registered before its attributes are filled in.
 */
import { ATTRIBUTE_SETS, ENUMS, STRUCTS, SUB_MESSAGES } from '../schema/generated.js';
import type { AttributeSpec, StructMemberSpec } from '../schema/types.js';

// Attribute kinds (one switch in the decoder/encoder).
export const K_U8 = 1;
export const K_U16 = 2;
export const K_U32 = 3;
export const K_U64 = 4;
export const K_S8 = 5;
export const K_S16 = 6;
export const K_S32 = 7;
export const K_S64 = 8;
export const K_UINT = 9;
export const K_SINT = 10;
export const K_STRING = 11;
export const K_BINARY = 12;
export const K_FLAG = 13;
export const K_NEST = 14;
export const K_INDEXED = 15;
export const K_SUBMSG = 16;
export const K_BITFIELD32 = 17;
export const K_STRUCT = 18;
export const K_ARRAY = 19;
export const K_MAC = 20;
export const K_IP = 21;
export const K_STRUCT_ARRAY = 22;
export const K_NEST_LIST = 23;

const SCALAR_KIND: Record<string, number> = {
  u8: K_U8, u16: K_U16, u32: K_U32, u64: K_U64, s8: K_S8, s16: K_S16, s32: K_S32, s64: K_S64,
};
export const KIND_WIDTH: readonly number[] = [0, 1, 2, 4, 8, 1, 2, 4, 8];

export interface CEnum {
  readonly key: string;
  readonly flags: boolean;
  /** value -> name for values < 4096 (dense); larger values in `sparse`. */
  readonly names: (string | undefined)[];
  readonly sparse: Map<number, string>;
  /** bit index -> name (flags only). */
  readonly bitNames: (string | undefined)[];
  readonly byName: Map<string, number>;
}

export interface CMember {
  readonly name: string;
  /** Scalar kind (K_U8..K_S64), K_BINARY, K_MAC, K_STRUCT or 0 for pad. */
  readonly kind: number;
  readonly offset: number;
  readonly size: number;
  readonly le: boolean;
  readonly en: CEnum | null;
  readonly asFlags: boolean;
  readonly struct: CStruct | null;
  readonly hint: string | undefined;
}

export interface CStruct {
  readonly key: string;
  readonly name: string;
  readonly size: number;
  readonly members: readonly CMember[];
  /** Name of the address-family member (`ifi-family`, ...) or undefined. */
  readonly familyMember: string | undefined;
  /** Offset of that u8 member, or -1. */
  readonly familyOffset: number;
  /**
   * An object with every non-pad member (value undefined), in member order. Decoded
   * structs are spread copies of it: objects built by adding many properties at a
   * megamorphic site fall into V8's slow dictionary mode, copies of a template do not.
   */
  readonly template: Record<string, unknown>;
  /** The generated straight-line decoder (looked up on first use; null = none). */
  fast?: ((b: Uint8Array, v: DataView, p: number) => Record<string, unknown>) | null;
  /** The generated straight-line encoder (looked up on first use; null = none). */
  fastWrite?: ((o: Record<string, unknown>, b: Uint8Array, v: DataView, p: number) => void) | null;
}

/** A fast-mode object with these keys (values undefined), in this order. */
export function templateOf(keys: readonly string[]): Record<string, unknown> {
  // JSON.parse builds fast-mode objects even with many properties.
  const t = JSON.parse(`{${keys.map((k) => `${JSON.stringify(k)}:null`).join(',')}}`) as Record<string, unknown>;
  // Storing a number and then undefined widens every field to the most general
  // representation now, so filling a copy never has to generalize (and deprecate)
  // the shared map later.
  for (const k of keys) t[k] = 0;
  for (const k of keys) t[k] = undefined;
  return t;
}

export interface CFormat {
  readonly set: CSet | null;
  readonly header: CStruct | null;
  /** NLA_F_* bits normally on the wire with this format, or -1 = the attribute's. */
  readonly flags: number;
}

export interface CSubMessage {
  readonly key: string;
  readonly formats: Map<string, CFormat>;
}

export interface CAttr {
  readonly name: string;
  readonly type: number;
  kind: number;
  /** Scalars: little-endian (host order on the machines we target). */
  le: boolean;
  en: CEnum | null;
  asFlags: boolean;
  struct: CStruct | null;
  set: CSet | null;
  header: CStruct | null;
  /** K_ARRAY / K_INDEXED element kind and width. */
  subKind: number;
  subWidth: number;
  /** K_INDEXED element hint (`ipv4`, `ipv6`, `mac`). */
  subHint: string | undefined;
  multi: boolean;
  /** NLA_F_NESTED/NLA_F_NET_BYTEORDER bits normally on the wire for this attribute. */
  defFlags: number;
  subMsg: CSubMessage | null;
  /** Sibling attribute whose value selects the sub-message format; `$family` = the message's address family. */
  selector: string;
  /** Struct member holding the item length (K_NEST_LIST). */
  lengthMember: string;
  readonly spec: AttributeSpec;
}

export interface CSet {
  readonly key: string;
  readonly name: string;
  readonly byType: (CAttr | undefined)[];
  readonly byName: Map<string, CAttr>;
  /** Selector attribute names used by sub-messages in this set. */
  readonly selectors: Set<string>;
  /**
   * Recently seen wire layouts (attribute type sequences) with a template object
   * of their keys: a dump repeats the same layout, and filling a copy of a template
   * keeps the result a fast-mode object (see CStruct.template).
   */
  readonly shapes: Shape[];
  shapeMisses: number;
  /**
   * Compiled decoders of the layouts seen most (see `specialize.ts`), most recent
   * first; each returns null for bytes that are not its layout.
   */
  readonly layouts: Array<(b: Uint8Array, v: DataView, start: number, end: number, fam: number) => Record<string, unknown> | null>;
  /** A layout seen once (sampled) and waiting for a second sighting before it is compiled. */
  pending: Uint16Array | null;
  /** Layouts compiled so far for this set (bounded, so varied traffic cannot compile forever). */
  compiles: number;
}

export interface Shape {
  readonly types: Uint16Array;
  /** 1 where the attribute is the first of its type in the layout. */
  readonly first: Uint8Array;
  readonly template: Record<string, unknown>;
}

const enumCache = new Map<string, CEnum>();
const structCache = new Map<string, CStruct>();
const setCache = new Map<string, CSet>();
const subCache = new Map<string, CSubMessage>();

export function compileEnum(key: string): CEnum {
  let e = enumCache.get(key);
  if (e) return e;
  const spec = ENUMS[key];
  if (!spec) throw new Error(`nl-codec: unknown enum ${key}`);
  const names: (string | undefined)[] = [];
  const sparse = new Map<number, string>();
  const bitNames: (string | undefined)[] = new Array<string | undefined>(32).fill(undefined);
  const byName = new Map<string, number>();
  for (const [n, v] of spec.entries) {
    byName.set(n, v);
    if (v >= 0 && v < 4096 && Number.isInteger(v)) names[v] = n;
    else sparse.set(v, n);
    if (spec.type === 'flags') {
      const bit = Math.log2(v);
      if (Number.isInteger(bit) && bit < 32) bitNames[bit] = n;
    }
  }
  e = { key, flags: spec.type === 'flags', names, sparse, bitNames, byName };
  enumCache.set(key, e);
  return e;
}

function memberKind(m: StructMemberSpec): number {
  const k = SCALAR_KIND[m.type];
  if (k !== undefined) return k;
  if (m.type === 'pad') return 0;
  if (m.struct) return K_STRUCT;
  if (m.type === 'binary' && m.displayHint === 'mac' && m.size === 6) return K_MAC;
  if (m.type === 'binary' && (m.displayHint === 'ipv4' || m.displayHint === 'ipv6') && (m.size === 4 || m.size === 16)) return K_IP;
  if (m.type === 'string') return K_STRING;
  return K_BINARY;
}

export function compileStruct(key: string): CStruct {
  let s = structCache.get(key);
  if (s) return s;
  const spec = STRUCTS[key];
  if (!spec) throw new Error(`nl-codec: unknown struct ${key}`);
  const members: CMember[] = spec.members.map((m) => ({
    name: m.name,
    kind: memberKind(m),
    offset: m.offset,
    size: m.size,
    le: m.byteOrder !== 'big-endian',
    en: m.enum ? compileEnum(m.enum) : null,
    asFlags: m.enumAsFlags === true || (m.enum !== undefined && ENUMS[m.enum]?.type === 'flags'),
    struct: m.struct ? compileStruct(m.struct) : null,
    hint: m.displayHint,
  }));
  const fam = spec.members.find((m) => m.type === 'u8' && /family$/.test(m.name));
  const template = templateOf(members.filter((m) => m.kind !== 0).map((m) => m.name));
  s = { key, name: spec.name, size: spec.size, members, familyMember: fam?.name, familyOffset: fam ? fam.offset : -1, template };
  structCache.set(key, s);
  return s;
}

function compileSubMessage(key: string): CSubMessage {
  let c = subCache.get(key);
  if (c) return c;
  const spec = SUB_MESSAGES[key];
  if (!spec) throw new Error(`nl-codec: unknown sub-message ${key}`);
  const formats = new Map<string, CFormat>();
  c = { key, formats };
  subCache.set(key, c);
  for (const [v, f] of Object.entries(spec.formats)) {
    formats.set(v, {
      set: f.attributeSet ? compileSet(f.attributeSet) : null,
      header: f.fixedHeader ? compileStruct(f.fixedHeader) : null,
      flags: f.nlaFlags ?? -1,
    });
  }
  return c;
}

const IP_HINTS = new Set(['ipv4', 'ipv6', 'ipv4-or-v6']);

function fillAttr(a: CAttr): void {
  const s = a.spec;
  const scalar = SCALAR_KIND[s.type];
  a.le = s.byteOrder !== 'big-endian';
  a.multi = s.multiAttr === true;
  a.defFlags = s.nlaFlags ?? 0;
  if (s.enum) {
    a.en = compileEnum(s.enum);
    a.asFlags = s.enumAsFlags === true || a.en.flags;
  }
  if (scalar !== undefined) {
    a.kind = scalar;
    return;
  }
  switch (s.type) {
    case 'uint': a.kind = K_UINT; return;
    case 'sint': a.kind = K_SINT; return;
    case 'string': a.kind = K_STRING; return;
    case 'flag': a.kind = K_FLAG; return;
    case 'bitfield32': a.kind = K_BITFIELD32; return;
    case 'nest':
      a.kind = K_NEST;
      a.set = compileSet(s.nestedAttributes!);
      a.header = s.fixedHeader ? compileStruct(s.fixedHeader) : null;
      return;
    case 'sub-message':
      a.kind = K_SUBMSG;
      a.subMsg = compileSubMessage(s.subMessage!);
      a.selector = s.selector!;
      return;
    case 'indexed-array': {
      a.kind = K_INDEXED;
      const st = s.subType ?? 'binary';
      const sk = SCALAR_KIND[st];
      if (sk !== undefined) {
        a.subKind = sk;
        a.subWidth = KIND_WIDTH[sk]!;
      } else if (st === 'nest') {
        a.subKind = K_NEST;
        a.set = compileSet(s.nestedAttributes!);
      } else if (st === 'string') a.subKind = K_STRING;
      else a.subKind = K_BINARY;
      a.subHint = s.displayHint;
      return;
    }
    case 'x-struct-nest-list':
      a.kind = K_NEST_LIST;
      a.struct = compileStruct(s.struct!);
      a.set = compileSet(s.nestedAttributes!);
      a.lengthMember = s.lengthMember ?? a.struct.members[0]!.name;
      return;
    default:
      break;
  }
  // binary, pad, unused, nest-type-value: bytes, refined by struct / sub-type / hint
  if (s.struct) {
    a.struct = compileStruct(s.struct);
    a.kind = s.structArray ? K_STRUCT_ARRAY : K_STRUCT;
    return;
  }
  if (s.type === 'binary' && s.subType) {
    const sk = SCALAR_KIND[s.subType];
    if (sk !== undefined) {
      a.kind = K_ARRAY;
      a.subKind = sk;
      a.subWidth = KIND_WIDTH[sk]!;
      return;
    }
  }
  if (s.type === 'binary' && s.displayHint === 'mac') a.kind = K_MAC;
  else if (s.type === 'binary' && s.displayHint !== undefined && IP_HINTS.has(s.displayHint)) a.kind = K_IP;
  else a.kind = K_BINARY;
}

/** The compiled form of an attribute set (`family/name`), cached. */
export function compileSet(key: string): CSet {
  let set = setCache.get(key);
  if (set) return set;
  const spec = ATTRIBUTE_SETS[key];
  if (!spec) throw new Error(`nl-codec: unknown attribute set ${key}`);
  const byType: (CAttr | undefined)[] = [];
  const byName = new Map<string, CAttr>();
  const selectors = new Set<string>();
  set = { key, name: spec.name, byType, byName, selectors, shapes: [], shapeMisses: 0, layouts: [], pending: null, compiles: 0 };
  setCache.set(key, set);
  const attrs: CAttr[] = [];
  for (const s of spec.attributes) {
    const a: CAttr = {
      name: s.name, type: s.value, kind: K_BINARY, le: true, en: null, asFlags: false, struct: null,
      set: null, header: null, subKind: 0, subWidth: 0, subHint: undefined, multi: false, defFlags: 0,
      subMsg: null, selector: '', lengthMember: '', spec: s,
    };
    // Fill the dense array up to the highest type so lookups stay on a packed array.
    while (byType.length < s.value) byType.push(undefined);
    byType[s.value] = a;
    byName.set(s.name, a);
    attrs.push(a);
    if (s.selector) selectors.add(s.selector);
  }
  for (const a of attrs) fillAttr(a);
  return set;
}
