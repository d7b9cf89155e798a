// Property tests of the message layer: generated messages round-trip, and no input makes
// decode fail with anything but NetlinkDecodeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetlinkDecodeError } from '../attrs/errors.js';
import { fromJSON, toHex, toJSON } from '../json.js';
import { datagrams } from '../test-support/vectors.js';
import { decode } from './decode.js';
import { encode } from './encode.js';
import { messageFlagNames, NLM_F_ACK_TLVS, NLM_F_CAPPED } from './flags.js';
import type { Message } from './message.js';
import { MESSAGE_TYPES, messageTypeName } from './types.js';

const vectorDatagrams = datagrams();
const vectorMessages: Message[] = vectorDatagrams.flatMap((d) => decode(d.bytes));
// Requests and replies with bodies (not control messages), to be echoed or re-headed.
const bodyMessages = vectorMessages.filter((m) => typeof m.header.type === 'string' && m.header.type.startsWith('RTM_'));

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

function header(type: number, flags: number, seq: number, pid: number): Message['header'] {
  return { type: messageTypeName(type), flags: messageFlagNames(type, flags), seq, pid };
}

// Types the codec keeps as raw payload: unknown numbers, and NLMSG_NOOP/OVERRUN.
const rawType = fc.oneof(
  fc.constantFrom(1, 4),
  u16.filter((t) => t > 4 && !(Object.values(MESSAGE_TYPES) as number[]).includes(t)),
);

const rawMessage: fc.Arbitrary<Message> = fc
  .record({ type: rawType, flags: u16, seq: u32, pid: u32, payload: fc.uint8Array({ maxLength: 64 }) })
  .map(({ type, flags, seq, pid, payload }) => ({ header: header(type, flags, seq, pid), payload }));

// A vector message under a new header (same type, any flags/seq/pid).
const bodyMessage: fc.Arbitrary<Message> = fc
  .record({ i: fc.nat({ max: bodyMessages.length - 1 }), flags: u16, seq: u32, pid: u32 })
  .map(({ i, flags, seq, pid }) => {
    // Without the datagram-level fields of the vector it came from.
    const { trailing: _t, padding: _p, ...m } = bodyMessages[i]!;
    const type = MESSAGE_TYPES[m.header.type as keyof typeof MESSAGE_TYPES];
    return { ...m, header: header(type, flags, seq, pid) };
  });

const extAck = fc.record(
  {
    msg: fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0')),
    offs: u32,
    cookie: fc.uint8Array({ minLength: 1, maxLength: 20 }),
    'miss-type': u32,
    'miss-nest': u32,
  },
  { requiredKeys: [] },
);

const errorMessage: fc.Arbitrary<Message> = fc
  .record({
    error: fc.integer({ min: -0x80000000, max: 0 }),
    capped: fc.boolean(),
    flags: u16,
    seq: u32,
    pid: u32,
    request: fc.option(fc.oneof(rawMessage, bodyMessage), { nil: undefined }),
    reqLength: fc.integer({ min: 16, max: 0xffff }),
    attrs: fc.option(extAck, { nil: undefined }),
  })
  .map(({ error, capped, flags, seq, pid, request, reqLength, attrs }) => {
    let f = (flags & ~(NLM_F_CAPPED | NLM_F_ACK_TLVS)) | (capped ? NLM_F_CAPPED : 0);
    if (request !== undefined && attrs !== undefined && Object.keys(attrs).length > 0) f |= NLM_F_ACK_TLVS;
    const m: Message = { header: header(2, f, seq, pid), error };
    if (request !== undefined) {
      m.request = capped ? { header: { ...request.header, length: reqLength } } : request;
    }
    // Ext-ack TLVs come after the echoed request, so they exist only with one.
    if (request !== undefined && attrs !== undefined && Object.keys(attrs).length > 0) m.attrs = attrs;
    return m;
  });

const doneMessage: fc.Arbitrary<Message> = fc
  .record({ error: fc.integer({ min: -4095, max: 0 }), flags: u16, seq: u32, msg: fc.option(fc.stringMatching(/^[a-z ]{1,30}$/), { nil: undefined }) })
  .map(({ error, flags, seq, msg }) => {
    const m: Message = { header: header(3, flags, seq, 0), error };
    if (msg !== undefined) m.attrs = { msg };
    return m;
  });

const anyMessage = fc.oneof(rawMessage, bodyMessage, errorMessage, doneMessage);

// Bytes that end a datagram: fewer than 16, or a header whose nlmsg_len is below 16.
const trailing = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 15 }),
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.uint8Array({ minLength: 12, maxLength: 200 }))
    .map(([len, rest]) => Uint8Array.from([len, 0, 0, 0, ...rest])),
);

// What decode reports for derived fields, so expectations can include them.
function withDerived(msgs: Message[]): Message[] {
  return decode(encode(msgs));
}

describe('generated messages', () => {
  it('decode(encode(m)) gives back m, for datagrams with trailing bytes too', () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { minLength: 1, maxLength: 6 }), fc.option(trailing, { nil: undefined }), (msgs, tail) => {
        if (tail !== undefined) msgs[msgs.length - 1] = { ...msgs[msgs.length - 1]!, trailing: tail };
        const bytes = encode(msgs);
        const back = decode(bytes);
        // errno and attributePath are derived by decode; compare without them.
        const strip = (ms: Message[]): unknown => JSON.parse(JSON.stringify(toJSON(ms), (k, v: unknown) => (k === 'errno' || k === 'attributePath' ? undefined : v)));
        expect(strip(back)).toEqual(strip(msgs));
        expect(toHex(encode(back))).toBe(toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('the JSON form round-trips to the same messages and bytes', () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { minLength: 1, maxLength: 4 }), (msgs) => {
        const decoded = withDerived(msgs);
        const back = fromJSON(JSON.parse(JSON.stringify(toJSON(decoded)))) as Message[];
        expect(back).toEqual(decoded);
        expect(toHex(encode(back))).toBe(toHex(encode(decoded)));
      }),
      { numRuns: 200 },
    );
  });
});

function decodeOrDecodeError(bytes: Uint8Array, stream = false): Message[] | undefined {
  try {
    return decode(bytes, { stream });
  } catch (err) {
    if (err instanceof NetlinkDecodeError) {
      expect(err.offset).toBeGreaterThanOrEqual(0);
      expect(err.offset).toBeLessThanOrEqual(bytes.length);
      return undefined;
    }
    throw err;
  }
}

// Mutations of real datagrams: the inputs that reach deep into the body codecs.
const mutated = fc
  .record({
    d: fc.nat({ max: vectorDatagrams.length - 1 }),
    kind: fc.constantFrom('truncate', 'length', 'flip', 'u16'),
    at: fc.nat(),
    value: u32,
    bit: fc.nat({ max: 7 }),
  })
  .map(({ d, kind, at, value, bit }) => {
    const bytes = vectorDatagrams[d]!.bytes.slice();
    const pos = at % bytes.length;
    if (kind === 'truncate') return bytes.subarray(0, pos);
    const view = new DataView(bytes.buffer);
    if (kind === 'length') {
      // A wrong nlmsg_len or nla_len: overwrite a 4-aligned u32 (or its low u16).
      const p = pos & ~3;
      if (p + 4 <= bytes.length) view.setUint32(p, value % 2 === 0 ? value : value & 0xffff, true);
    } else if (kind === 'u16') {
      const p = pos & ~1;
      if (p + 2 <= bytes.length) view.setUint16(p, value & 0xffff, true);
    } else {
      bytes[pos] = bytes[pos]! ^ (1 << bit);
    }
    return bytes;
  });

function messageStarts(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let off = 0; off + 16 <= bytes.length; ) {
    const len = view.getUint32(off, true);
    if (len < 16) break;
    out.push(off);
    off += (len + 3) & ~3;
  }
  return out;
}

describe('hostile input', () => {
  it('arbitrary bytes decode or throw NetlinkDecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, stream) => {
        decodeOrDecodeError(bytes, stream);
      }),
      { numRuns: 2000 },
    );
  });

  it('byte soup that starts with a valid header reaches the body codecs safely', () => {
    fc.assert(
      fc.property(fc.constantFrom(16, 17, 18, 20, 22, 24, 26, 28, 30, 2, 3), u16, fc.uint8Array({ maxLength: 400 }), (type, flags, body) => {
        const bytes = new Uint8Array(16 + body.length);
        const view = new DataView(bytes.buffer);
        view.setUint32(0, bytes.length, true);
        view.setUint16(4, type, true);
        view.setUint16(6, flags, true);
        bytes.set(body, 16);
        decodeOrDecodeError(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('truncated, re-lengthed and bit-flipped vectors decode or throw NetlinkDecodeError', () => {
    fc.assert(
      fc.property(mutated, (bytes) => {
        decodeOrDecodeError(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('framing damage that still decodes (truncation, changed nlmsg_len/type/flags) re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.nat({ max: vectorDatagrams.length - 1 }), fc.nat(), u32, fc.constantFrom(0, 4, 6), (d, at, value, field) => {
        const bytes = vectorDatagrams[d]!.bytes.slice();
        const starts = messageStarts(bytes);
        const start = starts[at % starts.length]!;
        const view = new DataView(bytes.buffer);
        if (field === 0) view.setUint32(start, value % (bytes.length + 8), true);
        else view.setUint16(start + field, value & 0xffff, true);
        const input = value % 3 === 0 ? bytes.subarray(0, at % (bytes.length + 1)) : bytes;
        const msgs = decodeOrDecodeError(input);
        if (msgs === undefined || msgs.length === 0) return;
        expect(toHex(encode(msgs))).toBe(toHex(input));
      }),
      { numRuns: 3000 },
    );
  });
});
