import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateId, validateIfName, validateIp, validateMac, validateMtu } from './validate.js';

describe('validateIfName', () => {
  it('accepts 1 to 15 byte names and %d templates', () => {
    expect(validateIfName('a')).toBe('a');
    expect(validateIfName('abcdefghijklmno')).toBe('abcdefghijklmno');
    expect(validateIfName('tap%d')).toBe('tap%d');
  });

  it('counts bytes, not characters: 8 two-byte characters are too long', () => {
    expect(() => validateIfName('éééééééé')).toThrow(/16 bytes/);
  });

  it('rejects "/", ":", whitespace, NUL, "." and ".." naming the field', () => {
    for (const bad of ['a/b', 'a:b', 'a b', 'a\tb', 'a\0b', '.', '..']) expect(() => validateIfName(bad, 'peer.name')).toThrow(/peer\.name/);
  });

  it('rejects a template where a real name is needed', () => {
    expect(() => validateIfName('br%d', 'name', false)).toThrow(/template/);
  });

  it('never accepts a name the kernel would refuse (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        let ok = true;
        try {
          validateIfName(s);
        } catch {
          ok = false;
        }
        const kernelOk = s.length > 0 && Buffer.byteLength(s) <= 15 && s !== '.' && s !== '..' && !/[/:\s\0]/u.test(s);
        return ok === kernelOk;
      }),
    );
  });
});

describe('validateMtu, validateMac, validateId, validateIp', () => {
  it('bounds MTU to 68..65535 with RangeError and non-integers with TypeError', () => {
    expect(validateMtu(68)).toBe(68);
    expect(validateMtu(65535)).toBe(65535);
    expect(() => validateMtu(67)).toThrow(RangeError);
    expect(() => validateMtu(1500.5)).toThrow(TypeError);
  });

  it('normalizes a MAC to lowercase and rejects malformed ones', () => {
    expect(validateMac('02:AA:bb:cc:dd:ee')).toBe('02:aa:bb:cc:dd:ee');
    for (const bad of ['zz', '02:aa:bb:cc:dd', '02-aa-bb-cc-dd-ee', '02:aa:bb:cc:dd:ee:ff']) expect(() => validateMac(bad)).toThrow(/invalid MAC address/);
  });

  it('rejects a negative uid/gid', () => {
    expect(() => validateId(-1, 'owner')).toThrow(/owner must not be negative/);
    expect(validateId(0, 'owner')).toBe(0);
  });

  it('tells IPv4 from IPv6 and rejects anything else', () => {
    expect(validateIp('192.0.2.1', 'remote')).toBe(4);
    expect(validateIp('2001:db8::1', 'remote')).toBe(6);
    expect(validateIp('::ffff:192.0.2.1', 'remote')).toBe(6);
    for (const bad of ['192.0.2', '256.0.0.1', '2001:db8:::1', 'host']) expect(() => validateIp(bad, 'remote')).toThrow(/remote/);
  });
});

describe('validateSetMtu', () => {
  it('accepts an existing link’s MTU above 65535 (loopback runs at 65536) and refuses nonsense before any syscall', async () => {
    const { validateSetMtu } = await import('./validate.js');
    expect(validateSetMtu(65536)).toBe(65536);
    expect(() => validateSetMtu(67)).toThrow(RangeError);
    expect(() => validateSetMtu(2 ** 31)).toThrow(RangeError);
    expect(() => validateSetMtu('1500')).toThrow(TypeError);
  });
});
