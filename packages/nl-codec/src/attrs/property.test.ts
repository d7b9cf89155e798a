import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyCodecForType, NetlinkDecodeError, type BodyCodec } from '../body.js';
import { MESSAGE_TYPES } from '../schema/generated.js';
import {
  compileSet, compileStruct, K_ARRAY, K_BINARY, K_BITFIELD32, K_FLAG, K_INDEXED, K_IP, K_MAC, K_NEST, K_NEST_LIST, K_S16,
  K_S32, K_S64, K_S8, K_SINT, K_STRING, K_STRUCT, K_STRUCT_ARRAY, K_SUBMSG, K_U16, K_U32, K_U64, K_U8, K_UINT,
  type CAttr, type CEnum, type CSet, type CStruct,
} from './compile.js';
import { enumName, flagNames } from './decode.js';
import { ipv4Text, ipv6Text, macText } from './text.js';
import { codec, decodeBody, encodeBody, linkDump, splitMessages, toHexString, vectorMessages, viewOf } from './test-support/fixtures.js';

type Arb = fc.Arbitrary<unknown>;

const RANGES: Record<number, [number, number]> = {
  [K_U8]: [0, 0xff], [K_U16]: [0, 0xffff], [K_U32]: [0, 0xffffffff],
  [K_S8]: [-0x80, 0x7f], [K_S16]: [-0x8000, 0x7fff], [K_S32]: [-0x80000000, 0x7fffffff],
};

/** A value in the form decode produces for an integer (enum name, flag names or number). */
function intArb(kind: number, en: CEnum | null, asFlags: boolean): Arb {
  const [lo, hi] = RANGES[kind]!;
  const n = fc.integer({ min: lo, max: hi });
  if (en === null) return n;
  if (asFlags) return n.map((v) => flagNames(en, v));
  return n.map((v) => enumName(en, v));
}

const strArb = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\0'));
const bytesArb = (max = 24) => fc.uint8Array({ maxLength: max });

function structArb(st: CStruct, omit = ''): fc.Arbitrary<Record<string, unknown>> {
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

function headedArb(st: CStruct, set: CSet, depth: number): Arb {
  return fc.tuple(structArb(st), attrsArb(set, depth)).map(([h, attrs]) => {
    // keep IP attributes decodable as text: not AF_MPLS
    if (st.familyOffset >= 0 && h[st.familyMember!] === 28) h[st.familyMember!] = 2;
    return { ...h, attrs };
  });
}

function valueArb(a: CAttr, depth: number): Arb {
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
function attrsArb(set: CSet, depth: number): fc.Arbitrary<Record<string, unknown>> {
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

const TYPES = Object.keys(MESSAGE_TYPES).map(Number);

/** Every key path in insertion order (toEqual ignores key order). */
function keyPaths(v: unknown, prefix = '', out: string[] = []): string[] {
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) {
      out.push(`${prefix}.${k}`);
      keyPaths(x, `${prefix}.${k}`, out);
    }
  }
  return out;
}

/** Decode -> encode must give the input bytes back, and decode may only throw NetlinkDecodeError. */
function checkBytes(c: BodyCodec, body: Uint8Array): void {
  const msg = new Uint8Array(16 + body.length);
  msg.set(body, 16);
  let decoded: Record<string, unknown>;
  try {
    decoded = decodeBody(c, msg);
  } catch (e) {
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect((e as Error).message).not.toMatch(/internal/);
    return;
  }
  expect(toHexString(encodeBody(c, decoded))).toBe(toHexString(body));
}

describe('property: generated bodies', () => {
  it('encode -> decode gives the same object back, for every message type', () => {
    const arb = fc.constantFrom(...TYPES).chain((t) => {
      const spec = MESSAGE_TYPES[t]!;
      const set = compileSet(spec.attributeSet!);
      const body = spec.fixedHeader ? headedArb(compileStruct(spec.fixedHeader), set, 3) : attrsArb(set, 3).map((attrs) => ({ attrs }));
      return fc.tuple(fc.constant(t), body);
    });
    fc.assert(
      fc.property(arb, ([t, body]) => {
        const c = bodyCodecForType(t)!;
        const bytes = encodeBody(c, body as Record<string, unknown>);
        const back = decodeBody(c, new Uint8Array([...new Uint8Array(16), ...bytes]));
        expect(back).toEqual(body);
        expect(keyPaths(back)).toEqual(keyPaths(body)); // same keys in the same (wire) order
        expect(toHexString(encodeBody(c, back))).toBe(toHexString(bytes));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('property: arbitrary and mutated bytes', () => {
  const vectorBodyCount = vectorMessages().filter((m) => m.type > 15 && bodyCodecForType(m.type) !== undefined).length;
  const realBodies = [
    ...vectorMessages().filter((m) => m.type > 15 && bodyCodecForType(m.type) !== undefined).map((m) => [m.type, m.bytes.subarray(16)] as const),
    ...splitMessages(linkDump()).slice(0, 40).filter((m) => viewOf(m).getUint16(4, true) === 16).map((m) => [16, m.subarray(16)] as const),
  ];

  it('every body of the vectors with any one bit flipped decodes losslessly or throws NetlinkDecodeError', () => {
    // Deterministic sweep (random properties found a repeated-selector bug this catches).
    let decoded = 0;
    const same = (x: Uint8Array, y: Uint8Array) => {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    };
    // one body per (type, length): the 88 link replies are near-identical
    const seen = new Set<string>();
    for (const [t, orig] of realBodies.slice(0, vectorBodyCount)) {
      if (seen.has(`${t}/${orig.length}`)) continue;
      seen.add(`${t}/${orig.length}`);
      const c = codec(t);
      const msg = new Uint8Array(16 + orig.length);
      msg.set(orig, 16);
      const view = viewOf(msg);
      const body = msg.subarray(16);
      for (let pos = 16; pos < msg.length; pos++) {
        for (let bit = 0; bit < 8; bit++) {
          msg[pos]! ^= 1 << bit;
          const d: Record<string, unknown> = {};
          let ok = true;
          try {
            c.decode(msg, view, 16, msg.length, d);
          } catch (e) {
            if (!(e instanceof NetlinkDecodeError) || /internal/.test((e as Error).message)) throw e;
            ok = false;
          }
          if (ok) {
            if (!same(encodeBody(c, d), body)) expect.fail(`type ${t}, byte ${pos - 16} bit ${bit}: re-encoded differently`);
            decoded++;
          }
          msg[pos]! ^= 1 << bit;
        }
      }
    }
    expect(decoded).toBeGreaterThan(5000);
  });

  it('arbitrary bytes either decode (and re-encode byte-exact) or throw NetlinkDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.uint8Array({ maxLength: 200 }), (t, bytes) => checkBytes(bodyCodecForType(t)!, bytes)),
      { numRuns: 3000 },
    );
  });

  it('arbitrary attribute-shaped bytes (plausible lengths) behave the same', () => {
    const tlv = fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 70 })).map(([t, rt, p]) => {
      const len = 4 + p.length;
      const out = new Uint8Array((len + 3) & ~3);
      new DataView(out.buffer).setUint16(0, len, true);
      new DataView(out.buffer).setUint16(2, (rt & 0xc000) | t, true);
      out.set(p, 4);
      return out;
    });
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(tlv, { maxLength: 8 }), (t, hdr, tlvs) => {
        const body = new Uint8Array([...hdr, ...tlvs.flatMap((x) => [...x])]);
        checkBytes(bodyCodecForType(t)!, body);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated real bodies (truncation, bit flips, rewritten lengths) either decode losslessly or throw NetlinkDecodeError', () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ op: fc.constant('len' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 0xffff }) }),
      fc.record({ op: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...realBodies), fc.array(mutation, { minLength: 1, maxLength: 4 }), ([t, orig], muts) => {
        let b = Uint8Array.from(orig);
        for (const m of muts) {
          if (b.length === 0) break;
          const at = m.at % b.length;
          if (m.op === 'truncate') b = b.slice(0, at);
          else if (m.op === 'flip') b[at]! ^= 1 << m.bit;
          else if (m.op === 'byte') b[at] = m.value;
          else if (at + 2 <= b.length) new DataView(b.buffer).setUint16(at & ~3, m.value, true);
        }
        checkBytes(codec(t), b);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('property: generated struct decoders', () => {
  it('agree with the generic struct walker for every struct on arbitrary bytes', async () => {
    const { STRUCT_DECODERS } = await import('../schema/structs.generated.js');
    const { decodeStructInto } = await import('./decode.js');
    const { STRUCTS } = await import('../schema/generated.js');
    const keys = Object.keys(STRUCTS);
    expect(Object.keys(STRUCT_DECODERS)).toEqual(keys);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.uint8Array({ minLength: 300, maxLength: 300 }), fc.boolean(), (k, bytes, zeroPads) => {
        const st = compileStruct(k);
        if (zeroPads) for (const m of st.members) if (m.kind === 0) bytes.fill(0, m.offset, m.offset + m.size);
        const generic: Record<string, unknown> = {};
        decodeStructInto(st, bytes, viewOf(bytes), 0, st.size, generic, false);
        expect(STRUCT_DECODERS[k]!(bytes, viewOf(bytes), 0)).toEqual(generic);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('property: generated struct encoders', () => {
  it('write the same bytes and throw the same errors as the generic member loop', async () => {
    const { STRUCT_ENCODERS } = await import('../schema/structs.generated.js');
    const { writeStructMembers } = await import('./encode.js');
    const { finishPath } = await import('./scalars.js');
    const { decodeStructInto } = await import('./decode.js');
    const { STRUCTS } = await import('../schema/generated.js');
    const keys = Object.keys(STRUCTS);
    expect(Object.keys(STRUCT_ENCODERS)).toEqual(keys);
    const junk = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 4 }), fc.integer(), fc.double(), fc.bigInt(), fc.constant(null), fc.uint8Array({ maxLength: 20 }), fc.array(fc.integer(), { maxLength: 2 }));
    const run = (f: () => void): string => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return `${(e as Error).name}: ${(finishPath(e) as Error).message}`;
      }
    };
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.uint8Array({ minLength: 300, maxLength: 300 }), fc.dictionary(fc.string({ maxLength: 3 }), junk, { maxKeys: 2 }), fc.integer({ min: 0, max: 3 }), (k, bytes, extra, pick) => {
        const st = compileStruct(k);
        const obj: Record<string, unknown> = {};
        decodeStructInto(st, bytes, viewOf(bytes), 0, st.size, obj, false);
        // sometimes replace one member by junk, to compare the errors too
        const names = st.members.filter((m) => m.kind !== 0).map((m) => m.name);
        if (pick > 0 && names.length > 0) obj[names[(pick * 7) % names.length]!] = Object.values(extra)[0];
        const a = new Uint8Array(400);
        const b = new Uint8Array(400);
        const ra = run(() => STRUCT_ENCODERS[k]!(obj, a, viewOf(a), 4));
        const rb = run(() => writeStructMembers(st, obj, b, viewOf(b), 4));
        expect(ra).toBe(rb);
        if (ra === 'ok') expect(toHexString(a)).toBe(toHexString(b));
      }),
      { numRuns: 3000 },
    );
  });
});
