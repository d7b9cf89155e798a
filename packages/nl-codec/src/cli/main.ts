/// <reference types="node" />
// The `nl-codec` command: decode netlink bytes to a readable tree or JSON, and encode that JSON
// back to bytes. Every failure is one line on stderr and exit status 1, never a stack trace.
import { readFileSync } from 'node:fs';
import { NetlinkDecodeError } from '../attrs/errors.js';
import { parse, stringify } from '../json.js';
import { decode } from '../message/decode.js';
import { encode } from '../message/encode.js';
import type { Message, MessageInput } from '../message/message.js';
import { messageTypeNumber } from '../message/types.js';
import { format } from '../print/format.js';
import { locateMessages, type MessageSource } from '../print/layout.js';
import { summary } from '../print/summary.js';
import {
  detectInputFormat,
  encodeMessages,
  InputError,
  inputFormat,
  inputFormatNames,
  outputFormats,
  type InputFormat,
} from './formats.js';
import { decodeHeaders } from './headers.js';
// Registers pcap, pcapng and strace input and the --pcap output.
import './capture-formats.js';

/** A problem with the command line or the input: printed as one line, exit status 1. */
class UsageError extends Error {}

function help(): string {
  const outs = outputFormats()
    .map((f) => `--${f.option}${f.argument !== undefined ? ` ${f.argument}` : ''}`)
    .join(' | ');
  return `Usage:
  nl-codec decode [FILE|-] [--format ${inputFormatNames().join('|')}] [--hex] [--byte-order le|be]
                  [--json | --summary] [-v|--verbose] [filters]
  nl-codec encode [FILE|-] [${outs}]
  nl-codec --help

decode  reads netlink bytes (FILE, or stdin when FILE is '-' or absent) and prints every
        message as a readable tree: header with type and flag names, the family header,
        every attribute by its spec name; errors with errno name, ext-ack message and path.
        --json     one JSON array of messages, lossless: 'encode' takes it back
                   (bigint as {"$bigint":"1"}, bytes as {"$hex":"00ff"}).
        --summary  one line per message: [TIME] DIR TYPE [FLAGS] seq=N len=N WHAT
                   (TIME sec.nsec from a capture; DIR '>' to the kernel, '<' to user space;
                   WHAT: link ifname/index, address/prefixlen, route dst/len, neighbour
                   dst lladdr, errno name and ext-ack message).
        -v, --verbose  show byte strings in full, the whole request echoed in errors, and
                   after each message, header field and attribute '@OFFSET len=N': its byte
                   offset from the start of the datagram (a capture's packet, after the
                   pseudo-header; for raw/hex input, from the start of the input) and its
                   netlink length (nlmsg_len / nla_len, header included) or field size.
        --format   input format; default auto: pcap/pcapng by magic number, strace output
                   by its calls, hex if the text is only hex digits, whitespace, 0x
                   prefixes and ':'/'-', else raw bytes. --hex = --format hex.
                   Messages read from a capture carry
                   packet: { index, time, direction, protocol, portId, packetType }.
        --byte-order le|be  byte order of the netlink bytes (default: detected per packet
                   from nlmsg_len; raw/hex: le). Big-endian messages, and messages of other
                   netlink protocols than NETLINK_ROUTE, are shown as headers with the body
                   as raw payload.
        Raw and hex input may hold several datagrams back to back: their boundaries are
        not recorded, so they are read as consecutive messages, and a header whose
        nlmsg_len is below 16 ends a datagram (what follows up to the next plausible
        header is that datagram's trailing bytes).
        filters (all must match; filtered output no longer re-encodes to the input):
          --type T[,T...]   message types by name (RTM_NEWLINK, nlmsg_error) or number
          --seq N           sequence number
          --direction D     to-kernel or to-user (from the capture, else the request flag)
          --errors          only errors (NLMSG_ERROR/NLMSG_DONE with a negative error)
encode  reads that JSON array (FILE or stdin) and writes the bytes: raw to stdout, with
        --hex as hex text, or with --pcap FILE as a pcap (one packet per datagram read,
        keeping time, direction and port id). 'nl-codec decode --json | nl-codec encode'
        gives back the input bytes.

Exit status: 0 all decoded; 1 bad arguments or input that cannot be read at all (one line
on stderr); 2 a capture with damaged packets: one line per problem on stderr naming the
packet and its byte offset, every other packet printed.
`;
}

interface Io {
  readInput(file: string | undefined): Promise<Uint8Array>;
  stdout(data: Uint8Array | string): void;
  stderr(text: string): void;
  stdinIsTTY: boolean;
}

// stdin is read as a stream: readFileSync(0) fails with EAGAIN when the pipe is non-blocking
// and the writer has not written yet.
async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const nodeIo: Io = {
  async readInput(file) {
    const stdin = file === undefined || file === '-';
    try {
      return stdin ? await readStdin() : readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${stdin ? 'stdin' : file}: ${code ?? (err as Error).message}`);
    }
  },
  stdout(data) {
    process.stdout.write(data);
  },
  stderr(text) {
    process.stderr.write(text);
  },
  stdinIsTTY: process.stdin.isTTY === true,
};

interface Parsed {
  positional: string[];
  options: Map<string, string | true>;
}

// Options that take a value; everything else is a switch.
function parseArgs(args: readonly string[], valued: ReadonlySet<string>, switches: ReadonlySet<string>): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
    if (valued.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      options.set(name, value);
    } else if (switches.has(name) && eq < 0) {
      options.set(name, true);
    } else {
      throw new UsageError(`unknown option ${arg} (see nl-codec --help)`);
    }
  }
  return { positional, options };
}

/** Exit status of `decode` when some packets of a capture could not be read (the rest printed). */
const PARTIAL = 2;

async function runDecode(args: readonly string[], io: Io): Promise<number> {
  const { positional, options } = parseArgs(
    args,
    new Set(['format', 'type', 'seq', 'direction', 'byte-order']),
    new Set(['hex', 'json', 'verbose', 'v', 'errors', 'summary']),
  );
  const keep = messageFilter(options);
  if (positional.length > 1) throw new UsageError(`decode takes one input, got ${positional.length}: ${positional.join(' ')}`);
  if (options.has('json') && options.has('summary')) throw new UsageError('choose one output: --json or --summary');
  const byteOrder = options.get('byte-order');
  if (byteOrder !== undefined && byteOrder !== 'le' && byteOrder !== 'be') {
    throw new UsageError(`--byte-order must be le or be, got '${String(byteOrder)}'`);
  }
  let formatName = options.get('format') as string | undefined;
  if (options.has('hex')) {
    if (formatName !== undefined && formatName !== 'hex') throw new UsageError(`--hex conflicts with --format ${formatName}`);
    formatName = 'hex';
  }
  let reader: InputFormat | undefined;
  if (formatName !== undefined && formatName !== 'auto') {
    reader = inputFormat(formatName);
    if (reader === undefined) {
      throw new UsageError(`unknown input format '${formatName}' (one of ${inputFormatNames().join(', ')})`);
    }
  }
  const file = positional[0];
  if ((file === undefined || file === '-') && io.stdinIsTTY) {
    throw new UsageError('no input: give a FILE or pipe bytes into stdin (see nl-codec --help)');
  }
  const input = await io.readInput(file);
  const inputName = file === undefined || file === '-' ? 'stdin' : file;
  if (input.length === 0) throw new UsageError(`empty input: ${inputName} has no bytes`);
  reader ??= detectInputFormat(input);
  const read = reader.read(input, byteOrder === undefined ? {} : { byteOrder });
  for (const w of read.warnings ?? []) io.stderr(`nl-codec: warning: ${w}\n`);
  const errors = [...(read.errors ?? [])];
  const verbose = options.has('verbose') || options.has('v');
  const wantSources = options.has('summary') || verbose;
  const sources = new Map<Message, MessageSource>();
  const messages: Message[] = [];
  for (let d = 0; d < read.datagrams.length; d++) {
    const dgram = read.datagrams[d]!;
    let decoded: Message[];
    try {
      if (dgram.bytes.length === 0) decoded = [];
      else if (dgram.headersOnly !== undefined) decoded = decodeHeaders(dgram.bytes, dgram.headersOnly);
      else decoded = decode(dgram.bytes, { stream: dgram.stream === true });
    } catch (err) {
      if (!(err instanceof NetlinkDecodeError)) throw err;
      const what = `${err.message} (netlink byte offset ${err.offset})`;
      // Raw and hex input is one stream: nothing after the damage can be trusted to start a
      // message. A capture has packet boundaries: report this packet and go on.
      if (dgram.packet === undefined) throw new UsageError(`cannot decode ${reader.name} input: ${what}`);
      errors.push(`${dgram.where ?? `packet ${String(dgram.packet.index ?? d)}`}: cannot decode: ${what}`);
      continue;
    }
    const offsets = wantSources ? locateMessages(dgram.bytes, decoded) : [];
    for (let i = 0; i < decoded.length; i++) {
      let m = decoded[i]!;
      if (dgram.packet !== undefined) {
        // `packet` goes right after the header so it reads first in JSON and the tree.
        const { header, ...body } = m;
        m = { header, packet: dgram.packet, ...body } as Message;
      }
      if (!keep(m)) continue;
      const offset = offsets[i];
      if (offset !== undefined) sources.set(m, { bytes: dgram.bytes, offset });
      messages.push(m);
    }
  }
  for (const e of errors) io.stderr(`nl-codec: ${e}\n`);
  if (options.has('json')) io.stdout(stringify(messages, 2) + '\n');
  else if (options.has('summary')) io.stdout(summary(messages, { sources }));
  else io.stdout(format(messages, { verbose, sources }));
  return errors.length > 0 ? PARTIAL : 0;
}

// Filters of `decode`: every given filter must match for a message to be printed.
function messageFilter(options: ReadonlyMap<string, string | true>): (m: Message) => boolean {
  const tests: Array<(m: Message) => boolean> = [];
  const types = options.get('type');
  if (typeof types === 'string') {
    const wanted = new Set<number>();
    for (const t of types.split(',')) {
      const name = t.trim();
      if (name === '') continue;
      let n: number;
      try {
        n = /^[0-9]+$/.test(name) ? messageTypeNumber(Number(name)) : messageTypeNumber(name.toUpperCase());
      } catch {
        throw new UsageError(`--type: unknown message type '${name}'`);
      }
      wanted.add(n);
    }
    tests.push((m) => wanted.has(messageTypeNumber(m.header.type)));
  }
  const seq = options.get('seq');
  if (typeof seq === 'string') {
    if (!/^[0-9]+$/.test(seq) || Number(seq) > 0xffffffff) throw new UsageError(`--seq must be a u32, got '${seq}'`);
    tests.push((m) => m.header.seq === Number(seq));
  }
  const direction = options.get('direction');
  if (typeof direction === 'string') {
    if (direction !== 'to-kernel' && direction !== 'to-user') {
      throw new UsageError(`--direction must be to-kernel or to-user, got '${direction}'`);
    }
    // Without capture metadata the request flag tells: only user space sets it.
    tests.push((m) => {
      const recorded = (m.packet as { direction?: unknown } | undefined)?.direction;
      const dir = typeof recorded === 'string' ? recorded : m.header.flags.includes('request') ? 'to-kernel' : 'to-user';
      return dir === direction;
    });
  }
  if (options.has('errors')) tests.push((m) => typeof m.error === 'number' && m.error < 0);
  return (m) => tests.every((t) => t(m));
}

async function runEncode(args: readonly string[], io: Io): Promise<void> {
  const outs = outputFormats();
  const valued = new Set(outs.filter((f) => f.argument !== undefined).map((f) => f.option));
  const switches = new Set(outs.filter((f) => f.argument === undefined).map((f) => f.option));
  const { positional, options } = parseArgs(args, valued, switches);
  if (positional.length > 1) throw new UsageError(`encode takes one input, got ${positional.length}: ${positional.join(' ')}`);
  if (options.size > 1) throw new UsageError(`choose one output: ${[...options.keys()].map((k) => `--${k}`).join(' or ')}`);
  const file = positional[0];
  if ((file === undefined || file === '-') && io.stdinIsTTY) {
    throw new UsageError('no input: give a JSON FILE or pipe it into stdin (see nl-codec --help)');
  }
  const text = new TextDecoder().decode(await io.readInput(file));
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new UsageError(`input is not nl-codec JSON: ${(err as Error).message}`);
  }
  const messages = (Array.isArray(value) ? value : [value]) as MessageInput[];
  const [option, argument] = [...options][0] ?? [];
  let out: Uint8Array | string | undefined;
  try {
    if (option === undefined) out = encodeMessages(messages);
    else {
      const writer = outs.find((f) => f.option === option)!;
      out = writer.write(messages, typeof argument === 'string' ? argument : undefined);
    }
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError || err instanceof InputError) {
      throw new UsageError(`cannot encode: ${err.message}`);
    }
    throw err;
  }
  if (out !== undefined) io.stdout(out);
}

/**
 * Runs the `nl-codec` command with its arguments (without `node` and the script) and resolves
 * to the exit status: 0, or 1 after printing one line on stderr.
 *
 * @example
 * process.exitCode = await main(['decode', 'dump.bin', '--json']);
 */
export async function main(argv: readonly string[], io: Io = nodeIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      if (command === undefined) throw new UsageError('missing command: decode or encode (see nl-codec --help)');
      io.stdout(help());
      return 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(help());
      return 0;
    }
    if (command === 'decode') return await runDecode(rest, io);
    if (command === 'encode') {
      await runEncode(rest, io);
      return 0;
    }
    throw new UsageError(`unknown command '${command}': use decode or encode (see nl-codec --help)`);
  } catch (err) {
    const known = err instanceof UsageError || err instanceof InputError;
    const text = err instanceof Error ? err.message : String(err);
    io.stderr(`nl-codec: ${known ? '' : 'internal error: '}${text.split('\n')[0]}\n`);
    return 1;
  }
}
