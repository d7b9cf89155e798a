import { describe, expect, it } from 'vitest';
import { readPcap, writePcap, pcapFileHeader, pcapRecord } from './pcap.js';
import { swapNetlinkHeaders } from './netlink.js';
import { CaptureError, type CapturedPacket } from './types.js';
import { fromHex, loadDatagrams } from './test-support/vectors.js';

const datagrams = loadDatagrams();

/** Converts a little-endian pcap written by writePcap to a big-endian file (headers only). */
function toBigEndianFile(file: Uint8Array): Uint8Array {
  const out = file.slice();
  const src = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const dst = new DataView(out.buffer);
  dst.setUint32(0, src.getUint32(0, true), false);
  dst.setUint16(4, src.getUint16(4, true), false);
  dst.setUint16(6, src.getUint16(6, true), false);
  for (const at of [8, 12, 16, 20]) dst.setUint32(at, src.getUint32(at, true), false);
  for (let at = 24; at < file.length; ) {
    for (const f of [0, 4, 8, 12]) dst.setUint32(at + f, src.getUint32(at + f, true), false);
    at += 16 + src.getUint32(at + 8, true);
  }
  return out;
}

/** Byte offsets of each record of a writePcap file. */
function recordOffsets(file: Uint8Array): number[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: number[] = [];
  for (let at = 24; at < file.length; at += 16 + view.getUint32(at + 8, true)) out.push(at);
  return out;
}

const sample = [
  { time: { sec: 1_700_000_000, nsec: 123_456_789 }, direction: 'to-kernel' as const, portId: 4242, bytes: fromHex('2000000010000500000000000000000000000000000000000000000000000000') },
  { time: { sec: 1_700_000_001, nsec: 5_000 }, direction: 'to-user' as const, portId: 4242, bytes: fromHex('1400000003000200170f076b790f000000000000') },
  { time: { sec: 1_700_000_002, nsec: 0 }, direction: 'to-user' as const, protocol: 16, bytes: fromHex('1400000003000200010000000000000000000000') },
];

describe('pcap writer and reader', () => {
  it('reads back every iproute2 vector datagram with its bytes, direction and order', () => {
    const file = writePcap(datagrams.map((d, i) => ({ time: { sec: 1_000 + i, nsec: i * 1000 }, direction: d.direction, portId: i, bytes: d.bytes })));
    const { packets, errors } = readPcap(file);
    expect(errors).toEqual([]);
    expect(packets).toHaveLength(datagrams.length);
    packets.forEach((p, i) => {
      const d = datagrams[i]!;
      expect(p.index).toBe(i);
      expect(p.bytes).toEqual(d.bytes);
      expect(p.direction).toBe(d.direction);
      expect(p.portId).toBe(i);
      expect(p.protocol).toBe(0);
      expect(p.byteOrder).toBe('le');
      expect(p.time).toEqual({ sec: 1_000 + i, nsec: i * 1000 });
      expect(p.truncated).toBeUndefined();
    });
  });

  it('keeps nanoseconds with the nanosecond magic and truncates to microseconds without it', () => {
    const nano = readPcap(writePcap(sample, { nanosecond: true }));
    expect(nano.packets.map((p) => p.time)).toEqual(sample.map((s) => s.time));
    const micro = readPcap(writePcap(sample));
    expect(micro.packets[0]!.time).toEqual({ sec: 1_700_000_000, nsec: 123_456_000 });
  });

  it('writes the nlmon layout: link type 253 and a big-endian pseudo-header with type, ARPHRD 824, port id and protocol', () => {
    const file = writePcap(sample);
    const view = new DataView(file.buffer);
    expect(view.getUint32(0, true)).toBe(0xa1b2c3d4);
    expect(view.getUint16(4, true)).toBe(2);
    expect(view.getUint16(6, true)).toBe(4);
    expect(view.getUint32(20, true)).toBe(253);
    const first = 24 + 16;
    expect([...file.subarray(first, first + 16)]).toEqual([0, 7, 0x03, 0x38, 0, 4, 0, 0, 0x10, 0x92, 0, 0, 0, 0, 0, 0]);
    const second = 24 + 16 + 16 + 32 + 16;
    expect(view.getUint16(second, false)).toBe(6);
    const third = second + 16 + 20 + 16;
    expect(view.getUint16(third + 4, false)).toBe(0); // no port id: address length 0
    expect(view.getUint16(third + 14, false)).toBe(16); // NETLINK_GENERIC
    expect(readPcap(file).packets[2]!.protocol).toBe(16);
  });

  it('streams the same bytes as writePcap: one header then one record per datagram', () => {
    const streamed = [pcapFileHeader({ nanosecond: true }), ...sample.map((p) => pcapRecord(p, { nanosecond: true }))];
    const joined = new Uint8Array(streamed.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const part of streamed) {
      joined.set(part, at);
      at += part.length;
    }
    expect(joined).toEqual(writePcap(sample, { nanosecond: true }));
  });

  it('re-writes read packets (packet type included) to an identical file', () => {
    const file = writePcap([...sample, { bytes: sample[0]!.bytes }]);
    const again = writePcap(readPcap(file).packets);
    expect(again).toEqual(file);
  });

  it('takes a number of seconds as the time', () => {
    const { packets } = readPcap(writePcap([{ time: 1_700_000_000.25, direction: 'to-kernel', bytes: sample[0]!.bytes }], { nanosecond: true }));
    expect(packets[0]!.time).toEqual({ sec: 1_700_000_000, nsec: 250_000_000 });
  });

  it('reads a big-endian pcap file', () => {
    const { packets, errors } = readPcap(toBigEndianFile(writePcap(sample, { nanosecond: true })));
    expect(errors).toEqual([]);
    expect(packets.map((p) => [p.time, p.direction, p.portId, p.bytes])).toEqual(sample.map((s) => [s.time, s.direction, s.portId, s.bytes]));
  });

  it('infers the direction from NLM_F_REQUEST for libpcap-style type-4 packets', () => {
    const file = writePcap(datagrams.slice(0, 40).map((d) => ({ packetType: 4, bytes: d.bytes })));
    const { packets } = readPcap(file);
    expect(packets.map((p) => p.packetType)).toEqual(new Array(40).fill(4));
    expect(packets.map((p) => p.direction)).toEqual(datagrams.slice(0, 40).map((d) => d.direction));
  });

  it('detects a big-endian capture from nlmsg_len and can swap its headers back', () => {
    const le = datagrams.slice(0, 30);
    const be = le.map((d) => swapNetlinkHeaders(d.bytes, 'le'));
    const { packets } = readPcap(writePcap(be.map((bytes) => ({ packetType: 4, bytes }))));
    expect(packets.map((p) => p.byteOrder)).toEqual(new Array(30).fill('be'));
    expect(packets.map((p) => p.direction)).toEqual(le.map((d) => d.direction));
    packets.forEach((p, i) => expect(swapNetlinkHeaders(p.bytes, 'be')).toEqual(le[i]!.bytes));
  });

  it('uses a forced byte order instead of detecting one', () => {
    const { packets } = readPcap(writePcap(sample), { byteOrder: 'be' });
    expect(packets.map((p) => p.byteOrder)).toEqual(['be', 'be', 'be']);
  });
});

describe('malformed pcap files', () => {
  const file = writePcap(sample);
  const offsets = recordOffsets(file);

  const expectError = (e: CaptureError | undefined, code: string, packetIndex: number | undefined, offset: number): void => {
    expect(e).toBeInstanceOf(CaptureError);
    expect(e!.code).toBe(code);
    expect(e!.packetIndex).toBe(packetIndex);
    expect(e!.offset).toBe(offset);
    if (packetIndex !== undefined) expect(e!.message).toContain(`packet ${packetIndex} at byte ${offset}`);
  };

  it('rejects a wrong magic with one error and no packets', () => {
    const bad = file.slice();
    bad[0] = 0;
    const { packets, errors } = readPcap(bad);
    expect(packets).toEqual([]);
    expect(errors).toHaveLength(1);
    expectError(errors[0], 'bad-magic', undefined, 0);
    expect(errors[0]!.message).toMatch(/not a pcap file: magic 0x00c3b2a1/);
  });

  it('reports a file cut inside its 24-byte header', () => {
    const { errors } = readPcap(file.subarray(0, 10));
    expectError(errors[0], 'truncated-file', undefined, 0);
  });

  it('names a link type that is not netlink', () => {
    const other = file.slice();
    new DataView(other.buffer).setUint32(20, 1, true);
    const { packets, errors } = readPcap(other);
    expect(packets).toEqual([]);
    expect(errors[0]!.message).toBe('link type 1 is not netlink (253)');
    expect(errors[0]!.code).toBe('link-type');
  });

  it('keeps the packets before a file truncated inside a record, and the cut packet as truncated', () => {
    const cut = file.subarray(0, offsets[2]! + 16 + 16 + 4);
    const { packets, errors } = readPcap(cut);
    expect(packets.map((p) => p.bytes)).toEqual([sample[0]!.bytes, sample[1]!.bytes, sample[2]!.bytes.subarray(0, 4)]);
    expect(packets[2]!.truncated).toBe(true);
    expect(packets[2]!.originalLength).toBe(20);
    expect(errors).toHaveLength(1);
    expectError(errors[0], 'truncated-file', 2, offsets[2]!);
  });

  it('reports a file cut inside a record header', () => {
    const { packets, errors } = readPcap(file.subarray(0, offsets[1]! + 9));
    expect(packets).toHaveLength(1);
    expectError(errors[0], 'truncated-file', 1, offsets[1]!);
    expect(errors[0]!.message).toContain('record header (9 of 16 bytes)');
  });

  it('flags a snaplen-cut packet, keeps what was captured, and reads the following packets', () => {
    // Re-write packet 0 with caplen 16+8 and origlen 16+32, as tcpdump -s 24 would.
    const parts = [file.subarray(0, offsets[0]!)];
    const record = file.slice(offsets[0]!, offsets[0]! + 16 + 16 + 8);
    new DataView(record.buffer).setUint32(8, 24, true);
    parts.push(record, file.subarray(offsets[1]!));
    const cut = Uint8Array.from(parts.flatMap((p) => [...p]));
    const { packets, errors } = readPcap(cut);
    expect(packets).toHaveLength(3);
    expect(packets[0]!.truncated).toBe(true);
    expect(packets[0]!.originalLength).toBe(32);
    expect(packets[0]!.bytes).toEqual(sample[0]!.bytes.subarray(0, 8));
    expect(packets[0]!.byteOrder).toBe('le');
    expect(packets[1]!.bytes).toEqual(sample[1]!.bytes);
    expect(errors).toHaveLength(1);
    expectError(errors[0], 'snaplen', 0, 24);
    expect(errors[0]!.message).toContain('only 8 of its 32 netlink bytes were captured');
  });

  it('reports a packet shorter than its pseudo-header and reads the following packets', () => {
    const short = pcapRecord({ bytes: new Uint8Array(0) }).subarray(0, 16 + 10);
    new DataView(short.buffer, short.byteOffset).setUint32(8, 10, true);
    new DataView(short.buffer, short.byteOffset).setUint32(12, 10, true);
    const bad = Uint8Array.from([...file.subarray(0, offsets[1]!), ...short, ...file.subarray(offsets[1]!)]);
    const { packets, errors } = readPcap(bad);
    expect(packets.map((p) => p.index)).toEqual([0, 2, 3]);
    expect(packets.map((p) => p.bytes)).toEqual(sample.map((s) => s.bytes));
    expect(errors).toHaveLength(1);
    expectError(errors[0], 'short-packet', 1, offsets[1]!);
    expect(errors[0]!.message).toContain('10 bytes, shorter than its 16-byte netlink pseudo-header');
  });

  it('reads only the netlink frames of a Linux cooked (SLL) capture', () => {
    const sll = file.slice();
    const view = new DataView(sll.buffer);
    view.setUint32(20, 113, true);
    view.setUint16(offsets[1]! + 16 + 2, 1, false); // an Ethernet frame in between
    const { packets, errors } = readPcap(sll);
    expect(errors).toEqual([]);
    expect(packets.map((p) => p.index)).toEqual([0, 2]);
  });
});

describe('pcap writer input checks', () => {
  const bytes = sample[0]!.bytes;
  it.each([
    [{ bytes: [1, 2] as unknown as Uint8Array }, TypeError, /packets\[0\]\.bytes must be a Uint8Array/],
    [{ bytes, portId: -1 }, RangeError, /packets\[0\]\.portId must be an integer from 0 to 4294967295/],
    [{ bytes, protocol: 70000 }, RangeError, /packets\[0\]\.protocol/],
    [{ bytes, direction: 'up' as unknown as 'to-kernel' }, RangeError, /packets\[0\]\.direction must be 'to-kernel' or 'to-user'/],
    [{ bytes, time: { sec: 1, nsec: 1e9 } }, RangeError, /packets\[0\]\.time\.nsec/],
    [{ bytes, time: -1 }, RangeError, /packets\[0\]\.time must be seconds/],
  ])('rejects %o naming the field', (packet, type, message) => {
    expect(() => writePcap([packet as CapturedPacket])).toThrow(type);
    expect(() => writePcap([packet as CapturedPacket])).toThrow(message);
  });
});
