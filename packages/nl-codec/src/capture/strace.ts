/**
 * strace hex dumps: the output of
 * `strace -f -yy -xx -e trace=socket,sendmsg,recvmsg,sendto,recvfrom -e read=all -e write=all CMD`.
 *
 * Each successful send/receive call is followed by its buffers as dump lines
 * (` | 00000  20 00 00 00 ...  ascii |`, with ` * N bytes in buffer K` before
 * each buffer of a `sendmsg`/`recvmsg`). Every call on a netlink socket
 * becomes one packet.
 */
import { detectByteOrder, looksLikeNetlink } from './netlink.js';
import { ByteSink, forEachLine, hexValue, toText } from './text.js';
import {
  CaptureError,
  NETLINK_PROTOCOLS,
  type CaptureTime,
  type CapturedPacket,
  type Direction,
  type ReadOptions,
  type ReadResult,
} from './types.js';

const SEND_CALLS = new Set(['sendmsg', 'sendto', 'send', 'write', 'writev']);
const RECV_CALLS = new Set(['recvmsg', 'recvfrom', 'recv', 'read', 'readv']);
/** Calls whose fd is trusted on shape alone (plain read/write hit files too). */
const SOCKET_CALLS = new Set(['sendmsg', 'sendto', 'send', 'recvmsg', 'recvfrom', 'recv']);

/** `[pid  123] ` (strace -f to a terminal) or `123  ` (strace -f -o FILE). */
const PID_PREFIX = /^(?:\[pid\s+(\d+)\]|(\d+)(?=\s))\s+/;
/** `-t`/`-tt` (time of day), `-ttt` (epoch) or `-r` (relative) timestamps. */
const TIME_PREFIX = /^(?:(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?|(\d+)\.(\d{1,9}))\s+/;
const CALL = /^([a-z_0-9]+)\((.*)$/;
const RESUMED = /^<\.\.\. ([a-z_0-9]+) resumed>(.*)$/;
const UNFINISHED = '<unfinished ...>';
/** ` = 52`, `= 3<NETLINK:[6728]>`, `= -1 EAGAIN (...)`, `= ? ERESTARTSYS`, optional -T `<0.0001>`. */
const RESULT = /\)\s+=\s+(-?\d+|\?)(?:<([^>]*)>)?(?:\s.*)?$/;
const FD_ARG = /^(\d+)(?:<(.*?)>)?\s*[,)]/;
const NETLINK_ANNOTATION = /^NETLINK:\[(?:([A-Za-z_0-9]+):)?(\d+)\]$/;
const DUMP_LINE = /^\s*\| ([0-9a-fA-F]{5,}) {2}/;
const BUFFER_LINE = /^\s*\* (\d+) bytes in buffer (\d+)\s*$/;

interface SocketInfo {
  netlink: boolean;
  protocol?: number;
}

interface PendingCall {
  name: string;
  head: string;
  line: number;
  offset: number;
}

interface Capture {
  direction: Direction;
  protocol: number | undefined;
  portId: number | undefined;
  /** True when the socket is known to be netlink (else the bytes decide). */
  known: boolean;
  returned: number;
  time: CaptureTime | undefined;
  line: number;
  offset: number;
  chunks: ByteSink;
  /** Bytes in the buffer being dumped (dump offsets restart per buffer). */
  bufferFill: number;
  failed: boolean;
}

function protocolNumber(name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  return NETLINK_PROTOCOLS[name.replace(/^NETLINK_/, '')];
}

const MSG_PEEK = 0x2;

/** A receive made with MSG_PEEK: symbolic flags, or recvmsg's numeric last argument (-X raw). */
function isPeek(name: string, args: string): boolean {
  if (/\bMSG_PEEK\b/.test(args)) return true;
  if (name !== 'recvmsg') return false;
  const flags = /,\s*(0x[0-9a-fA-F]+|\d+)\s*\)\s+=/.exec(args)?.[1];
  return flags !== undefined && (Number(flags) & MSG_PEEK) !== 0;
}

function parseTime(m: RegExpExecArray): CaptureTime | undefined {
  const nsecOf = (fraction: string | undefined): number => (fraction === undefined ? 0 : Number(fraction.padEnd(9, '0')));
  if (m[1] !== undefined) return { sec: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]), nsec: nsecOf(m[4]) };
  // Epoch seconds (-ttt) have 9 or more digits; shorter ones are -r relative
  // times, which say nothing about when the call happened.
  if (m[5] !== undefined && m[5].length >= 9) return { sec: Number(m[5]), nsec: nsecOf(m[6]) };
  return undefined;
}

/**
 * Reads strace output (see the module comment for the command line). Takes
 * the buffers of `sendmsg`/`sendto` (direction `to-kernel`) and
 * `recvmsg`/`recvfrom` (`to-user`) on netlink sockets; also `read`/`write`
 * on file descriptors known to be netlink sockets.
 *
 * - Which sockets are netlink: the `-yy` annotation (`3<NETLINK:[ROUTE:4242]>`,
 *   which also gives the protocol and the socket's port id), else a traced
 *   `socket(AF_NETLINK, ..., NETLINK_ROUTE) = 3` in the same process, else
 *   (no annotation, socket not seen) a buffer starting with a well-formed
 *   `nlmsghdr`, with protocol 0 assumed. Annotated non-netlink sockets are skipped.
 * - Handles `[pid N]` and `N  ` prefixes (`-f`, `-ff -o`), `-t`/`-tt`/`-ttt`
 *   timestamps (`-ttt` gives epoch time; `-t`/`-tt` give time since
 *   midnight), and `<unfinished ...>` / `<... resumed>` pairs.
 * - Skips `MSG_PEEK` receives (they duplicate the next read) and failed calls.
 * - A receive whose return value exceeds the dumped bytes (`MSG_TRUNC`) is
 *   marked `truncated`.
 * - Not handled: `sendmmsg`/`recvmmsg` (several datagrams in one call).
 *
 * A malformed dump line gives a {@link CaptureError} with its line and
 * column, and that call's packet is dropped.
 *
 * @example
 * ```ts
 * const { packets } = readStrace(straceText);
 * packets.filter((p) => p.direction === 'to-kernel');
 * ```
 */
export function readStrace(input: string | Uint8Array, options: ReadOptions = {}): ReadResult {
  const text = toText(input);
  const packets: CapturedPacket[] = [];
  const errors: CaptureError[] = [];
  const sockets = new Map<string, SocketInfo>();
  const pending = new Map<string, PendingCall>();
  let index = 0;
  let current: Capture | undefined;
  let orphanReported = false;
  /** The last non-dump line was a call, so dump lines belong to it even when it is not kept. */
  let afterCall = false;

  let undumped = 0;
  let firstUndumped: { line: number; offset: number } | undefined;
  const finish = (): void => {
    const capture = current;
    current = undefined;
    if (capture === undefined) return;
    if (capture.failed) {
      index++; // the error already names this index
      return;
    }
    if (capture.chunks.length === 0) {
      if (capture.known) {
        undumped++;
        firstUndumped ??= { line: capture.line, offset: capture.offset };
      }
      return;
    }
    const bytes = capture.chunks.toBytes();
    if (!capture.known && !looksLikeNetlink(bytes)) return;
    const byteOrder = options.byteOrder ?? detectByteOrder(bytes, Math.max(capture.returned, bytes.length)) ?? 'le';
    const packet: CapturedPacket = {
      index: index++,
      direction: capture.direction,
      protocol: capture.protocol ?? 0,
      bytes,
      byteOrder,
      source: { format: 'strace', offset: capture.offset, line: capture.line },
    };
    if (capture.time !== undefined) packet.time = capture.time;
    if (capture.portId !== undefined) packet.portId = capture.portId;
    // recvmsg(MSG_TRUNC) returns the datagram's real size even when the
    // buffer (and so the dump) was smaller.
    if (capture.direction === 'to-user' && capture.returned > bytes.length) {
      packet.truncated = true;
      packet.originalLength = capture.returned;
    }
    packets.push(packet);
  };

  const dumpError = (line: number, offset: number, column: number, message: string, packetIndex?: number): void => {
    errors.push(
      new CaptureError(`line ${line}, column ${column}: ${message}`, {
        code: 'bad-dump',
        format: 'strace',
        offset: offset + column - 1,
        line,
        column,
        ...(packetIndex === undefined ? {} : { packetIndex }),
      }),
    );
  };

  forEachLine(text, (rawLine, lineNumber, lineOffset) => {
    // Dump lines carry no pid prefix: they belong to the call just printed.
    const dump = DUMP_LINE.exec(rawLine);
    if (dump !== null) {
      if (current === undefined) {
        if (afterCall) return; // the buffers of a call on another kind of fd
        if (!orphanReported) dumpError(lineNumber, lineOffset, 1, 'dump line without a preceding send or receive call');
        orphanReported = true;
        return;
      }
      if (current.failed) return;
      const at = Number.parseInt(dump[1]!, 16);
      if (at !== current.bufferFill) {
        // A dump restarting at 0 without a "bytes in buffer" line is the next buffer.
        if (at === 0) current.bufferFill = 0;
        else {
          dumpError(lineNumber, lineOffset, rawLine.indexOf(dump[1]!) + 1, `dump offset ${dump[1]} follows ${current.bufferFill} bytes`, index);
          current.failed = true;
          return;
        }
      }
      const start = dump[0].length;
      // 16 bytes as "xx " with one extra space after the 8th: 49 columns;
      // the ASCII column after it may itself look like hex, so stop there.
      const area = rawLine.slice(start, start + 49);
      let count = 0;
      for (let i = 0; i < area.length; ) {
        const code = area.charCodeAt(i);
        if (code === 32) {
          i++;
          continue;
        }
        const high = hexValue(code);
        const low = hexValue(area.charCodeAt(i + 1));
        const next = area.charCodeAt(i + 2);
        if (high < 0 || low < 0 || (i + 2 < area.length && next !== 32) || count === 16) {
          dumpError(lineNumber, lineOffset, start + i + 1, `'${area.slice(i, i + 3).trim()}' is not a dumped byte`, index);
          current.failed = true;
          return;
        }
        current.chunks.push((high << 4) | low);
        count++;
        i += 2;
      }
      current.bufferFill += count;
      return;
    }
    if (BUFFER_LINE.test(rawLine)) {
      if (current !== undefined) current.bufferFill = 0;
      return;
    }
    finish();
    orphanReported = false;
    afterCall = false;

    let rest = rawLine;
    let pid = '';
    const pidMatch = PID_PREFIX.exec(rest);
    if (pidMatch !== null) {
      pid = pidMatch[1] ?? pidMatch[2] ?? '';
      rest = rest.slice(pidMatch[0].length);
    }
    let time: CaptureTime | undefined;
    const timeMatch = TIME_PREFIX.exec(rest);
    if (timeMatch !== null) {
      time = parseTime(timeMatch);
      rest = rest.slice(timeMatch[0].length);
    }

    let name: string;
    let args: string;
    let callLine = lineNumber;
    let callOffset = lineOffset;
    const resumed = RESUMED.exec(rest);
    if (resumed !== null) {
      afterCall = true;
      const before = pending.get(pid);
      pending.delete(pid);
      if (before === undefined || before.name !== resumed[1]) return;
      name = before.name;
      args = before.head + resumed[2]!;
      callLine = before.line;
      callOffset = before.offset;
    } else {
      const call = CALL.exec(rest);
      if (call === null) return;
      afterCall = true;
      name = call[1]!;
      // endsWith, not a regexp: `\s*<unfinished ...>$` is quadratic on long blank runs.
      const trimmed = call[2]!.trimEnd();
      if (trimmed.endsWith(UNFINISHED)) {
        pending.set(pid, { name, head: trimmed.slice(0, -UNFINISHED.length).trimEnd(), line: lineNumber, offset: lineOffset });
        return;
      }
      args = call[2]!;
    }

    const result = RESULT.exec(args);
    if (name === 'socket') {
      // socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3<NETLINK:[6728]>
      if (result === null || !/^\d+$/.test(result[1]!)) return;
      // Symbolic (AF_NETLINK), -X verbose (0x10 /* AF_NETLINK */) or -X raw (0x10).
      const [family = '', , third = ''] = args.split(',');
      const netlink = /\bAF_NETLINK\b/.test(family) || /^\s*(?:16|0x10)\s*$/.test(family);
      const info: SocketInfo = { netlink };
      if (netlink) {
        const named = /\bNETLINK_(\w+)/.exec(third)?.[1];
        const numeric = /^\s*(0x[0-9a-fA-F]+|\d+)/.exec(third)?.[1];
        const protocol = named !== undefined ? protocolNumber(named) : numeric !== undefined ? Number(numeric) : undefined;
        if (protocol !== undefined) info.protocol = protocol;
      }
      sockets.set(`${pid}:${result[1]}`, info);
      return;
    }
    if (name === 'close') {
      const fd = /^(\d+)/.exec(args)?.[1];
      if (fd !== undefined) sockets.delete(`${pid}:${fd}`);
      return;
    }
    const direction: Direction | undefined = SEND_CALLS.has(name) ? 'to-kernel' : RECV_CALLS.has(name) ? 'to-user' : undefined;
    if (direction === undefined || result === null) return;
    const returned = Number(result[1]);
    if (!(returned > 0)) return;
    if (direction === 'to-user' && isPeek(name, args)) return;

    const fdMatch = FD_ARG.exec(args);
    if (fdMatch === null) return;
    const annotation = fdMatch[2];
    let known = false;
    let protocol: number | undefined;
    let portId: number | undefined;
    const tracked = sockets.get(`${pid}:${fdMatch[1]}`);
    const netlink = annotation === undefined ? undefined : NETLINK_ANNOTATION.exec(annotation);
    if (netlink !== null && netlink !== undefined) {
      known = true;
      if (netlink[1] !== undefined) {
        protocol = protocolNumber(netlink[1]);
        portId = Number(netlink[2]);
      }
      protocol ??= tracked?.protocol;
    } else if (annotation !== undefined && !/^socket:\[\d+\]$/.test(annotation)) {
      return; // a file, pipe, UNIX/TCP/UDP socket...
    } else if (tracked !== undefined) {
      if (!tracked.netlink) return;
      known = true;
      protocol = tracked.protocol;
    } else if (!SOCKET_CALLS.has(name)) {
      return;
    }
    current = {
      direction,
      protocol,
      portId,
      known,
      returned,
      time,
      line: callLine,
      offset: callOffset,
      chunks: new ByteSink(),
      bufferFill: 0,
      failed: false,
    };
  });
  finish();
  if (firstUndumped !== undefined) {
    errors.push(
      new CaptureError(
        `line ${firstUndumped.line}: ${undumped} netlink send/receive call(s) have no hex dump (run strace with -e read=all -e write=all)`,
        { code: 'bad-dump', format: 'strace', offset: firstUndumped.offset, line: firstUndumped.line, column: 1 },
      ),
    );
  }
  return { packets, errors };
}
