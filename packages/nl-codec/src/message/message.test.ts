import { describe, expect, it } from 'vitest';
import { NetlinkDecodeError } from '../attrs/errors.js';
import { toHex } from '../json.js';
import { decode } from './decode.js';
import { encode } from './encode.js';
import { errnoName, errnoNumber } from './errno.js';
import { messageFlagNames, messageFlagsValue } from './flags.js';
import type { Message } from './message.js';
import { messageKind, messageTypeName, messageTypeNumber, RTM_GETLINK, RTM_NEWLINK, RTM_DELROUTE } from './types.js';

/** A raw message: header fields + payload, nlmsg_len computed unless given. */
function raw(type: number, flags: number, seq: number, pid: number, payload: number[] = [], len?: number): number[] {
  const total = len ?? 16 + payload.length;
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, total, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, pid, true);
  return [...b, ...payload];
}
const pad4 = (a: number[]): number[] => [...a, ...new Array<number>((4 - (a.length & 3)) & 3).fill(0)];
const i32 = (n: number): number[] => [...new Uint8Array(new Int32Array([n]).buffer)];

describe('message types', () => {
  it('names every RTM_* type of rtnetlink.h and the NLMSG_* control types', () => {
    expect(messageTypeName(1)).toBe('NLMSG_NOOP');
    expect(messageTypeName(2)).toBe('NLMSG_ERROR');
    expect(messageTypeName(3)).toBe('NLMSG_DONE');
    expect(messageTypeName(4)).toBe('NLMSG_OVERRUN');
    expect(messageTypeName(16)).toBe('RTM_NEWLINK');
    expect(messageTypeName(58)).toBe('RTM_GETMULTICAST');
    expect(messageTypeName(122)).toBe('RTM_GETTUNNEL');
    expect(messageTypeNumber('RTM_NEWNEXTHOPBUCKET')).toBe(116);
  });

  it('keeps unknown types as numbers, both ways', () => {
    expect(messageTypeName(999)).toBe(999);
    expect(messageTypeNumber(999)).toBe(999);
  });

  it('rejects unknown type names and numbers outside u16', () => {
    expect(() => messageTypeNumber('RTM_NOPE')).toThrow(TypeError);
    expect(() => messageTypeNumber('toString')).toThrow(TypeError);
    expect(() => messageTypeNumber(0x10000)).toThrow(RangeError);
    expect(() => messageTypeNumber(1.5)).toThrow(RangeError);
  });

  it('derives the request kind from the type number as the kernel does', () => {
    expect(messageKind(RTM_NEWLINK)).toBe('new');
    expect(messageKind(RTM_DELROUTE)).toBe('del');
    expect(messageKind(RTM_GETLINK)).toBe('get');
    expect(messageKind(19)).toBe('set');
    expect(messageKind(82)).toBe('get'); // RTM_GETNETCONF
    expect(messageKind(2)).toBe('control');
  });
});

describe('flags', () => {
  it('names GET flags, showing root|match as dump', () => {
    expect(messageFlagNames(RTM_GETLINK, 0x301)).toEqual(['request', 'dump']);
    expect(messageFlagNames(RTM_GETLINK, 0x101)).toEqual(['request', 'root']);
    expect(messageFlagNames(RTM_GETLINK, 0x701)).toEqual(['request', 'dump', 'atomic']);
  });

  it('names the same high bits by the kind of message', () => {
    expect(messageFlagNames(RTM_NEWLINK, 0xf05)).toEqual(['request', 'ack', 'replace', 'excl', 'create', 'append']);
    expect(messageFlagNames(RTM_DELROUTE, 0x305)).toEqual(['request', 'ack', 'nonrec', 'bulk']);
    expect(messageFlagNames(2, 0x300)).toEqual(['capped', 'ack_tlvs']);
    expect(messageFlagNames(3, 0x222)).toEqual(['multi', 'dump_filtered', 'ack_tlvs']);
    expect(messageFlagNames(RTM_NEWLINK, 0x3e)).toEqual(['multi', 'ack', 'echo', 'dump_intr', 'dump_filtered']);
  });

  it('keeps bits without a name for the type as numbers, one per bit', () => {
    expect(messageFlagNames(RTM_GETLINK, 0x8841)).toEqual(['request', 0x40, 0x800, 0x8000]);
    expect(messageFlagNames(19, 0x300)).toEqual([0x100, 0x200]); // RTM_SETLINK has no high names
  });

  it('turns names and numbers back into the same value', () => {
    for (const [type, value] of [[RTM_GETLINK, 0x8b41], [RTM_NEWLINK, 0xfff], [2, 0x3ff], [999, 0xffff]] as const) {
      expect(messageFlagsValue(type, messageFlagNames(type, value))).toBe(value);
    }
    expect(messageFlagsValue(RTM_NEWLINK, 0x605)).toBe(0x605);
    expect(messageFlagsValue(RTM_NEWLINK, undefined)).toBe(0);
  });

  it('rejects a flag name that the type does not have, naming it', () => {
    expect(() => messageFlagsValue(RTM_NEWLINK, ['request', 'dump'])).toThrow(/'dump'/);
    expect(() => messageFlagsValue(RTM_GETLINK, [0x10000])).toThrow(RangeError);
  });
});

describe('errno names', () => {
  it('names negative and positive errnos, including kernel-internal ENOTSUPP', () => {
    expect(errnoName(-17)).toBe('EEXIST');
    expect(errnoName(19)).toBe('ENODEV');
    expect(errnoName(-524)).toBe('ENOTSUPP');
    expect(errnoName(0)).toBeUndefined();
    expect(errnoNumber('ERANGE')).toBe(34);
    expect(errnoNumber('EWOULDBLOCK')).toBe(11);
  });
});

describe('framing', () => {
  it('splits a datagram into messages at 4-byte alignment', () => {
    const bytes = Uint8Array.from([...pad4(raw(999, 0, 1, 2, [1, 2, 3, 4, 5])), ...raw(998, 2, 3, 4, [9])]);
    const msgs = decode(bytes);
    expect(msgs).toEqual([
      { header: { type: 999, flags: [], seq: 1, pid: 2 }, payload: Uint8Array.from([1, 2, 3, 4, 5]) },
      // The datagram ends without the last message's alignment padding: recorded, so the
      // bytes come back exactly.
      { header: { type: 998, flags: ['multi'], seq: 3, pid: 4 }, payload: Uint8Array.from([9]), padding: new Uint8Array(0) },
    ]);
    expect(encode(msgs)).toEqual(bytes);
  });

  it('keeps bytes after a header with nlmsg_len below 16 as trailing, like the kernel ignores them', () => {
    const tail = [8, 0, 0, 0, ...new Array<number>(40).fill(0)];
    const bytes = Uint8Array.from([...raw(1, 0, 7, 0), ...tail]);
    const msgs = decode(bytes);
    expect(msgs.length).toBe(1);
    expect(msgs[0]!.trailing).toEqual(Uint8Array.from(tail));
    expect(encode(msgs)).toEqual(bytes);
  });

  it('keeps fewer than 16 leftover bytes as trailing', () => {
    const bytes = Uint8Array.from([...raw(1, 0, 7, 0), 1, 2, 3, 4, 5, 6]);
    const msgs = decode(bytes);
    expect(msgs[0]!.trailing).toEqual(Uint8Array.from([1, 2, 3, 4, 5, 6]));
    expect(encode(msgs)).toEqual(bytes);
  });

  it('keeps a last message that ends without its alignment padding exact', () => {
    const bytes = Uint8Array.from(raw(999, 0, 1, 2, [1, 2, 3, 4, 5]));
    const msgs = decode(bytes);
    expect(msgs[0]!.padding).toEqual(new Uint8Array(0));
    expect(encode(msgs)).toEqual(bytes);
  });

  it('keeps non-zero alignment padding exact', () => {
    const bytes = Uint8Array.from([...raw(999, 0, 1, 2, [1]), 0xaa, 0, 0xbb, ...raw(1, 0, 0, 0)]);
    const msgs = decode(bytes);
    expect(msgs[0]!.padding).toEqual(Uint8Array.from([0xaa, 0, 0xbb]));
    expect(encode(msgs)).toEqual(bytes);
  });

  it('returns no messages for no bytes', () => {
    expect(decode(new Uint8Array(0))).toEqual([]);
  });

  it('throws NetlinkDecodeError with the offset of a message that runs past the end', () => {
    const bytes = Uint8Array.from([...raw(1, 0, 0, 0), ...raw(999, 0, 0, 0, [1, 2, 3, 4], 64)]);
    const err = catchError(() => decode(bytes));
    expect(err).toBeInstanceOf(NetlinkDecodeError);
    expect((err as NetlinkDecodeError).offset).toBe(16);
    expect((err as Error).message).toMatch(/offset 16.*nlmsg_len 64/);
  });

  it('throws NetlinkDecodeError for bytes that hold no message at all', () => {
    expect(() => decode(Uint8Array.from([1, 2, 3]))).toThrow(NetlinkDecodeError);
    expect(() => decode(new Uint8Array(32))).toThrow(NetlinkDecodeError);
  });

  it('rejects input that is not a Uint8Array with a TypeError', () => {
    expect(() => decode('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('reads a DataView-offset subarray correctly', () => {
    const big = new Uint8Array(100);
    big.set(raw(999, 1, 5, 6, [7, 7, 7, 7]), 40);
    const msgs = decode(big.subarray(40, 60));
    expect(msgs[0]!.header).toEqual({ type: 999, flags: ['request'], seq: 5, pid: 6 });
  });

  it('copies payloads so a reused receive buffer does not change decoded messages', () => {
    const buf = Uint8Array.from(raw(999, 0, 0, 0, [1, 2, 3, 4]));
    const [m] = decode(buf);
    buf.fill(0xff);
    expect(m!.payload).toEqual(Uint8Array.from([1, 2, 3, 4]));
  });
});

describe('stream mode', () => {
  it('finds the next datagram after a trailing zero-filled struct', () => {
    const d1 = [...raw(999, 0, 1, 0, [1, 2, 3, 4]), ...new Array<number>(24).fill(0)];
    const d2 = raw(998, 0, 2, 0, [5, 6, 7, 8]);
    const bytes = Uint8Array.from([...d1, ...d2]);
    const msgs = decode(bytes, { stream: true });
    expect(msgs.map((m) => m.header.seq)).toEqual([1, 2]);
    expect(msgs[0]!.trailing).toEqual(new Uint8Array(24));
    expect(encode(msgs)).toEqual(bytes);
    // Without stream, everything after the zero header is trailing.
    expect(decode(bytes).length).toBe(1);
  });
});

describe('control messages', () => {
  it('decodes an ACK: error 0, capped request header with its original length', () => {
    const bytes = Uint8Array.from([...raw(2, 0x100, 9, 77, [...i32(0), ...raw(16, 0x605, 9, 0, [], 56)])]);
    const [ack] = decode(bytes);
    expect(ack).toEqual({
      header: { type: 'NLMSG_ERROR', flags: ['capped'], seq: 9, pid: 77 },
      error: 0,
      request: { header: { type: 'RTM_NEWLINK', flags: ['request', 'ack', 'excl', 'create'], seq: 9, pid: 0, length: 56 } },
    });
    expect(encode(ack!)).toEqual(bytes);
  });

  it('decodes an error with the errno name and the echoed request decoded', () => {
    const request = raw(999, 0x5, 4, 0, [1, 2, 3, 4]);
    const bytes = Uint8Array.from(raw(2, 0, 4, 1, [...i32(-17), ...request]));
    const [err] = decode(bytes);
    expect(err).toEqual({
      header: { type: 'NLMSG_ERROR', flags: [], seq: 4, pid: 1 },
      error: -17,
      errno: 'EEXIST',
      request: { header: { type: 999, flags: ['request', 'ack'], seq: 4, pid: 0 }, payload: Uint8Array.from([1, 2, 3, 4]) },
    });
    expect(encode(err!)).toEqual(bytes);
  });

  it('ignores the derived errno and attributePath when encoding', () => {
    const m = { header: { type: 'NLMSG_ERROR', flags: [] }, error: -1, errno: 'EEXIST', attributePath: '.x' };
    expect(toHex(encode(m))).toBe(toHex(Uint8Array.from(raw(2, 0, 0, 0, i32(-1)))));
  });

  it('decodes the extended-ack message after a capped request', () => {
    const tlv = [12, 0, 1, 0, ...new TextEncoder().encode('bad mtu'), 0];
    const bytes = Uint8Array.from(raw(2, 0x300, 1, 1, [...i32(-22), ...raw(16, 5, 1, 0, [], 40), ...tlv]));
    const [err] = decode(bytes) as Message[];
    expect(err!.errno).toBe('EINVAL');
    expect((err!.attrs as Record<string, unknown>).msg).toBe('bad mtu');
    expect(err!.attributePath).toBeUndefined();
    expect(encode(err!)).toEqual(bytes);
  });

  it('decodes NLMSG_DONE with its status and ext-ack message', () => {
    const tlv = [9, 0, 1, 0, 0x62, 0x61, 0x64, 0x21, 0, 0, 0, 0];
    const bytes = Uint8Array.from(raw(3, 0x202, 1, 1, [...i32(-22), ...tlv]));
    const [done] = decode(bytes);
    expect(done).toMatchObject({ header: { type: 'NLMSG_DONE', flags: ['multi', 'ack_tlvs'] }, error: -22, errno: 'EINVAL' });
    expect((done!.attrs as Record<string, unknown>).msg).toBe('bad!');
    expect(encode(done!)).toEqual(bytes);
  });

  it('keeps an NLMSG_DONE without a status as an empty payload', () => {
    const bytes = Uint8Array.from(raw(3, 2, 1, 1));
    const [done] = decode(bytes);
    expect(done).toEqual({ header: { type: 'NLMSG_DONE', flags: ['multi'], seq: 1, pid: 1 }, payload: new Uint8Array(0) });
    expect(encode(done!)).toEqual(bytes);
  });

  it('keeps an echoed request whose body does not parse as raw payload, so the error still decodes', () => {
    // RTM_NEWLINK with a zeroed ifinfomsg and an attribute claiming 200 bytes.
    const bad = raw(16, 5, 3, 0, [...new Array<number>(16).fill(0), 200, 0, 3, 0, 0x61, 0, 0, 0]);
    const bytes = Uint8Array.from(raw(2, 0, 3, 9, [...i32(-22), ...bad]));
    expect(() => decode(Uint8Array.from(bad))).toThrow(NetlinkDecodeError);
    const [err] = decode(bytes);
    expect(err!.errno).toBe('EINVAL');
    expect(err!.request).toEqual({
      header: { type: 'RTM_NEWLINK', flags: ['request', 'ack'], seq: 3, pid: 0 },
      payload: Uint8Array.from(bad.slice(16)),
    });
    expect(encode(err!)).toEqual(bytes);
  });

  it('rejects an NLMSG_ERROR too short for its error code', () => {
    expect(() => decode(Uint8Array.from(raw(2, 0, 0, 0, [0, 0])))).toThrow(NetlinkDecodeError);
  });

  it('rejects an echoed request whose length does not fit', () => {
    const bytes = Uint8Array.from(raw(2, 0, 0, 0, [...i32(-1), ...raw(999, 0, 0, 0, [], 200)]));
    const err = catchError(() => decode(bytes)) as NetlinkDecodeError;
    expect(err).toBeInstanceOf(NetlinkDecodeError);
    expect(err.offset).toBe(20);
  });

  it('bounds recursion on errors echoing errors, keeping the deepest echo raw', () => {
    let inner = raw(999, 0, 0, 0, []);
    for (let i = 0; i < 50; i++) inner = raw(2, 0, 0, 0, [...i32(-1), ...inner]);
    const bytes = Uint8Array.from(inner);
    const msgs = decode(bytes);
    expect(encode(msgs)).toEqual(bytes);
  });
});

describe('encode', () => {
  it('fills missing seq, pid and flags with 0 and computes nlmsg_len', () => {
    expect(toHex(encode({ header: { type: 'NLMSG_NOOP' } }))).toBe('10000000010000000000000000000000');
    expect(toHex(encode({ header: { type: 999, flags: 0x301, seq: 1, pid: 2 }, payload: Uint8Array.of(1) }))).toBe(
      '11000000e703010301000000020000000100' + '0000',
    );
  });

  it('joins several messages, each padded to 4', () => {
    const bytes = encode([
      { header: { type: 999 }, payload: Uint8Array.of(1) },
      { header: { type: 999 }, payload: Uint8Array.of(2, 3) },
    ]);
    expect(bytes.length).toBe(20 + 20);
    expect(decode(bytes).map((m) => m.payload)).toEqual([Uint8Array.of(1), Uint8Array.of(2, 3)]);
  });

  it('rejects bad headers with errors that name the field', () => {
    expect(() => encode({ header: { type: 'RTM_BOGUS' } })).toThrow(/message\.header\.type/);
    expect(() => encode([{ header: { type: 1 } }, { header: { type: 1, seq: -1 } }])).toThrow(/messages\[1\]\.header\.seq/);
    expect(() => encode({ header: { type: 1, pid: 2 ** 32 } })).toThrow(RangeError);
    expect(() => encode({ header: { type: 'RTM_NEWLINK', flags: ['dump'] } })).toThrow(/'dump'.*RTM_NEWLINK/);
    expect(() => encode({} as never)).toThrow(/message\.header must be an object/);
    expect(() => encode([null] as never)).toThrow(TypeError);
    expect(() => encode({ header: { type: 2 }, error: 1.5 })).toThrow(/message\.error/);
    expect(() => encode({ header: { type: 999 }, payload: [1, 2] })).toThrow(/payload must be a Uint8Array/);
    expect(() => encode({ header: { type: 999 }, trailing: 'x' })).toThrow(/trailing must be a Uint8Array/);
  });

  it('refuses ext-ack attrs on an NLMSG_ERROR without the echoed request they follow', () => {
    expect(() => encode({ header: { type: 'NLMSG_ERROR' }, error: -22, attrs: { msg: 'x' } })).toThrow(/needs the echoed request/);
  });

  it('names a top-level field the body codec would not read instead of dropping it', () => {
    expect(() => encode({ header: { type: 'RTM_GETLINK' }, ifi_index: 3 })).toThrow(/message\.ifi_index: not a field of a RTM_GETLINK body \(fields: ifi-family, pad, ifi-type, ifi-index/);
    expect(() => encode({ header: { type: 'RTM_GETLINK' }, 'ifi-index': 3, errno: 'x', attributePath: '.x', packet: {} })).not.toThrow();
  });

  it('refuses a body for a type without a body codec instead of dropping it', () => {
    expect(() => encode({ header: { type: 999 }, attrs: { x: 1 } })).toThrow(/no body codec/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an exception');
}


describe('decode of a byte range (start/end)', () => {
  const first = encode({ header: { type: RTM_NEWLINK, flags: ['multi'], seq: 1, pid: 0 }, 'ifi-family': 0, 'ifi-index': 2, attrs: { ifname: 'v0', mtu: 1500 } } as never);
  const second = encode({ header: { type: RTM_NEWLINK, flags: ['multi'], seq: 2, pid: 0 }, 'ifi-family': 0, 'ifi-index': 3, attrs: { ifname: 'v1' } } as never);
  const all = new Uint8Array(8 + first.length + second.length);
  all.set(first, 8);
  all.set(second, 8 + first.length);

  it('decodes a message in the middle of a larger buffer as if it had been passed alone', () => {
    expect(decode(all, { start: 8, end: 8 + first.length })).toEqual(decode(first));
    expect(decode(all, { start: 8 + first.length, end: all.length })).toEqual(decode(second));
    expect(decode(all, { start: 8, end: all.length })).toEqual([...decode(first), ...decode(second)]);
    // repeated range decodes of one buffer give equal, independent objects
    const a = decode(all, { start: 8, end: 8 + first.length })[0]!;
    const b = decode(all, { start: 8, end: 8 + first.length })[0]!;
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });

  it('reports error offsets relative to the whole buffer', () => {
    const cut = all.subarray(0, 8 + first.length - 4);
    try {
      decode(cut, { start: 8, end: cut.length });
      expect.fail('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(NetlinkDecodeError);
      expect((e as NetlinkDecodeError).offset).toBe(8);
    }
  });

  it('rejects a range outside the buffer with a RangeError', () => {
    expect(() => decode(all, { start: 4, end: all.length + 4 })).toThrow(RangeError);
    expect(() => decode(all, { start: 10, end: 8 })).toThrow(RangeError);
    expect(() => decode(all, { start: 1.5 })).toThrow(RangeError);
    expect(decode(all, { start: 8, end: 8 })).toEqual([]);
  });
});
