/**
 * Raw datagrams and hex text: the simplest captures, e.g. a failing request
 * copied out of a log or a test.
 */
import { detectByteOrder, inferDirection } from './netlink.js';
import { ByteSink, forEachLine, hexValue, toHex, toText } from './text.js';
import { CaptureError, type CapturedPacket, type CaptureFormat, type ReadOptions, type ReadResult } from './types.js';

function makePacket(
  bytes: Uint8Array,
  index: number,
  format: CaptureFormat,
  offset: number,
  options: ReadOptions,
  line?: number,
): CapturedPacket {
  const byteOrder = options.byteOrder ?? detectByteOrder(bytes) ?? 'le';
  const packet: CapturedPacket = { index, protocol: 0, bytes, byteOrder, source: { format, offset } };
  if (line !== undefined) packet.source.line = line;
  const direction = inferDirection(bytes, byteOrder);
  if (direction !== undefined) packet.direction = direction;
  return packet;
}

/**
 * Reads raw bytes as one packet holding everything (for example datagrams
 * concatenated into one file). The format keeps no datagram boundaries: a
 * decoder walks the messages by their `nlmsg_len`, which only goes wrong if a
 * datagram carried trailing bytes. The direction is inferred from the first
 * message's `NLM_F_REQUEST` flag, and the protocol is assumed to be 0
 * (`NETLINK_ROUTE`). Empty input gives no packet.
 *
 * @example
 * ```ts
 * const { packets } = readRaw(fileBytes); // packets[0].bytes === a copy of fileBytes
 * ```
 */
export function readRaw(input: Uint8Array, options: ReadOptions = {}): ReadResult {
  if (!(input instanceof Uint8Array)) throw new TypeError('input must be a Uint8Array');
  if (input.length === 0) return { packets: [], errors: [] };
  return { packets: [makePacket(input.slice(), 0, 'raw', 0, options)], errors: [] };
}

function isSeparator(code: number): boolean {
  // space, tab, ':', '-', ',', and stray carriage returns / form feeds
  return code === 32 || code === 9 || code === 58 || code === 45 || code === 44 || code === 13 || code === 12 || code === 11;
}

/**
 * Reads hex text. Each block of lines separated by a blank line is one
 * packet (one datagram). Tolerated: any whitespace, `0x` prefixes on any
 * token, `:`, `-` and `,` between bytes, `#` comments to the end of a line
 * (a comment-only line does not end a block). Every token must hold an even
 * number of hex digits.
 *
 * A malformed block gives a {@link CaptureError} with its line and column
 * and is skipped; the following blocks are still read. Direction is inferred
 * from `NLM_F_REQUEST`; protocol is assumed to be 0 (`NETLINK_ROUTE`).
 *
 * @example
 * ```ts
 * readHex('# RTM_GETLINK dump\n0x14 0x00 0x00 0x00 12:00:01:03 ...').packets[0].bytes;
 * ```
 */
export function readHex(input: string | Uint8Array, options: ReadOptions = {}): ReadResult {
  const text = toText(input);
  const packets: CapturedPacket[] = [];
  const errors: CaptureError[] = [];
  let bytes = new ByteSink();
  let blockLine = 0;
  let blockOffset = 0;
  let failed = false;
  let index = 0;
  const endBlock = (): void => {
    if (blockLine === 0) return;
    if (!failed) packets.push(makePacket(bytes.toBytes(), index, 'hex', blockOffset, options, blockLine));
    index++;
    bytes = new ByteSink();
    blockLine = 0;
    failed = false;
  };
  forEachLine(text, (line, number, lineOffset) => {
    const hash = line.indexOf('#');
    const content = hash === -1 ? line : line.slice(0, hash);
    let i = 0;
    while (i < content.length && isSeparator(content.charCodeAt(i))) i++;
    if (i === content.length) {
      if (hash === -1) endBlock();
      return;
    }
    if (blockLine === 0) {
      blockLine = number;
      blockOffset = lineOffset;
    }
    if (failed) return;
    const fail = (column: number, message: string): void => {
      errors.push(
        new CaptureError(`line ${number}, column ${column + 1}: ${message}`, {
          code: 'bad-hex',
          format: 'hex',
          offset: lineOffset + column,
          packetIndex: index,
          line: number,
          column: column + 1,
        }),
      );
      failed = true;
    };
    while (i < content.length) {
      const start = i;
      if (content.charCodeAt(i) === 48 && (content.charCodeAt(i + 1) | 0x20) === 120) i += 2; // 0x / 0X
      const digitsStart = i;
      let high = -1;
      while (i < content.length && !isSeparator(content.charCodeAt(i))) {
        const value = hexValue(content.charCodeAt(i));
        if (value < 0) {
          fail(i, `'${content[i]}' is not a hex digit`);
          return;
        }
        if (high < 0) high = value;
        else {
          bytes.push((high << 4) | value);
          high = -1;
        }
        i++;
      }
      if (i === digitsStart) {
        fail(start, `'${content.slice(start, i)}' has no hex digits`);
        return;
      }
      if (high >= 0) {
        fail(start, `odd number of hex digits (${i - digitsStart}) in '${content.slice(start, i)}'`);
        return;
      }
      while (i < content.length && isSeparator(content.charCodeAt(i))) i++;
    }
  });
  endBlock();
  return { packets, errors };
}

/** Options for {@link writeHex}. */
export interface HexWriteOptions {
  /** Bytes per line, default 16. */
  bytesPerLine?: number;
}

/**
 * Writes datagrams as hex text that {@link readHex} reads back: lowercase
 * bytes separated by spaces, `bytesPerLine` per line, a blank line between
 * datagrams. An empty datagram has no hex text and is left out.
 *
 * @example
 * ```ts
 * writeHex([request, reply]); // '14 00 00 00 ...\n\n24 00 00 00 ...\n'
 * ```
 */
export function writeHex(datagrams: readonly (Uint8Array | { bytes: Uint8Array })[], options: HexWriteOptions = {}): string {
  if (!Array.isArray(datagrams)) throw new TypeError('datagrams must be an array');
  const perLine = options.bytesPerLine ?? 16;
  if (!Number.isInteger(perLine) || perLine < 1) throw new RangeError(`options.bytesPerLine must be a positive integer, got ${perLine}`);
  const blocks: string[] = [];
  datagrams.forEach((item, i) => {
    const bytes = item instanceof Uint8Array ? item : (item as { bytes?: unknown } | null)?.bytes;
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`datagrams[${i}] must be a Uint8Array or have bytes`);
    if (bytes.length === 0) return;
    const lines: string[] = [];
    for (let at = 0; at < bytes.length; at += perLine) lines.push(toHex(bytes.subarray(at, at + perLine), ' '));
    blocks.push(lines.join('\n') + '\n');
  });
  return blocks.join('\n');
}
