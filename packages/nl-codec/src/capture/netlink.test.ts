import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectByteOrder, inferDirection, looksLikeNetlink, swapNetlinkHeaders } from './netlink.js';
import { fromHex, loadDatagrams, VECTORS_PATH } from './test-support/vectors.js';

const datagrams = loadDatagrams();
const be = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

function vectorMessage(operation: string, dgram: number): Uint8Array {
  for (const line of readFileSync(VECTORS_PATH, 'utf8').split('\n')) {
    if (!line.includes(`"name":"${operation}"`)) continue;
    const op = JSON.parse(line) as { messages: { dgram: number; hex: string }[] };
    return fromHex(op.messages.find((m) => m.dgram === dgram)!.hex);
  }
  throw new Error(`no vector ${operation}`);
}

describe('byte order detection', () => {
  it('finds little-endian for every iproute2 datagram and big-endian once their headers are swapped', () => {
    for (const d of datagrams) {
      expect(detectByteOrder(d.bytes)).toBe('le');
      expect(detectByteOrder(swapNetlinkHeaders(d.bytes, 'le'))).toBe('be');
    }
  });

  it('decides a snaplen-cut datagram from its length on the wire', () => {
    const big = datagrams.find((d) => d.bytes.length > 1000)!.bytes;
    expect(detectByteOrder(big.subarray(0, 40), big.length)).toBe('le');
    expect(detectByteOrder(swapNetlinkHeaders(big, 'le').subarray(0, 40), big.length)).toBe('be');
  });

  it('leaves undecidable bytes undecided', () => {
    expect(detectByteOrder(new Uint8Array(32))).toBeUndefined();
    expect(detectByteOrder(Uint8Array.of(1, 2))).toBeUndefined();
    expect(looksLikeNetlink(new Uint8Array(32))).toBe(false);
    expect(looksLikeNetlink(datagrams[0]!.bytes)).toBe(true);
  });
});

describe('direction inference', () => {
  it('agrees with the recorded direction of every iproute2 datagram', () => {
    for (const d of datagrams) expect(inferDirection(d.bytes, 'le')).toBe(d.direction);
  });

  it('needs a whole header', () => {
    expect(inferDirection(new Uint8Array(15), 'le')).toBeUndefined();
  });
});

describe('swapNetlinkHeaders', () => {
  it('is its own inverse on every iproute2 datagram, with and without attribute headers', () => {
    const attributesAt = (type: number): number | undefined => (type >= 16 && type <= 19 ? 32 : type >= 20 && type <= 23 ? 24 : undefined);
    for (const d of datagrams) {
      expect(swapNetlinkHeaders(swapNetlinkHeaders(d.bytes, 'le'), 'be')).toEqual(d.bytes);
      expect(swapNetlinkHeaders(swapNetlinkHeaders(d.bytes, 'le', { attributesAt }), 'be', { attributesAt })).toEqual(d.bytes);
    }
  });

  it('converts the header, error, echoed request header and ext-ack attributes of an NLMSG_ERROR', () => {
    const error = vectorMessage('link_err_gso_max_size_range', 5);
    const swapped = swapNetlinkHeaders(error, 'le');
    const v = be(swapped);
    expect([v.getUint32(0), v.getUint16(4), v.getUint16(6)]).toEqual([132, 2, 0x200]);
    expect(v.getInt32(16)).toBe(-34); // ERANGE
    expect([v.getUint32(20), v.getUint16(24), v.getUint16(26)]).toEqual([40, 16, 5]);
    // ext-ack TLVs start after the 40-byte echoed request: MSG (1), then OFFS (2) = 0x20.
    expect([v.getUint16(60), v.getUint16(62)]).toEqual([25, 1]);
    expect([v.getUint16(88), v.getUint16(90), v.getUint32(92)]).toEqual([8, 2, 0x20]);
    expect(error).toEqual(vectorMessage('link_err_gso_max_size_range', 5)); // input untouched
  });

  it('converts top-level attribute headers where attributesAt says they start, leaving values alone', () => {
    const request = vectorMessage('link_add_bridge', 2); // RTM_NEWLINK: ifname "br0", linkinfo
    const swapped = swapNetlinkHeaders(request, 'le', { attributesAt: () => 32 });
    const v = be(swapped);
    expect([v.getUint16(32), v.getUint16(34)]).toEqual([8, 3]);
    expect([...swapped.subarray(36, 40)]).toEqual([0x62, 0x72, 0x30, 0]);
    expect([v.getUint16(40), v.getUint16(42)]).toEqual([16, 18]);
    expect(swapped.subarray(16, 32)).toEqual(request.subarray(16, 32)); // family header untouched
    expect(swapped.subarray(44)).toEqual(request.subarray(44)); // nested attributes untouched
  });
});
