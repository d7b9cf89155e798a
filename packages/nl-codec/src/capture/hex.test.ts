import { describe, expect, it } from 'vitest';
import { readHex, readRaw, writeHex } from './hex.js';
import { CaptureError } from './types.js';
import { loadDatagrams } from './test-support/vectors.js';

const request = Uint8Array.of(0x14, 0, 0, 0, 0x12, 0, 0x01, 0x03, 0x17, 0x3f, 0x07, 0x6b, 0, 0, 0, 0, 0x11, 0, 0, 0);
const done = Uint8Array.of(0x14, 0, 0, 0, 0x03, 0, 0x02, 0, 0x17, 0x3f, 0x07, 0x6b, 0x79, 0x0f, 0, 0, 0, 0, 0, 0);

describe('hex text reader', () => {
  it('tolerates 0x prefixes, separators, comments and blank-line separated datagrams', () => {
    const text = [
      '# RTM_GETLINK dump request',
      '0x14 0x00 0x00 0x00   0x12,0x00,0x01,0x03',
      '# a comment-only line does not end the datagram',
      '17:3f:07:6b 00-00-00-00 # seq, pid',
      '\t0x11000000',
      '',
      '',
      '14000000 0300 0200 173F076B 790F0000 00000000',
    ].join('\n');
    const { packets, errors } = readHex(text);
    expect(errors).toEqual([]);
    expect(packets.map((p) => p.bytes)).toEqual([request, done]);
    expect(packets.map((p) => [p.index, p.direction, p.protocol, p.byteOrder])).toEqual([
      [0, 'to-kernel', 0, 'le'],
      [1, 'to-user', 0, 'le'],
    ]);
    expect(packets.map((p) => p.source)).toEqual([
      { format: 'hex', offset: text.indexOf('0x14'), line: 2 },
      { format: 'hex', offset: text.indexOf('14000000'), line: 8 },
    ]);
  });

  it('reports an odd number of digits with its line and column and still reads the next datagram', () => {
    const text = '14 00 00 00\n12 00 0x013 03\n\n14 00 00 00 03 00 02 00 17 3f 07 6b 79 0f 00 00 00 00 00 00\n';
    const { packets, errors } = readHex(text);
    expect(packets.map((p) => [p.index, p.bytes])).toEqual([[1, done]]);
    expect(errors).toHaveLength(1);
    const [e] = errors;
    expect(e).toBeInstanceOf(CaptureError);
    expect([e!.code, e!.packetIndex, e!.line, e!.column, e!.offset]).toEqual(['bad-hex', 0, 2, 7, 18]);
    expect(e!.message).toBe("line 2, column 7: odd number of hex digits (3) in '0x013'");
  });

  it.each([
    ['14 00 zz 00', "line 1, column 7: 'z' is not a hex digit"],
    ['14 0x 00', "line 1, column 4: '0x' has no hex digits"],
    ['14 00\r\n00 0q', "line 2, column 5: 'q' is not a hex digit"],
  ])('rejects %j', (text, message) => {
    const { packets, errors } = readHex(text);
    expect(packets).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual([message]);
  });

  it('reads hex given as bytes', () => {
    expect(readHex(new TextEncoder().encode('14 00 00 00 12 00 01 03 17 3f 07 6b 00 00 00 00 11 00 00 00')).packets[0]!.bytes).toEqual(request);
  });

  it('round-trips every iproute2 datagram through writeHex', () => {
    const datagrams = loadDatagrams();
    const text = writeHex(datagrams);
    expect(text.split('\n')[0]).toMatch(/^([0-9a-f]{2} ){15}[0-9a-f]{2}$/);
    const { packets, errors } = readHex(text);
    expect(errors).toEqual([]);
    expect(packets.map((p) => p.bytes)).toEqual(datagrams.map((d) => d.bytes));
    expect(packets.map((p) => p.direction)).toEqual(datagrams.map((d) => d.direction));
  });

  it('rejects bad writeHex arguments naming them', () => {
    expect(() => writeHex([request], { bytesPerLine: 0 })).toThrow(/options\.bytesPerLine must be a positive integer/);
    expect(() => writeHex([[1, 2] as unknown as Uint8Array])).toThrow(/datagrams\[0\] must be a Uint8Array or have bytes/);
  });
});

describe('raw reader', () => {
  it('returns one packet holding a copy of all the bytes', () => {
    const input = Uint8Array.from([...request, ...done]);
    const { packets, errors } = readRaw(input);
    expect(errors).toEqual([]);
    expect(packets).toHaveLength(1);
    expect(packets[0]!.bytes).toEqual(input);
    input[0] = 0;
    expect(packets[0]!.bytes[0]).toBe(0x14);
    expect(packets[0]!.direction).toBe('to-kernel');
    expect(packets[0]!.source).toEqual({ format: 'raw', offset: 0 });
  });

  it('gives no packet for empty input', () => {
    expect(readRaw(new Uint8Array(0))).toEqual({ packets: [], errors: [] });
  });
});
