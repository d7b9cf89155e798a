import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, schema } from './index.js';
import { MessageWriter } from './writer.js';

const IFLA = (name: string): number => schema.attributeInfo('rt-link/link-attrs', name)!.value;
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('MessageWriter', () => {
  it('writes what encode() writes for the same link message', () => {
    const w = new MessageWriter(16, 0x5);
    w.u8(0).u8(0).u16(0).i32(7).u32(1).u32(1);
    w.attrString(IFLA('ifname'), 'veth-ä0').attrU32(IFLA('mtu'), 9000).attrU8(IFLA('operstate'), 6);
    w.attrBytes(IFLA('address'), Uint8Array.of(2, 0, 0, 0, 0, 1)).attrU16(IFLA('gso-max-segs'), 7);
    const bytes = w.finish();
    const [m] = decode(bytes);
    expect(m!.attrs).toMatchObject({ ifname: 'veth-ä0', mtu: 9000, address: '02:00:00:00:00:01' });
    expect(hex(encode(m!))).toBe(hex(bytes));
  });

  it('pads every attribute to 4 bytes and sets nlmsg_len to the padded total', () => {
    const w = new MessageWriter(16);
    w.attrU8(1, 0xaa).attrU16(2, 0xbbbb);
    const b = w.finish();
    expect(b.length).toBe(16 + 8 + 8);
    expect(new DataView(b.buffer, b.byteOffset).getUint32(0, true)).toBe(32);
    expect(hex(b.subarray(16))).toBe('05000100aa000000' + '06000200bbbb0000');
  });

  it('grows past its initial capacity and closes nests around what they hold', () => {
    const w = new MessageWriter(16, 0, 64);
    const n = w.beginNest(18, true);
    for (let i = 0; i < 100; i++) w.attrU32(i + 1, i);
    w.endNest(n);
    const b = w.finish();
    const v = new DataView(b.buffer, b.byteOffset);
    expect(v.getUint16(16, true)).toBe(4 + 100 * 8);
    expect(v.getUint16(18, true)).toBe(18 | 0x8000);
    expect(b.length).toBe(16 + 4 + 800);
  });

  it('refuses an attribute type above 16 bits and an attribute over 65535 bytes', () => {
    expect(() => new MessageWriter(16).attrU32(0x10000, 1)).toThrow(RangeError);
    expect(() => new MessageWriter(16).attrBytes(1, new Uint8Array(70000))).toThrow(/65535/);
  });

  it('round-trips arbitrary u32 attributes and strings through decode', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 0x3fff }), fc.nat(0xffffffff)), { maxLength: 20 }), fc.string({ maxLength: 40 }), (attrs, s) => {
        const w = new MessageWriter(0x1234);
        for (const [t, v] of attrs) w.attrU32(t, v);
        w.attrString(0x3ffe, s);
        const b = w.finish();
        const v = new DataView(b.buffer, b.byteOffset);
        let off = 16;
        for (const [t, val] of attrs) {
          expect(v.getUint16(off, true)).toBe(8);
          expect(v.getUint16(off + 2, true)).toBe(t);
          expect(v.getUint32(off + 4, true)).toBe(val);
          off += 8;
        }
        const len = v.getUint16(off, true);
        expect(new TextDecoder().decode(b.subarray(off + 4, off + len - 1))).toBe(s);
        expect(b[off + len - 1]).toBe(0);
        expect(off + ((len + 3) & ~3)).toBe(b.length);
      }),
    );
  });

  it('writes any string as its UTF-8 bytes and a NUL: ASCII, beyond, long, after other attributes', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.tuple(fc.string({ maxLength: 70 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 5 })).map(([a, z]) => a + z),
    );
    fc.assert(
      fc.property(fc.nat(3), text, (before, s) => {
        const w = new MessageWriter(0x1234);
        for (let i = 0; i < before; i++) w.attrString(1, 'x'.repeat(i)); // leaves the writer unaligned
        w.attrString(2, s);
        const b = w.finish();
        const v = new DataView(b.buffer, b.byteOffset);
        let off = 16;
        for (let i = 0; i < before; i++) off += (v.getUint16(off, true) + 3) & ~3;
        const len = v.getUint16(off, true);
        expect(Array.from(b.subarray(off + 4, off + len))).toEqual([...new TextEncoder().encode(s), 0]);
        expect(off + ((len + 3) & ~3)).toBe(b.length);
      }),
      { numRuns: 500 },
    );
  });

  it('gives overlapping writers separate buffers, and a writer that threw frees the shared one', () => {
    const a = new MessageWriter(16);
    a.attrU32(1, 0x11111111);
    const b = new MessageWriter(17);
    b.attrU32(2, 0x22222222);
    const bb = b.finish();
    a.attrU32(3, 0x33333333);
    const ab = a.finish();
    expect(hex(ab)).toBe('20000000100000000000000000000000' + '0800010011111111' + '0800030033333333');
    expect(hex(bb)).toBe('18000000110000000000000000000000' + '0800020022222222');
    expect(() => new MessageWriter(16).attrU32(-1, 0)).toThrow(RangeError);
    const c = new MessageWriter(18);
    const d = new MessageWriter(19);
    c.attrU8(1, 1);
    d.attrU8(1, 2);
    expect(hex(c.finish())).toBe('18000000120000000000000000000000' + '0500010001000000');
    expect(hex(d.finish())).toBe('18000000130000000000000000000000' + '0500010002000000');
  });

  it('keeps a writer used after finish() off the next writer\'s buffer (and does not hang)', () => {
    const a = new MessageWriter(16);
    a.attrU32(1, 1);
    a.finish();
    const b = new MessageWriter(17); // takes the shared buffer
    b.attrU32(2, 0x22222222);
    a.attrU32(3, 0x33333333); // misuse: must land in a private buffer
    a.u8(7).u16(8).u32(9).raw(Uint8Array.of(1, 2, 3));
    expect(hex(b.finish())).toBe('18000000110000000000000000000000' + '0800020022222222');
  });
});
