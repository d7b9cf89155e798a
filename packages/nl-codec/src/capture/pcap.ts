/**
 * Classic pcap: reader (both byte orders, microsecond and nanosecond
 * variants) and writer (whole file, or header + records for a recorder that
 * appends as datagrams pass).
 */
import {
  ARPHRD_NETLINK,
  isNetlinkLinkType,
  LINKTYPE_NETLINK,
  linkTypeMessage,
  PACKET_KERNEL,
  PACKET_OUTGOING,
  PACKET_USER,
  readFrame,
} from './link.js';
import { CaptureError, type CaptureTime, type CapturedPacket, type Direction, type ReadOptions, type ReadResult } from './types.js';

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
const PSEUDO_HEADER = 16;
/** tcpdump's default snaplen; also Wireshark's largest "standard" packet. */
const DEFAULT_SNAPLEN = 262144;

/**
 * Reads a classic pcap file of link type 253 (`LINKTYPE_NETLINK`, an `nlmon`
 * capture) or Linux cooked capture (113/276, netlink frames only).
 *
 * Never throws for a bad capture: a wrong magic, a foreign link type or a
 * truncated file header give one error and no packets; a bad record gives an
 * error naming the packet index and byte offset, and reading continues with
 * the next record where the file allows it.
 *
 * @example
 * ```ts
 * const { packets, errors } = readPcap(fileBytes);
 * for (const p of packets) console.log(p.index, p.direction, p.bytes.length);
 * ```
 */
export function readPcap(input: Uint8Array, options: ReadOptions = {}): ReadResult {
  const packets: CapturedPacket[] = [];
  const errors: CaptureError[] = [];
  const fail = (message: string, code: CaptureError['code'], offset = 0): ReadResult => {
    errors.push(new CaptureError(message, { code, format: 'pcap', offset }));
    return { packets, errors };
  };
  if (input.length < 4) return fail(`not a pcap file: ${input.length} bytes, too short for a magic number`, 'bad-magic');
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  let little: boolean;
  let nano: boolean;
  const magicLE = view.getUint32(0, true);
  const magicBE = view.getUint32(0, false);
  if (magicLE === MAGIC_USEC || magicLE === MAGIC_NSEC) {
    little = true;
    nano = magicLE === MAGIC_NSEC;
  } else if (magicBE === MAGIC_USEC || magicBE === MAGIC_NSEC) {
    little = false;
    nano = magicBE === MAGIC_NSEC;
  } else {
    const hint = magicBE === 0x0a0d0d0a ? ' (this is pcapng)' : '';
    return fail(
      `not a pcap file: magic 0x${magicBE.toString(16).padStart(8, '0')}${hint}, expected a1b2c3d4 or a1b23c4d in either byte order`,
      'bad-magic',
    );
  }
  if (input.length < FILE_HEADER) {
    return fail(`truncated pcap file: the file header is ${FILE_HEADER} bytes, the file has ${input.length}`, 'truncated-file');
  }
  const major = view.getUint16(4, little);
  if (major !== 2) return fail(`unsupported pcap version ${major}.${view.getUint16(6, little)} (expected 2.x)`, 'unsupported-version', 4);
  // The upper bits of this field carry FCS information, not the link type.
  const linkType = view.getUint32(20, little) & 0xffff;
  if (!isNetlinkLinkType(linkType)) return fail(linkTypeMessage(linkType), 'link-type', 20);

  let offset = FILE_HEADER;
  for (let index = 0; offset < input.length; index++) {
    const remaining = input.length - offset;
    if (remaining < RECORD_HEADER) {
      errors.push(
        new CaptureError(`packet ${index} at byte ${offset}: the file ends inside its record header (${remaining} of ${RECORD_HEADER} bytes)`, {
          code: 'truncated-file',
          format: 'pcap',
          offset,
          packetIndex: index,
        }),
      );
      break;
    }
    const sec = view.getUint32(offset, little);
    const frac = view.getUint32(offset + 4, little);
    const capLength = view.getUint32(offset + 8, little);
    const origLength = view.getUint32(offset + 12, little);
    const available = Math.min(capLength, remaining - RECORD_HEADER);
    const frameStart = offset + RECORD_HEADER;
    const result = readFrame({
      format: 'pcap',
      index,
      offset,
      linkType,
      frame: input.subarray(frameStart, frameStart + available),
      wireLength: available < capLength ? Math.max(capLength, origLength) : origLength,
      time: nano ? { sec, nsec: frac } : { sec, nsec: frac * 1000 },
      fileEnded: available < capLength,
      options,
    });
    if (result.packet !== undefined) packets.push(result.packet);
    if (result.error !== undefined) errors.push(result.error);
    // A record running past the end of the file leaves nothing to resync on.
    if (available < capLength) break;
    offset = frameStart + capLength;
  }
  return { packets, errors };
}

/** A datagram to write: a {@link CapturedPacket} fits, so do simpler objects. */
export interface PcapPacketInput {
  /** Capture time; a number is seconds since the epoch. Missing = 0. */
  time?: CaptureTime | number;
  /**
   * Written as packet type 7 (to the kernel) or 6 (to user space), as nlmon
   * does. Missing: type 4, as libpcap writes, and readers infer the direction.
   */
  direction?: Direction;
  /** Overrides the pseudo-header packet type derived from `direction`. */
  packetType?: number;
  /** Netlink protocol, default 0 (`NETLINK_ROUTE`). */
  protocol?: number;
  /** Port id of the user-space socket; stored as a big-endian u32 address. */
  portId?: number;
  /** The netlink datagram, in the host's byte order. */
  bytes: Uint8Array;
}

/** Options for the pcap writers. */
export interface PcapWriteOptions {
  /** Nanosecond timestamps (magic a1b23c4d); default microseconds (a1b2c3d4). */
  nanosecond?: boolean;
  /** The file header's snaplen; default 262144 (or the largest packet in `writePcap`). */
  snaplen?: number;
}

function checkUint(value: unknown, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

function splitTime(time: CaptureTime | number | undefined, name: string): CaptureTime {
  if (time === undefined) return { sec: 0, nsec: 0 };
  if (typeof time === 'number') {
    if (!Number.isFinite(time) || time < 0 || time >= 2 ** 32) throw new RangeError(`${name} must be seconds from 0 to 2^32, got ${time}`);
    let sec = Math.floor(time);
    let nsec = Math.round((time - sec) * 1e9);
    if (nsec >= 1e9) {
      sec += 1;
      nsec -= 1e9;
    }
    return { sec: checkUint(sec, 0xffffffff, name), nsec };
  }
  if (typeof time !== 'object' || time === null) throw new TypeError(`${name} must be { sec, nsec } or a number of seconds`);
  return { sec: checkUint(time.sec, 0xffffffff, `${name}.sec`), nsec: checkUint(time.nsec, 999_999_999, `${name}.nsec`) };
}

/**
 * The 24-byte pcap file header (little-endian, link type 253), for a recorder
 * that writes the header once and then appends {@link pcapRecord}s.
 *
 * @example
 * ```ts
 * fs.writeSync(fd, pcapFileHeader());
 * fs.writeSync(fd, pcapRecord({ time: Date.now() / 1000, direction: 'to-kernel', bytes: request }));
 * ```
 */
export function pcapFileHeader(options: PcapWriteOptions = {}): Uint8Array {
  const out = new Uint8Array(FILE_HEADER);
  const view = new DataView(out.buffer);
  view.setUint32(0, options.nanosecond === true ? MAGIC_NSEC : MAGIC_USEC, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  // thiszone and sigfigs stay 0, as every modern writer leaves them.
  view.setUint32(16, checkUint(options.snaplen ?? DEFAULT_SNAPLEN, 0xffffffff, 'options.snaplen'), true);
  view.setUint32(20, LINKTYPE_NETLINK, true);
  return out;
}

/**
 * One pcap record (16-byte record header, 16-byte netlink pseudo-header, the
 * datagram) for a file started with {@link pcapFileHeader}. Use the same
 * `nanosecond` option for both. The datagram is never cut to the snaplen.
 *
 * @throws TypeError/RangeError naming the bad field
 * @example
 * ```ts
 * const record = pcapRecord({ time: { sec: 1700000000, nsec: 5 }, direction: 'to-user', portId: 4242, bytes: reply });
 * ```
 */
export function pcapRecord(packet: PcapPacketInput, options: PcapWriteOptions = {}): Uint8Array {
  return encodeRecord(packet, options, 'packet');
}

function encodeRecord(packet: PcapPacketInput, options: PcapWriteOptions, name: string): Uint8Array {
  if (typeof packet !== 'object' || packet === null) throw new TypeError(`${name} must be an object with bytes`);
  const { bytes } = packet;
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name}.bytes must be a Uint8Array`);
  const time = splitTime(packet.time, `${name}.time`);
  let packetType: number;
  if (packet.packetType !== undefined) packetType = checkUint(packet.packetType, 0xffff, `${name}.packetType`);
  else if (packet.direction === 'to-kernel') packetType = PACKET_KERNEL;
  else if (packet.direction === 'to-user') packetType = PACKET_USER;
  else if (packet.direction === undefined) packetType = PACKET_OUTGOING;
  else throw new RangeError(`${name}.direction must be 'to-kernel' or 'to-user', got ${String(packet.direction)}`);
  const protocol = checkUint(packet.protocol ?? 0, 0xffff, `${name}.protocol`);
  const portId = packet.portId === undefined ? undefined : checkUint(packet.portId, 0xffffffff, `${name}.portId`);
  const length = PSEUDO_HEADER + bytes.length;
  checkUint(length, 0xffffffff, `${name}.bytes.length + 16`);

  const out = new Uint8Array(RECORD_HEADER + length);
  const view = new DataView(out.buffer);
  view.setUint32(0, time.sec, true);
  view.setUint32(4, options.nanosecond === true ? time.nsec : Math.floor(time.nsec / 1000), true);
  view.setUint32(8, length, true);
  view.setUint32(12, length, true);
  // The pseudo-header is big-endian whatever the host order.
  view.setUint16(16, packetType, false);
  view.setUint16(18, ARPHRD_NETLINK, false);
  if (portId !== undefined) {
    view.setUint16(20, 4, false);
    view.setUint32(22, portId, false);
  }
  view.setUint16(30, protocol, false);
  out.set(bytes, RECORD_HEADER + PSEUDO_HEADER);
  return out;
}

/**
 * Writes a whole pcap file (link type 253, as tcpdump on `nlmon`) that
 * Wireshark/tshark and {@link readPcap} read back.
 *
 * @throws TypeError/RangeError naming the bad packet and field
 * @example
 * ```ts
 * const file = writePcap([
 *   { direction: 'to-kernel', bytes: request, portId: 4242 },
 *   { direction: 'to-user', bytes: reply, portId: 4242 },
 * ]);
 * ```
 */
export function writePcap(packets: readonly PcapPacketInput[], options: PcapWriteOptions = {}): Uint8Array {
  if (!Array.isArray(packets)) throw new TypeError('packets must be an array');
  const records = packets.map((packet, i) => encodeRecord(packet, options, `packets[${i}]`));
  let size = FILE_HEADER;
  let largest = 0;
  for (const record of records) {
    size += record.length;
    largest = Math.max(largest, record.length - RECORD_HEADER);
  }
  const out = new Uint8Array(size);
  out.set(pcapFileHeader({ ...options, snaplen: options.snaplen ?? Math.max(DEFAULT_SNAPLEN, largest) }));
  let offset = FILE_HEADER;
  for (const record of records) {
    out.set(record, offset);
    offset += record.length;
  }
  return out;
}
