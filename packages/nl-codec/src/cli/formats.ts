// Input readers and output writers of the `nl-codec` CLI, kept in registries so that other
// formats (pcap, pcapng, strace) plug in with one `registerInputFormat` call and no change here.
import { swapNetlinkHeaders } from '../capture/netlink.js';
import type { ByteOrder } from '../capture/types.js';
import { fromHex, toHex } from '../json.js';
import { encode } from '../message/encode.js';
import type { MessageInput } from '../message/message.js';

/** One unit of input to decode. */
export interface InputDatagram {
  /** The netlink bytes. */
  bytes: Uint8Array;
  /**
   * True when `bytes` are several datagrams back to back with no record of their boundaries
   * (raw and hex input): decoded with `decode(bytes, { stream: true })`.
   */
  stream?: boolean;
  /** Capture metadata, copied onto each message of the datagram as `packet`. */
  packet?: Record<string, unknown>;
  /** Where the datagram is in the input, for error lines: `packet 3 at byte 1234`. */
  where?: string;
  /**
   * Decode only the `nlmsghdr`s and keep each body as `payload`: the codec's tables do not
   * apply (another netlink protocol, or big-endian bytes, converted to little-endian headers
   * by the reader). `route` says whether NETLINK_ROUTE type names apply.
   */
  headersOnly?: { route: boolean };
}

/** Options of {@link InputFormat.read}. */
export interface InputOptions {
  /** `--byte-order`: the byte order of the netlink bytes, instead of detecting it. */
  byteOrder?: ByteOrder;
}

/** What an input reader returns. */
export interface InputRead {
  datagrams: InputDatagram[];
  /** Notes that are not errors: printed on stderr, exit status unchanged. */
  warnings?: string[];
  /**
   * Parts of the input that could not be read (a damaged capture record), one line each naming
   * the packet and byte offset: printed on stderr, the rest is still decoded, exit status 2.
   */
  errors?: string[];
}

/** A reader for `nl-codec decode --format NAME`. */
export interface InputFormat {
  readonly name: string;
  /**
   * For `--format auto`: whether the input looks like this format. Formats are asked in
   * registration order, newest first; `raw` (no `detect`) is the fallback.
   */
  detect?(input: Uint8Array): boolean;
  /** Reads the whole input; throws an `InputError` when it cannot be read at all. */
  read(input: Uint8Array, options?: InputOptions): InputRead;
}

/** An input that cannot be read: the CLI prints its message as the one error line. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

const inputs: InputFormat[] = [];

/**
 * Adds an input format (or replaces one of the same name). Formats registered later are tried
 * first by `--format auto`, so specific formats (with magic numbers) go after `hex`/`raw`.
 *
 * @example
 * registerInputFormat({ name: 'pcap', detect: (b) => b[0] === 0xd4, read: (b) => ({ datagrams: readPcap(b) }) });
 */
export function registerInputFormat(format: InputFormat): void {
  const i = inputs.findIndex((f) => f.name === format.name);
  if (i >= 0) inputs.splice(i, 1);
  inputs.unshift(format);
}

/**
 * The input format of a name (`'raw'`, `'hex'`, ...), or undefined.
 *
 * @example
 * inputFormat('hex')?.read(new TextEncoder().encode('1400 0000 ...'));
 */
export function inputFormat(name: string): InputFormat | undefined {
  return inputs.find((f) => f.name === name);
}

/**
 * The names accepted by `--format` (`auto` plus every registered format).
 *
 * @example
 * inputFormatNames(); // ['auto', 'hex', 'raw']
 */
export function inputFormatNames(): string[] {
  return ['auto', ...inputs.map((f) => f.name).sort()];
}

/**
 * Picks the format of an input for `--format auto`: the first registered format whose
 * `detect` accepts it, else `raw`.
 *
 * @example
 * detectInputFormat(new TextEncoder().encode('14000000 0300 0200')).name; // 'hex'
 */
export function detectInputFormat(input: Uint8Array): InputFormat {
  for (const f of inputs) if (f.detect?.(input) === true) return f;
  return inputFormat('raw')!;
}

const TEXT_DECODER = new TextDecoder('utf-8', { fatal: false });

// Hex text: hex digits, whitespace, 0x prefixes and ':'/'-' byte separators only.
function looksLikeHex(input: Uint8Array): boolean {
  let digits = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) digits++;
    else if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 58 && c !== 45 && c !== 120 && c !== 88) return false;
  }
  // A netlink message is at least 16 bytes = 32 digits; fewer is more likely a tiny raw file.
  return digits >= 32;
}

// Big-endian raw bytes (`--byte-order be`) have no boundaries to rely on beyond nlmsg_len:
// their headers are converted and the messages shown with raw bodies.
function rawDatagrams(bytes: Uint8Array, options: InputOptions | undefined): InputRead {
  if (options?.byteOrder === 'be') return { datagrams: [{ bytes: swapNetlinkHeaders(bytes, 'be'), headersOnly: { route: true } }] };
  return { datagrams: [{ bytes, stream: true }] };
}

registerInputFormat({
  name: 'raw',
  read: rawDatagrams,
});

registerInputFormat({
  name: 'hex',
  detect: looksLikeHex,
  read(input, options) {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(TEXT_DECODER.decode(input));
    } catch (err) {
      throw new InputError(err instanceof Error ? err.message : String(err));
    }
    return rawDatagrams(bytes, options);
  },
});

/** A writer for `nl-codec encode`: `--hex`, or an option with a FILE argument such as `--pcap FILE`. */
export interface OutputFormat {
  /** The option that selects it, without dashes (`'hex'`, `'pcap'`). */
  readonly option: string;
  /** Name of its argument for the help text (`'FILE'`), when it takes one. */
  readonly argument?: string;
  /**
   * Turns messages into the output. Messages keep their `packet` (capture metadata) if the
   * input had it; writers that do not need it ignore it. Returns bytes or text for stdout, or
   * undefined when the writer wrote `argument` itself.
   */
  write(messages: MessageInput[], argument: string | undefined): Uint8Array | string | undefined;
}

const outputs: OutputFormat[] = [];

/**
 * Adds an output format to `nl-codec encode` (or replaces the one with the same option).
 *
 * @example
 * registerOutputFormat({ option: 'pcap', argument: 'FILE', write: (msgs, file) => { writePcapFile(file!, msgs); return undefined; } });
 */
export function registerOutputFormat(format: OutputFormat): void {
  const i = outputs.findIndex((f) => f.option === format.option);
  if (i >= 0) outputs.splice(i, 1);
  outputs.push(format);
}

/**
 * The registered output formats, in registration order.
 *
 * @example
 * outputFormats().map((f) => f.option); // ['hex']
 */
export function outputFormats(): readonly OutputFormat[] {
  return outputs;
}

/**
 * Encodes messages read back from `nl-codec decode --json` to the bytes they came from: a
 * datagram read from a big-endian capture (`packet.byteOrder: 'be'`) gets its headers swapped
 * back to big-endian.
 *
 * @example
 * const bytes = encodeMessages(parse(jsonText) as MessageInput[]);
 */
export function encodeMessages(messages: readonly MessageInput[]): Uint8Array {
  const bigEndian = (m: MessageInput): boolean =>
    m !== null && typeof m === 'object' && (m.packet as { byteOrder?: unknown } | undefined)?.byteOrder === 'be';
  if (!messages.some(bigEndian)) return encode(withoutPacket(messages));
  const parts: Uint8Array[] = [];
  let i = 0;
  while (i < messages.length) {
    const be = bigEndian(messages[i]!);
    const index = (messages[i]!.packet as { index?: unknown } | undefined)?.index;
    let j = i + 1;
    while (j < messages.length && bigEndian(messages[j]!) === be && (messages[j]!.packet as { index?: unknown } | undefined)?.index === index) j++;
    const bytes = encode(withoutPacket(messages.slice(i, j)));
    parts.push(be ? swapNetlinkHeaders(bytes, 'le') : bytes);
    i = j;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Messages without the CLI-only `packet` field, ready for `encode`. */
export function withoutPacket(messages: readonly MessageInput[]): MessageInput[] {
  return messages.map((m) => {
    if (m === null || typeof m !== 'object' || !('packet' in m)) return m;
    const { packet: _packet, ...rest } = m;
    return rest as MessageInput;
  });
}

registerOutputFormat({
  option: 'hex',
  write: (messages) => toHex(encodeMessages(messages)) + '\n',
});
