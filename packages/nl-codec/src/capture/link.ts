/**
 * Link-layer framing shared by the pcap and pcapng readers: turns one captured
 * frame into a {@link CapturedPacket} or a {@link CaptureError}.
 *
 * `LINKTYPE_NETLINK` (253) is what tcpdump writes on an `nlmon` device. Its
 * 16-byte big-endian pseudo-header has the layout of Linux "cooked" capture
 * (`LINKTYPE_LINUX_SLL`, 113), so SLL captures (and SLL2, 276, e.g. from
 * `tcpdump -i any`) are read too, keeping only their netlink frames
 * (`ARPHRD_NETLINK`).
 */
import { detectByteOrder, inferDirection } from './netlink.js';
import { CaptureError, type CaptureFormat, type CaptureTime, type CapturedPacket, type ReadOptions } from './types.js';

export const LINKTYPE_NETLINK = 253;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
export const ARPHRD_NETLINK = 824;
/** nlmon's skb types: to the kernel / to user space. */
export const PACKET_KERNEL = 7;
export const PACKET_USER = 6;
/** What libpcap records for every packet on an `nlmon` device. */
export const PACKET_OUTGOING = 4;

/** True for link types whose frames this module can read. */
export function isNetlinkLinkType(linkType: number): boolean {
  return linkType === LINKTYPE_NETLINK || linkType === LINKTYPE_LINUX_SLL || linkType === LINKTYPE_LINUX_SLL2;
}

/** The error for a capture (or pcapng interface) of another link type. */
export function linkTypeMessage(linkType: number): string {
  return `link type ${linkType} is not netlink (${LINKTYPE_NETLINK})`;
}

export interface FrameContext {
  format: CaptureFormat;
  index: number;
  /** Byte offset of the record (pcap record header, pcapng block). */
  offset: number;
  linkType: number;
  /** The frame bytes actually present in the file. */
  frame: Uint8Array;
  /** The frame's length on the wire. */
  wireLength: number;
  time?: CaptureTime;
  interfaceId?: number;
  /**
   * Set when the file ends inside this record: `frame` is what is left and
   * `wireLength` what the record promised, reported as a truncated file
   * rather than as a snaplen cut.
   */
  fileEnded?: boolean;
  options: ReadOptions;
}

export type FrameResult =
  | { packet: CapturedPacket; error?: CaptureError }
  | { packet?: undefined; error: CaptureError }
  /** A frame of an SLL capture that is not netlink: not an error, just not ours. */
  | { packet?: undefined; error?: undefined };

function where(ctx: FrameContext): string {
  return `packet ${ctx.index} at byte ${ctx.offset}`;
}

/** Reads the pseudo-header and the netlink datagram of one frame. */
export function readFrame(ctx: FrameContext): FrameResult {
  const { frame, linkType } = ctx;
  const sll2 = linkType === LINKTYPE_LINUX_SLL2;
  const headerLength = sll2 ? 20 : 16;
  const details = { format: ctx.format, offset: ctx.offset, packetIndex: ctx.index };
  if (ctx.fileEnded === true && frame.length < headerLength) {
    return {
      error: new CaptureError(
        `${where(ctx)}: the file ends after ${frame.length} of its ${ctx.wireLength} bytes, inside its ${headerLength}-byte pseudo-header`,
        { ...details, code: 'truncated-file' },
      ),
    };
  }
  if (frame.length < headerLength) {
    const cut = ctx.wireLength >= headerLength;
    return {
      error: new CaptureError(
        cut
          ? `${where(ctx)}: the snaplen cut it to ${frame.length} bytes, inside its ${headerLength}-byte pseudo-header`
          : `${where(ctx)} is ${frame.length} bytes, shorter than its ${headerLength}-byte netlink pseudo-header`,
        { ...details, code: cut ? 'snaplen' : 'short-packet' },
      ),
    };
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let packetType: number;
  let hatype: number;
  let addressLength: number;
  let addressAt: number;
  let protocol: number;
  if (sll2) {
    protocol = view.getUint16(0, false);
    hatype = view.getUint16(8, false);
    packetType = view.getUint8(10);
    addressLength = view.getUint8(11);
    addressAt = 12;
  } else {
    packetType = view.getUint16(0, false);
    hatype = view.getUint16(2, false);
    addressLength = view.getUint16(4, false);
    addressAt = 6;
    protocol = view.getUint16(14, false);
  }
  // An SLL capture mixes every interface: only ARPHRD_NETLINK frames are ours.
  if (linkType !== LINKTYPE_NETLINK && hatype !== ARPHRD_NETLINK) return {};

  const bytes = frame.slice(headerLength);
  const wireLength = Math.max(ctx.wireLength - headerLength, bytes.length);
  const truncated = bytes.length < wireLength;
  const byteOrder = ctx.options.byteOrder ?? detectByteOrder(bytes, wireLength) ?? 'le';
  const direction =
    packetType === PACKET_KERNEL ? 'to-kernel' : packetType === PACKET_USER ? 'to-user' : inferDirection(bytes, byteOrder);

  const packet: CapturedPacket = { index: ctx.index, protocol, bytes, byteOrder, packetType, source: { format: ctx.format, offset: ctx.offset } };
  if (ctx.time !== undefined) packet.time = ctx.time;
  if (direction !== undefined) packet.direction = direction;
  // The writer stores the socket's port id as a big-endian u32, the same
  // order as the rest of the pseudo-header.
  if (addressLength === 4) packet.portId = view.getUint32(addressAt, false);
  if (ctx.interfaceId !== undefined) packet.source.interfaceId = ctx.interfaceId;
  if (!truncated) return { packet };
  packet.truncated = true;
  packet.originalLength = wireLength;
  return {
    packet,
    error:
      ctx.fileEnded === true
        ? new CaptureError(
            `${where(ctx)}: the file ends after ${bytes.length} of its ${wireLength} netlink bytes (truncated file)`,
            { ...details, code: 'truncated-file' },
          )
        : new CaptureError(`${where(ctx)}: only ${bytes.length} of its ${wireLength} netlink bytes were captured (snaplen)`, {
            ...details,
            code: 'snaplen',
          }),
  };
}
