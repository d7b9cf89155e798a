// The message form shared by decode, encode, JSON and the printer (pinned in docs/internals.md).
import type { MessageFlag } from './flags.js';

/**
 * Size of `struct nlmsghdr`: the offset of a message's body.
 *
 * @example
 * const body = bytes.subarray(NLMSG_HDRLEN, nlmsgLen);
 */
export const NLMSG_HDRLEN = 16;

/**
 * The decoded `struct nlmsghdr` (without `nlmsg_len`, which `encode` computes).
 *
 * @example
 * const header: MessageHeader = { type: 'RTM_GETLINK', flags: ['request', 'dump'], seq: 1, pid: 0 };
 */
export interface MessageHeader {
  /** A type name (`'RTM_NEWLINK'`, `'NLMSG_ERROR'`) or the number when the codec does not know it. */
  type: string | number;
  /** Names valid for the type (see `messageFlagNames`); bits without a name stay numbers. */
  flags: MessageFlag[];
  seq: number;
  pid: number;
  /**
   * `nlmsg_len` as received. Present only on the header echoed by a capped `NLMSG_ERROR`
   * (`request: { header }`): the kernel echoes the original request's length there, but not
   * the request itself, so it cannot be recomputed.
   */
  length?: number;
}

/**
 * One netlink message: the header, then the body's fields. For a type with a body codec the
 * body is the family header's members (spec names) and `attrs`; for a type without one it is
 * `payload`. Control messages are described by {@link ErrorMessage} and {@link DoneMessage}.
 *
 * @example
 * const msg: Message = {
 *   header: { type: 'RTM_NEWLINK', flags: ['multi'], seq: 1, pid: 0 },
 *   'ifi-family': 0, 'ifi-type': 772, 'ifi-index': 1, 'ifi-flags': ['up', 'loopback'], 'ifi-change': 0,
 *   attrs: { ifname: 'lo', mtu: 65536 },
 * };
 */
export interface Message {
  header: MessageHeader;
  /**
   * Bytes after this message that do not form one (a header with `nlmsg_len` < 16, or fewer
   * than 16 bytes left): only on the last message of a datagram, re-emitted by `encode`.
   */
  trailing?: Uint8Array;
  /**
   * The alignment bytes after a message whose `nlmsg_len` is not a multiple of 4, present only
   * when they were not the usual zeros (or the datagram ended inside them), so `encode` gives
   * back the same bytes.
   */
  padding?: Uint8Array;
  [field: string]: unknown;
}

/**
 * The extended-ack attributes (`nlmsgerr-attrs`) of an `NLMSG_ERROR` or `NLMSG_DONE`.
 *
 * @example
 * const ack: ExtAckAttrs = { msg: 'integer out of range', offs: 32 };
 */
export interface ExtAckAttrs {
  /** `NLMSGERR_ATTR_MSG`: the kernel's text. */
  msg?: string;
  /** `NLMSGERR_ATTR_OFFS`: offset of the offending attribute from the start of the request. */
  offs?: number;
  cookie?: Uint8Array;
  policy?: Record<string, unknown>;
  'miss-type'?: number;
  'miss-nest'?: number;
  [name: string]: unknown;
}

/**
 * `NLMSG_ERROR`: an error (negative `error`) or an ACK (`error` 0).
 *
 * @example
 * const ack: ErrorMessage = {
 *   header: { type: 'NLMSG_ERROR', flags: ['capped'], seq: 7, pid: 4242 },
 *   error: 0,
 *   request: { header: { type: 'RTM_NEWLINK', flags: ['request', 'ack'], seq: 7, pid: 0, length: 56 } },
 * };
 */
export interface ErrorMessage extends Message {
  /** The negative errno (`-17`), 0 for an ACK. */
  error: number;
  /** The errno's name (`'EEXIST'`); derived from `error`, ignored by `encode`. */
  errno?: string;
  /** The echoed request: a full message, or only `{ header }` when the flags say `capped`. */
  request?: Message;
  /** Extended-ack attributes, when the kernel sent them (`ack_tlvs`). */
  attrs?: ExtAckAttrs;
  /**
   * Where `attrs.offs` points in the echoed request (`'.linkinfo.data.id'`); derived, ignored
   * by `encode`. Absent when the request is capped: resolve it with `attributePath(bytes, offs)`
   * against the bytes you sent.
   */
  attributePath?: string;
}

/**
 * `NLMSG_DONE`: the end of a dump; `error` is the dump's status (0, or a negative errno).
 *
 * @example
 * const done: DoneMessage = { header: { type: 'NLMSG_DONE', flags: ['multi'], seq: 1, pid: 4242 }, error: 0 };
 */
export interface DoneMessage extends Message {
  error?: number;
  errno?: string;
  attrs?: ExtAckAttrs;
}

/**
 * What `encode` accepts: a message whose header fields other than `type` may be left out
 * (they default to 0 / no flags), and whose flags may be a plain number.
 *
 * @example
 * const req: MessageInput = { header: { type: 'RTM_GETLINK', flags: ['request', 'dump'] }, 'ifi-family': 0 };
 */
export interface MessageInput {
  header: {
    type: string | number;
    flags?: readonly MessageFlag[] | number;
    seq?: number;
    pid?: number;
    length?: number;
  };
  [field: string]: unknown;
}
