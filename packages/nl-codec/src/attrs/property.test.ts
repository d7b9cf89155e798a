import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyCodecForType, NetlinkDecodeError, type BodyCodec } from '../body.js';
import { MESSAGE_TYPES } from '../schema/generated.js';
import { compileSet, compileStruct } from './compile.js';
import { attrsArb, headedArb, keyPaths } from './test-support/arbitraries.js';
import { codec, decodeBody, encodeBody, linkDump, splitMessages, toHexString, vectorMessages, viewOf } from './test-support/fixtures.js';

const TYPES = Object.keys(MESSAGE_TYPES).map(Number);

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
    // The attributes alone fail the same way (the fixed header itself never throws).
    expect(() => c.decodeAttributes(msg, viewOf(msg), 16, msg.length)).toThrow(NetlinkDecodeError);
    return;
  }
  expect(toHexString(encodeBody(c, decoded))).toBe(toHexString(body));
  expect(c.decodeAttributes(msg, viewOf(msg), 16, msg.length)).toEqual(decoded.attrs);
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
