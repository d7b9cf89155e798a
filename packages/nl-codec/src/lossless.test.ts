// Losslessness end to end: any input that decodes must re-encode to exactly the same bytes,
// even after random damage deep inside attributes and structs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, format, NetlinkDecodeError, parse, stringify, toHex, type Message } from './index.js';
import { datagrams } from './test-support/vectors.js';

const vectorDatagrams = datagrams();

function decodeOrUndefined(bytes: Uint8Array): Message[] | undefined {
  try {
    return decode(bytes);
  } catch (err) {
    if (err instanceof NetlinkDecodeError) return undefined;
    throw err;
  }
}

describe('lossless decode', () => {
  it('re-encodes bit-flipped vectors that still decode to the same bytes', () => {
    fc.assert(
      fc.property(fc.nat({ max: vectorDatagrams.length - 1 }), fc.nat(), fc.nat({ max: 7 }), (d, at, bit) => {
        const bytes = vectorDatagrams[d]!.bytes.slice();
        const pos = at % bytes.length;
        bytes[pos] = bytes[pos]! ^ (1 << bit);
        const msgs = decodeOrUndefined(bytes);
        if (msgs === undefined) return;
        expect(toHex(encode(msgs))).toBe(toHex(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('re-encodes vectors with an overwritten aligned u32 (lengths, types, values) that still decode', () => {
    fc.assert(
      fc.property(fc.nat({ max: vectorDatagrams.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 0xffffffff }), (d, at, value) => {
        const bytes = vectorDatagrams[d]!.bytes.slice();
        const pos = (at % bytes.length) & ~3;
        if (pos + 4 > bytes.length) return;
        new DataView(bytes.buffer).setUint32(pos, value % 2 === 0 ? value : value & 0xffff, true);
        const msgs = decodeOrUndefined(bytes);
        if (msgs === undefined) return;
        expect(toHex(encode(msgs))).toBe(toHex(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('prints and round-trips through JSON whatever decodes from damaged vectors', () => {
    fc.assert(
      fc.property(fc.nat({ max: vectorDatagrams.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }), (d, writes) => {
        const bytes = vectorDatagrams[d]!.bytes.slice();
        for (const [at, value] of writes) bytes[at % bytes.length] = value;
        const msgs = decodeOrUndefined(bytes);
        if (msgs === undefined) return;
        expect(typeof format(msgs)).toBe('string');
        expect(typeof format(msgs, { verbose: true })).toBe('string');
        const back = parse(stringify(msgs, 2)) as Message[];
        expect(back).toEqual(msgs);
        expect(toHex(encode(back))).toBe(toHex(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
