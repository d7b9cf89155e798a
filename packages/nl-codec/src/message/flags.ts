// nlmsg_flags: the low byte means the same for every message; the bits from 0x100 up are
// reused by each kind of request (<linux/netlink.h>), so their names depend on the type.
import { messageKind, NLMSG_DONE, NLMSG_ERROR, type MessageKind } from './types.js';

/**
 * `NLM_F_REQUEST`: the message is a request.
 *
 * @example
 * (flags & NLM_F_REQUEST) !== 0;
 */
export const NLM_F_REQUEST = 0x01;
/**
 * `NLM_F_MULTI`: part of a multipart reply, terminated by `NLMSG_DONE`.
 *
 * @example
 * (flags & NLM_F_MULTI) !== 0;
 */
export const NLM_F_MULTI = 0x02;
/**
 * `NLM_F_ACK`: reply with an acknowledgement (an `NLMSG_ERROR` with error 0).
 *
 * @example
 * (flags & NLM_F_ACK) !== 0;
 */
export const NLM_F_ACK = 0x04;
/**
 * `NLM_F_ECHO`: echo this request back (as a notification to the sender).
 *
 * @example
 * (flags & NLM_F_ECHO) !== 0;
 */
export const NLM_F_ECHO = 0x08;
/**
 * `NLM_F_DUMP_INTR`: the dump was inconsistent because the data changed during it.
 *
 * @example
 * (flags & NLM_F_DUMP_INTR) !== 0;
 */
export const NLM_F_DUMP_INTR = 0x10;
/**
 * `NLM_F_DUMP_FILTERED`: the dump was filtered as the request asked.
 *
 * @example
 * (flags & NLM_F_DUMP_FILTERED) !== 0;
 */
export const NLM_F_DUMP_FILTERED = 0x20;
/**
 * `NLM_F_ROOT` (GET requests): return the whole table.
 *
 * @example
 * (flags & NLM_F_ROOT) !== 0;
 */
export const NLM_F_ROOT = 0x100;
/**
 * `NLM_F_MATCH` (GET requests): return all matching entries.
 *
 * @example
 * (flags & NLM_F_MATCH) !== 0;
 */
export const NLM_F_MATCH = 0x200;
/**
 * `NLM_F_ATOMIC` (GET requests): atomic snapshot (unused by rtnetlink).
 *
 * @example
 * (flags & NLM_F_ATOMIC) !== 0;
 */
export const NLM_F_ATOMIC = 0x400;
/**
 * `NLM_F_DUMP` (GET requests) = `NLM_F_ROOT | NLM_F_MATCH`.
 *
 * @example
 * (flags & NLM_F_DUMP) !== 0;
 */
export const NLM_F_DUMP = 0x300;
/**
 * `NLM_F_REPLACE` (NEW requests): replace an existing object.
 *
 * @example
 * (flags & NLM_F_REPLACE) !== 0;
 */
export const NLM_F_REPLACE = 0x100;
/**
 * `NLM_F_EXCL` (NEW requests): fail if the object exists.
 *
 * @example
 * (flags & NLM_F_EXCL) !== 0;
 */
export const NLM_F_EXCL = 0x200;
/**
 * `NLM_F_CREATE` (NEW requests): create the object if it does not exist.
 *
 * @example
 * (flags & NLM_F_CREATE) !== 0;
 */
export const NLM_F_CREATE = 0x400;
/**
 * `NLM_F_APPEND` (NEW requests): add to the end of a list.
 *
 * @example
 * (flags & NLM_F_APPEND) !== 0;
 */
export const NLM_F_APPEND = 0x800;
/**
 * `NLM_F_NONREC` (DEL requests): do not delete recursively.
 *
 * @example
 * (flags & NLM_F_NONREC) !== 0;
 */
export const NLM_F_NONREC = 0x100;
/**
 * `NLM_F_BULK` (DEL requests): delete several objects.
 *
 * @example
 * (flags & NLM_F_BULK) !== 0;
 */
export const NLM_F_BULK = 0x200;
/**
 * `NLM_F_CAPPED` (`NLMSG_ERROR`/`NLMSG_DONE`): only the request's header is echoed.
 *
 * @example
 * (flags & NLM_F_CAPPED) !== 0;
 */
export const NLM_F_CAPPED = 0x100;
/**
 * `NLM_F_ACK_TLVS` (`NLMSG_ERROR`/`NLMSG_DONE`): extended-ack attributes follow.
 *
 * @example
 * (flags & NLM_F_ACK_TLVS) !== 0;
 */
export const NLM_F_ACK_TLVS = 0x200;

/**
 * A flag name (`'request'`, `'dump'`, `'ack_tlvs'`, ...) or an unknown bit as a number.
 *
 * @example
 * const flags: MessageFlag[] = ['request', 'ack', 0x8000];
 */
export type MessageFlag = string | number;

type FlagTable = ReadonlyArray<readonly [name: string, bits: number]>;

const COMMON: FlagTable = [
  ['request', NLM_F_REQUEST],
  ['multi', NLM_F_MULTI],
  ['ack', NLM_F_ACK],
  ['echo', NLM_F_ECHO],
  ['dump_intr', NLM_F_DUMP_INTR],
  ['dump_filtered', NLM_F_DUMP_FILTERED],
];

// Order matters for decoding: a multi-bit name ('dump') comes before its parts, so a value
// with both bits set reads as 'dump' rather than 'root', 'match'.
const TABLES: Readonly<Record<MessageKind | 'ack', FlagTable>> = {
  get: [...COMMON, ['dump', NLM_F_DUMP], ['root', NLM_F_ROOT], ['match', NLM_F_MATCH], ['atomic', NLM_F_ATOMIC]],
  new: [...COMMON, ['replace', NLM_F_REPLACE], ['excl', NLM_F_EXCL], ['create', NLM_F_CREATE], ['append', NLM_F_APPEND]],
  del: [...COMMON, ['nonrec', NLM_F_NONREC], ['bulk', NLM_F_BULK]],
  ack: [...COMMON, ['capped', NLM_F_CAPPED], ['ack_tlvs', NLM_F_ACK_TLVS]],
  set: COMMON,
  control: COMMON,
};

/** Names per flag value, per table (bounded: 256 values each). */
const FLAG_CACHE = new Map<FlagTable, Map<number, MessageFlag[]>>();

function tableFor(type: number): FlagTable {
  // NLMSG_DONE carries the same ext-ack bits as NLMSG_ERROR (netlink_dump_done()).
  if (type === NLMSG_ERROR || type === NLMSG_DONE) return TABLES.ack;
  return TABLES[messageKind(type)];
}

/**
 * Names the bits of `nlmsg_flags` for a message type: names valid for that type, in bit order,
 * with every bit the table does not name kept as a number (one number per unknown bit).
 *
 * @example
 * messageFlagNames(18, 0x301); // ['request', 'dump']   (RTM_GETLINK)
 * messageFlagNames(16, 0x605); // ['request', 'ack', 'excl', 'create'] (RTM_NEWLINK)
 * messageFlagNames(2, 0x100);  // ['capped']            (NLMSG_ERROR)
 */
export function messageFlagNames(type: number, flags: number): MessageFlag[] {
  if (flags === 0) return [];
  const table = tableFor(type);
  // Every message of a dump has the same flags: copy a cached list (exactly sized) instead
  // of building one with push (whose first push reserves room for 17 elements).
  let cache = FLAG_CACHE.get(table);
  if (cache === undefined) {
    cache = new Map();
    FLAG_CACHE.set(table, cache);
  }
  let names = cache.get(flags);
  if (names === undefined) {
    names = flagNamesFrom(table, flags);
    if (cache.size < 256) cache.set(flags, names);
  }
  return names.slice();
}

function flagNamesFrom(table: FlagTable, flags: number): MessageFlag[] {
  const out: MessageFlag[] = [];
  let rest = flags;
  for (let i = 0; i < table.length; i++) {
    const entry = table[i]!;
    const bits = entry[1];
    if ((rest & bits) === bits) {
      out.push(entry[0]);
      rest &= ~bits;
    }
  }
  // Whatever is left has no name for this type: one number per bit, lowest first.
  for (let bit = 1; rest !== 0 && bit <= 0x8000; bit <<= 1) {
    if (rest & bit) {
      out.push(bit);
      rest &= ~bit;
    }
  }
  return out;
}

/**
 * The `nlmsg_flags` value for a message type from names/numbers (or a plain number).
 * Throws a `TypeError` naming the flag when a name is not valid for that type, and a
 * `RangeError` when a number does not fit in 16 bits.
 *
 * @example
 * messageFlagsValue(18, ['request', 'dump']); // 0x301
 * messageFlagsValue(16, 0x405);               // 0x405
 */
export function messageFlagsValue(type: number, flags: readonly MessageFlag[] | number | undefined): number {
  if (flags === undefined) return 0;
  if (typeof flags === 'number') return checkFlagNumber(flags);
  if (!Array.isArray(flags)) {
    throw new TypeError(`header.flags must be an array of flag names or a number, got ${typeof flags}`);
  }
  const table = tableFor(type);
  let value = 0;
  for (const flag of flags) {
    if (typeof flag === 'number') {
      value |= checkFlagNumber(flag);
      continue;
    }
    const entry = table.find((e) => e[0] === flag);
    if (entry === undefined) {
      throw new TypeError(`header.flags: '${String(flag)}' is not a flag of message type ${type}`);
    }
    value |= entry[1];
  }
  return value;
}

function checkFlagNumber(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
    throw new RangeError(`header.flags value ${n} does not fit nlmsg_flags (u16)`);
  }
  return n;
}
