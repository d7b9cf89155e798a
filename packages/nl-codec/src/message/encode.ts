// Messages -> bytes: measure everything first, allocate one buffer, write in one pass.
import { bodyCodecForType, extAckCodec, type BodyCodec } from '../body.js';
import * as schema from '../schema/index.js';
import { messageFlagsValue, NLM_F_CAPPED } from './flags.js';
import { NLMSG_HDRLEN, type MessageInput } from './message.js';
import { messageTypeName, messageTypeNumber, NLMSG_DONE, NLMSG_ERROR } from './types.js';

// Fields of a message that are not part of its body.
const NON_BODY = new Set(['header', 'trailing', 'padding', 'packet']);
// Derived by decode, ignored by encode.
const DERIVED = new Set(['errno', 'attributePath']);

// The top-level fields a body codec reads: its fixed header's members and `attrs`. A key
// outside them would be dropped silently (a typo such as 'ifi_index'), so encode names it.
const bodyFields: Array<ReadonlySet<string> | undefined> = [];

function checkBodyFields(type: number, msg: MessageInput, where: string): void {
  let fields = bodyFields[type];
  if (fields === undefined) {
    const header = schema.MESSAGE_TYPES[type]?.fixedHeader;
    const members = header === undefined ? [] : (schema.STRUCTS[header]?.members ?? []).map((m) => m.name);
    fields = new Set([...members, 'attrs']);
    bodyFields[type] = fields;
  }
  for (const key in msg) {
    if (fields.has(key) || NON_BODY.has(key) || DERIVED.has(key) || key.charCodeAt(0) === 36 /* '$' */) continue;
    if (msg[key] === undefined) continue;
    throw new TypeError(
      `${where}.${key}: not a field of a ${String(messageTypeName(type))} body (fields: ${[...fields].join(', ')})`,
    );
  }
}

/**
 * Encodes one message or a datagram of messages: each message gets its `nlmsg_len` computed and
 * is padded to 4 bytes, and a message's `trailing` bytes follow it. Missing `seq`, `pid` and
 * `flags` are 0. Derived fields (`errno`, `attributePath`) are ignored. Bad input throws a
 * `TypeError` or `RangeError` naming the field.
 *
 * @example
 * const bytes = encode({ header: { type: 'RTM_GETLINK', flags: ['request', 'dump'], seq: 1 }, 'ifi-family': 0 });
 * // nlmsghdr (16 bytes, type 18, flags 0x301) + a zeroed ifinfomsg (16 bytes)
 */
export function encode(messages: MessageInput | readonly MessageInput[]): Uint8Array {
  const list: readonly MessageInput[] = Array.isArray(messages) ? messages : [messages as MessageInput];
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const msg = list[i];
    const where = Array.isArray(messages) ? `messages[${i}]` : 'message';
    const len = measureMessage(msg, where);
    total += len + tailLength(msg!, len, where);
  }
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let off = 0;
  for (let i = 0; i < list.length; i++) {
    const msg = list[i]!;
    const end = writeMessage(msg, bytes, view, off);
    off = writeTail(msg, bytes, end, end - off);
  }
  if (off !== total) {
    throw new RangeError(`encode wrote ${off} bytes where ${total} were measured (body codec disagreement)`);
  }
  return bytes;
}

function tailLength(msg: MessageInput, len: number, where: string): number {
  const padding = msg.padding;
  const trailing = msg.trailing;
  if (padding !== undefined && !(padding instanceof Uint8Array)) {
    throw new TypeError(`${where}.padding must be a Uint8Array`);
  }
  if (trailing !== undefined && !(trailing instanceof Uint8Array)) {
    throw new TypeError(`${where}.trailing must be a Uint8Array`);
  }
  return padLength(padding, len) + (trailing?.length ?? 0);
}

// Kept padding is used only while it still fits the message (a changed message gets zeros).
function padLength(padding: Uint8Array | undefined, len: number): number {
  const pad = (4 - (len & 3)) & 3;
  return padding !== undefined && padding.length <= pad ? padding.length : pad;
}

function writeTail(msg: MessageInput, bytes: Uint8Array, end: number, len: number): number {
  const padding = msg.padding as Uint8Array | undefined;
  const pad = padLength(padding, len);
  if (padding !== undefined && padding.length <= ((4 - (len & 3)) & 3)) bytes.set(padding, end);
  let off = end + pad;
  const trailing = msg.trailing as Uint8Array | undefined;
  if (trailing !== undefined) {
    bytes.set(trailing, off);
    off += trailing.length;
  }
  return off;
}

interface Resolved {
  type: number;
  flags: number;
  codec: BodyCodec | undefined;
}

function resolveHeader(msg: unknown, where: string): Resolved {
  if (msg === null || typeof msg !== 'object') throw new TypeError(`${where} must be a message object`);
  const header = (msg as MessageInput).header;
  if (header === null || typeof header !== 'object') throw new TypeError(`${where}.header must be an object`);
  let type: number;
  try {
    type = messageTypeNumber(header.type);
  } catch (err) {
    throw retag(err, where);
  }
  let flags: number;
  try {
    flags = messageFlagsValue(type, header.flags);
  } catch (err) {
    throw retag(err, where, ` (${String(messageTypeName(type))})`);
  }
  checkU32(header.seq, `${where}.header.seq`);
  checkU32(header.pid, `${where}.header.pid`);
  return { type, flags, codec: bodyCodecForType(type) };
}

function retag(err: unknown, where: string, suffix = ''): unknown {
  if (err instanceof TypeError) return new TypeError(`${where}.${err.message}${suffix}`);
  if (err instanceof RangeError) return new RangeError(`${where}.${err.message}${suffix}`);
  return err;
}

function checkU32(value: unknown, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${field} must be an integer from 0 to 4294967295, got ${String(value)}`);
  }
}

function checkI32(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new RangeError(`${field} must be a 32-bit signed integer, got ${String(value)}`);
  }
  return value;
}

function hasBody(msg: MessageInput): boolean {
  for (const key in msg) if (!NON_BODY.has(key) && msg[key] !== undefined) return true;
  return false;
}

const align4 = (n: number): number => n + ((4 - (n & 3)) & 3);

/** Size of the message (its nlmsg_len), validating it on the way. */
function measureMessage(msg: MessageInput | undefined, where: string): number {
  const h = resolveHeader(msg, where);
  const m = msg!;
  const payload = m.payload;
  if (payload !== undefined) {
    if (!(payload instanceof Uint8Array)) throw new TypeError(`${where}.payload must be a Uint8Array`);
    return NLMSG_HDRLEN + payload.length;
  }
  if (h.type === NLMSG_ERROR) {
    checkI32(m.error, `${where}.error`);
    let len = NLMSG_HDRLEN + 4;
    const request = m.request as MessageInput | undefined;
    if (request === undefined && m.attrs !== undefined) {
      // Without the echoed header in between, a reader would take the TLVs for the request;
      // the kernel always echoes at least the header.
      throw new TypeError(`${where}: an NLMSG_ERROR with ext-ack attrs needs the echoed request (at least its header)`);
    }
    if (request !== undefined) {
      if ((h.flags & NLM_F_CAPPED) !== 0) {
        resolveHeader(request, `${where}.request`);
        checkU32(request.header.length, `${where}.request.header.length`);
        len += NLMSG_HDRLEN;
      } else {
        len += measureMessage(request, `${where}.request`);
      }
    }
    return measureExtAck(m, len, where);
  }
  if (h.type === NLMSG_DONE && m.error !== undefined) {
    checkI32(m.error, `${where}.error`);
    return measureExtAck(m, NLMSG_HDRLEN + 4, where);
  }
  if (h.codec !== undefined) {
    checkBodyFields(h.type, m, where);
    return NLMSG_HDRLEN + h.codec.measure(m);
  }
  if (hasBody(m)) {
    throw new TypeError(
      `${where}: type ${String(messageTypeName(h.type))} has no body codec, so its body must be given as payload (Uint8Array)`,
    );
  }
  return NLMSG_HDRLEN;
}

function measureExtAck(m: MessageInput, len: number, where: string): number {
  if (m.attrs === undefined) return len;
  if (m.attrs === null || typeof m.attrs !== 'object') throw new TypeError(`${where}.attrs must be an object`);
  return align4(len) + extAckCodec.measure(m);
}

function writeHeader(view: DataView, off: number, len: number, type: number, flags: number, msg: MessageInput): void {
  view.setUint32(off, len, true);
  view.setUint16(off + 4, type, true);
  view.setUint16(off + 6, flags, true);
  view.setUint32(off + 8, msg.header.seq ?? 0, true);
  view.setUint32(off + 12, msg.header.pid ?? 0, true);
}

/** Writes a measured message at `off`; returns its end (before padding). */
function writeMessage(msg: MessageInput, bytes: Uint8Array, view: DataView, off: number): number {
  const type = messageTypeNumber(msg.header.type);
  const flags = messageFlagsValue(type, msg.header.flags);
  let end = off + NLMSG_HDRLEN;
  const payload = msg.payload as Uint8Array | undefined;
  if (payload !== undefined) {
    bytes.set(payload, end);
    end += payload.length;
  } else if (type === NLMSG_ERROR) {
    view.setInt32(end, (msg.error as number | undefined) ?? 0, true);
    end += 4;
    const request = msg.request as MessageInput | undefined;
    if (request !== undefined) {
      if ((flags & NLM_F_CAPPED) !== 0) {
        const rt = messageTypeNumber(request.header.type);
        writeHeader(view, end, request.header.length ?? NLMSG_HDRLEN, rt, messageFlagsValue(rt, request.header.flags), request);
        end += NLMSG_HDRLEN;
      } else {
        end = writeMessage(request, bytes, view, end);
      }
    }
    end = writeExtAck(msg, bytes, view, off, end);
  } else if (type === NLMSG_DONE && msg.error !== undefined) {
    view.setInt32(end, msg.error as number, true);
    end = writeExtAck(msg, bytes, view, off, end + 4);
  } else {
    const codec = bodyCodecForType(type);
    if (codec !== undefined) end = codec.write(msg, bytes, view, end);
  }
  writeHeader(view, off, end - off, type, flags, msg);
  return end;
}

function writeExtAck(msg: MessageInput, bytes: Uint8Array, view: DataView, start: number, end: number): number {
  if (msg.attrs === undefined) return end;
  return extAckCodec.write(msg, bytes, view, start + align4(end - start));
}
