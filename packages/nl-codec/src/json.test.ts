import { describe, expect, it } from 'vitest';
import { fromHex, fromJSON, parse, stringify, toHex, toJSON } from './json.js';

describe('toJSON / fromJSON', () => {
  it('tags bigint and bytes and leaves plain values alone', () => {
    const value = { a: 1, b: 'x', c: true, d: null, e: [1n, Uint8Array.of(0, 255)], f: { g: -5n } };
    expect(toJSON(value)).toEqual({
      a: 1,
      b: 'x',
      c: true,
      d: null,
      e: [{ $bigint: '1' }, { $hex: '00ff' }],
      f: { g: { $bigint: '-5' } },
    });
    expect(fromJSON(toJSON(value))).toEqual(value);
  });

  it('round-trips through JSON text, keeping key order', () => {
    const value = { z: 18446744073709551615n, a: new Uint8Array(0), m: [{ k: 'v' }] };
    const back = parse(stringify(value)) as typeof value;
    expect(back).toEqual(value);
    expect(Object.keys(back)).toEqual(['z', 'a', 'm']);
    expect(back.z).toBe(18446744073709551615n);
    expect(back.a).toBeInstanceOf(Uint8Array);
  });

  it('leaves out undefined members as JSON.stringify does', () => {
    expect(toJSON({ a: undefined, b: 1 })).toEqual({ b: 1 });
  });

  it('rejects values JSON cannot carry, naming their path', () => {
    expect(() => toJSON({ a: [1, NaN] })).toThrow(/\$\.a\[1\]/);
    expect(() => toJSON({ f: () => 1 })).toThrow(TypeError);
    expect(() => toJSON({ d: new Date(0) })).toThrow(/\$\.d is a Date/);
  });

  it('rejects malformed tags, naming their path', () => {
    expect(() => fromJSON({ a: { $bigint: '1.5' } })).toThrow(/\$\.a\.\$bigint/);
    expect(() => fromJSON({ a: { $hex: 'abc' } })).toThrow(/\$\.a\.\$hex/);
    expect(() => fromJSON([{ $hex: 12 }])).toThrow(/\$\[0\]/);
  });

  it('treats objects with more keys than a tag as plain objects', () => {
    expect(fromJSON({ $hex: '00', other: 1 })).toEqual({ $hex: '00', other: 1 });
  });

  it('keeps a "__proto__" key as data instead of changing the prototype', () => {
    const back = parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__']);
  });
});

describe('stringify', () => {
  it('indents objects but keeps flat arrays and tags on one line', () => {
    const text = stringify({ header: { flags: ['request', 'ack'] }, n: 5n, b: Uint8Array.of(1), e: [], o: {}, l: [{ a: 1 }] }, 2);
    expect(text).toBe(
      [
        '{',
        '  "header": {',
        '    "flags": ["request", "ack"]',
        '  },',
        '  "n": { "$bigint": "5" },',
        '  "b": { "$hex": "01" },',
        '  "e": [],',
        '  "o": {},',
        '  "l": [',
        '    {',
        '      "a": 1',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(parse(text)).toEqual({ header: { flags: ['request', 'ack'] }, n: 5n, b: Uint8Array.of(1), e: [], o: {}, l: [{ a: 1 }] });
  });

  it('is compact without a space argument', () => {
    expect(stringify({ a: [1, 2], b: 3n })).toBe('{"a":[1,2],"b":{"$bigint":"3"}}');
  });
});

describe('hex', () => {
  it('formats lowercase without separators', () => {
    expect(toHex(Uint8Array.of(0, 1, 0xab, 0xff))).toBe('0001abff');
  });

  it('reads whitespace, newlines, 0x prefixes and byte separators', () => {
    expect(fromHex('0x14 00\n0X0a\t:ff-01\r\n')).toEqual(Uint8Array.of(0x14, 0, 0x0a, 0xff, 0x01));
    expect(fromHex('DEADbeef')).toEqual(Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
  });

  it('rejects stray characters and odd digit counts with their position', () => {
    expect(() => fromHex('00 zz')).toThrow(/position 3/);
    expect(() => fromHex('abc')).toThrow(/odd number/);
    expect(() => fromHex('1x00')).toThrow(/'x'/);
    expect(() => fromHex('0x1 0x2')).toThrow(/inside a byte/);
  });
});
