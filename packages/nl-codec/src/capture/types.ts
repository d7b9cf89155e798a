/**
 * The packet model shared by every capture reader and writer.
 *
 * Readers never throw for problems inside a capture: they return what they
 * could read plus one {@link CaptureError} per problem, so a damaged capture
 * still yields every intact packet. Only misuse (a wrong argument type) throws.
 */

/** Capture formats this module reads. */
export type CaptureFormat = 'pcap' | 'pcapng' | 'strace' | 'hex' | 'raw';

/** Byte order of the netlink headers and integers inside a packet. */
export type ByteOrder = 'le' | 'be';

/** Which way a datagram travelled. */
export type Direction = 'to-kernel' | 'to-user';

/**
 * A capture timestamp: whole seconds since the Unix epoch plus nanoseconds.
 *
 * Kept as two integers rather than one float because a float of seconds
 * cannot hold nanoseconds at today's epoch values (about 240 ns resolution),
 * and the pcap round trip must be lossless. Both fields are plain numbers so
 * the value survives JSON unchanged.
 */
export interface CaptureTime {
  /** Seconds since 1970-01-01T00:00:00Z (for strace `-t`/`-tt`: since midnight). */
  sec: number;
  /** Nanoseconds, 0 to 999 999 999. */
  nsec: number;
}

/** Where a packet came from inside the input. */
export interface PacketSource {
  format: CaptureFormat;
  /**
   * Byte offset of the packet's record in a binary input (pcap record header,
   * pcapng block), or character offset of its first line in a text input.
   */
  offset: number;
  /** 1-based line of the first line of the packet, for text formats. */
  line?: number;
  /** pcapng interface id (index of the IDB within its section). */
  interfaceId?: number;
}

/** One netlink datagram read from a capture. */
export interface CapturedPacket {
  /**
   * 0-based position of the packet's record in the capture, counting records
   * that failed to read, so `CaptureError.packetIndex` and `index` agree.
   * (Wireshark numbers frames from 1: frame = index + 1.)
   */
  index: number;
  /** When the datagram was captured, if the format records it. */
  time?: CaptureTime;
  /** Direction, from the capture or inferred from `NLM_F_REQUEST`. */
  direction?: Direction;
  /** Netlink protocol number (`0` = `NETLINK_ROUTE`). */
  protocol: number;
  /** Port id of the user-space socket, when the capture records it. */
  portId?: number;
  /**
   * The netlink datagram exactly as captured (host byte order of the
   * capturing machine: see `byteOrder`). Never includes a pseudo-header.
   */
  bytes: Uint8Array;
  /** Byte order of `bytes`, detected from `nlmsg_len` or forced by the caller. */
  byteOrder: ByteOrder;
  /** True when the capture holds fewer bytes than the datagram had (snaplen). */
  truncated?: boolean;
  /** The datagram's length on the wire, when `truncated`. */
  originalLength?: number;
  /**
   * pcap/pcapng pseudo-header packet type as recorded (4 = libpcap's
   * `PACKET_OUTGOING`, 6 = `PACKET_USER`, 7 = `PACKET_KERNEL`); kept so a
   * pcap re-written from these packets is identical.
   */
  packetType?: number;
  source: PacketSource;
}

/** What every reader returns. */
export interface ReadResult {
  packets: CapturedPacket[];
  errors: CaptureError[];
}

/** Options common to the readers. */
export interface ReadOptions {
  /**
   * Force the byte order of the netlink bytes instead of detecting it per
   * packet from `nlmsg_len`.
   */
  byteOrder?: ByteOrder;
}

/** Machine-readable kind of a {@link CaptureError}. */
export type CaptureErrorCode =
  | 'bad-magic'
  | 'unsupported-version'
  | 'truncated-file'
  | 'link-type'
  | 'snaplen'
  | 'short-packet'
  | 'bad-block'
  | 'unknown-interface'
  | 'bad-hex'
  | 'bad-dump';

/**
 * A problem in a capture. `packetIndex` names the packet (see
 * {@link CapturedPacket.index}) when the problem belongs to one; `offset` is
 * the byte offset in a binary input or the character offset in a text input;
 * `line`/`column` (1-based) locate it in a text input.
 */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  readonly code: CaptureErrorCode;
  readonly format: CaptureFormat;
  readonly packetIndex: number | undefined;
  readonly offset: number;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    message: string,
    details: {
      code: CaptureErrorCode;
      format: CaptureFormat;
      offset: number;
      packetIndex?: number;
      line?: number;
      column?: number;
    },
  ) {
    super(message);
    this.code = details.code;
    this.format = details.format;
    this.offset = details.offset;
    this.packetIndex = details.packetIndex;
    this.line = details.line;
    this.column = details.column;
  }
}

/** Netlink protocol numbers by the names strace prints (`NETLINK_<name>`). */
export const NETLINK_PROTOCOLS: Readonly<Record<string, number>> = Object.freeze({
  ROUTE: 0,
  UNUSED: 1,
  USERSOCK: 2,
  FIREWALL: 3,
  SOCK_DIAG: 4,
  INET_DIAG: 4,
  NFLOG: 5,
  XFRM: 6,
  SELINUX: 7,
  ISCSI: 8,
  AUDIT: 9,
  FIB_LOOKUP: 10,
  CONNECTOR: 11,
  NETFILTER: 12,
  IP6_FW: 13,
  DNRTMSG: 14,
  KOBJECT_UEVENT: 15,
  GENERIC: 16,
  SCSITRANSPORT: 18,
  ECRYPTFS: 19,
  RDMA: 20,
  CRYPTO: 21,
  SMC: 22,
});
