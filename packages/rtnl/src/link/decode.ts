/**
 * `decodeLinks`: the bytes of a link dump to `Link` objects, with no system call.
 *
 * Why a dedicated scanner instead of `decode()` + `linkFromMessage`: a dump of 2001 links is
 * 3 MB, most of it per-device sysctl arrays (`IFLA_AF_SPEC`) and counters nobody reads in a
 * listing. This walks each message's top-level attributes once, lifts the cheap fields
 * (index, name, flags, MTU, MAC, master, kind, ...), and leaves `attrs`, `data` and
 * `statistics` to be decoded by the codec on first access, from a view of the message.
 */
import { bodyCodecForType, decode, hexColon, macText, type DecodeOptions, type Message } from '@nlkit/nl-codec';
import { lastOccurrences, stringAt } from '../lift/common.js';
import { flagsFromBits, liftData, liftStats, linkFromMessage, OPER_STATES, STATS64_FIELDS, type Link, type LinkFlag, type LinkStatistics, type OperState } from './link.js';

const RTM_NEWLINK = 16;
/** Copy size for decodeLinks: below glibc's default mmap threshold (128 KiB). */
const CHUNK = 96 * 1024;
const NLMSG_DONE = 3;
const NLMSG_ERROR = 2;

/** A link-layer address as the codec shows it: `aa:bb:...` text of any length. */
function mac(b: Uint8Array, p: number, len: number): string {
  return len === 6 ? macText(b, p) : hexColon(b, p, len);
}

/**
 * Flag arrays by bits, as functions returning an array literal: V8 gives every array made from
 * one literal of constants the same copy-on-write elements, so each link still gets its own
 * array (which it may change) at half the memory of a copy. Links of a dump share a handful of
 * flag sets; at most 256 makers are kept. Falls back to copies where `new Function` is
 * unavailable.
 */
const flagMakers = new Map<number, () => LinkFlag[]>();
function flagsOf(bits: number): LinkFlag[] {
  let make = flagMakers.get(bits);
  if (make === undefined) {
    const names = flagsFromBits(bits);
    try {
      make = new Function(`return ${JSON.stringify(names)};`) as () => LinkFlag[];
    } catch {
      make = () => names.slice();
    }
    if (flagMakers.size < 256) flagMakers.set(bits, make);
  }
  return make();
}

const RANGE: DecodeOptions = { start: 0, end: 0 };
/** The codec of RTM_NEWLINK bodies (ifinfomsg + link attributes), for the lazy `attrs`. */
const LINK_BODY = bodyCodecForType(RTM_NEWLINK)!;

const SMALL = Array.from({ length: 1024 }, (_, i) => BigInt(i));

/** A 64-bit counter; small values (most counters of a fresh link) from a shared cache. */
function u64(v: DataView, p: number): bigint {
  const lo = v.getUint32(p, true);
  return lo < 1024 && v.getUint32(p + 4, true) === 0 ? SMALL[lo]! : v.getBigUint64(p, true);
}

/** `IFLA_STATS64` (struct rtnl_link_stats64, 25 counters; the caller checked its size) at `p`. */
function statsFromBytes(v: DataView, p: number): LinkStatistics {
  return {
    rxPackets: u64(v, p), txPackets: u64(v, p + 8), rxBytes: u64(v, p + 16), txBytes: u64(v, p + 24),
    rxErrors: u64(v, p + 32), txErrors: u64(v, p + 40), rxDropped: u64(v, p + 48), txDropped: u64(v, p + 56),
    multicast: u64(v, p + 64), collisions: u64(v, p + 72), rxLengthErrors: u64(v, p + 80), rxOverErrors: u64(v, p + 88),
    rxCrcErrors: u64(v, p + 96), rxFrameErrors: u64(v, p + 104), rxFifoErrors: u64(v, p + 112), rxMissedErrors: u64(v, p + 120),
    txAbortedErrors: u64(v, p + 128), txCarrierErrors: u64(v, p + 136), txFifoErrors: u64(v, p + 144),
    txHeartbeatErrors: u64(v, p + 152), txWindowErrors: u64(v, p + 160), rxCompressed: u64(v, p + 168),
    txCompressed: u64(v, p + 176), rxNohandler: u64(v, p + 184), rxOtherhostDropped: u64(v, p + 192),
  };
}
const NO_FLAGS: LinkFlag[] = [];

/** The bytes (and one view of them) that the links of one dump, or one link alone, read. */
interface DumpBytes {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

/** End of the message at `start` (a function, not a private method: those cost a field per link). */
function messageEnd(src: DumpBytes, start: number): number {
  return start + src.view.getUint32(start, true);
}

/** A link whose expensive parts are decoded on first access. */
class DumpLink implements Link {
  index = 0;
  name = '';
  kind: string | undefined = undefined;
  flags: LinkFlag[] = NO_FLAGS; // always replaced by scan()
  operState: OperState = 'unknown';
  mtu = 0;
  hardwareAddr: string | undefined = undefined;
  broadcast: string | undefined = undefined;
  masterIndex: number | undefined = undefined;
  parentIndex: number | undefined = undefined;
  parentNetnsId: number | undefined = undefined;
  txQLen = 0;
  alias: string | undefined = undefined;
  group = 0;
  hardwareType = 0;
  slaveKind: string | undefined = undefined;
  // The message starts at #start in the bytes a whole dump shares (one copy and one view per
  // dump, not per link); its length is its own nlmsg_len. Every field here is 8 bytes in each
  // of 2001 links of a listing, so what can be shared or recomputed is not stored.
  #src: DumpBytes;
  #start: number;
  #stats64 = -1;
  // Only the attributes are kept, not the decoded message around them: the header, flags and
  // wrapper objects die young (cheaper for the GC than keeping them with every link).
  #attrs: Record<string, unknown> | undefined = undefined;
  #data: Link['data'] | null = null;
  #statistics: LinkStatistics | undefined | null = null;

  constructor(src: DumpBytes, start: number) {
    this.#src = src;
    this.#start = start;
  }

  /** @internal offset of the IFLA_STATS64 payload in the shared bytes, -1 if absent. */
  setStatsOffset(p: number): void {
    this.#stats64 = p;
  }

  /** The decoded message, with the cached (or assigned) attrs. */
  private message(): Message {
    // One options object for every lazy decode (decode reads it synchronously).
    RANGE.start = this.#start;
    RANGE.end = messageEnd(this.#src, this.#start);
    const m = decode(this.#src.bytes, RANGE)[0]! as Message & { attrs?: Record<string, unknown> };
    if (this.#attrs === undefined) this.#attrs = m.attrs ?? {};
    else m.attrs = this.#attrs;
    return m;
  }

  get attrs(): Record<string, unknown> {
    if (this.#attrs === undefined) {
      // Only the attributes: no header object, flag names or message around them (they would
      // die at once; skipping them is ~10 % of a full pass over a 2001-link dump).
      const s = this.#start;
      const src = this.#src;
      this.#attrs = LINK_BODY.decodeAttributes(src.bytes, src.view, s + 16, messageEnd(src, s)) ?? {};
    }
    return this.#attrs;
  }

  set attrs(v: Record<string, unknown>) {
    this.#attrs = v;
  }

  get data(): Link['data'] {
    if (this.#data === null) {
      const info = this.attrs.linkinfo as Record<string, unknown> | undefined;
      this.#data = liftData(this.kind, info?.data);
    }
    return this.#data;
  }

  set data(v: Link['data']) {
    this.#data = v;
  }

  get statistics(): LinkStatistics | undefined {
    if (this.#statistics === null) {
      if (this.#stats64 < 0) this.#statistics = undefined;
      else if (this.#attrs !== undefined) {
        // attrs were decoded already: reuse the codec's counters instead of reading them again.
        this.#statistics = liftStats(lastOccurrences(this.#attrs).stats64);
      } else {
        this.#statistics = statsFromBytes(this.#src.view, this.#stats64);
      }
    }
    return this.#statistics;
  }

  set statistics(v: LinkStatistics | undefined) {
    this.#statistics = v;
  }

  /** Plain-object form with every lazy field materialized (for JSON and deep comparisons). */
  toJSON(): Link {
    return { ...linkFromMessage(this.message()) };
  }
}

/** Options of {@link decodeLinks}. */
export interface DecodeLinksOptions {
  /**
   * Copy `bytes` first, so the links stay valid when the caller reuses or changes its buffer
   * afterwards (a receive buffer, a pooled `Buffer`). Default `false`: the links read the
   * caller's bytes when `attrs`, `data` or `statistics` are first accessed, so those bytes
   * must not change while the links are used (the way Go's netlink keeps slices of the
   * message); a file's contents or a buffer used once need no copy, and skipping it saves
   * about a tenth of a full decode of a large dump.
   */
  copy?: boolean;
}

/**
 * Decode the bytes of a link dump (concatenated datagrams, as `recv` returned them) into
 * `Link` objects. Non-`RTM_NEWLINK` messages are skipped; decoding stops at `NLMSG_DONE`.
 * `attrs`, `data` and `statistics` are decoded lazily on first access, from `bytes` (see
 * {@link DecodeLinksOptions.copy}: pass `{ copy: true }` when the buffer will be reused).
 * Throws `RangeError` for a message running past the end or an error message in the dump.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decodeLinks } from '@nlkit/rtnl';
 * const links = decodeLinks(readFileSync('linkdump-2001.bin'));
 * console.log(links.length, links[1]!.name, links[1]!.kind);
 * const kept = decodeLinks(receiveBuffer.subarray(0, n), { copy: true }); // the buffer is reused
 * ```
 */
export function decodeLinks(bytes: Uint8Array, options?: DecodeLinksOptions): Link[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeLinks: bytes must be a Uint8Array');
  const copy = options?.copy === true;
  // With `copy`, whole messages are copied in chunks below malloc's mmap threshold (128 KiB),
  // which reuse freed heap memory, rather than as one 3 MB block that faults in fresh pages
  // every time. Without it, the one "chunk" is all of `bytes`.
  const n = bytes.byteLength;
  const src = new DataView(bytes.buffer, bytes.byteOffset, n);
  const chunk = copy ? CHUNK : n;
  const out: Link[] = [];
  let off = 0;
  let done = false;
  while (!done && off + 16 <= n) {
    // One chunk: whole messages from `off`, at least one, up to `chunk` bytes.
    let end = off;
    while (end + 16 <= n) {
      const len = src.getUint32(end, true);
      // A datagram's trailing bytes (nlmsg_len < 16) end it.
      if (len < 16) {
        done = true;
        break;
      }
      if (end + len > n) throw new RangeError(`decodeLinks: message at offset ${end} claims ${len} bytes, only ${n - end} left`);
      const type = src.getUint16(end + 4, true);
      if (type === NLMSG_DONE) {
        done = true;
        break;
      }
      if (type === NLMSG_ERROR && len >= 20 && src.getInt32(end + 16, true) !== 0) {
        throw new RangeError(`decodeLinks: the dump holds an error (errno ${src.getInt32(end + 16, true)}) at offset ${end}`);
      }
      const next = end + ((len + 3) & ~3);
      if (next - off > chunk && end > off) break;
      end = next;
    }
    if (end === off) break;
    const stop = Math.min(end, n);
    // Messages [off, stop) of `bytes`, or of a copy of just them (then at [0, stop - off)).
    const b = copy ? bytes.slice(off, stop) : bytes;
    const view = copy ? new DataView(b.buffer, b.byteOffset, b.byteLength) : src;
    const last = copy ? stop - off : stop;
    const shared: DumpBytes = { bytes: b, view };
    for (let p = copy ? 0 : off; p + 16 <= last; ) {
      const len = view.getUint32(p, true);
      if (len >= 32 && view.getUint16(p + 4, true) === RTM_NEWLINK) out.push(scan(shared, p, len));
      p += (len + 3) & ~3;
    }
    off = end;
  }
  return out;
}

/**
 * Lift one `RTM_NEWLINK` message (exactly its `nlmsg_len` bytes) into a `Link`, lazily like
 * {@link decodeLinks}. The bytes are kept, not copied: they must not change while the link is used.
 *
 * @example
 * ```ts
 * const link = linkFromBytes(datagram.subarray(offset, offset + length).slice());
 * ```
 */
export function linkFromBytes(message: Uint8Array): Link {
  if (!(message instanceof Uint8Array) || message.byteLength < 32) throw new TypeError('linkFromBytes: an RTM_NEWLINK message of at least 32 bytes is needed');
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const len = view.getUint32(0, true);
  if (len > message.byteLength || len < 32) throw new RangeError(`linkFromBytes: nlmsg_len ${len} does not fit the ${message.byteLength} bytes given`);
  return scan({ bytes: message, view }, 0, len);
}

/**
 * @internal The engine's `mapRaw` for link replies (dumps and `linkAdd`'s echo): an
 * RTM_NEWLINK's bytes, a view of the receive buffer, are copied (lazy fields read them later)
 * and lifted; any other message is skipped.
 */
export function linkFromReply(b: Uint8Array): Link | undefined {
  return b.length >= 32 && (b[4]! | (b[5]! << 8)) === RTM_NEWLINK ? linkFromBytes(b.slice()) : undefined;
}

/**
 * @internal The engine's `mapAt` for link dumps, with `keepDatagram`: each RTM_NEWLINK is lifted
 * where it lies in the engine's copy of its datagram, and the links of one datagram share that
 * copy and one view of it (one allocation per ~32 KiB datagram instead of one per link).
 * A new mapper per dump; any other message is skipped.
 */
export function linkDumpMapper(): (datagram: Uint8Array, offset: number, length: number) => Link | undefined {
  let shared: DumpBytes | undefined;
  return (d, o, len) => {
    if (len < 32 || (d[o + 4]! | (d[o + 5]! << 8)) !== RTM_NEWLINK) return undefined;
    if (shared === undefined || shared.bytes !== d) shared = { bytes: d, view: new DataView(d.buffer, d.byteOffset, d.byteLength) };
    return scan(shared, o, len);
  };
}

function scan(src: DumpBytes, start: number, len: number): DumpLink {
  const b = src.bytes;
  const view = src.view;
  const l = new DumpLink(src, start);
  l.hardwareType = view.getUint16(start + 18, true);
  l.index = view.getInt32(start + 20, true);
  l.flags = flagsOf(view.getUint32(start + 24, true));
  const end = start + len;
  let p = start + 32;
  while (p + 4 <= end) {
    const alen = view.getUint16(p, true);
    if (alen < 4 || p + alen > end) break;
    const atype = view.getUint16(p + 2, true) & 0x3fff;
    const d = p + 4;
    const plen = alen - 4;
    switch (atype) {
      case 1: // IFLA_ADDRESS
        l.hardwareAddr = plen > 0 ? mac(b, d, plen) : undefined;
        break;
      case 2: // IFLA_BROADCAST
        l.broadcast = plen > 0 ? mac(b, d, plen) : undefined;
        break;
      case 3: // IFLA_IFNAME
        l.name = stringAt(b, d, plen);
        break;
      // Fixed-size values only at their size (else unset, as the codec keeps them raw), and a
      // repeated attribute's last occurrence, as the kernel reads its input: see linkFromMessage.
      case 4: // IFLA_MTU
        l.mtu = plen === 4 ? view.getUint32(d, true) : 0;
        break;
      case 5: // IFLA_LINK
        l.parentIndex = plen === 4 ? view.getUint32(d, true) : undefined;
        break;
      case 10: {
        // IFLA_MASTER
        const m = plen === 4 ? view.getUint32(d, true) : 0;
        l.masterIndex = m === 0 ? undefined : m;
        break;
      }
      case 13: // IFLA_TXQLEN
        l.txQLen = plen === 4 ? view.getUint32(d, true) : 0;
        break;
      case 16: // IFLA_OPERSTATE
        l.operState = plen === 1 ? (OPER_STATES[b[d]!] ?? 'unknown') : 'unknown';
        break;
      case 18: // IFLA_LINKINFO: only the kind strings are lifted here
        scanLinkinfo(b, view, d, d + plen, l);
        break;
      case 20: // IFLA_IFALIAS
        l.alias = stringAt(b, d, plen);
        break;
      case 23: // IFLA_STATS64
        l.setStatsOffset(plen >= STATS64_FIELDS.length * 8 ? d : -1);
        break;
      case 27: // IFLA_GROUP
        l.group = plen === 4 ? view.getUint32(d, true) : 0;
        break;
      case 37: // IFLA_LINK_NETNSID
        l.parentNetnsId = plen === 4 ? view.getInt32(d, true) : undefined;
        break;
    }
    p += (alen + 3) & ~3;
  }
  return l;
}

function scanLinkinfo(b: Uint8Array, view: DataView, p: number, end: number, l: DumpLink): void {
  while (p + 4 <= end) {
    const alen = view.getUint16(p, true);
    if (alen < 4 || p + alen > end) return;
    const atype = view.getUint16(p + 2, true) & 0x3fff;
    if (atype === 1) l.kind = stringAt(b, p + 4, alen - 4);
    else if (atype === 4) l.slaveKind = stringAt(b, p + 4, alen - 4);
    p += (alen + 3) & ~3;
  }
}
