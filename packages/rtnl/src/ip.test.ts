import fc from 'fast-check';
import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { broadcastBytes, formatIP, networkBytes, ownValue, parseCIDR, parseFamily, parseIP, parseMAC, parseNamedByte, parseScope, samePrefix, scopeName } from './ip.js';

describe('IP text', () => {
  it('round-trips any IPv4 or IPv6 address through text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (bytes) => {
        const text = formatIP(bytes);
        const back = parseIP(text);
        expect(Array.from(back.bytes)).toEqual(Array.from(bytes));
        expect(back.text).toBe(text);
        if (bytes.length === 16) expect(isIPv6(text)).toBe(true);
      }),
    );
  });

  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8::0001', '2001:db8::1'],
    ['::', '::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['2001:db8::192.0.2.1', '2001:db8::c000:201'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ])('writes %s as %s (RFC 5952)', (input, canonical) => {
    expect(parseIP(input).text).toBe(canonical);
  });

  it.each(['1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', '', ' 1.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', '::g'])(
    'rejects %j with a TypeError',
    (text) => {
      expect(() => parseIP(text, 'gw')).toThrow(TypeError);
      expect(() => parseIP(text, 'gw')).toThrow(/^gw: invalid IP address/);
    },
  );

  it('rejects an IPv4 part above 255 with a RangeError naming the field', () => {
    expect(() => parseCIDR('192.0.2.300/24', 'address')).toThrow(RangeError);
    expect(() => parseCIDR('192.0.2.300/24', 'address')).toThrow(/^address: invalid IPv4 address "192.0.2.300"/);
  });

  it('parses CIDR, defaulting to a host prefix', () => {
    expect(parseCIDR('192.0.2.2/24')).toMatchObject({ text: '192.0.2.2', prefixLen: 24, af: 2 });
    expect(parseCIDR('2001:db8::2')).toMatchObject({ prefixLen: 128, af: 10 });
    expect(() => parseCIDR('192.0.2.2/33')).toThrow(RangeError);
    expect(() => parseCIDR('2001:db8::/129')).toThrow(/prefix length 129 is out of range 0-128/);
    expect(() => parseCIDR('192.0.2.2/-1')).toThrow(TypeError);
    expect(() => parseCIDR(42 as unknown as string)).toThrow(/must be a CIDR string/);
  });

  it('reads IPv4 CIDR in one pass exactly as the address and prefix readers do, for any text', () => {
    // The reference: the general reading, address by parseIP and the prefix by its own rules.
    const reference = (t: string): unknown => {
      const slash = t.indexOf('/');
      const ip = parseIP(slash === -1 ? t : t.slice(0, slash));
      const max = ip.af === 2 ? 32 : 128;
      if (slash === -1) return { af: ip.af, bytes: ip.bytes, text: ip.text, prefixLen: max };
      const digits = t.slice(slash + 1);
      if (!/^[0-9]{1,3}$/.test(digits)) throw new TypeError('prefix');
      if (Number(digits) > max) throw new RangeError('range');
      return { af: ip.af, bytes: ip.bytes, text: ip.text, prefixLen: Number(digits) };
    };
    const outcome = (f: () => unknown): unknown => {
      try {
        return f();
      } catch (e) {
        return (e as Error).constructor.name;
      }
    };
    const part = fc.oneof(fc.nat(300).map(String), fc.constantFrom('0', '00', '01', '255', '256', '1000', '', 'a', '-1'));
    const v4ish = fc.tuple(fc.array(part, { minLength: 1, maxLength: 5 }), fc.option(fc.oneof(fc.nat(40).map(String), fc.constantFrom('', '024', '0032', 'x', '/', '1.2')), { nil: undefined }));
    fc.assert(
      fc.property(fc.oneof(v4ish.map(([p, l]) => p.join('.') + (l === undefined ? '' : `/${l}`)), fc.string({ maxLength: 20 })), (t) => {
        expect(outcome(() => parseCIDR(t))).toEqual(outcome(() => reference(t)));
      }),
      { numRuns: 5000 },
    );
  });

  it('compares the first bits of two addresses, as networkBytes would', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }), (a, b, len) => {
        expect(samePrefix(a, b, len)).toBe(formatIP(networkBytes(a, len)) === formatIP(networkBytes(b, len)));
      }),
    );
    expect(samePrefix(parseIP('192.0.2.77').bytes, parseIP('192.0.2.0').bytes, 24)).toBe(true);
    expect(samePrefix(parseIP('192.0.3.1').bytes, parseIP('192.0.2.0').bytes, 24)).toBe(false);
  });

  it('finds a name only among the table\'s own', () => {
    const table = { low: 3, zero: 0 };
    expect(ownValue(table, 'low')).toBe(3);
    expect(ownValue(table, 'zero')).toBe(0);
    for (const w of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'nope']) expect(ownValue(table, w), w).toBeUndefined();
  });

  it('names a byte only by the table\'s own names', () => {
    const table = { static: 4, boot: 3 };
    expect(parseNamedByte('static', table, 'protocol')).toBe(4);
    expect(parseNamedByte('0x10', table, 'protocol')).toBe(16);
    for (const w of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) expect(() => parseNamedByte(w, table, 'protocol'), w).toThrow(/protocol: unknown name/);
  });

  it('reads the prefix length in place: 1-3 digits, nothing else', () => {
    expect(parseCIDR('192.0.2.2/024').prefixLen).toBe(24);
    expect(parseCIDR('2001:db8::/128').prefixLen).toBe(128);
    for (const bad of ['192.0.2.2/', '192.0.2.2/0024', '192.0.2.2/2a', '192.0.2.2/ 24', '192.0.2.2/24/', '2001:db8::/1e2']) {
      expect(() => parseCIDR(bad), bad).toThrow(/^address: invalid prefix length "[^"]*" in /);
    }
    expect(() => parseCIDR('192.0.2.2/2a')).toThrow('address: invalid prefix length "2a" in "192.0.2.2/2a"');
  });

  it('gives exactly the address fields and the prefix length, for every IPv4 address and length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }), (bytes, len) => {
        const text = formatIP(bytes);
        expect(parseCIDR(`${text}/${len}`)).toEqual({ af: 2, bytes, text, prefixLen: len });
        expect(parseCIDR(text)).toEqual({ af: 2, bytes, text, prefixLen: 32 });
      }),
    );
  });

  it('computes networks and IPv4 broadcasts for every prefix length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }), (bytes, len) => {
        const n = networkBytes(bytes, len);
        const b = broadcastBytes(bytes, len);
        const u = (x: Uint8Array) => ((x[0]! << 24) | (x[1]! << 16) | (x[2]! << 8) | x[3]!) >>> 0;
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        expect(u(n)).toBe((u(bytes) & mask) >>> 0);
        expect(u(b)).toBe((u(bytes) | ~mask) >>> 0);
      }),
    );
    expect(formatIP(broadcastBytes(parseIP('192.0.2.2').bytes, 24))).toBe('192.0.2.255');
  });
});

describe('MAC text', () => {
  it('normalises case and separators', () => {
    expect(parseMAC('02-00-00-AA-BB-CC')).toBe('02:00:00:aa:bb:cc');
    expect(parseMAC('02:00:00:aa:bb:cc')).toBe('02:00:00:aa:bb:cc');
  });
  it.each(['zz', '02:00:00:aa:bb:c', '02:00:00:aa:bb:cc:', '02:00-00:aa:bb:cc', '0200.00aa.bbcc', ''])('rejects %j', (text) => {
    expect(() => parseMAC(text)).toThrow(/^hardwareAddr: invalid MAC address/);
  });
});

describe('names', () => {
  it('maps families and scopes', () => {
    expect(parseFamily('inet')).toBe(2);
    expect(parseFamily(6)).toBe(10);
    expect(() => parseFamily('ipx')).toThrow(/family must be 'inet', 'inet6', 4 or 6/);
    expect(parseScope('universe')).toBe(0);
    expect(parseScope('link')).toBe(253);
    expect(parseScope(17)).toBe(17);
    expect(parseScope('200')).toBe(200);
    expect(() => parseScope(256)).toThrow(RangeError);
    expect(scopeName(254)).toBe('host');
    expect(scopeName(17)).toBe(17);
  });
});
