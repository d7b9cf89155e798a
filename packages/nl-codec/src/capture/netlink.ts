/**
 * The little netlink knowledge the capture layer needs: where messages start
 * and end, which byte order the headers are in, and which way a datagram went.
 * Everything else about the messages is the codec's business.
 */
import type { ByteOrder, Direction } from './types.js';

/** `sizeof(struct nlmsghdr)`. */
export const NLMSG_HDRLEN = 16;
const NLM_F_REQUEST = 0x1;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_CAPPED = 0x100;
const NLM_F_ACK_TLVS = 0x200;
/** ext-ack attributes whose payload is a u32: OFFS, MISS_TYPE, MISS_NEST. */
const EXTACK_U32_ATTRS = new Set([2, 5, 6]);

function align4(n: number): number {
  return (n + 3) & ~3;
}

function u32(view: DataView, offset: number, order: ByteOrder): number {
  return view.getUint32(offset, order === 'le');
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Bytes covered by consecutive well-formed messages (each `nlmsg_len` at
 * least 16 and inside the buffer), read in the given byte order.
 */
function walkedBytes(view: DataView, order: ByteOrder): number {
  let offset = 0;
  let covered = 0;
  while (offset + NLMSG_HDRLEN <= view.byteLength) {
    const len = u32(view, offset, order);
    if (len < NLMSG_HDRLEN || len > view.byteLength - offset) break;
    covered = offset + len;
    offset += align4(len);
  }
  return covered;
}

/**
 * Detects the byte order of a netlink datagram from its `nlmsg_len` fields,
 * as Wireshark does: the order in which the lengths chain through the datagram
 * wins. Returns `undefined` when the bytes do not decide it (too short, or
 * plausible both ways); callers then assume little-endian.
 *
 * @param bytes the datagram (possibly cut short by a snaplen)
 * @param wireLength the datagram's full length when `bytes` is truncated
 * @example
 * ```ts
 * detectByteOrder(Uint8Array.of(0x14, 0, 0, 0, 3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); // 'le'
 * ```
 */
export function detectByteOrder(bytes: Uint8Array, wireLength: number = bytes.length): ByteOrder | undefined {
  if (bytes.length < 4) return undefined;
  const view = viewOf(bytes);
  const le = walkedBytes(view, 'le');
  const be = walkedBytes(view, 'be');
  if (le > be) return 'le';
  if (be > le) return 'be';
  if (le > 0) return undefined;
  // Nothing walks (a snaplen-cut first message): fall back to which reading
  // of the first length fits the datagram's length on the wire.
  const fits = (n: number): boolean => n >= NLMSG_HDRLEN && n <= Math.max(wireLength, bytes.length);
  const leFits = fits(view.getUint32(0, true));
  const beFits = fits(view.getUint32(0, false));
  if (leFits && !beFits) return 'le';
  if (beFits && !leFits) return 'be';
  return undefined;
}

/**
 * Infers the direction of a datagram from the first message's `NLM_F_REQUEST`
 * flag: user space sets it on everything it sends to the kernel, and the
 * kernel never sets it on what it sends back. `undefined` if there is no
 * complete header.
 *
 * @example
 * ```ts
 * inferDirection(requestBytes, 'le'); // 'to-kernel'
 * ```
 */
export function inferDirection(bytes: Uint8Array, order: ByteOrder): Direction | undefined {
  if (bytes.length < NLMSG_HDRLEN) return undefined;
  const flags = viewOf(bytes).getUint16(6, order === 'le');
  return (flags & NLM_F_REQUEST) !== 0 ? 'to-kernel' : 'to-user';
}

/** Options for {@link swapNetlinkHeaders}. */
export interface SwapOptions {
  /**
   * For a message type at or above `NLMSG_MIN_TYPE` (16), the offset from the
   * start of the message at which its top-level attributes begin (16 plus the
   * aligned family header size, e.g. 32 for `ifinfomsg`), or `undefined` to
   * leave its payload alone. The capture layer does not know family headers;
   * the codec's tables do.
   */
  attributesAt?: (type: number, flags: number) => number | undefined;
}

function swap16(view: DataView, offset: number): void {
  view.setUint16(offset, view.getUint16(offset, true), false);
}

function swap32(view: DataView, offset: number): void {
  view.setUint32(offset, view.getUint32(offset, true), false);
}

function swapHeader(view: DataView, offset: number): void {
  swap32(view, offset); // nlmsg_len
  swap16(view, offset + 4); // nlmsg_type
  swap16(view, offset + 6); // nlmsg_flags
  swap32(view, offset + 8); // nlmsg_seq
  swap32(view, offset + 12); // nlmsg_pid
}

/**
 * Swaps the `nlattr` headers of one attribute area (not nested ones: whether
 * a payload is nested is in the tables, and `NLA_F_NESTED` is not reliable).
 */
function swapAttributes(
  view: DataView,
  start: number,
  end: number,
  from: ByteOrder,
  u32Types?: ReadonlySet<number>,
): void {
  let offset = start;
  while (offset + 4 <= end) {
    const len = view.getUint16(offset, from === 'le');
    if (len < 4 || offset + len > end) return;
    const type = view.getUint16(offset + 2, from === 'le') & 0x3fff;
    swap16(view, offset);
    swap16(view, offset + 2);
    if (u32Types?.has(type) === true && len === 8) swap32(view, offset + 4);
    offset += align4(len);
  }
}

/**
 * Converts the headers of a netlink datagram between byte orders, so a
 * capture made on a big-endian host can at least be walked and labelled by a
 * little-endian decoder (and back). Returns a converted copy.
 *
 * Converted: every `nlmsghdr`; the error code, the echoed request header and
 * the ext-ack attribute headers (plus the u32 `OFFS`/`MISS_TYPE`/`MISS_NEST`
 * values) of `NLMSG_ERROR`; the status and ext-ack headers of `NLMSG_DONE`;
 * and, when `options.attributesAt` says where they start, the top-level
 * `nlattr` headers of other messages. NOT converted: family headers
 * (`ifinfomsg`...), attribute values and nested attributes, whose layout only
 * the codec's tables know. Bytes after the last message stay as they are.
 *
 * @param from the byte order `bytes` is in (the result is in the other)
 * @example
 * ```ts
 * const le = swapNetlinkHeaders(packet.bytes, 'be', { attributesAt: (type) => (type >= 16 && type <= 19 ? 32 : undefined) });
 * ```
 */
export function swapNetlinkHeaders(bytes: Uint8Array, from: ByteOrder, options: SwapOptions = {}): Uint8Array {
  const out = bytes.slice();
  // Swapping is symmetric: to convert from big-endian, the bytes are read as
  // big-endian for the walk but each field is simply reversed in place.
  const view = viewOf(out);
  const little = from === 'le';
  let offset = 0;
  while (offset + NLMSG_HDRLEN <= out.length) {
    const len = view.getUint32(offset, little);
    if (len < NLMSG_HDRLEN || len > out.length - offset) break;
    const type = view.getUint16(offset + 4, little);
    const flags = view.getUint16(offset + 6, little);
    const end = offset + len;
    if (type === NLMSG_ERROR || type === NLMSG_DONE) {
      if (offset + 20 <= end) swap32(view, offset + 16);
      let tlvs = offset + 20;
      if (type === NLMSG_ERROR && offset + 20 + NLMSG_HDRLEN <= end) {
        const echoedLen = view.getUint32(offset + 20, little);
        swapHeader(view, offset + 20);
        tlvs = offset + 20 + ((flags & NLM_F_CAPPED) !== 0 ? NLMSG_HDRLEN : align4(echoedLen));
      }
      if ((flags & NLM_F_ACK_TLVS) !== 0) swapAttributes(view, tlvs, end, from, EXTACK_U32_ATTRS);
    } else if (type >= 16 && options.attributesAt !== undefined) {
      const at = options.attributesAt(type, flags);
      if (at !== undefined && at >= NLMSG_HDRLEN) swapAttributes(view, offset + at, end, from);
    }
    swapHeader(view, offset);
    offset += align4(len);
  }
  return out;
}

/**
 * True when `bytes` start with at least one well-formed `nlmsghdr` in either
 * byte order (used to accept buffers from sockets of unknown type).
 */
export function looksLikeNetlink(bytes: Uint8Array): boolean {
  if (bytes.length < NLMSG_HDRLEN) return false;
  const view = viewOf(bytes);
  return walkedBytes(view, 'le') > 0 || walkedBytes(view, 'be') > 0;
}
