import { describe, expect, it } from 'vitest';
import { readPcapng } from './pcapng.js';
import { CaptureError } from './types.js';
import { PcapngBuilder, netlinkFrame, type Order } from './test-support/pcapng-builder.js';
import { loadDatagrams } from './test-support/vectors.js';

const datagrams = loadDatagrams();
const typeOf = (d: { direction: string }): number => (d.direction === 'to-kernel' ? 7 : 6);

describe('pcapng reader', () => {
  it.each<Order>(['le', 'be'])('reads every iproute2 datagram from a %s section with directions, port ids and order', (order) => {
    const b = new PcapngBuilder(order).section().interface(253);
    datagrams.forEach((d, i) => b.epb(0, BigInt(1_700_000_000 + i) * 1_000_000n + 42n, netlinkFrame(d.bytes, typeOf(d), 0, 7000 + i)));
    const { packets, errors } = readPcapng(b.build());
    expect(errors).toEqual([]);
    expect(packets).toHaveLength(datagrams.length);
    packets.forEach((p, i) => {
      expect(p.index).toBe(i);
      expect(p.bytes).toEqual(datagrams[i]!.bytes);
      expect(p.direction).toBe(datagrams[i]!.direction);
      expect(p.portId).toBe(7000 + i);
      expect(p.byteOrder).toBe('le'); // the netlink bytes keep the capturing host's order
      expect(p.time).toEqual({ sec: 1_700_000_000 + i, nsec: 42_000 });
      expect(p.source).toEqual({ format: 'pcapng', offset: expect.any(Number), interfaceId: 0 });
    });
  });

  it('applies if_tsresol (powers of ten and of two) and if_tsoffset', () => {
    const bytes = datagrams[0]!.bytes;
    const file = new PcapngBuilder()
      .section()
      .interface(253, { tsresol: 9 })
      .interface(253, { tsresol: 0x80 | 10, tsoffset: 100n })
      .interface(253, { tsresol: 3 })
      .epb(0, 1_700_000_000_123_456_789n, netlinkFrame(bytes, 7))
      .epb(1, 5n * 1024n + 512n, netlinkFrame(bytes, 7))
      .epb(2, 1_500n, netlinkFrame(bytes, 7))
      .build();
    const { packets, errors } = readPcapng(file);
    expect(errors).toEqual([]);
    expect(packets.map((p) => p.time)).toEqual([
      { sec: 1_700_000_000, nsec: 123_456_789 },
      { sec: 105, nsec: 500_000_000 },
      { sec: 1, nsec: 500_000_000 },
    ]);
    expect(packets.map((p) => p.source.interfaceId)).toEqual([0, 1, 2]);
  });

  it('reports a non-netlink interface once, skips its packets and reads the netlink interface', () => {
    const file = new PcapngBuilder()
      .section()
      .interface(1)
      .interface(253)
      .epb(0, 0n, new Uint8Array(60))
      .epb(1, 0n, netlinkFrame(datagrams[0]!.bytes, 7))
      .epb(0, 0n, new Uint8Array(60))
      .epb(1, 0n, netlinkFrame(datagrams[1]!.bytes, 6))
      .build();
    const { packets, errors } = readPcapng(file);
    expect(packets.map((p) => [p.index, p.source.interfaceId])).toEqual([
      [1, 1],
      [3, 1],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('link-type');
    expect(errors[0]!.message).toContain('interface 0 at byte 28: link type 1 is not netlink (253)');
  });

  it('reads Simple Packet Blocks, skips unknown blocks, and restarts interfaces in a new section of the other byte order', () => {
    const file = new PcapngBuilder()
      .section('le')
      .other(4) // name resolution
      .interface(253)
      .spb(netlinkFrame(datagrams[0]!.bytes, 4))
      .other(0x40000bad, new Uint8Array(12)) // custom block
      .section('be')
      .interface(253, { tsresol: 9 })
      .epb(0, 7n, netlinkFrame(datagrams[1]!.bytes, 6, 16))
      .build();
    const { packets, errors } = readPcapng(file);
    expect(errors).toEqual([]);
    expect(packets.map((p) => [p.index, p.bytes, p.direction, p.protocol, p.time])).toEqual([
      [0, datagrams[0]!.bytes, 'to-kernel', 0, undefined],
      [1, datagrams[1]!.bytes, 'to-user', 16, { sec: 0, nsec: 7 }],
    ]);
  });
});

describe('malformed pcapng files', () => {
  const good = (): PcapngBuilder =>
    new PcapngBuilder().section().interface(253).epb(0, 0n, netlinkFrame(datagrams[0]!.bytes, 7)).epb(0, 0n, netlinkFrame(datagrams[1]!.bytes, 6));

  it('rejects a file that does not start with a section header', () => {
    const { packets, errors } = readPcapng(new Uint8Array(64).fill(1));
    expect(packets).toEqual([]);
    expect(errors[0]).toBeInstanceOf(CaptureError);
    expect(errors[0]!.code).toBe('bad-magic');
    expect(errors[0]!.offset).toBe(0);
  });

  it('keeps the packets before a truncated block and names the cut packet and its offset', () => {
    const file = good().build();
    const { packets, errors } = readPcapng(file.subarray(0, file.length - 10));
    expect(packets).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('truncated-file');
    expect(errors[0]!.packetIndex).toBe(1);
    const secondBlock = 28 + 20 + 28 + 16 + datagrams[0]!.bytes.length + 4;
    expect(errors[0]!.offset).toBe(secondBlock);
    expect(errors[0]!.message).toContain(`packet 1 at byte ${secondBlock}`);
  });

  it('flags a snaplen-cut packet and a packet shorter than its pseudo-header, and reads the rest', () => {
    const full = netlinkFrame(datagrams[2]!.bytes, 7);
    const file = new PcapngBuilder()
      .section()
      .interface(253)
      .epb(0, 0n, full.subarray(0, 24), full.length)
      .epb(0, 0n, new Uint8Array(10))
      .epb(0, 0n, netlinkFrame(datagrams[3]!.bytes, 6))
      .build();
    const { packets, errors } = readPcapng(file);
    expect(packets.map((p) => p.index)).toEqual([0, 2]);
    expect(packets[0]!.truncated).toBe(true);
    expect(packets[0]!.originalLength).toBe(datagrams[2]!.bytes.length);
    expect(packets[1]!.bytes).toEqual(datagrams[3]!.bytes);
    expect(errors.map((e) => [e.code, e.packetIndex])).toEqual([
      ['snaplen', 0],
      ['short-packet', 1],
    ]);
  });

  it('reports a packet on an interface that was never described and a captured length that overruns its block', () => {
    const file = new PcapngBuilder()
      .section()
      .interface(253)
      .epb(3, 0n, netlinkFrame(datagrams[0]!.bytes, 7))
      .epb(0, 0n, netlinkFrame(datagrams[0]!.bytes, 7), 999, 999)
      .epb(0, 0n, netlinkFrame(datagrams[1]!.bytes, 6))
      .build();
    const { packets, errors } = readPcapng(file);
    expect(packets.map((p) => p.index)).toEqual([2]);
    expect(errors.map((e) => [e.code, e.packetIndex])).toEqual([
      ['unknown-interface', 0],
      ['bad-block', 1],
    ]);
  });

  it('stops at a block length that cannot be trusted', () => {
    const file = good().build();
    new DataView(file.buffer).setUint32(28 + 4, 13, true); // IDB length not a multiple of 4
    const { packets, errors } = readPcapng(file);
    expect(packets).toEqual([]);
    expect(errors.map((e) => [e.code, e.offset])).toEqual([['bad-block', 28]]);
  });
});
