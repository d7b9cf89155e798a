/**
 * Errors raised by @nlkit/rtnl.
 *
 * Kernel refusals become {@link NetlinkError}; bad arguments become `TypeError`/`RangeError`
 * thrown before any system call; syscall failures come from the shim as Node-style errors.
 */
import { getSystemErrorMap } from 'node:util';

const systemErrors = getSystemErrorMap();

/** Node-style code and message for a (negative or positive) errno, e.g. `-17` -> `['EEXIST', 'file exists']`. */
export function errnoInfo(errno: number): [code: string, message: string] {
  const entry = systemErrors.get(-Math.abs(errno));
  return entry ? [entry[0], entry[1]] : [`E${Math.abs(errno)}`, `unknown error ${Math.abs(errno)}`];
}

/** What the kernel said besides the errno (extended ACK). */
export interface ExtAckInfo {
  /** The kernel's human message, e.g. `Unknown device type`. */
  extAck?: string;
  /** Attribute the kernel pointed at, e.g. `.linkinfo.data.id`. */
  attributePath?: string;
  /** Raw byte offset of that attribute in our request (`NLMSGERR_ATTR_OFFS`). */
  offset?: number;
  /** Attribute type the kernel reported missing (`NLMSGERR_ATTR_MISS_TYPE`). */
  missingType?: number;
}

/**
 * A request the kernel refused.
 *
 * @example
 * ```ts
 * try { await h.linkAdd({ kind: 'bridge', name: 'br0' }); }
 * catch (e) { if (e instanceof NetlinkError && e.code === 'EEXIST') { ... } }
 * ```
 */
export class NetlinkError extends Error {
  /** Negative errno, as Node reports it (`-17`). */
  readonly errno: number;
  /** Errno name (`'EEXIST'`). */
  readonly code: string;
  /** The request's message type (`'RTM_NEWLINK'`); `request` is the same value. */
  readonly syscall: string;
  readonly request: string;
  readonly extAck: string | undefined;
  readonly attributePath: string | undefined;
  readonly offset: number | undefined;
  readonly missingType: number | undefined;

  constructor(errno: number, request: string, info: ExtAckInfo = {}) {
    const [code, text] = errnoInfo(errno);
    let message = `${code}: ${text}, ${request}`;
    if (info.extAck) message += `: ${info.extAck}`;
    if (info.attributePath) message += ` (attribute ${info.attributePath})`;
    super(message);
    this.name = 'NetlinkError';
    this.errno = -Math.abs(errno);
    this.code = code;
    this.syscall = request;
    this.request = request;
    this.extAck = info.extAck;
    this.attributePath = info.attributePath;
    this.offset = info.offset;
    this.missingType = info.missingType;
  }
}

/**
 * A dump the kernel marked inconsistent (`NLM_F_DUMP_INTR`: the table changed while it was
 * being read) on every one of the allowed attempts. `partial` holds the last attempt's objects.
 */
export class DumpInterruptedError<T = unknown> extends Error {
  readonly code = 'EINTR_DUMP';
  constructor(
    readonly request: string,
    readonly attempts: number,
    readonly partial: T[],
  ) {
    super(`${request} dump was interrupted by concurrent changes ${attempts} time(s); partial holds the last attempt`);
    this.name = 'DumpInterruptedError';
  }
}

/**
 * The socket's receive buffer overflowed (`ENOBUFS`): messages were lost. For requests this
 * rejects what was pending; for subscriptions it becomes an `overrun` event.
 */
export class OverrunError extends Error {
  readonly code = 'ENOBUFS';
  readonly errno = -105;
  constructor(what: string) {
    super(`ENOBUFS: receive buffer overflow, ${what}: messages were lost`);
    this.name = 'OverrunError';
  }
}

/** A datagram larger than the receive buffer: it was cut, so its messages are lost. */
export class TruncatedReplyError extends Error {
  readonly code = 'EMSGSIZE';
  constructor(readonly size: number, readonly bufferSize: number) {
    super(`EMSGSIZE: a ${size}-byte datagram did not fit the ${bufferSize}-byte receive buffer`);
    this.name = 'TruncatedReplyError';
  }
}

/** The handle was closed while the request was pending, or used after close. */
export class HandleClosedError extends Error {
  readonly code = 'ERR_HANDLE_CLOSED';
  constructor() {
    super('the netlink handle is closed');
    this.name = 'HandleClosedError';
  }
}
