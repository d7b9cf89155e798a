// One line per message (`nl-codec decode --summary`): when, which way, what, and the one
// identifier that tells messages of a dump apart. Like the tree, it reads the decoded objects
// (spec names), so it knows only the handful of attributes it names.
import type { Message } from '../message/message.js';
import { messageTypeNumber } from '../message/types.js';
import type { MessageSource } from './layout.js';

/**
 * Options of {@link summary}.
 *
 * @example
 * summary(messages, { sources: new Map([[messages[0]!, { bytes, offset: 0 }]]) });
 */
export interface SummaryOptions {
  /** Where each message was decoded from: gives `len=` (its `nlmsg_len`). */
  sources?: ReadonlyMap<Message, MessageSource>;
}

/**
 * Formats messages one per line:
 * `[TIME] DIR TYPE [FLAGS] seq=N [len=N] [WHAT]`.
 *
 * - `TIME`: the capture time as `seconds.nanoseconds`, when the message came from a capture
 *   that records it (`packet.time`).
 * - `DIR`: `>` to the kernel, `<` to user space: the capture's direction, else the `request`
 *   flag (only user space sets it).
 * - `len=`: the `nlmsg_len`, when `sources` says where the message was.
 * - `WHAT`: links: `IFNAME index N`; addresses: `ADDRESS/PREFIXLEN dev N`; routes:
 *   `DST/LEN` (or `default`) `via GATEWAY dev N`; neighbours: `DST lladdr MAC dev N`; errors:
 *   `ACK`, or the errno name, the ext-ack message in quotes and `at PATH`; a body kept raw:
 *   `payload N bytes`.
 *
 * @example
 * console.log(summary(decode(bytes)));
 * // > RTM_NEWLINK [request,ack,excl,create] seq=1795631536 v0
 * // < NLMSG_ERROR [capped] seq=1795631536 ACK
 */
export function summary(messages: Message | readonly Message[], options: SummaryOptions = {}): string {
  const list = Array.isArray(messages) ? messages : [messages as Message];
  let out = '';
  for (const m of list) out += summaryLine(m, options.sources?.get(m)) + '\n';
  return out;
}

function summaryLine(m: Message, source: MessageSource | undefined): string {
  const parts: string[] = [];
  const packet = (m.packet ?? undefined) as { time?: { sec?: unknown; nsec?: unknown }; direction?: unknown } | undefined;
  const time = packet?.time;
  if (time !== undefined && typeof time.sec === 'number' && typeof time.nsec === 'number') {
    parts.push(`${time.sec}.${String(time.nsec).padStart(9, '0')}`);
  }
  const h = m.header;
  const flags = Array.isArray(h.flags) ? h.flags : [];
  const dir = typeof packet?.direction === 'string' ? packet.direction : flags.includes('request') ? 'to-kernel' : 'to-user';
  parts.push(dir === 'to-kernel' ? '>' : '<');
  parts.push(String(h.type));
  parts.push(`[${flags.map((f) => (typeof f === 'number' ? `0x${f.toString(16)}` : f)).join(',')}]`);
  parts.push(`seq=${String(h.seq)}`);
  if (source !== undefined && source.offset + 4 <= source.bytes.length) {
    const v = new DataView(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
    parts.push(`len=${v.getUint32(source.offset, true)}`);
  }
  const what = identify(m);
  if (what !== '') parts.push(what);
  return parts.join(' ');
}

type Obj = Record<string, unknown>;

/** The first occurrence of a repeated value, as text. */
function text(v: unknown): string | undefined {
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

function typeNumber(m: Message): number | undefined {
  try {
    return messageTypeNumber(m.header.type);
  } catch {
    return undefined;
  }
}

function identify(m: Message): string {
  const attrs = (m.attrs !== null && typeof m.attrs === 'object' ? m.attrs : {}) as Obj;
  const type = typeNumber(m);
  if (type === 2 || type === 3) return control(m, type, attrs);
  if (m.payload instanceof Uint8Array) return `payload ${m.payload.length} bytes`;
  const words: string[] = [];
  const add = (label: string, v: unknown): void => {
    const t = text(v);
    if (t !== undefined) words.push(label === '' ? t : `${label} ${t}`);
  };
  const dev = (v: unknown): void => {
    if (typeof v === 'number' && v !== 0) words.push(`dev ${v}`);
  };
  if (type === undefined) return '';
  if (type >= 16 && type <= 19) {
    add('', attrs.ifname);
    if (typeof m['ifi-index'] === 'number' && m['ifi-index'] !== 0) words.push(`index ${m['ifi-index']}`);
  } else if (type >= 20 && type <= 23) {
    const addr = text(attrs.local) ?? text(attrs.address);
    if (addr !== undefined) words.push(`${addr}/${String(m['ifa-prefixlen'])}`);
    dev(m['ifa-index']);
  } else if (type >= 24 && type <= 27) {
    const dst = text(attrs.dst);
    if (dst !== undefined) words.push(`${dst}/${String(m['rtm-dst-len'])}`);
    else if (m['rtm-dst-len'] === 0 && (type === 24 || type === 25)) words.push('default');
    add('via', attrs.gateway);
    dev(attrs.oif);
  } else if (type >= 28 && type <= 31) {
    add('', attrs.dst);
    add('lladdr', attrs.lladdr);
    dev(m['ndm-ifindex']);
  }
  return words.join(' ');
}

function control(m: Message, type: number, attrs: Obj): string {
  const words: string[] = [];
  const error = m.error;
  if (typeof error === 'number') {
    if (error < 0) words.push(typeof m.errno === 'string' ? m.errno : `error ${error}`);
    else if (type === 2) words.push('ACK');
  } else if (m.payload instanceof Uint8Array) words.push(`payload ${m.payload.length} bytes`);
  if (typeof attrs.msg === 'string') words.push(JSON.stringify(attrs.msg));
  if (typeof m.attributePath === 'string') words.push(`at ${m.attributePath}`);
  return words.join(' ');
}
