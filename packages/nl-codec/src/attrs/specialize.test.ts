import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyCodecForType, NetlinkDecodeError } from '../body.js';
import { MESSAGE_TYPES } from '../schema/generated.js';
import { compileSet, compileStruct, type CSet } from './compile.js';
import { compileLayoutAt, resetDepth, useLayoutDecoders } from './decode.js';
import { arrayLiteralsCompiled, canCompile, compileLayout } from './specialize.js';
import { attrsArb, headedArb, keyPaths } from './test-support/arbitraries.js';
import { codec, decodeBody, encodeBody, linkDump, splitMessages, vectorMessages, viewOf } from './test-support/fixtures.js';

afterEach(() => {
  useLayoutDecoders(true);
});

/** The walker's result for a message body, with every compiled layout switched off. */
function generic(type: number, msg: Uint8Array): Record<string, unknown> {
  const was = useLayoutDecoders(false);
  try {
    return decodeBody(codec(type), msg);
  } finally {
    useLayoutDecoders(was);
  }
}

/** Where a body's attributes start (after the family header, 4-aligned) and which set they are. */
function attrsOf(type: number): { set: CSet; offset: number } {
  const spec = MESSAGE_TYPES[type]!;
  const hs = spec.fixedHeader ? (compileStruct(spec.fixedHeader).size + 3) & ~3 : 0;
  return { set: compileSet(spec.attributeSet!), offset: 16 + hs };
}

/**
 * Compile the top-level layout of `layoutOf` and run it on `msg`: null (not its layout) or
 * exactly the walker's attrs, keys in the same order. Returns whether it decoded.
 */
function agrees(type: number, msg: Uint8Array, layoutOf: Uint8Array = msg): boolean {
  const { set, offset } = attrsOf(type);
  if (msg.length < offset || layoutOf.length < offset) return false;
  const fn = compileLayoutAt(set, viewOf(layoutOf), offset, layoutOf.length);
  if (fn === null) return false;
  const fam = MESSAGE_TYPES[type]!.fixedHeader ? msg[16]! : 0;
  let want: Record<string, unknown>;
  try {
    want = generic(type, msg);
  } catch (e) {
    // The walker throws NetlinkDecodeError for a malformed length: the layout refuses it when
    // it is its own (null), or throws the same error from the same nested decoder.
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    resetDepth();
    let got: unknown;
    try {
      got = fn(msg, viewOf(msg), offset, msg.length, fam);
    } catch (e2) {
      expect(e2).toEqual(e);
      expect((e2 as NetlinkDecodeError).offset).toBe((e as NetlinkDecodeError).offset);
      return false;
    }
    expect(got).toBeNull();
    return false;
  }
  resetDepth();
  const got = fn(msg, viewOf(msg), offset, msg.length, fam);
  if (got === null) return false;
  expect(got).toEqual(want.attrs);
  expect(keyPaths(got)).toEqual(keyPaths(want.attrs));
  return true;
}

describe('compiled layout decoders', () => {
  it('are available in Node (new Function is allowed)', () => {
    expect(canCompile()).toBe(true);
  });

  it('decode every message of the 2001-link dump exactly as the walker does, keys in wire order', () => {
    const msgs = splitMessages(linkDump()).filter((m) => viewOf(m).getUint16(4, true) === 16);
    const c = codec(16);
    for (let pass = 0; pass < 3; pass++) for (const m of msgs) decodeBody(c, m); // learn and compile
    const set = compileSet('rt-link/link-attrs');
    expect(set.layouts.length).toBeGreaterThan(0);
    expect(compileSet('rt-link/ifla6-attrs').layouts.length).toBeGreaterThan(0);
    for (const m of msgs) {
      const fast = decodeBody(c, m);
      const slow = generic(16, m);
      expect(fast).toEqual(slow);
      expect(keyPaths(fast)).toEqual(keyPaths(slow));
    }
  });

  it('give every repeated sysctl or counter array as a fresh, independent array, and notice a changed word', () => {
    const msgs = splitMessages(linkDump()).filter((m) => viewOf(m).getUint16(4, true) === 16).slice(1, 200);
    const c = codec(16);
    const before = arrayLiteralsCompiled();
    for (let pass = 0; pass < 3; pass++) for (const m of msgs) decodeBody(c, m); // learn the repeated payloads
    expect(arrayLiteralsCompiled()).toBeGreaterThanOrEqual(before); // (may have been learned by an earlier test)
    expect(arrayLiteralsCompiled()).toBeGreaterThan(0);
    type Inet = { 'af-spec': { inet: { conf: number[] }; inet6: { stats: bigint[] } } };
    const one = decodeBody(c, msgs[10]!).attrs as Inet;
    const two = decodeBody(c, msgs[11]!).attrs as Inet;
    const conf1 = one['af-spec'].inet.conf;
    const conf2 = two['af-spec'].inet.conf;
    expect(conf1).toEqual(conf2);
    expect(conf1).not.toBe(conf2);
    conf1[0] = 12345;
    conf1.push(7);
    expect(conf2[0]).not.toBe(12345);
    expect(conf2).toHaveLength(33);
    expect((decodeBody(c, msgs[10]!).attrs as Inet)['af-spec'].inet.conf).toEqual(conf2);
    expect(typeof two['af-spec'].inet6.stats[0]).toBe('bigint');
    // inet6 conf (the kernel's __s32 array) holds -1: Smis, a literal like the others
    const six1 = (one['af-spec'].inet6 as unknown as { conf: number[] }).conf;
    const six2 = (two['af-spec'].inet6 as unknown as { conf: number[] }).conf;
    expect(six1).toContain(-1);
    expect(six1).toEqual(six2);
    six1[0] = -7;
    expect(six2[0]).not.toBe(-7);
    expect(((decodeBody(c, msgs[10]!).attrs as Inet)['af-spec'].inet6 as unknown as { conf: number[] }).conf).toEqual(six2);
    // the same message with one word of inet.conf changed decodes that word
    const m = Uint8Array.from(msgs[12]!);
    const want = generic(16, msgs[12]!) as { attrs: Inet };
    const conf = want.attrs['af-spec'].inet.conf;
    const needle = new Uint8Array(new Uint32Array(conf).buffer);
    let at = -1;
    for (let i = 16; i + needle.length <= m.length && at < 0; i += 4) if (needle.every((x, k) => m[i + k] === x)) at = i;
    expect(at).toBeGreaterThan(0);
    viewOf(m).setUint32(at + 4 * 5, 77, true);
    const got = decodeBody(c, m) as { attrs: Inet };
    expect(got.attrs['af-spec'].inet.conf[5]).toBe(77);
    expect(got).toEqual(generic(16, m));
  });

  it('copy repeated arrays of numbers beyond the Smi range from a template, still independent', () => {
    // inet.conf (u32) with 0xffffffff in word 3 of every message: V8 cannot share such
    // elements, so the cache copies a private template instead of compiling a literal.
    type Inet = { 'af-spec': { inet: { conf: number[] } } };
    const msgs = splitMessages(linkDump()).filter((m) => viewOf(m).getUint16(4, true) === 16).slice(1, 120).map((m0) => {
      const m = Uint8Array.from(m0);
      const conf = (generic(16, m0) as { attrs: Inet }).attrs['af-spec'].inet.conf;
      const needle = new Uint8Array(new Uint32Array(conf).buffer);
      let at = -1;
      for (let i = 16; i + needle.length <= m.length && at < 0; i += 4) if (needle.every((x, k) => m[i + k] === x)) at = i;
      expect(at).toBeGreaterThan(0);
      viewOf(m).setUint32(at + 4 * 3, 0xffffffff, true);
      return m;
    });
    const c = codec(16);
    const before = arrayLiteralsCompiled();
    for (let pass = 0; pass < 3; pass++) for (const m of msgs) decodeBody(c, m);
    expect(arrayLiteralsCompiled()).toBeGreaterThan(before);
    const one = (decodeBody(c, msgs[10]!).attrs as Inet)['af-spec'].inet.conf;
    const two = (decodeBody(c, msgs[11]!).attrs as Inet)['af-spec'].inet.conf;
    expect(one[3]).toBe(4294967295);
    expect(one).toEqual(two);
    expect(one).not.toBe(two);
    one[3] = 1;
    expect(two[3]).toBe(4294967295);
    for (const m of msgs.slice(0, 20)) expect(decodeBody(c, m)).toEqual(generic(16, m));
  });

  it('agree with the walker on every kernel and iproute2 vector body', () => {
    let compiled = 0;
    for (const m of vectorMessages()) {
      if (m.type <= 15 || bodyCodecForType(m.type) === undefined || MESSAGE_TYPES[m.type]?.attributeSet === undefined) continue;
      if (agrees(m.type, m.bytes)) compiled++;
    }
    expect(compiled).toBeGreaterThan(50);
  });

  it('refuse a layout with a repeated non-multi attribute or interleaved repeats', () => {
    const set = compileSet('rt-link/link-attrs');
    // mtu (4) twice: the walker records $repeated
    expect(compileLayout(set, [3, 4, 4], null!)).toBeNull();
    // an unknown type repeated
    expect(compileLayout(set, [3, 999, 999], null!)).toBeNull();
    // alt-ifname is multi-attr only inside prop-list; in prop-list-link-attrs, interleaving needs $order
    const props = compileSet('rt-link/prop-list-link-attrs');
    const alt = props.byName.get('alt-ifname')!.type;
    expect(compileLayout(props, [alt, 1, alt], null!)).toBeNull();
    expect(compileLayout(props, [], null!)).toBeNull();
  });

  it('return null for the flags, strings, padding and lengths the walker records as metadata', () => {
    // One veth link of the dump, then one change at a time to its bytes.
    const msg = splitMessages(linkDump())[5]!;
    const { set, offset } = attrsOf(16);
    const fn = compileLayoutAt(set, viewOf(msg), offset, msg.length)!;
    expect(fn).not.toBeNull();
    const v = viewOf(msg);
    const at = (type: number): number => {
      for (let off = offset; off < msg.length; ) {
        if ((v.getUint16(off + 2, true) & 0x3fff) === type) return off;
        off += (v.getUint16(off, true) + 3) & ~3;
      }
      throw new Error(`no attribute ${type}`);
    };
    const variants: Array<[string, (b: Uint8Array, dv: DataView) => void]> = [
      ['NLA_F_NESTED on a u32 (mtu)', (_b, dv) => dv.setUint16(at(4) + 2, 4 | 0x8000, true)],
      ['NLA_F_NET_BYTEORDER on a nest (xdp)', (_b, dv) => dv.setUint16(at(43) + 2, 43 | 0x4000, true)],
      ['ifname without its NUL', (b, dv) => { const p = at(3); b[p + dv.getUint16(p, true) - 1] = 0x41; }],
      ['nonzero padding after operstate', (b) => { b[at(16) + 6] = 1; }],
      ['a 2-byte mtu', (_b, dv) => dv.setUint16(at(4), 6, true)],
    ];
    for (const [what, change] of variants) {
      const m = Uint8Array.from(msg);
      change(m, viewOf(m));
      resetDepth();
      expect(fn(m, viewOf(m), offset, m.length, 0), what).toBeNull();
      agrees(16, m, msg);
    }
    // trailing bytes and a cut-short last attribute
    const longer = new Uint8Array(msg.length + 2);
    longer.set(msg);
    expect(fn(longer, viewOf(longer), offset, longer.length, 0)).toBeNull();
    expect(fn(msg, viewOf(msg), offset, msg.length - 2, 0)).toBeNull();
  });

  it('property: generated bodies decode to the walker result through their own layout', () => {
    const types = Object.keys(MESSAGE_TYPES).map(Number).filter((t) => MESSAGE_TYPES[t]!.attributeSet !== undefined);
    const arb = fc.constantFrom(...types).chain((t) => {
      const spec = MESSAGE_TYPES[t]!;
      const set = compileSet(spec.attributeSet!);
      const body = spec.fixedHeader ? headedArb(compileStruct(spec.fixedHeader), set, 3) : attrsArb(set, 3).map((attrs) => ({ attrs }));
      return fc.tuple(fc.constant(t), body);
    });
    let compiled = 0;
    let runs = 0;
    fc.assert(
      fc.property(arb, ([t, body]) => {
        const bytes = encodeBody(codec(t), body as Record<string, unknown>);
        const msg = new Uint8Array(16 + bytes.length);
        msg.set(bytes, 16);
        runs++;
        if (agrees(t, msg)) compiled++;
      }),
      { numRuns: 1500 },
    );
    // Most generated layouts compile (the rest are empty or repeat an attribute).
    expect(compiled).toBeGreaterThan(runs / 2);
  });

  it('property: mutated real bodies are refused by the original layout or decoded as the walker does', () => {
    const real = [
      ...splitMessages(linkDump()).slice(0, 12),
      ...vectorMessages().filter((m) => m.type > 15 && MESSAGE_TYPES[m.type]?.attributeSet !== undefined).map((m) => m.bytes),
    ].map((m) => [viewOf(m).getUint16(4, true), m] as const);
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ op: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant('len' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 0x200 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...real), fc.array(mutation, { minLength: 1, maxLength: 3 }), ([t, orig], muts) => {
        const m = Uint8Array.from(orig);
        const body = m.length - 16;
        if (body <= 0) return;
        for (const x of muts) {
          const at = 16 + (x.at % body);
          if (x.op === 'flip') m[at]! ^= 1 << x.bit;
          else if (x.op === 'byte') m[at] = x.value;
          else if (at + 2 <= m.length) viewOf(m).setUint16(at & ~3, x.value, true);
        }
        agrees(t, m, orig);
      }),
      { numRuns: 3000 },
    );
  });
});
