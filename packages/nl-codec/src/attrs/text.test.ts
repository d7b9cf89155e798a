import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4Text, ipv6Text, macText, parseIp, parseIpv4, parseIpv6, parseMac, utf8Length, utf8Text, writeUtf8 } from './text.js';

describe('address text', () => {
  it('formats IPv6 per RFC 5952', () => {
    const t = (s: string) => ipv6Text(parseIpv6(s)!, 0);
    expect(t('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(t('::')).toBe('::');
    expect(t('::1')).toBe('::1');
    expect(t('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(t('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(t('fe80::')).toBe('fe80::');
    expect(t('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
  });

  it('rejects malformed addresses', () => {
    for (const s of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.1.1.1', '1.2.3.a', '']) expect(parseIpv4(s)).toBeUndefined();
    for (const s of ['1:2:3:4:5:6:7', '1::2::3', '12345::', 'g::', '1:2:3:4:5:6:7:8:9', ':::']) expect(parseIpv6(s)).toBeUndefined();
    for (const s of ['02:00:00:00:00', '02:00:00:00:00:0g', '0200.0000.0000', '02:00:00:00:00:000']) expect(parseMac(s)).toBeUndefined();
  });

  it('round-trips any IPv4, IPv6 and MAC bytes through text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        expect(parseIp(ipv6Text(b, 0))).toEqual(b);
        expect(parseIp(ipv4Text(b, 0))).toEqual(b.subarray(0, 4));
        expect(parseMac(macText(b, 0))).toEqual(b.subarray(0, 6));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('strings', () => {
  it('round-trips any NUL-free, well-formed string through UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !s.includes('\0')), (s) => {
        const n = utf8Length(s);
        const b = new Uint8Array(n);
        expect(writeUtf8(s, b, 0)).toBe(n);
        expect(utf8Text(b, 0, n)).toBe(s);
      }),
    );
  });

  it('refuses NULs, lone surrogates and invalid UTF-8', () => {
    expect(utf8Length('a\0')).toBe(-1);
    expect(utf8Length('\ud800')).toBe(-1);
    expect(utf8Text(Uint8Array.from([0x61, 0]), 0, 2)).toBeUndefined();
    expect(utf8Text(Uint8Array.from([0xc3]), 0, 1)).toBeUndefined();
  });
});

describe('decode-side text fast paths', () => {
  it('formats the broadcast and all-zero MACs and any other address the same way', () => {
    expect(macText(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0)).toBe('ff:ff:ff:ff:ff:ff');
    expect(macText(new Uint8Array(6), 0)).toBe('00:00:00:00:00:00');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
        expect(macText(b, 0)).toBe(Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
      }),
    );
  });

  it('decodes ASCII strings of every short length (the one-allocation path) and longer ones alike', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 1, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 40 }), (s) => {
        const b = Uint8Array.from(s, (c) => c.charCodeAt(0));
        expect(utf8Text(b, 0, b.length)).toBe(s);
      }),
    );
    expect(utf8Text(Uint8Array.from([0x76, 0x00, 0x62]), 0, 3)).toBeUndefined(); // NUL inside
    // Short strings come from a small cache of recent ones: strings sharing a slot (same length,
    // first two and last bytes) and repeats in any order still decode to their own text.
    const words = ['veth', 'vexh', 'vesh', 'noqueue', 'noqueve', 'va1', 'va11', 'va1', 'ab', 'ba', 'ab'];
    for (let round = 0; round < 3; round++) {
      for (const w of words) expect(utf8Text(Uint8Array.from(w, (c) => c.charCodeAt(0)), 0, w.length)).toBe(w);
    }
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 2, maxLength: 8 }), fc.integer({ min: 0, max: 20 }), (chars, p) => {
        const w = chars.join('');
        const b = new Uint8Array(p + w.length);
        b.set(Uint8Array.from(w, (c) => c.charCodeAt(0)), p);
        expect(utf8Text(b, p, w.length)).toBe(w);
      }),
    );
    expect(utf8Text(Uint8Array.from([0xc3, 0xa9]), 0, 2)).toBe('é');
  });

  it('hands out recent MACs and names again, never another one that shares their slot', () => {
    // More distinct values than the caches have slots, so slots are shared and overwritten;
    // three rounds in different orders (a dump, its attrs, the next listing).
    const macs = Array.from({ length: 20000 }, (_, i) => Uint8Array.from([0x02, 0x00, i >> 16, (i >> 8) & 255, i & 255, (i * 7) & 255]));
    const names = Array.from({ length: 20000 }, (_, i) => `${i % 2 ? 'vb' : 'va'}${i}${i % 3 ? '' : '-peer'}`);
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
    const bytesOf = (w: string) => Uint8Array.from(w, (c) => c.charCodeAt(0));
    const order = [(i: number) => i, (i: number) => 19999 - i, (i: number) => (i * 7919) % 20000];
    for (const at of order) {
      for (let k = 0; k < 20000; k++) {
        const i = at(k);
        expect(macText(macs[i]!, 0)).toBe(hex(macs[i]!));
        expect(utf8Text(bytesOf(names[i]!), 0, names[i]!.length)).toBe(names[i]);
      }
    }
  });
});

describe('ipv6Text', () => {
  /** The plain RFC 5952 algorithm over a group array, as a reference. */
  function reference(b: Uint8Array): string {
    if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    const g = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
    let bestStart = -1;
    let bestLen = 1;
    for (let i = 0; i < 8; ) {
      if (g[i] !== 0) { i++; continue; }
      let j = i;
      while (j < 8 && g[j] === 0) j++;
      if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
      i = j;
    }
    if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
    return `${g.slice(0, bestStart).map((x) => x.toString(16)).join(':')}::${g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':')}`;
  }

  it('formats any 16 bytes as the reference RFC 5952 algorithm does (zero runs, ties, mapped)', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 0xff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.boolean(), (g, mapped) => {
        const b = new Uint8Array(16);
        g.forEach((x, i) => ((b[2 * i] = x >> 8), (b[2 * i + 1] = x & 0xff)));
        if (mapped) (b.fill(0, 0, 10), b.fill(0xff, 10, 12));
        expect(ipv6Text(b, 0)).toBe(reference(b));
      }),
      { numRuns: 5000 },
    );
  });
});
