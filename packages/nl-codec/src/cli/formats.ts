// Input readers and output writers of the `nl-codec` CLI, kept in registries so that other
// formats (pcap, pcapng, strace) plug in with one `registerInputFormat` call and no change here.
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
}

/** What an input reader returns. */
export interface InputRead {
  datagrams: InputDatagram[];
  /** Problems the reader skipped over (a damaged capture record): printed on stderr. */
  warnings?: string[];
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
  read(input: Uint8Array): InputRead;
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

registerInputFormat({
  name: 'raw',
  read: (input) => ({ datagrams: [{ bytes: input, stream: true }] }),
});

registerInputFormat({
  name: 'hex',
  detect: looksLikeHex,
  read(input) {
    try {
      return { datagrams: [{ bytes: fromHex(TEXT_DECODER.decode(input)), stream: true }] };
    } catch (err) {
      throw new InputError(err instanceof Error ? err.message : String(err));
    }
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
  write: (messages) => toHex(encode(withoutPacket(messages))) + '\n',
});
