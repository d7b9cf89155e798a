// fast-check arbitraries of decoded bodies (the form decode produces), shared by the
// property tests of the walker and of the compiled layout decoders.
import fc from 'fast-check';
import {
  K_ARRAY, K_BINARY, K_BITFIELD32, K_FLAG, K_INDEXED, K_IP, K_MAC, K_NEST, K_NEST_LIST, K_S16,
  K_S32, K_S64, K_S8, K_SINT, K_STRING, K_STRUCT, K_STRUCT_ARRAY, K_SUBMSG, K_U16, K_U32, K_U64, K_U8, K_UINT,
  type CAttr, type CEnum, type CSet, type CStruct,
} from '../compile.js';
import { enumName, flagNames } from '../decode.js';
import { ipv4Text, ipv6Text, macText } from '../text.js';

export type Arb = fc.Arbitrary<unknown>;

const RANGES: Record<number, [number, number]> = {
  [K_U8]: [0, 0xff], [K_U16]: [0, 0xffff], [K_U32]: [0, 0xffffffff],
  [K_S8]: [-0x80, 0x7f], [K_S16]: [-0x8000, 0x7fff], [K_S32]: [-0x80000000, 0x7fffffff],
};

/** A value in the form decode produces for an integer (enum name, flag names or number). */
export function intArb(kind: number, en: CEnum | null, asFlags: boolean): Arb {
  const [lo, hi] = RANGES[kind]!;
  const n = fc.integer({ min: lo, max: hi });
  if (en === null) return n;
  if (asFlags) return n.map((v) => flagNames(en, v));
  return n.map((v) => enumName(en, v));
}

const strArb = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\0'));
const bytesArb = (max = 24) => fc.uint8Array({ maxLength: max });

export function structArb(st: CStruct, omit = ''): fc.Arbitrary<Record<string, unknown>> {
  const rec: Record<string, Arb> = {};
  for (const m of st.members) {
    if (m.kind === 0 || m.name === omit) continue;
    switch (m.kind) {
      case K_U64: rec[m.name] = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }); break;
      case K_S64: rec[m.name] = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }); break;
      case K_MAC: rec[m.name] = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macText(b, 0)); break;
      case K_IP: rec[m.name] = fc.uint8Array({ minLength: m.size, maxLength: m.size }).map((b) => (m.size === 4 ? ipv4Text(b, 0) : ipv6Text(b, 0))); break;
      case K_STRUCT: rec[m.name] = structArb(m.struct!); break;
      case K_U8: case K_U16: case K_U32: case K_S8: case K_S16: case K_S32: rec[m.name] = intArb(m.kind, m.en, m.asFlags); break;
      default: rec[m.name] = fc.uint8Array({ minLength: m.size, maxLength: m.size }); break;
    }
  }
  return fc.record(rec) as fc.Arbitrary<Record<string, unknown>>;
}

export function headedArb(st: CStruct, set: CSet, depth: number): Arb {
  return fc.tuple(structArb(st), attrsArb(set, depth)).map(([h, attrs]) => {
    // keep IP attributes decodable as text: not AF_MPLS
    if (st.familyOffset >= 0 && h[st.familyMember!] === 28) h[st.familyMember!] = 2;
    return { ...h, attrs };
  });
}

export function valueArb(a: CAttr, depth: number): Arb {
  switch (a.kind) {
    case K_U8: case K_U16: case K_U32: case K_S8: case K_S16: case K_S32:
      return intArb(a.kind, a.en, a.asFlags);
    case K_U64: return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case K_S64: return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case K_UINT: return fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
    case K_SINT: return fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    case K_STRING: return strArb;
    case K_FLAG: return fc.constant(true);
    case K_MAC: return fc.oneof(fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macText(b, 0)), bytesArb().filter((b) => b.length !== 6));
    case K_IP:
      return fc.oneof(
        fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ipv4Text(b, 0)),
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ipv6Text(b, 0)),
        bytesArb().filter((b) => b.length !== 4 && b.length !== 16),
      );
    case K_STRUCT: return structArb(a.struct!);
    case K_STRUCT_ARRAY: return fc.array(structArb(a.struct!), { maxLength: 3 });
    case K_ARRAY: {
      if (a.subKind === K_U64) return fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 6 });
      if (a.subKind === K_S64) return fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 6 });
      return fc.array(intArb(a.subKind, null, false), { maxLength: 6 });
    }
    case K_BITFIELD32: return fc.record({ value: fc.integer({ min: 0, max: 0xffffffff }), selector: fc.integer({ min: 0, max: 0xffffffff }) });
    case K_NEST:
      if (depth <= 0) return a.header === null ? fc.constant({}) : structArb(a.header).map((h) => ({ ...h, attrs: {} }));
      return a.header === null ? attrsArb(a.set!, depth - 1) : headedArb(a.header, a.set!, depth - 1);
    case K_INDEXED: {
      let item: Arb;
      if (a.subKind === K_NEST) item = depth <= 0 ? fc.constant({}) : attrsArb(a.set!, depth - 1);
      else if (a.subKind === K_STRING) item = strArb;
      else if (a.subKind === K_BINARY) {
        item = a.subHint === 'ipv6' ? fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ipv6Text(b, 0)) : bytesArb().filter((b) => b.length !== 4 && b.length !== 6 && b.length !== 16);
      } else if (a.subHint === 'ipv4' && a.subWidth === 4) item = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ipv4Text(b, 0));
      else if (a.subKind === K_U64) item = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
      else item = intArb(a.subKind, null, false);
      return fc.array(item, { maxLength: 4 });
    }
    case K_NEST_LIST:
      return fc.array(
        fc.tuple(structArb(a.struct!, a.lengthMember), depth <= 0 ? fc.constant({}) : attrsArb(a.set!, depth - 1)).map(([h, attrs]) => ({ ...h, attrs })),
        { maxLength: 3 },
      );
    case K_SUBMSG: // generated together with its selector in attrsArb
    default:
      return bytesArb();
  }
}

const UNKNOWN_FLAGS = [0, 0x4000, 0x8000, 0xc000];

/** Arbitrary attribute object of `set` in decoded form (keys in the order they will be on the wire). */
export function attrsArb(set: CSet, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const attrs = [...set.byName.values()].filter((a) => a.kind !== K_SUBMSG && !set.selectors.has(a.name));
  // `$family` sub-messages (protinfo) depend on the header's family: covered by unit tests.
  const subs = [...set.byName.values()].filter((a) => a.kind === K_SUBMSG && a.selector !== '$family');
  const entry = (a: CAttr): fc.Arbitrary<[string, unknown]> => {
    const v = valueArb(a, depth);
    return (a.multi ? fc.array(v, { minLength: 1, maxLength: 3 }) : v).map((x) => [a.name, x] as [string, unknown]);
  };
  const none: fc.Arbitrary<Array<[string, unknown]>> = fc.constant([]);
  const plain: fc.Arbitrary<Array<[string, unknown]>> =
    attrs.length === 0
      ? none
      : fc
          .uniqueArray(fc.constantFrom(...attrs), { maxLength: 10, selector: (a) => a.name })
          .chain((as) => (as.length === 0 ? none : fc.tuple(...as.map(entry)).map((t) => [...t])));
  const unknown = fc.uniqueArray(
    fc.record({ type: fc.integer({ min: 1, max: 0x3fff }).filter((t) => set.byType[t] === undefined), flags: fc.constantFrom(...UNKNOWN_FLAGS), bytes: bytesArb(12) }),
    { maxLength: 2, selector: (u) => u.type },
  );
  const selected = fc.tuple(
    ...subs.map((a) => {
      const kinds = [...a.subMsg!.formats.keys()];
      return fc.option(
        fc.oneof(fc.constantFrom(...kinds), fc.constant('no-such-kind')).chain((kind) => {
          const f = a.subMsg!.formats.get(kind);
          const val: Arb =
            f === undefined || (f.set === null && f.header === null) || depth <= 0
              ? bytesArb()
              : f.header !== null
                ? headedArb(f.header, f.set!, depth - 1)
                : attrsArb(f.set!, depth - 1);
          return val.map((v) => [[a.selector, kind], [a.name, v]] as Array<[string, unknown]>);
        }),
        { nil: undefined },
      );
    }),
  );
  return fc.tuple(plain, unknown, selected).map(([p, u, s]) => {
    const o: Record<string, unknown> = {};
    for (const pairs of s) if (pairs) for (const [k, v] of pairs) o[k] = v;
    for (const [k, v] of p) o[k] = v;
    for (const x of u) o[`unknown-${x.type}`] = x;
    return o;
  });
}

/** Every key path in insertion order (toEqual ignores key order). */
export function keyPaths(v: unknown, prefix = '', out: string[] = []): string[] {
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) {
      out.push(`${prefix}.${k}`);
      keyPaths(x, `${prefix}.${k}`, out);
    }
  }
  return out;
}

