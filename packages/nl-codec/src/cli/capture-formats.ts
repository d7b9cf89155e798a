/// <reference types="node" />
// The capture readers and the pcap writer (src/capture) as `nl-codec` formats:
// `decode --format pcap|pcapng|strace` (and auto-detection), `encode --pcap FILE`.
import { writeFileSync } from 'node:fs';
import { detectFormat, readPcap, readPcapng, readStrace, swapNetlinkHeaders, writePcap, type PcapPacketInput } from '../capture/index.js';
import type { CapturedPacket, CaptureTime, Direction, ReadResult } from '../capture/types.js';
import { encode } from '../message/encode.js';
import type { MessageInput } from '../message/message.js';
import { InputError, registerInputFormat, registerOutputFormat, type InputDatagram, type InputOptions, type InputRead } from './formats.js';

/**
 * What a message read from a capture carries as `packet` (API.md): where its datagram was in
 * the capture, when and which way it travelled. `packetType` is kept so `encode --pcap` writes
 * the same pseudo-header back.
 *
 * @example
 * const packet: PacketInfo = { index: 3, time: { sec: 1700000000, nsec: 0 }, direction: 'to-user', protocol: 0, portId: 4242 };
 */
export interface PacketInfo {
  index: number;
  time?: CaptureTime;
  direction?: Direction;
  protocol: number;
  portId?: number;
  packetType?: number;
  /** Only for a big-endian datagram (`'be'`): its headers were converted for display. */
  byteOrder?: 'be';
}

function packetInfo(p: CapturedPacket): PacketInfo {
  // Built key by key so the JSON shows them in this order and absent ones are left out.
  const info = { index: p.index } as PacketInfo;
  if (p.time !== undefined) info.time = { sec: p.time.sec, nsec: p.time.nsec };
  if (p.direction !== undefined) info.direction = p.direction;
  info.protocol = p.protocol;
  if (p.portId !== undefined) info.portId = p.portId;
  if (p.packetType !== undefined) info.packetType = p.packetType;
  if (p.byteOrder === 'be') info.byteOrder = 'be';
  return info;
}

function where(p: CapturedPacket): string {
  const s = p.source;
  return `packet ${p.index} at ${s.line !== undefined ? `line ${s.line}` : `byte ${s.offset}`}`;
}

/**
 * Capture packets as CLI datagrams. A capture that yields nothing because it is not that format
 * at all (wrong magic, foreign link type, ...) is an `InputError`; problems with single packets
 * are `errors` (one line each, naming the packet and byte offset), and the other packets are
 * still decoded.
 */
function fromCapture(result: ReadResult, format: string): InputRead {
  if (result.packets.length === 0) {
    const fatal = result.errors.find((e) => e.packetIndex === undefined);
    if (fatal !== undefined) throw new InputError(fatal.message);
  }
  const errors = result.errors.map((e) => e.message);
  // Not an error (a capture may hold no netlink traffic), but worth saying why nothing prints.
  const warnings = result.packets.length === 0 && errors.length === 0 ? [`no netlink packets in this ${format} input`] : [];
  const datagrams: InputDatagram[] = [];
  for (const p of result.packets) {
    // The reader already reported the cut (snaplen, truncated file): a partial datagram cannot
    // be decoded, nor re-encoded to the same packet.
    if (p.truncated === true) continue;
    const d: InputDatagram = { bytes: p.bytes, packet: packetInfo(p) as unknown as Record<string, unknown>, where: where(p) };
    if (p.byteOrder === 'be') {
      // The codec reads little-endian: convert the headers so the messages can be walked and
      // labelled, and keep their bodies raw.
      d.bytes = swapNetlinkHeaders(p.bytes, 'be');
      d.headersOnly = { route: p.protocol === 0 };
    } else if (p.protocol !== 0) d.headersOnly = { route: false };
    datagrams.push(d);
  }
  return { datagrams, errors, warnings };
}

const TEXT = new TextDecoder();

registerInputFormat({
  name: 'strace',
  detect: (input) => detectFormat(input) === 'strace',
  read: (input, options?: InputOptions) => fromCapture(readStrace(TEXT.decode(input), options), 'strace'),
});
registerInputFormat({
  name: 'pcapng',
  detect: (input) => detectFormat(input) === 'pcapng',
  read: (input, options?: InputOptions) => fromCapture(readPcapng(input, options), 'pcapng'),
});
registerInputFormat({
  name: 'pcap',
  detect: (input) => detectFormat(input) === 'pcap',
  read: (input, options?: InputOptions) => fromCapture(readPcap(input, options), 'pcap'),
});

/**
 * Groups messages into pcap packets: consecutive messages with the same `packet.index` are one
 * datagram (as they were read); consecutive messages without `packet` form one datagram too.
 *
 * @example
 * writePcap(packetsOf(parse(jsonText) as MessageInput[]));
 */
export function packetsOf(messages: readonly MessageInput[]): PcapPacketInput[] {
  const out: PcapPacketInput[] = [];
  let i = 0;
  while (i < messages.length) {
    const info = messages[i]!.packet as PacketInfo | undefined;
    let j = i + 1;
    while (j < messages.length && sameDatagram(info, messages[j]!.packet as PacketInfo | undefined)) j++;
    let bytes = encode(messages.slice(i, j).map(({ packet: _p, ...m }) => m as MessageInput));
    // A big-endian capture's datagram was shown with converted headers: convert them back.
    if (info?.byteOrder === 'be') bytes = swapNetlinkHeaders(bytes, 'le');
    const packet: PcapPacketInput = { bytes };
    if (info !== undefined) {
      if (info.time !== undefined) packet.time = info.time;
      if (info.direction !== undefined) packet.direction = info.direction;
      if (info.packetType !== undefined) packet.packetType = info.packetType;
      if (info.protocol !== undefined) packet.protocol = info.protocol;
      if (info.portId !== undefined) packet.portId = info.portId;
    }
    out.push(packet);
    i = j;
  }
  return out;
}

function sameDatagram(a: PacketInfo | undefined, b: PacketInfo | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.index === b.index;
}

registerOutputFormat({
  option: 'pcap',
  argument: 'FILE',
  write(messages, file) {
    const packets = packetsOf(messages);
    // Nanosecond resolution only when a time needs it, so a microsecond pcap stays one.
    const nanosecond = packets.some((p) => typeof p.time === 'object' && p.time.nsec % 1000 !== 0);
    const bytes = writePcap(packets, { nanosecond });
    if (file === undefined || file === '-') return bytes;
    try {
      writeFileSync(file, bytes);
    } catch (err) {
      throw new InputError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return undefined;
  },
});
