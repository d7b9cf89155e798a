// Messages the codec's tables cannot read (another netlink protocol, or a big-endian capture)
// are still shown: each nlmsghdr decoded, its body kept as raw `payload`. The result is the
// codec's message form, so `encode` writes the same bytes back.
import { NetlinkDecodeError } from '../attrs/errors.js';
import { messageFlagNames } from '../message/flags.js';
import type { Message } from '../message/message.js';
import { messageTypeName } from '../message/types.js';

const NLMSG_HDRLEN = 16;
// Flags every netlink protocol shares (<linux/netlink.h>); the rest depend on the protocol.
const COMMON_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['request', 0x1],
  ['multi', 0x2],
  ['ack', 0x4],
  ['echo', 0x8],
  ['dump_intr', 0x10],
  ['dump_filtered', 0x20],
];

function commonFlags(value: number): Array<string | number> {
  const out: Array<string | number> = [];
  let rest = value;
  for (const [name, bit] of COMMON_FLAGS) {
    if ((value & bit) !== 0) {
      out.push(name);
      rest &= ~bit;
    }
  }
  for (let bit = 1; rest !== 0 && bit <= 0x8000; bit <<= 1) {
    if ((rest & bit) !== 0) {
      out.push(bit);
      rest &= ~bit;
    }
  }
  return out;
}

/**
 * Decodes only the `nlmsghdr`s of a little-endian datagram: `{ header, payload }` per message,
 * bytes after the last whole message as `trailing`. With `route` the type and flags get their
 * NETLINK_ROUTE names, otherwise only the control types (below 16) and the flags every protocol
 * shares are named. Throws NetlinkDecodeError when no message fits or a length runs past the end.
 *
 * @example
 * decodeHeaders(genlBytes, { route: false }); // [{ header: { type: 28, flags: ['request', 0x300], seq: 1, pid: 0 }, payload: ... }]
 */
export function decodeHeaders(bytes: Uint8Array, options: { route: boolean }): Message[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Message[] = [];
  let off = 0;
  while (bytes.length - off >= NLMSG_HDRLEN) {
    const len = view.getUint32(off, true);
    if (len < NLMSG_HDRLEN) break;
    if (len > bytes.length - off) {
      throw new NetlinkDecodeError(`nlmsg_len ${len} runs past the end of the datagram (${bytes.length - off} bytes left)`, off);
    }
    const type = view.getUint16(off + 4, true);
    const flags = view.getUint16(off + 6, true);
    const named = options.route || type < 16;
    const name = named ? messageTypeName(type) : type;
    out.push({
      header: {
        type: name,
        flags: options.route ? messageFlagNames(type, flags) : commonFlags(flags),
        seq: view.getUint32(off + 8, true),
        pid: view.getUint32(off + 12, true),
      },
      payload: bytes.slice(off + NLMSG_HDRLEN, off + len),
    } as Message);
    const next = Math.min(off + ((len + 3) & ~3), bytes.length);
    const pad = bytes.subarray(off + len, next);
    if (pad.some((x) => x !== 0) || next - (off + len) < ((4 - (len & 3)) & 3)) out[out.length - 1]!.padding = pad.slice();
    off = next;
  }
  if (out.length === 0) throw new NetlinkDecodeError(`no netlink message: ${bytes.length} bytes without a valid nlmsghdr`, 0);
  if (off < bytes.length) out[out.length - 1]!.trailing = bytes.slice(off);
  return out;
}
