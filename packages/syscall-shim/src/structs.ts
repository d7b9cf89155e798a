/**
 * C struct layouts (LP64 Linux) and helpers to build/parse the ones callers pass around.
 * The test suite compiles a C program and compares every size and offset here.
 */
import { AF_NETLINK, IFNAMSIZ } from './constants.js';

/** Sizes and member offsets of the structs this package lays out by hand. @internal */
export const LAYOUT = {
  sockaddr_nl: { size: 12, nl_family: 0, nl_pid: 4, nl_groups: 8 },
  iovec: { size: 16, iov_base: 0, iov_len: 8 },
  msghdr: {
    size: 56, msg_name: 0, msg_namelen: 8, msg_iov: 16, msg_iovlen: 24,
    msg_control: 32, msg_controllen: 40, msg_flags: 48,
  },
  ifreq: { size: 40, ifr_name: 0, ifr_flags: 16, ifr_ifindex: 16, ifr_mtu: 16, ifr_qlen: 16, ifr_hwaddr: 16 },
} as const;

/** Size of `struct ifreq` in bytes (40). */
export const IFREQ_SIZE = 40;
/** Size of `struct sockaddr_nl` in bytes (12). */
export const SOCKADDR_NL_SIZE = 12;

/** A netlink socket address: port id and multicast group bitmask. */
export interface SockaddrNl {
  /** Port id (`nl_pid`): 0 is the kernel; for a bound socket usually the process id. */
  pid: number;
  /** Multicast groups bitmask (`nl_groups`, legacy groups 1..32). */
  groups: number;
}

function checkU32(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`${field} must be an integer in 0..4294967295, got ${String(v)}`);
  }
  return v;
}

/**
 * Write a `sockaddr_nl` into `out` (12 bytes at `offset`).
 * @internal
 */
export function writeSockaddrNl(out: Uint8Array, offset: number, addr: Partial<SockaddrNl>, field = 'addr'): void {
  if (addr === null || typeof addr !== 'object') throw new TypeError(`${field} must be an object { pid?, groups? }`);
  const pid = addr.pid === undefined ? 0 : checkU32(addr.pid, `${field}.pid`);
  const groups = addr.groups === undefined ? 0 : checkU32(addr.groups, `${field}.groups`);
  const v = new DataView(out.buffer, out.byteOffset + offset, SOCKADDR_NL_SIZE);
  v.setUint16(0, AF_NETLINK, true);
  v.setUint16(2, 0, true);
  v.setUint32(4, pid, true);
  v.setUint32(8, groups, true);
}

/**
 * Build a 12-byte `struct sockaddr_nl` (family AF_NETLINK).
 *
 * @example
 * const sa = sockaddrNl({ pid: 0, groups: 0 }); // the kernel's address
 */
export function sockaddrNl(addr: Partial<SockaddrNl> = {}): Uint8Array {
  const out = new Uint8Array(SOCKADDR_NL_SIZE);
  writeSockaddrNl(out, 0, addr);
  return out;
}

/**
 * Parse a `struct sockaddr_nl`.
 *
 * @example
 * parseSockaddrNl(sockaddrNl({ pid: 42 })); // { family: 16, pid: 42, groups: 0 }
 */
export function parseSockaddrNl(bytes: Uint8Array): SockaddrNl & { family: number } {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < SOCKADDR_NL_SIZE) {
    throw new RangeError(`a sockaddr_nl needs ${SOCKADDR_NL_SIZE} bytes`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, SOCKADDR_NL_SIZE);
  return { family: v.getUint16(0, true), pid: v.getUint32(4, true), groups: v.getUint32(8, true) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A `struct ifreq` (40 bytes): a NUL-terminated interface name (`ifr_name`, at most 15 bytes)
 * and a union at offset 16, read here as `flags` (`ifr_flags`, u16: TUNSETIFF/TUNGETIFF,
 * SIOCGIFFLAGS) or `int` (`ifr_ifindex`/`ifr_mtu`/`ifr_qlen`, i32). `bytes` is what ioctl takes;
 * the kernel writes its answer back into it.
 *
 * Only the structure is checked (length, NUL); whether a name is acceptable is the kernel's call.
 *
 * @example
 * const req = new Ifreq('tap0');
 * req.flags = IFF_TAP | IFF_NO_PI;
 * ioctl(tunFd, TUNSETIFF, req.bytes);
 * console.log(req.name); // the name the kernel chose or confirmed
 */
export class Ifreq {
  /** The 40 bytes passed to ioctl. */
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  /**
   * @param name - interface name (at most 15 bytes of UTF-8, no NUL); empty lets tun pick `tun%d`/`tap%d`
   * @throws RangeError if the name does not fit in IFNAMSIZ
   */
  constructor(name = '') {
    this.bytes = new Uint8Array(IFREQ_SIZE);
    this.#view = new DataView(this.bytes.buffer);
    this.name = name;
  }

  /**
   * Wrap existing ifreq bytes (40 bytes; not copied).
   * @example
   * const r = Ifreq.from(bytes); r.flags;
   */
  static from(bytes: Uint8Array): Ifreq {
    if (!(bytes instanceof Uint8Array) || bytes.byteLength !== IFREQ_SIZE) {
      throw new RangeError(`an ifreq is exactly ${IFREQ_SIZE} bytes`);
    }
    const r = new Ifreq();
    r.bytes.set(bytes);
    return r;
  }

  /** `ifr_name`, up to the first NUL. */
  get name(): string {
    const end = this.bytes.indexOf(0);
    return decoder.decode(this.bytes.subarray(0, end < 0 || end > IFNAMSIZ ? IFNAMSIZ : end));
  }

  set name(name: string) {
    if (typeof name !== 'string') throw new TypeError(`ifreq name must be a string, got ${typeof name}`);
    const b = encoder.encode(name);
    if (b.length >= IFNAMSIZ) {
      throw new RangeError(`interface name "${name}" is ${b.length} bytes; the limit is ${IFNAMSIZ - 1}`);
    }
    if (b.includes(0)) throw new RangeError('interface name must not contain a NUL character');
    this.bytes.fill(0, 0, IFNAMSIZ);
    this.bytes.set(b, 0);
  }

  /** `ifr_flags` (unsigned 16-bit at offset 16). */
  get flags(): number {
    return this.#view.getUint16(16, true);
  }

  set flags(v: number) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`ifr_flags must be in 0..65535, got ${v}`);
    this.#view.setUint16(16, v, true);
  }

  /** The union read as a signed 32-bit integer at offset 16 (`ifr_ifindex`, `ifr_mtu`, `ifr_qlen`). */
  get int(): number {
    return this.#view.getInt32(16, true);
  }

  set int(v: number) {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`ifreq int must be a 32-bit integer, got ${v}`);
    this.#view.setInt32(16, v, true);
  }
}
