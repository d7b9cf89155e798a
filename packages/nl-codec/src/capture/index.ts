/**
 * Offline captures of netlink traffic: pcap/pcapng (from `nlmon`), strace
 * hex dumps, hex text and raw bytes in; pcap and hex text out. Pure
 * functions over bytes and strings, no I/O. See README.md in this folder.
 */
export { CaptureError, NETLINK_PROTOCOLS } from './types.js';
export type {
  ByteOrder,
  CaptureErrorCode,
  CaptureFormat,
  CaptureTime,
  CapturedPacket,
  Direction,
  PacketSource,
  ReadOptions,
  ReadResult,
} from './types.js';
export { detectByteOrder, inferDirection, looksLikeNetlink, swapNetlinkHeaders } from './netlink.js';
export type { SwapOptions } from './netlink.js';
export { readPcap, writePcap, pcapFileHeader, pcapRecord } from './pcap.js';
export type { PcapPacketInput, PcapWriteOptions } from './pcap.js';
export { readPcapng } from './pcapng.js';
export { readRaw, readHex, writeHex } from './hex.js';
export type { HexWriteOptions } from './hex.js';
export { readStrace } from './strace.js';
export { detectFormat, readCapture } from './detect.js';
export type { ReadCaptureOptions } from './detect.js';
export { LINKTYPE_NETLINK, ARPHRD_NETLINK, PACKET_KERNEL, PACKET_USER, PACKET_OUTGOING } from './link.js';
