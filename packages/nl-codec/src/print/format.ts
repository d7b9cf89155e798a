// Readable tree of decoded messages. It walks the decoded objects themselves (whose keys are
// already the spec names the tables gave them), so it knows no attribute and needs no change
// when the tables grow.
import { toHex } from '../json.js';
import { ERRNO_TEXT } from '../message/errno.js';
import type { Message, MessageHeader } from '../message/message.js';
import { messageLayout, type AttrLayout, type AttrsLayout, type MessageLayout, type MessageSource, type Span } from './layout.js';

/**
 * Options of {@link format}.
 *
 * @example
 * format(messages, { verbose: true, indent: '    ' });
 */
export interface FormatOptions {
  /**
   * Show everything: byte strings in full (otherwise cut after 32 bytes), the body of the
   * request echoed in an error, and the raw extended-ack attributes.
   */
  verbose?: boolean;
  /** Indentation per level (default two spaces). */
  indent?: string;
  /**
   * Where each message was decoded from (see `locateMessages`). With `verbose`, the message
   * line, every family header field and every attribute (nested ones too) then end with
   * `@OFFSET len=LENGTH`: the byte offset from the start of `bytes`, and the netlink length
   * field (`nlmsg_len`, `nla_len`, header included) or the field's size.
   */
  sources?: ReadonlyMap<Message, MessageSource>;
}

/** What the printer has for a field: nothing, a range, an attribute, its occurrences, or a set. */
type Position = Span | AttrLayout | AttrLayout[] | AttrsLayout | undefined;

const SHORT_BYTES = 32;

const BOOKKEEPING = new Set(['$flags', '$unterminated', '$repeated', '$order', '$unpadded']);

/**
 * Formats decoded messages as an indented tree: one header line per message (type, flags, seq,
 * pid), then the family header's fields and every attribute by name, nested sets indented.
 * Errors show the errno name, the kernel's extended-ack message and the attribute path.
 *
 * @example
 * console.log(format(decode(bytes)));
 * // RTM_NEWLINK flags=[multi] seq=1 pid=0
 * //   ifi-family: 0
 * //   ...
 * //   attrs:
 * //     ifname: "lo"
 * //     mtu: 65536
 */
export function format(messages: Message | readonly Message[], options: FormatOptions = {}): string {
  const list = Array.isArray(messages) ? messages : [messages as Message];
  const p = new Printer(options);
  const sources = options.verbose === true ? options.sources : undefined;
  for (const msg of list) {
    const source = sources?.get(msg);
    p.message(msg, 0, '', source === undefined ? undefined : messageLayout(source, msg));
  }
  return p.lines.join('\n') + (p.lines.length > 0 ? '\n' : '');
}

class Printer {
  readonly lines: string[] = [];
  private readonly verbose: boolean;
  private readonly unit: string;

  constructor(options: FormatOptions) {
    this.verbose = options.verbose === true;
    this.unit = options.indent ?? '  ';
  }

  private line(depth: number, text: string): void {
    this.lines.push(this.unit.repeat(depth) + text);
  }

  message(msg: Message, depth: number, prefix = '', layout?: MessageLayout): void {
    if (msg === null || typeof msg !== 'object' || typeof msg.header !== 'object' || msg.header === null) {
      this.line(depth, `${prefix}${this.scalar(msg)}`);
      return;
    }
    const header = msg.header;
    const isErrorLike = header.type === 'NLMSG_ERROR' || header.type === 'NLMSG_DONE';
    let title = prefix + headerLine(header);
    if (isErrorLike && typeof msg.error === 'number') title += ' ' + errorSummary(msg);
    this.line(depth, title + at(layout));
    const d = depth + 1;
    if (msg.packet !== undefined) this.line(d, `packet: ${packetLine(msg.packet)}`);
    if (isErrorLike) this.errorBody(msg, d, layout);
    else {
      for (const key of Object.keys(msg)) {
        if (key === 'header' || key === 'packet' || key === 'trailing' || key === 'padding') continue;
        const pos = layout === undefined ? undefined : key === 'attrs' ? layout.attrs : key === 'payload' ? layout.payload : layout.members.get(key);
        this.field(d, key, msg[key], pos);
      }
    }
    if (msg.padding !== undefined) this.field(d, 'padding', msg.padding, layout?.padding);
    if (msg.trailing !== undefined) this.field(d, 'trailing', msg.trailing, layout?.trailing);
  }

  private errorBody(msg: Message, depth: number, layout: MessageLayout | undefined): void {
    const attrs = (msg.attrs ?? undefined) as Record<string, unknown> | undefined;
    const attrPos = (key: string): Position => layout?.attrs?.get(key);
    if (attrs !== undefined && typeof attrs.msg === 'string') {
      const msgPos = attrPos('msg');
      this.line(depth, `message: ${JSON.stringify(attrs.msg)}${msgPos instanceof Map || Array.isArray(msgPos) ? '' : at(msgPos)}`);
    }
    if (typeof msg.attributePath === 'string') {
      const offs = attrs?.offs;
      this.line(depth, `attribute: ${msg.attributePath}${typeof offs === 'number' ? ` (offset ${offs})` : ''}`);
    } else if (attrs !== undefined && typeof attrs.offs === 'number') {
      this.line(depth, `attribute offset: ${attrs.offs}`);
    }
    const request = msg.request as Message | undefined;
    if (request !== undefined) {
      if (this.verbose) this.message(request, depth, 'request: ', layout?.request);
      else this.line(depth, `request: ${headerLine(request.header)}`);
    }
    for (const key of Object.keys(msg)) {
      if (
        key === 'header' || key === 'error' || key === 'errno' || key === 'request' || key === 'attrs' ||
        key === 'attributePath' || key === 'packet' || key === 'trailing' || key === 'padding'
      ) {
        continue;
      }
      this.field(depth, key, msg[key], layout?.members.get(key));
    }
    if (attrs !== undefined) {
      // msg and offs are already shown above; the rest (policy, cookie, miss-*) stays, all of it
      // when verbose.
      const rest = Object.keys(attrs).filter((k) => this.verbose || (k !== 'msg' && k !== 'offs'));
      if (rest.length > 0) {
        this.line(depth, 'attrs:');
        for (const key of rest) this.field(depth + 1, key, attrs[key], attrPos(key));
      }
    }
  }

  private field(depth: number, key: string, value: unknown, pos?: Position): void {
    // Some '$'-keys are the body codec's bookkeeping for exact re-encoding (SCHEMA.md), not
    // data: hidden unless verbose. The others ($raw, $tail, ...) hold bytes and are shown.
    if (!this.verbose && BOOKKEEPING.has(key)) return;
    if (Array.isArray(pos)) {
      // Occurrences of a multi-attr or repeated attribute: each has its own place.
      const each = pos;
      if (Array.isArray(value) && value.length === each.length) {
        this.line(depth, `${key}: (${value.length})`);
        value.forEach((v, i) => this.field(depth + 1, `[${i}]`, v, each[i]));
        return;
      }
      pos = undefined;
    }
    const span = pos instanceof Map ? undefined : pos;
    const where = at(span);
    if (value instanceof Uint8Array || value === null || typeof value !== 'object') {
      this.line(depth, `${key}: ${this.scalar(value)}${where}`);
      return;
    }
    if (Array.isArray(value)) {
      if (value.every((v) => v === null || typeof v !== 'object' || v instanceof Uint8Array)) {
        this.line(depth, `${key}: [${value.map((v) => this.scalar(v)).join(', ')}]${where}`);
        return;
      }
      this.line(depth, `${key}: (${value.length})${where}`);
      const items = (span as AttrLayout | undefined)?.items;
      value.forEach((v, i) => this.field(depth + 1, `[${i}]`, v, items?.[i]));
      return;
    }
    const obj = value as Record<string, unknown>;
    if (obj.$raw instanceof Uint8Array && Object.keys(obj).length === 1) {
      // A known attribute whose payload does not fit its type.
      this.line(depth, `${key}: (raw) ${this.scalar(obj.$raw)}${where}`);
      return;
    }
    if (isUnknownAttr(key, obj)) {
      this.line(depth, `${key}: ${this.scalar(obj.bytes)}${obj.flags ? ` (nla flags 0x${(obj.flags as number).toString(16)})` : ''}${where}`);
      return;
    }
    if (isHeaderLike(obj.header)) {
      this.message(obj as Message, depth, `${key}: `);
      return;
    }
    const keys = Object.keys(obj);
    if (keys.length === 0) {
      this.line(depth, `${key}: {}${where}`);
      return;
    }
    this.line(depth, `${key}:${where}`);
    for (const k of keys) this.field(depth + 1, k, obj[k], childPosition(pos, k));
  }

  private scalar(value: unknown): string {
    if (value instanceof Uint8Array) {
      if (value.length === 0) return '(0 bytes)';
      if (!this.verbose && value.length > SHORT_BYTES) {
        return `${toHex(value.subarray(0, SHORT_BYTES))}… (${value.length} bytes)`;
      }
      return `${toHex(value)} (${value.length} bytes)`;
    }
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'bigint':
        return value.toString();
      case 'undefined':
        return 'undefined';
      default:
        return JSON.stringify(value) ?? String(value);
    }
  }
}

/** ` @OFFSET len=LENGTH` for a known place, else nothing. */
function at(span: Span | AttrLayout | undefined): string {
  return span === undefined ? '' : ` @${span.offset} len=${span.length}`;
}

// Inside a set, keys are attributes; inside a nest with a fixed header (veth peer, nest-list
// items), the header's members sit beside `attrs`.
function childPosition(pos: Position, key: string): Position {
  if (pos === undefined || Array.isArray(pos)) return undefined;
  if (pos instanceof Map) return pos.get(key);
  const node = pos as AttrLayout;
  if (node.members !== undefined) return key === 'attrs' ? node.attrs : node.members.get(key);
  return node.attrs?.get(key);
}

function isHeaderLike(value: unknown): value is MessageHeader {
  return value !== null && typeof value === 'object' && 'type' in value && 'flags' in value;
}

function isUnknownAttr(key: string, obj: Record<string, unknown>): boolean {
  return key.startsWith('unknown-') && obj.bytes instanceof Uint8Array && typeof obj.type === 'number';
}

function headerLine(header: MessageHeader): string {
  const flags = Array.isArray(header.flags)
    ? header.flags.map((f) => (typeof f === 'number' ? `0x${f.toString(16)}` : f)).join(',')
    : String(header.flags);
  let s = `${String(header.type)} flags=[${flags}] seq=${String(header.seq)} pid=${String(header.pid)}`;
  if (typeof header.length === 'number') s += ` len=${header.length}`;
  return s;
}

function errorSummary(msg: Message): string {
  const error = msg.error as number;
  if (error === 0) return msg.header.type === 'NLMSG_ERROR' ? 'ACK' : 'status 0';
  const name = typeof msg.errno === 'string' ? msg.errno : undefined;
  const text = name !== undefined ? ERRNO_TEXT.get(name) : undefined;
  return `${name ?? 'error'} (${error}${text !== undefined ? `: ${text}` : ''})`;
}

// Capture metadata on one line: '#3 to-user 1700000000.000123456 protocol 0 port 4242'.
function packetLine(packet: unknown): string {
  if (packet === null || typeof packet !== 'object') return JSON.stringify(packet) ?? String(packet);
  const p = packet as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof p.index === 'number') parts.push(`#${p.index}`);
  if (typeof p.direction === 'string') parts.push(p.direction);
  const time = p.time as { sec?: unknown; nsec?: unknown } | undefined;
  if (time !== undefined && typeof time.sec === 'number' && typeof time.nsec === 'number') {
    parts.push(`${time.sec}.${String(time.nsec).padStart(9, '0')}`);
  }
  for (const [key, value] of Object.entries(p)) {
    if (key === 'index' || key === 'direction' || key === 'time') continue;
    parts.push(`${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join(' ');
}
