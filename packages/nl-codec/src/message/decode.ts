// Framing and control messages: bytes -> Message[]. The body of each message (family header
// and attributes) is decoded by the spec-driven body codec of its type (../body.ts).
import { NetlinkDecodeError } from '../attrs/errors.js';
import { bodyCodecForType, extAckCodec } from '../body.js';
import { errnoName } from './errno.js';
import { messageFlagNames, NLM_F_CAPPED } from './flags.js';
import { NLMSG_HDRLEN, type Message, type MessageHeader } from './message.js';
import { attributePathAt } from './path.js';
import { messageTypeName, NLMSG_DONE, NLMSG_ERROR } from './types.js';

/**
 * Options of {@link decode}.
 *
 * @example
 * decode(fileBytes, { stream: true }); // datagrams written back to back
 */
export interface DecodeOptions {
  /**
   * Read `bytes` as several datagrams written one after another (a raw capture file), not as
   * one datagram. Byte boundaries between datagrams are not recorded in such a stream, so a
   * message whose `nlmsg_len` is below 16 ends a datagram: the bytes from there up to the next
   * 4-aligned position where a plausible header starts (`nlmsg_len` >= 16 that fits, non-zero
   * type) become that datagram's `trailing`. Re-encoding the result gives back the same bytes.
   * Default `false`: everything after such a header is `trailing`, as the kernel ignores it.
   */
  stream?: boolean;
  /**
   * Decode only `bytes[start, end)` (default: all of `bytes`), as if that range had been passed
   * alone, without copying it or making a view of it: for callers that keep one large buffer
   * (a whole dump) and decode its messages one at a time, on demand. Offsets in errors stay
   * relative to `bytes`. A `RangeError` is thrown when the range is not inside `bytes`.
   */
  start?: number;
  /** End of the range to decode (exclusive); see `start`. */
  end?: number;
}

/**
 * DataViews of buffers decoded by range (`start`/`end`), so decoding the messages of one
 * buffer one at a time does not make a view per message. Weak: a view lives as long as its bytes.
 */
const views = new WeakMap<Uint8Array, DataView>();

function viewOf(bytes: Uint8Array): DataView {
  let v = views.get(bytes);
  if (v === undefined) {
    v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    views.set(bytes, v);
  }
  return v;
}

// An echoed request inside an NLMSG_ERROR may itself be an NLMSG_ERROR (a user can send
// anything); past this depth the echo is kept as raw `payload`, which bounds recursion on
// hostile input without losing bytes.
const MAX_ECHO_DEPTH = 4;

/**
 * Decodes a netlink datagram (or, with `stream`, several written back to back) into messages.
 * Throws only `NetlinkDecodeError`, whose `offset` is the byte offset of the problem in `bytes`.
 * Byte order is little-endian (the host order of the machines netlink runs on in practice).
 *
 * Speed: attribute layouts that repeat (every message of a dump) are compiled at run time
 * into specialized decoders with `new Function` (see `src/attrs/specialize.ts`); where that
 * is not allowed (a browser page whose Content-Security-Policy lacks `unsafe-eval`) the same
 * results come from the table walker, about half as fast. In Node it is always available.
 *
 * @example
 * const [done] = decode(Uint8Array.from([
 *   0x14, 0, 0, 0, 0x03, 0, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
 * ]));
 * // done = { header: { type: 'NLMSG_DONE', flags: ['multi'], seq: 1, pid: 0 }, error: 0 }
 */
export function decode(bytes: Uint8Array, options?: DecodeOptions): Message[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decode expects a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  let off = 0;
  let n = bytes.length;
  let view: DataView;
  if (options?.start !== undefined || options?.end !== undefined) {
    off = options.start ?? 0;
    n = options.end ?? n;
    if (!(Number.isInteger(off) && Number.isInteger(n) && off >= 0 && off <= n && n <= bytes.length)) {
      throw new RangeError(`decode: range [${options.start}, ${options.end}) is not inside the ${bytes.length} bytes given`);
    }
    view = viewOf(bytes);
  } else view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stream = options?.stream === true;
  // Made at the first message, as `[first]`: most decodes are of one message, and an empty
  // array's first push allocates room for 17.
  let out: Message[] | undefined;
  let last: Message | undefined;
  while (off < n) {
    if (n - off >= NLMSG_HDRLEN) {
      const len = view.getUint32(off, true);
      if (len >= NLMSG_HDRLEN) {
        const end = off + len;
        if (end > n) {
          throw new NetlinkDecodeError(
            `message at offset ${off} has nlmsg_len ${len} but only ${n - off} bytes remain`,
            off,
          );
        }
        last = decodeMessage(bytes, view, off, end, 0);
        if (out === undefined) out = [last];
        else out.push(last);
        off = end;
        const pad = (4 - (len & 3)) & 3;
        if (pad !== 0) off = keepPadding(bytes, last, end, pad, n);
        continue;
      }
    }
    // Bytes that do not form a message: what the kernel skips (netlink_rcv_skb stops at a
    // header shorter than NLMSG_HDRLEN). Kept so the datagram re-encodes exactly.
    if (last === undefined) {
      throw new NetlinkDecodeError(
        n - off < NLMSG_HDRLEN
          ? `${n - off} bytes at offset ${off} are too short for a netlink header (16 bytes)`
          : `no netlink message at offset ${off}: nlmsg_len ${view.getUint32(off, true)} is below 16`,
        off,
      );
    }
    const stop = stream ? nextHeader(view, off, n) : n;
    last.trailing = bytes.slice(off, stop);
    off = stop;
  }
  return out ?? [];
}

// The usual alignment padding is zeros and is not stored; anything else (non-zero bytes, or a
// datagram that ends inside the padding) is kept on the message.
function keepPadding(bytes: Uint8Array, msg: Message, end: number, pad: number, n: number): number {
  const stop = Math.min(end + pad, n);
  let zero = stop - end === pad;
  for (let i = end; zero && i < stop; i++) zero = bytes[i] === 0;
  if (!zero) msg.padding = bytes.slice(end, stop);
  return stop;
}

function nextHeader(view: DataView, from: number, n: number): number {
  for (let p = from + 4; p + NLMSG_HDRLEN <= n; p += 4) {
    const len = view.getUint32(p, true);
    if (len >= NLMSG_HDRLEN && len <= n - p && view.getUint16(p + 4, true) !== 0) return p;
  }
  return n;
}

function decodeHeader(view: DataView, start: number, type: number): MessageHeader {
  return {
    type: messageTypeName(type),
    flags: messageFlagNames(type, view.getUint16(start + 6, true)),
    seq: view.getUint32(start + 8, true),
    pid: view.getUint32(start + 12, true),
  };
}

// Decodes the message in bytes[start, end), end - start being its nlmsg_len (internal).
export function decodeMessage(bytes: Uint8Array, view: DataView, start: number, end: number, depth: number): Message {
  const type = view.getUint16(start + 4, true);
  const body = start + NLMSG_HDRLEN;
  if (type > NLMSG_DONE) {
    // Family messages (the bulk of every dump): header and body built as one object.
    const codec = bodyCodecForType(type);
    if (codec !== undefined) return codec.decodeMessage(decodeHeader(view, start, type), bytes, view, body, end) as Message;
  }
  const msg: Message = { header: decodeHeader(view, start, type) };
  if (type === NLMSG_ERROR && depth < MAX_ECHO_DEPTH) {
    decodeError(bytes, view, start, end, depth, msg);
  } else if (type === NLMSG_DONE && end - body >= 4) {
    decodeDone(bytes, view, start, end, msg);
  } else {
    const codec = bodyCodecForType(type);
    if (codec !== undefined) codec.decode(bytes, view, body, end, msg);
    else msg.payload = bytes.slice(body, end);
  }
  return msg;
}

function decodeError(bytes: Uint8Array, view: DataView, start: number, end: number, depth: number, msg: Message): void {
  let p = start + NLMSG_HDRLEN;
  if (end - p < 4) {
    throw new NetlinkDecodeError(
      `NLMSG_ERROR at offset ${start} is ${end - start} bytes, too short for its error code`,
      start,
    );
  }
  const error = view.getInt32(p, true);
  msg.error = error;
  if (error < 0) {
    const name = errnoName(error);
    if (name !== undefined) msg.errno = name;
  }
  p += 4;
  let reqStart = -1;
  let reqEnd = -1;
  if (p < end) {
    if (end - p < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(
        `NLMSG_ERROR at offset ${start}: ${end - p} bytes of echoed request are too short for a header`,
        p,
      );
    }
    const reqLen = view.getUint32(p, true);
    const reqType = view.getUint16(p + 4, true);
    if ((view.getUint16(start + 6, true) & NLM_F_CAPPED) !== 0) {
      // Capped: only the request's header is echoed, with the request's full length.
      const header = decodeHeader(view, p, reqType);
      header.length = reqLen;
      msg.request = { header };
      p += NLMSG_HDRLEN;
    } else {
      if (reqLen < NLMSG_HDRLEN || reqLen > end - p) {
        throw new NetlinkDecodeError(
          `NLMSG_ERROR at offset ${start}: echoed request length ${reqLen} does not fit the ${end - p} bytes left`,
          p,
        );
      }
      reqStart = p;
      reqEnd = p + reqLen;
      msg.request = decodeEcho(bytes, view, reqStart, reqEnd, depth + 1);
      p = reqEnd;
    }
  }
  decodeExtAck(bytes, view, start, p, end, msg);
  if (reqStart >= 0 && msg.attrs !== undefined) {
    const offs = (msg.attrs as { offs?: unknown }).offs;
    if (typeof offs === 'number') {
      const path = attributePathAt(bytes, view, reqStart, reqEnd, offs);
      if (path !== undefined) msg.attributePath = path;
    }
  }
}

// The kernel echoes what it was sent, and it rejects malformed requests with exactly such an
// echo (-EINVAL): a body that does not parse must not make the error itself undecodable, so
// it is kept raw as the request's payload (which decodes the same way again).
function decodeEcho(bytes: Uint8Array, view: DataView, start: number, end: number, depth: number): Message {
  try {
    return decodeMessage(bytes, view, start, end, depth);
  } catch (err) {
    if (!(err instanceof NetlinkDecodeError)) throw err;
    const type = view.getUint16(start + 4, true);
    return { header: decodeHeader(view, start, type), payload: bytes.slice(start + NLMSG_HDRLEN, end) };
  }
}

function decodeDone(bytes: Uint8Array, view: DataView, start: number, end: number, msg: Message): void {
  const p = start + NLMSG_HDRLEN;
  const error = view.getInt32(p, true);
  msg.error = error;
  if (error < 0) {
    const name = errnoName(error);
    if (name !== undefined) msg.errno = name;
  }
  decodeExtAck(bytes, view, start, p + 4, end, msg);
}

// Extended-ack TLVs start at the next 4-aligned offset after the fixed part (nlmsg_put()
// aligns the payload it reserves). They are decoded whenever bytes are there, whether or not
// the header says ack_tlvs, so nothing is dropped.
function decodeExtAck(bytes: Uint8Array, view: DataView, start: number, p: number, end: number, msg: Message): void {
  if (p >= end) return;
  const tlv = start + ((p - start + 3) & ~3);
  if (tlv >= end) {
    throw new NetlinkDecodeError(
      `message at offset ${start}: ${end - p} stray bytes after the fixed part of a control message`,
      p,
    );
  }
  for (let i = p; i < tlv; i++) {
    if (bytes[i] !== 0) {
      throw new NetlinkDecodeError(`message at offset ${start}: non-zero alignment byte at offset ${i}`, i);
    }
  }
  extAckCodec.decode(bytes, view, tlv, end, msg);
}
