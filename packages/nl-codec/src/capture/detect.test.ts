import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat, readCapture } from './detect.js';
import { readHex, writeHex } from './hex.js';
import { readPcap, writePcap, type PcapPacketInput } from './pcap.js';
import { CaptureError, type CaptureFormat } from './types.js';
import { PcapngBuilder, netlinkFrame } from './test-support/pcapng-builder.js';
import { loadDatagrams } from './test-support/vectors.js';

const straceText = readFileSync(new URL('./fixtures/ip-link-show.strace', import.meta.url), 'latin1');
const datagrams = loadDatagrams().slice(0, 20);
const pcap = writePcap(datagrams.map((d) => ({ direction: d.direction, bytes: d.bytes })));
const pcapng = (() => {
  const b = new PcapngBuilder().section().interface(253, { tsresol: 9 });
  for (const d of datagrams) b.epb(0, 1n, netlinkFrame(d.bytes, 4));
  return b.build();
})();
const encoder = new TextEncoder();

describe('format detection', () => {
  it.each<[string, Uint8Array | string, CaptureFormat]>([
    ['a little-endian pcap', pcap, 'pcap'],
    ['a big-endian nanosecond pcap', Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d, 0, 2), 'pcap'],
    ['a pcapng', pcapng, 'pcapng'],
    ['strace output', encoder.encode(straceText), 'strace'],
    ['strace output as text', straceText, 'strace'],
    ['strace dump lines alone', ' | 00000  20 00 00 00 10 00 05 00  00 00 00 00 00 00 00 00   ............... |\n', 'strace'],
    ['hex text', encoder.encode('# probe\n0x20 0x00 0x00 0x00\n10:00:05:00\n'), 'hex'],
    ['hex text as a string', '20000000 10000500', 'hex'],
    ['a netlink datagram', datagrams[0]!.bytes, 'raw'],
    ['text that is neither', encoder.encode('hello, world\n'), 'raw'],
    ['empty input', new Uint8Array(0), 'raw'],
  ])('recognises %s', (_name, input, format) => {
    expect(detectFormat(input)).toBe(format);
  });
});

describe('large inputs', () => {
  it('detects and reads a 12 MB hex text (a regexp over it would overflow its stack)', () => {
    const text = '# dump\n' + '14 00 00 00 03 00 02 00 17 3f 07 6b 79 0f 00 00 00 00 00 00\n\n'.repeat(200_000);
    expect(text.length).toBeGreaterThan(12_000_000);
    expect(detectFormat(text)).toBe('hex');
    const { packets, errors } = readCapture(encoder.encode(text));
    expect(errors).toEqual([]);
    expect(packets).toHaveLength(200_000);
  });

  it('reads strace text with a 200 000-character blank run on one line', () => {
    const text = 'recvmsg(3<NETLINK:[ROUTE:1]>, ' + ' '.repeat(200_000) + 'x\n' + straceText;
    expect(readCapture(text).packets).toHaveLength(5);
  });
});

describe('readCapture', () => {
  it('detects the format and reads the packets', () => {
    const result = readCapture(pcap);
    expect(result.format).toBe('pcap');
    expect(result.packets.map((p) => p.bytes)).toEqual(datagrams.map((d) => d.bytes));
    expect(readCapture(pcapng).packets.map((p) => p.direction)).toEqual(datagrams.map((d) => d.direction));
    expect(readCapture(straceText).packets).toHaveLength(5);
  });

  it('reads hex text as raw bytes when told the format', () => {
    const text = encoder.encode('20 00');
    const result = readCapture(text, { format: 'raw' });
    expect(result.format).toBe('raw');
    expect(result.packets[0]!.bytes).toEqual(text);
  });

  it('passes a forced byte order to the reader', () => {
    expect(readCapture(pcap, { byteOrder: 'be' }).packets.every((p) => p.byteOrder === 'be')).toBe(true);
  });

  it('rejects bad arguments with TypeError/RangeError naming them', () => {
    expect(() => readCapture([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => readCapture(pcap, { format: 'pcapx' as CaptureFormat })).toThrow(/options\.format must be one of auto, pcap, pcapng, strace, hex, raw; got pcapx/);
    expect(() => readCapture(pcap, { byteOrder: 'middle' as 'le' })).toThrow(/options\.byteOrder must be 'le' or 'be'/);
    expect(() => readCapture('text', { format: 'pcap' })).toThrow(/a pcap capture must be given as bytes, not text/);
  });

  it('reports text that is neither strace nor hex instead of reading it as raw', () => {
    const result = readCapture('hello, world');
    expect(result.packets).toEqual([]);
    expect(result.errors.map((e) => [e.code, e.message])).toEqual([['bad-magic', 'text input is neither strace output nor hex text']]);
    expect(readCapture('')).toEqual({ packets: [], errors: [], format: 'raw' });
  });
});

const formats: (CaptureFormat | 'auto')[] = ['auto', 'pcap', 'pcapng', 'strace', 'hex', 'raw'];

function expectWellFormed(result: ReturnType<typeof readCapture>): void {
  for (const e of result.errors) expect(e).toBeInstanceOf(CaptureError);
  for (const p of result.packets) {
    expect(p.bytes).toBeInstanceOf(Uint8Array);
    expect(Number.isInteger(p.index)).toBe(true);
    expect(['le', 'be']).toContain(p.byteOrder);
  }
}

describe('robustness (property tests)', () => {
  it('never throws on random bytes in any format', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(...formats), (bytes, format) => {
        expectWellFormed(readCapture(bytes, { format }));
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on damaged pcap, pcapng and strace captures', () => {
    const seeds = [pcap, pcapng, encoder.encode(straceText), encoder.encode(writeHex(datagrams))];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat()),
        (seed, flips, cut) => {
          const bytes = seed.slice(0, cut === null ? undefined : cut % (seed.length + 1));
          for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
          expectWellFormed(readCapture(bytes));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('never throws on strace-like text built from real fragments', () => {
    const fragment = fc.constantFrom(
      '[pid  12] ', '12  ', '1795637124.146174 ', '10:20:30 ', '10:20:30.5 ', '0.000123 ',
      'sendto(', 'recvmsg(', 'sendmsg(', 'recvfrom(', 'read(', 'write(', 'socket(', 'close(', '<... recvmsg resumed>', '<... sendto resumed>',
      '3', '3<NETLINK:[ROUTE:12]>', '4<NETLINK:[7465]>', '5<socket:[1]>', '6<UNIX:[1->2]>', '<NETLINK:[GENERIC:x]>', 'AF_NETLINK', '0x10', 'NETLINK_ROUTE',
      ', ', ') = 20', ') = -1 EAGAIN', ') = ?', ' <unfinished ...>', 'MSG_PEEK', '0x22', '{', '}', '\n',
      ' * 20 bytes in buffer 0\n', ' * 4 bytes in buffer 1\n',
      ' | 00000  14 00 00 00 03 00 02 00  17 3f 07 6b 79 0f 00 00  ................ |\n',
      ' | 00010  00 00 00 00                                       ....             |\n',
      ' | 00020  zz 00\n', ' | 00000  \n', ' | 0000f  ff ff ff ff ff ff ff ff  ff ff ff ff ff ff ff ff ff ff |\n',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        expectWellFormed(readCapture(text, { format: 'strace' }));
        expectWellFormed(readCapture(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on hex-like text', () => {
    const fragment = fc.constantFrom('0x', '0X', '14', '0', 'f', 'g', ' ', ':', '-', ',', '\n', '\r\n', '\n\n', '# c', '#', '\t', 'x');
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 80 }), (parts) => {
        const text = parts.join('');
        const result = readCapture(text, { format: 'hex' });
        expectWellFormed(result);
        for (const e of result.errors) expect(e.line).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
  });

  const packetArb = fc.record(
    {
      time: fc.record({ sec: fc.nat({ max: 0xffffffff }), nsec: fc.nat({ max: 999_999_999 }) }),
      direction: fc.constantFrom('to-kernel' as const, 'to-user' as const),
      protocol: fc.nat({ max: 0xffff }),
      portId: fc.nat({ max: 0xffffffff }),
      bytes: fc.uint8Array({ maxLength: 300 }),
    },
    { requiredKeys: ['bytes', 'time', 'protocol'] },
  );

  it('reads back what writePcap wrote', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 12 }), (packets: PcapPacketInput[]) => {
        const { packets: read, errors } = readPcap(writePcap(packets, { nanosecond: true }));
        expect(errors).toEqual([]);
        expect(read).toHaveLength(packets.length);
        read.forEach((p, i) => {
          const w = packets[i]!;
          expect(p.bytes).toEqual(w.bytes);
          expect(p.time).toEqual(w.time);
          expect(p.protocol).toBe(w.protocol);
          expect(p.portId).toBe(w.portId);
          if (w.direction !== undefined) expect(p.direction).toBe(w.direction);
          else expect(p.packetType).toBe(4);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reads back what writeHex wrote', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 100 }), { maxLength: 8 }), fc.integer({ min: 1, max: 40 }), (list, perLine) => {
        const { packets, errors } = readHex(writeHex(list, { bytesPerLine: perLine }));
        expect(errors).toEqual([]);
        expect(packets.map((p) => p.bytes)).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });
});
