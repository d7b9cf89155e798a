/**
 * Format detection and the one entry point the CLI needs.
 */
import { readHex, readRaw } from './hex.js';
import { readPcap } from './pcap.js';
import { readPcapng } from './pcapng.js';
import { readStrace } from './strace.js';
import { toText } from './text.js';
import { CaptureError, type CaptureFormat, type ReadOptions, type ReadResult } from './types.js';

/** How much of the input detection looks at to decide between text formats. */
const SAMPLE = 65536;
// Line-local ([ \t], not \s) so a match attempt never runs across lines.
const STRACE_CALL = /^(?:\[pid[ \t]+\d+\][ \t]+|\d+[ \t]+)?(?:[\d:.]+[ \t]+)?(?:<\.\.\. )?(?:socket|sendmsg|recvmsg|sendto|recvfrom|send|recv)[( ]/m;
const STRACE_DUMP = /^ \| [0-9a-f]{5,} {2}[0-9a-f]{2} /m;

/**
 * True when the text holds only hex digits, `x`/`X`, separators, whitespace
 * and `#` comments, and at least one digit. A loop, not a regular
 * expression: a repeated group over megabytes overflows the regexp stack.
 */
function isHexText(text: string): boolean {
  let digits = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 35) {
      // '#': skip the comment
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end;
    } else if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) digits = true;
    else if (!(c === 120 || c === 88 || c === 58 || c === 44 || c === 45 || c === 32 || (c >= 9 && c <= 13))) return false;
  }
  return digits;
}

function isTextByte(b: number): boolean {
  return (b >= 32 && b < 127) || b === 9 || b === 10 || b === 13 || b === 12 || b === 11;
}

/**
 * Guesses a capture's format: pcap and pcapng by their magic numbers, then
 * for text, `strace` if it shows a send/receive call or an strace dump line,
 * `hex` if it holds only hex digits, `0x`, separators, whitespace and `#`
 * comments; anything else is `raw`.
 *
 * @example
 * ```ts
 * detectFormat(fs.readFileSync('nlmon.pcap')); // 'pcap'
 * detectFormat('20 00 00 00 10 00 05 00'); // 'hex'
 * ```
 */
export function detectFormat(input: Uint8Array | string): CaptureFormat {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (!(input instanceof Uint8Array)) throw new TypeError('input must be a Uint8Array or a string');
    if (input.length >= 4) {
      const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
      const magic = view.getUint32(0, true);
      const swapped = view.getUint32(0, false);
      if (magic === 0x0a0d0d0a) return 'pcapng';
      if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || swapped === 0xa1b2c3d4 || swapped === 0xa1b23c4d) return 'pcap';
    }
    const sample = input.subarray(0, SAMPLE);
    if (sample.length === 0 || !sample.every(isTextByte)) return 'raw';
    text = toText(input);
  }
  if (STRACE_CALL.test(text.slice(0, SAMPLE)) || STRACE_DUMP.test(text.slice(0, SAMPLE))) return 'strace';
  if (isHexText(text)) return 'hex';
  return 'raw';
}

/** Options for {@link readCapture}. */
export interface ReadCaptureOptions extends ReadOptions {
  /** The input's format; `'auto'` or missing: {@link detectFormat}. */
  format?: CaptureFormat | 'auto';
}

const FORMATS: readonly string[] = ['pcap', 'pcapng', 'strace', 'hex', 'raw'];

/**
 * Reads any supported capture into netlink datagrams. Never throws for bad
 * content: problems come back in `errors` (each a `CaptureError` naming the
 * packet and the byte offset or line) next to every packet that could be read.
 *
 * Text (a string) can only be strace output or hex text: auto-detected text
 * that is neither gives one `bad-magic` error.
 *
 * @throws TypeError for an input that is neither bytes nor text, or text with
 *   an explicit binary format; RangeError for an unknown format or byte order
 * @example
 * ```ts
 * const { format, packets, errors } = readCapture(bytes);
 * for (const e of errors) console.error(e.message);
 * for (const p of packets) show(decode(p.bytes), p);
 * ```
 */
export function readCapture(input: Uint8Array | string, options: ReadCaptureOptions = {}): ReadResult & { format: CaptureFormat } {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw new TypeError('input must be a Uint8Array or a string');
  const requested = options.format ?? 'auto';
  if (requested !== 'auto' && !FORMATS.includes(requested)) {
    throw new RangeError(`options.format must be one of auto, ${FORMATS.join(', ')}; got ${String(requested)}`);
  }
  if (options.byteOrder !== undefined && options.byteOrder !== 'le' && options.byteOrder !== 'be') {
    throw new RangeError(`options.byteOrder must be 'le' or 'be', got ${String(options.byteOrder)}`);
  }
  const format = requested === 'auto' ? detectFormat(input) : requested;
  if (typeof input === 'string' && requested === 'auto' && format === 'raw') {
    // Text is only ever strace output or hex; anything else is not a capture.
    const errors =
      input.length === 0
        ? []
        : [new CaptureError('text input is neither strace output nor hex text', { code: 'bad-magic', format: 'raw', offset: 0 })];
    return { packets: [], errors, format };
  }
  const readOptions: ReadOptions = options.byteOrder === undefined ? {} : { byteOrder: options.byteOrder };
  const binary = (): Uint8Array => {
    if (typeof input === 'string') throw new TypeError(`a ${format} capture must be given as bytes, not text`);
    return input;
  };
  let result: ReadResult;
  switch (format) {
    case 'pcap':
      result = readPcap(binary(), readOptions);
      break;
    case 'pcapng':
      result = readPcapng(binary(), readOptions);
      break;
    case 'strace':
      result = readStrace(input, readOptions);
      break;
    case 'hex':
      result = readHex(input, readOptions);
      break;
    case 'raw':
      result = readRaw(binary(), readOptions);
      break;
  }
  return { ...result, format };
}
