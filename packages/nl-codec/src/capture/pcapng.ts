/**
 * pcapng reader: sections in either byte order, several interfaces with their
 * own link type and timestamp resolution, Enhanced/Simple/obsolete Packet
 * Blocks; every other block type is skipped.
 */
import { isNetlinkLinkType, linkTypeMessage, readFrame } from './link.js';
import { CaptureError, type CaptureErrorCode, type CaptureTime, type CapturedPacket, type ReadOptions, type ReadResult } from './types.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (`if_tsresol`, default 10^6). */
  unitsPerSecond: bigint;
  /** Seconds added to every timestamp (`if_tsoffset`). */
  tsOffset: bigint;
}

function toTime(units: bigint, iface: Interface): CaptureTime {
  const perSecond = iface.unitsPerSecond;
  const sec = units / perSecond + iface.tsOffset;
  const frac = units % perSecond;
  // Floor to whole nanoseconds: finer resolutions (and 2^-n ones) cannot be
  // kept in a nanosecond field.
  const nsec = (frac * 1_000_000_000n) / perSecond;
  return { sec: Number(sec), nsec: Number(nsec) };
}

/**
 * Reads a pcapng file, keeping packets of interfaces with link type 253
 * (`LINKTYPE_NETLINK`) or Linux cooked capture (113/276, netlink frames only).
 *
 * An interface of any other link type gives one error (at its IDB) and its
 * packets are skipped; a malformed block gives an error naming its byte
 * offset (and packet index for packet blocks) and reading continues at the
 * next block whenever the block length can be trusted.
 *
 * @example
 * ```ts
 * const { packets, errors } = readPcapng(fileBytes);
 * console.log(packets.map((p) => `${p.source.interfaceId}: ${p.direction}`));
 * ```
 */
export function readPcapng(input: Uint8Array, options: ReadOptions = {}): ReadResult {
  const packets: CapturedPacket[] = [];
  const errors: CaptureError[] = [];
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const report = (message: string, code: CaptureErrorCode, offset: number, packetIndex?: number): void => {
    errors.push(new CaptureError(message, packetIndex === undefined ? { code, format: 'pcapng', offset } : { code, format: 'pcapng', offset, packetIndex }));
  };

  let little = true;
  let interfaces: Interface[] = [];
  let badInterfaces = new Set<number>();
  let index = 0;
  let offset = 0;
  while (offset < input.length) {
    const remaining = input.length - offset;
    if (remaining < 12) {
      report(`truncated pcapng file: ${remaining} bytes left at byte ${offset}, less than a block header`, 'truncated-file', offset);
      break;
    }
    let type = view.getUint32(offset, little);
    if (offset === 0 && view.getUint32(0, true) !== SHB) {
      report(`not a pcapng file: it must start with a Section Header Block (0a0d0d0a), found ${view.getUint32(0, false).toString(16).padStart(8, '0')}`, 'bad-magic', 0);
      break;
    }
    if (type === SHB) {
      // The byte-order magic decides how this section's lengths are read.
      const magic = view.getUint32(offset + 8, true);
      if (magic === BYTE_ORDER_MAGIC) little = true;
      else if (view.getUint32(offset + 8, false) === BYTE_ORDER_MAGIC) little = false;
      else {
        report(`section header at byte ${offset}: bad byte-order magic ${magic.toString(16)}, expected 1a2b3c4d`, 'bad-magic', offset);
        break;
      }
      type = SHB;
      interfaces = [];
      badInterfaces = new Set();
    }
    const length = view.getUint32(offset + 4, little);
    if (length < 12 || length % 4 !== 0) {
      report(`block at byte ${offset}: invalid block length ${length}`, 'bad-block', offset);
      break;
    }
    if (length > remaining) {
      const isPacket = type === EPB || type === SPB || type === PB;
      report(
        `${isPacket ? `packet ${index}` : 'block'} at byte ${offset}: the file ends after ${remaining} of its ${length} bytes (truncated file)`,
        'truncated-file',
        offset,
        isPacket ? index : undefined,
      );
      break;
    }
    const end = offset + length;
    if (view.getUint32(end - 4, little) !== length) {
      report(`block at byte ${offset}: trailing length ${view.getUint32(end - 4, little)} differs from ${length}`, 'bad-block', offset);
    }
    const body = end - 4;
    switch (type) {
      case SHB: {
        if (body - offset < 24) {
          report(`section header at byte ${offset} is ${length} bytes, shorter than 28`, 'bad-block', offset);
          break;
        }
        const major = view.getUint16(offset + 12, little);
        if (major !== 1) {
          report(`section at byte ${offset}: unsupported pcapng version ${major}`, 'unsupported-version', offset);
          return { packets, errors };
        }
        break;
      }
      case IDB: {
        const id = interfaces.length;
        if (body - offset < 16) {
          report(`interface ${id} at byte ${offset}: block is ${length} bytes, shorter than 20`, 'bad-block', offset);
          interfaces.push({ linkType: -1, snaplen: 0, unitsPerSecond: 1_000_000n, tsOffset: 0n });
          badInterfaces.add(id);
          break;
        }
        const iface: Interface = {
          linkType: view.getUint16(offset + 8, little),
          snaplen: view.getUint32(offset + 12, little),
          unitsPerSecond: 1_000_000n,
          tsOffset: 0n,
        };
        let at = offset + 16;
        while (at + 4 <= body) {
          const code = view.getUint16(at, little);
          const optLength = view.getUint16(at + 2, little);
          if (code === OPT_ENDOFOPT || at + 4 + optLength > body) break;
          if (code === IF_TSRESOL && optLength >= 1) {
            const resolution = view.getUint8(at + 4);
            const exponent = BigInt(resolution & 0x7f);
            iface.unitsPerSecond = (resolution & 0x80) !== 0 ? 1n << exponent : 10n ** exponent;
          } else if (code === IF_TSOFFSET && optLength >= 8) {
            iface.tsOffset = view.getBigInt64(at + 4, little);
          }
          at += 4 + ((optLength + 3) & ~3);
        }
        interfaces.push(iface);
        if (!isNetlinkLinkType(iface.linkType)) {
          report(`interface ${id} at byte ${offset}: ${linkTypeMessage(iface.linkType)}; its packets are skipped`, 'link-type', offset);
          badInterfaces.add(id);
        }
        break;
      }
      case EPB:
      case PB:
      case SPB: {
        const packetIndex = index++;
        const headerLength = type === SPB ? 12 : 28;
        if (body - offset < headerLength) {
          report(`packet ${packetIndex} at byte ${offset}: block is ${length} bytes, too short for its header`, 'bad-block', offset, packetIndex);
          break;
        }
        let interfaceId: number;
        let capLength: number;
        let origLength: number;
        let units: bigint | undefined;
        if (type === SPB) {
          interfaceId = 0;
          origLength = view.getUint32(offset + 8, little);
          const snaplen = interfaces[0]?.snaplen ?? 0;
          capLength = Math.min(origLength, body - offset - 12, snaplen > 0 ? snaplen : Infinity);
        } else {
          interfaceId = type === PB ? view.getUint16(offset + 8, little) : view.getUint32(offset + 8, little);
          units = (BigInt(view.getUint32(offset + 12, little)) << 32n) | BigInt(view.getUint32(offset + 16, little));
          capLength = view.getUint32(offset + 20, little);
          origLength = view.getUint32(offset + 24, little);
        }
        const iface = interfaces[interfaceId];
        if (iface === undefined) {
          report(`packet ${packetIndex} at byte ${offset}: interface ${interfaceId} has no Interface Description Block`, 'unknown-interface', offset, packetIndex);
          break;
        }
        if (badInterfaces.has(interfaceId)) break;
        if (capLength > body - offset - headerLength) {
          report(
            `packet ${packetIndex} at byte ${offset}: captured length ${capLength} overruns its ${length}-byte block`,
            'bad-block',
            offset,
            packetIndex,
          );
          break;
        }
        const frameStart = offset + headerLength;
        const result = readFrame({
          format: 'pcapng',
          index: packetIndex,
          offset,
          linkType: iface.linkType,
          frame: input.subarray(frameStart, frameStart + capLength),
          wireLength: origLength,
          ...(units === undefined ? {} : { time: toTime(units, iface) }),
          interfaceId,
          options,
        });
        if (result.packet !== undefined) packets.push(result.packet);
        if (result.error !== undefined) errors.push(result.error);
        break;
      }
      default:
        // Name resolution, statistics, custom blocks...: nothing for us.
        break;
    }
    offset = end;
  }
  return { packets, errors };
}
