// Where each part of a decoded message sits in its bytes, for `nl-codec decode -v`.
//
// The decoder builds values and records no positions (that would cost every decode, and the
// printer is the only user). This walk re-reads the headers of an already decoded message with
// the schema metadata, and lets the decoded object decide where to descend: a value the decoder
// kept as bytes (raw, too deep, unknown format) is not descended into here either, so the two
// never disagree about structure.
import type { Message } from '../message/message.js';
import { messageTypeNumber } from '../message/types.js';
import { ATTRIBUTE_SETS, MESSAGE_TYPES, STRUCTS, SUB_MESSAGES } from '../schema/index.js';
import type { AttributeSpec, StructSpec } from '../schema/types.js';

/**
 * A byte range of the source: `offset` counts from the start of the bytes the message was
 * decoded from (the datagram, or the whole raw input); `length` is the netlink length field of
 * the part (`nlmsg_len`, `nla_len`), or its size for struct members.
 *
 * @example
 * const span: Span = { offset: 32, length: 8 }; // an 8-byte attribute 32 bytes into the datagram
 */
export interface Span {
  offset: number;
  length: number;
}

/** Position of one attribute and of what the decoder found inside it. */
export interface AttrLayout extends Span {
  /** Members of a fixed header at the start of the payload (veth `peer`, nest lists). */
  members?: Map<string, Span>;
  /** Nested attributes, keyed like the decoded object. */
  attrs?: AttrsLayout;
  /** Elements of an indexed array or a nest list, in order. */
  items?: AttrLayout[];
}

/**
 * Attributes of one set by decoded key: one layout, or one per occurrence for `multi-attr` and
 * repeated attributes (which decode to arrays).
 */
export type AttrsLayout = Map<string, AttrLayout | AttrLayout[]>;

/** Position of a message and its parts. */
export interface MessageLayout extends Span {
  /** Family header members, and `error` of NLMSG_ERROR/NLMSG_DONE. */
  members: Map<string, Span>;
  attrs?: AttrsLayout;
  /** The request echoed in an NLMSG_ERROR. */
  request?: MessageLayout;
  payload?: Span;
  padding?: Span;
  trailing?: Span;
}

/**
 * Where a message was decoded from: `bytes` (a datagram, or a raw stream) and the offset of its
 * `nlmsghdr` in them.
 *
 * @example
 * const source: MessageSource = { bytes: datagram, offset: 0 };
 */
export interface MessageSource {
  bytes: Uint8Array;
  offset: number;
}

const NLMSG_HDRLEN = 16;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_CAPPED = 0x100;
const align4 = (n: number): number => (n + 3) & ~3;

function typeNumber(type: unknown): number | undefined {
  if (typeof type === 'number') return type;
  try {
    return messageTypeNumber(type as string);
  } catch {
    return undefined;
  }
}

/**
 * Offsets of the `nlmsghdr` of each message decoded from `bytes` (by `decode(bytes)`, or with
 * `{ stream: true }`), found by following the `nlmsg_len` chain as the decoder did, including
 * each message's alignment padding and `trailing` bytes. An entry is undefined from the point
 * where the bytes and the messages stop matching (a message type that differs).
 *
 * @example
 * locateMessages(datagram, decode(datagram)); // [0, 44] for a request and its ACK
 */
export function locateMessages(bytes: Uint8Array, messages: readonly Message[]): Array<number | undefined> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<number | undefined> = [];
  let off = 0;
  let lost = false;
  for (const m of messages) {
    if (lost || off + NLMSG_HDRLEN > bytes.length || view.getUint16(off + 4, true) !== typeNumber(m.header.type)) {
      lost = true;
      out.push(undefined);
      continue;
    }
    out.push(off);
    const len = view.getUint32(off, true);
    off = Math.min(off + align4(len), bytes.length);
    if (m.trailing instanceof Uint8Array) off += m.trailing.length;
  }
  return out;
}

/**
 * The layout of one decoded message: its header, family header members and every attribute,
 * nested ones too, as byte offsets into `source.bytes`.
 *
 * @example
 * const [offset] = locateMessages(bytes, messages);
 * messageLayout({ bytes, offset: offset! }, messages[0]!).attrs?.get('ifname'); // { offset: 32, length: 7 }
 */
export function messageLayout(source: MessageSource, message: Message): MessageLayout {
  const b = source.bytes;
  return new Walker(b).message(source.offset, b.length, message);
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

const setTables = new Map<string, Array<AttributeSpec | undefined>>();

/** Attributes of a set by type number (cached: the schema keeps them as a list). */
function setTable(key: string): Array<AttributeSpec | undefined> | undefined {
  let t = setTables.get(key);
  if (t === undefined) {
    const set = ATTRIBUTE_SETS[key];
    if (set === undefined) return undefined;
    t = [];
    for (const a of set.attributes) t[a.value] = a;
    setTables.set(key, t);
  }
  return t;
}

function familyOffset(st: StructSpec): number {
  const m = st.members.find((x) => x.type === 'u8' && /family$/.test(x.name));
  return m === undefined ? -1 : m.offset;
}

class Walker {
  private readonly view: DataView;

  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  message(at: number, limit: number, msg: Message): MessageLayout {
    const v = this.view;
    const len = at + 4 <= limit ? v.getUint32(at, true) : 0;
    const end = Math.min(at + len, limit);
    const layout: MessageLayout = { offset: at, length: len, members: new Map() };
    const type = at + 6 <= limit ? v.getUint16(at + 4, true) : -1;
    const body = at + NLMSG_HDRLEN;
    if (msg.payload instanceof Uint8Array) layout.payload = { offset: body, length: msg.payload.length };
    else if (type === NLMSG_ERROR || type === NLMSG_DONE) this.control(type, at, end, msg, layout);
    else {
      const spec = MESSAGE_TYPES[type];
      if (spec?.attributeSet !== undefined) {
        const st = spec.fixedHeader === undefined ? undefined : STRUCTS[spec.fixedHeader];
        this.headed(st, spec.attributeSet, body, end, msg, 0, layout);
      }
    }
    if (msg.padding instanceof Uint8Array) layout.padding = { offset: at + len, length: msg.padding.length };
    if (msg.trailing instanceof Uint8Array) {
      layout.trailing = { offset: Math.min(align4(at + len), this.b.length), length: msg.trailing.length };
    }
    return layout;
  }

  private control(type: number, at: number, end: number, msg: Message, layout: MessageLayout): void {
    const v = this.view;
    layout.members.set('error', { offset: at + 16, length: 4 });
    let tlvs = at + 20;
    const request = msg.request as Message | undefined;
    if (type === NLMSG_ERROR && isObject(request) && at + 36 <= end) {
      const capped = (v.getUint16(at + 6, true) & NLM_F_CAPPED) !== 0;
      const reqLen = v.getUint32(at + 20, true);
      if (capped) {
        layout.request = { offset: at + 20, length: reqLen, members: new Map() };
        tlvs = at + 36;
      } else {
        layout.request = this.message(at + 20, end, request);
        tlvs = at + 20 + align4(reqLen);
      }
    }
    if (isObject(msg.attrs)) layout.attrs = this.attrs('nlmsgerr/nlmsgerr-attrs', tlvs, end, msg.attrs, 0);
  }

  /** A fixed header (members into `into.members`) then the attributes of `setKey`. */
  private headed(st: StructSpec | undefined, setKey: string | undefined, p: number, end: number, value: Obj, fam: number, into: { members?: Map<string, Span>; attrs?: AttrsLayout }): void {
    let as = p;
    if (st !== undefined) {
      if (end - p < st.size) return; // kept as $raw by the decoder
      const members = (into.members ??= new Map());
      for (const m of st.members) if (m.type !== 'pad') members.set(m.name, { offset: p + m.offset, length: m.size });
      const fo = familyOffset(st);
      if (fo >= 0) fam = this.b[p + fo]!;
      as = Math.min(p + align4(st.size), end);
    }
    if (setKey !== undefined && isObject(value.attrs)) into.attrs = this.attrs(setKey, as, end, value.attrs, fam);
  }

  private attrs(setKey: string, s: number, e: number, obj: Obj, fam: number): AttrsLayout {
    const v = this.view;
    const table = setTable(setKey);
    const out: AttrsLayout = new Map();
    const repeated = Array.isArray(obj.$repeated) ? (obj.$repeated as string[]) : [];
    const seen = new Map<string, number>();
    let off = s;
    while (e - off >= 4) {
      const len = v.getUint16(off, true);
      if (len < 4 || len > e - off) break;
      const type = v.getUint16(off + 2, true) & 0x3fff;
      const spec = table?.[type];
      const key = spec?.name ?? `unknown-${type}`;
      const node: AttrLayout = { offset: off, length: len };
      const occurrences = spec?.multiAttr === true || repeated.includes(key);
      const index = seen.get(key) ?? 0;
      seen.set(key, index + 1);
      const value = occurrences ? (obj[key] as unknown[] | undefined)?.[index] : obj[key];
      if (spec !== undefined) this.inside(spec, value, node, off + 4, Math.min(off + len, e), fam, obj);
      if (occurrences) {
        const list = out.get(key);
        if (Array.isArray(list)) list.push(node);
        else out.set(key, [node]);
      } else out.set(key, node);
      off += align4(len);
    }
    return out;
  }

  private inside(spec: AttributeSpec, value: unknown, node: AttrLayout, p: number, end: number, fam: number, parent: Obj): void {
    if (isObject(value) && '$raw' in value) return;
    switch (spec.type) {
      case 'nest':
        if (!isObject(value) || spec.nestedAttributes === undefined) return;
        if (spec.fixedHeader !== undefined) this.headed(STRUCTS[spec.fixedHeader], spec.nestedAttributes, p, end, value, fam, node);
        else node.attrs = this.attrs(spec.nestedAttributes, p, end, value, fam);
        return;
      case 'sub-message': {
        if (!isObject(value) || spec.subMessage === undefined) return;
        const sel = spec.selector === '$family' ? String(fam) : selectorText(parent[spec.selector ?? '']);
        const formats = SUB_MESSAGES[spec.subMessage]?.formats;
        const f = (sel === undefined ? undefined : formats?.[sel]) ?? formats?.['*'];
        if (f === undefined) return;
        if (f.fixedHeader !== undefined) this.headed(STRUCTS[f.fixedHeader], f.attributeSet, p, end, value, fam, node);
        else if (f.attributeSet !== undefined) node.attrs = this.attrs(f.attributeSet, p, end, value, fam);
        return;
      }
      case 'indexed-array': {
        if (!Array.isArray(value)) return;
        const items: AttrLayout[] = [];
        let off = p;
        while (end - off >= 4) {
          const len = this.view.getUint16(off, true);
          if (len < 4 || len > end - off) break;
          const item: AttrLayout = { offset: off, length: len };
          const element = value[items.length];
          if (spec.subType === 'nest' && spec.nestedAttributes !== undefined && isObject(element)) {
            item.attrs = this.attrs(spec.nestedAttributes, off + 4, off + len, element, fam);
          }
          items.push(item);
          off += align4(len);
        }
        node.items = items;
        return;
      }
      case 'x-struct-nest-list': {
        const st = spec.struct === undefined ? undefined : STRUCTS[spec.struct];
        if (!Array.isArray(value) || st === undefined) return;
        const lm = st.members.find((m) => m.name === (spec.lengthMember ?? st.members[0]?.name));
        if (lm === undefined) return;
        const items: AttrLayout[] = [];
        let off = p;
        while (end - off >= st.size && items.length < value.length) {
          const len = lm.size === 2 ? this.view.getUint16(off + lm.offset, true) : this.b[off + lm.offset]!;
          if (len < st.size || off + len > end) break;
          const item: AttrLayout = { offset: off, length: len };
          const element = value[items.length];
          if (isObject(element)) this.headed(st, spec.nestedAttributes, off, off + len, element, fam, item);
          items.push(item);
          off += align4(len);
        }
        node.items = items;
        return;
      }
      default:
        return;
    }
  }
}

// The decoder's rule (attrs/decode.ts): a repeated selector selects by its first occurrence.
function selectorText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}
