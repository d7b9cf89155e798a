// Extended-ack offsets -> attribute paths. NLMSGERR_ATTR_OFFS counts bytes from the start of
// the request's nlmsghdr; the request's body codec walks its tables to name what is there.
import { NetlinkDecodeError } from '../attrs/errors.js';
import { bodyCodecForType } from '../body.js';
import { NLMSG_HDRLEN } from './message.js';

/** Resolves `offs` against the request in `bytes[reqStart, reqEnd)`; undefined when it cannot. */
export function attributePathAt(
  bytes: Uint8Array,
  view: DataView,
  reqStart: number,
  reqEnd: number,
  offs: number,
): string | undefined {
  if (!Number.isInteger(offs) || offs < NLMSG_HDRLEN || offs >= reqEnd - reqStart) return undefined;
  const codec = bodyCodecForType(view.getUint16(reqStart + 4, true));
  if (codec === undefined) return undefined;
  try {
    return codec.pathAt(bytes, reqStart + NLMSG_HDRLEN, reqEnd, offs - NLMSG_HDRLEN);
  } catch (err) {
    // A path is a convenience derived from the request: a request that does not parse up to
    // the offset simply has none, and must not make the error message itself undecodable.
    if (err instanceof NetlinkDecodeError) return undefined;
    throw err;
  }
}

/**
 * Names the attribute at an extended-ack offset (`NLMSGERR_ATTR_OFFS`) in the bytes of a
 * request you sent: the path of attribute names from the message body down, such as
 * `'.linkinfo.data.id'`. Needed for capped errors, which do not echo the request.
 * Returns `undefined` when the offset is outside the request, points at its headers, or the
 * request's type has no body codec.
 *
 * @example
 * const request = encode({ header: { type: 'RTM_NEWLINK', flags: ['request', 'ack'] }, attrs: { ifname: 'x', mtu: 70000 } });
 * attributePath(request, 40); // '.mtu' (ifinfomsg ends at 32, ifname takes 8 bytes)
 */
export function attributePath(requestBytes: Uint8Array, offset: number): string | undefined {
  if (!(requestBytes instanceof Uint8Array) || requestBytes.length < NLMSG_HDRLEN) return undefined;
  const view = new DataView(requestBytes.buffer, requestBytes.byteOffset, requestBytes.byteLength);
  const len = view.getUint32(0, true);
  const end = len >= NLMSG_HDRLEN && len <= requestBytes.length ? len : requestBytes.length;
  return attributePathAt(requestBytes, view, 0, end, offset);
}
