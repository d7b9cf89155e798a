/**
 * Message bodies (what follows the nlmsghdr): the family's fixed header and the
 * attribute tree, driven by the generated tables. This is the interface the
 * message layer (`src/message/`) builds on; see SCHEMA.md for the value shapes
 * and the `$` metadata keys that make decoding lossless.
 */
import { compileSet, compileStruct, type CSet, type CStruct } from './attrs/compile.js';
import { decodeAttrs, decodeHeaded, decodeHeadedAttrs, decodeHeadedNew, headedDecoder, resetDepth } from './attrs/decode.js';
import type { HeadedDecoder } from './attrs/specialize.js';
import { finishPath, measureAttrs, measureHeaded, writeAttrs, writeHeaded } from './attrs/encode.js';
import { NetlinkDecodeError } from './attrs/errors.js';
import { attrsPathAt } from './attrs/path.js';
import { MESSAGE_TYPES } from './schema/generated.js';

export { NetlinkDecodeError } from './attrs/errors.js';

/**
 * Encoder/decoder for the body of one kind of message (fixed header + one attribute set).
 *
 * @example
 * ```ts
 * const codec = bodyCodecForType(16)!; // RTM_NEWLINK: ifinfomsg + link attributes
 * const body = { 'ifi-family': 0, 'ifi-index': 0, attrs: { ifname: 'v0', linkinfo: { kind: 'veth', data: { peer: { attrs: { ifname: 'v1' } } } } } };
 * const bytes = new Uint8Array(codec.measure(body));
 * const view = new DataView(bytes.buffer);
 * codec.write(body, bytes, view, 0);
 * const back: Record<string, unknown> = {};
 * codec.decode(bytes, view, 0, bytes.length, back); // back.attrs.linkinfo.data.peer.attrs.ifname === 'v1'
 * codec.pathAt(bytes, 0, bytes.length, 16);         // '.ifname' (the first attribute, after the 16-byte ifinfomsg)
 * ```
 */
export interface BodyCodec {
  /** Family (spec) name: `'rt-link'`, `'rt-addr'`, `'rt-route'`, `'rt-neigh'`, ... */
  readonly family: string;
  /**
   * Decode one message body (bytes `[start, end)` after the nlmsghdr) into `into`
   * (header members + `attrs`). `view` must view the same memory as `bytes`
   * (`new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)`).
   * Throws NetlinkDecodeError only.
   */
  decode(bytes: Uint8Array, view: DataView, start: number, end: number, into: Record<string, unknown>): void;
  /**
   * Decode one message body into a new object `{ header, ...body }`: exactly what
   * `decode(..., { header })` leaves in that object (same keys, same order), built in one
   * piece (this is what `decode()` of a whole message uses). Throws NetlinkDecodeError only.
   */
  decodeMessage(header: unknown, bytes: Uint8Array, view: DataView, start: number, end: number): Record<string, unknown>;
  /**
   * Decode only the attributes of one message body (bytes `[start, end)` after the nlmsghdr):
   * the same object `decode` puts in `.attrs` (`undefined` when the body is shorter than the
   * fixed header, where `decode` keeps it as `$raw`), without building the header's members
   * or a message around it. For callers that already read the fixed header themselves and
   * decode attributes on demand, one message at a time (rtnl's lazy `Link.attrs`).
   * Throws NetlinkDecodeError only.
   */
  decodeAttributes(bytes: Uint8Array, view: DataView, start: number, end: number): Record<string, unknown> | undefined;
  /**
   * Encoded size of the body, without the nlmsghdr. It is the exact body length
   * (nlmsg_len - 16): it includes the last attribute's padding as the kernel and
   * iproute2 do, unless the decoded body recorded otherwise (`$unpadded`), so the
   * caller pads the message to 4 bytes after it.
   */
  measure(body: Record<string, unknown>): number;
  /** Write the body at `offset`; returns the offset after it. Throws TypeError/RangeError naming the attribute. */
  write(body: Record<string, unknown>, bytes: Uint8Array, view: DataView, offset: number): number;
  /** Path of the attribute that starts at (or contains) `offset` (relative to `start`) in an encoded body, or undefined. */
  pathAt(bytes: Uint8Array, start: number, end: number, offset: number): string | undefined;
}

class TableBodyCodec implements BodyCodec {
  readonly family: string;
  private readonly header: CStruct | null;
  private readonly set: CSet;
  /** The compiled `{ header, ...body }` decoder (undefined until first use, null = none). */
  private headed: HeadedDecoder | null | undefined = undefined;

  constructor(family: string, header: CStruct | null, set: CSet) {
    this.family = family;
    this.header = header;
    this.set = set;
  }

  decode(bytes: Uint8Array, view: DataView, start: number, end: number, into: Record<string, unknown>): void {
    if (!(start >= 0 && start <= end && end <= bytes.length && end <= view.byteLength))
      throw new NetlinkDecodeError(`body range [${start}, ${end}) is outside the ${bytes.length}-byte buffer`, start);
    resetDepth();
    try {
      if (this.header === null) into.attrs = decodeAttrs(this.set, bytes, view, start, end, 0);
      else decodeHeaded(this.header, this.set, bytes, view, start, end, into, 0);
    } catch (e) {
      if (e instanceof NetlinkDecodeError) throw e;
      // Defensive: the contract is that decode throws nothing else.
      throw new NetlinkDecodeError(`internal decoder error: ${(e as Error).message}`, start);
    }
  }

  decodeMessage(header: unknown, bytes: Uint8Array, view: DataView, start: number, end: number): Record<string, unknown> {
    if (this.header === null) {
      const out: Record<string, unknown> = { header };
      this.decode(bytes, view, start, end, out);
      return out;
    }
    if (!(start >= 0 && start <= end && end <= bytes.length && end <= view.byteLength))
      throw new NetlinkDecodeError(`body range [${start}, ${end}) is outside the ${bytes.length}-byte buffer`, start);
    resetDepth();
    let f = this.headed;
    if (f === undefined) {
      f = headedDecoder(this.header, this.set);
      this.headed = f;
    }
    try {
      return decodeHeadedNew(f, this.header, this.set, header, bytes, view, start, end, 0);
    } catch (e) {
      if (e instanceof NetlinkDecodeError) throw e;
      throw new NetlinkDecodeError(`internal decoder error: ${(e as Error).message}`, start);
    }
  }

  decodeAttributes(bytes: Uint8Array, view: DataView, start: number, end: number): Record<string, unknown> | undefined {
    if (!(start >= 0 && start <= end && end <= bytes.length && end <= view.byteLength))
      throw new NetlinkDecodeError(`body range [${start}, ${end}) is outside the ${bytes.length}-byte buffer`, start);
    resetDepth();
    try {
      return this.header === null ? decodeAttrs(this.set, bytes, view, start, end, 0) : decodeHeadedAttrs(this.header, this.set, bytes, view, start, end, 0);
    } catch (e) {
      if (e instanceof NetlinkDecodeError) throw e;
      throw new NetlinkDecodeError(`internal decoder error: ${(e as Error).message}`, start);
    }
  }

  measure(body: Record<string, unknown>): number {
    try {
      if (this.header === null) {
        const attrs = body.attrs;
        if (attrs === undefined) return 0;
        if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) throw new TypeError('.attrs: expected an object');
        return measureAttrs(this.set, attrs as Record<string, unknown>);
      }
      return measureHeaded(this.header, this.set, body);
    } catch (e) {
      throw finishPath(e);
    }
  }

  write(body: Record<string, unknown>, bytes: Uint8Array, view: DataView, offset: number): number {
    try {
      if (this.header === null) {
        const attrs = body.attrs;
        if (attrs === undefined) return offset;
        return writeAttrs(this.set, attrs as Record<string, unknown>, bytes, view, offset);
      }
      return writeHeaded(this.header, this.set, body, bytes, view, offset);
    } catch (e) {
      throw finishPath(e);
    }
  }

  pathAt(bytes: Uint8Array, start: number, end: number, offset: number): string | undefined {
    if (!(start >= 0 && start <= end && end <= bytes.length) || !Number.isInteger(offset)) return undefined;
    const target = start + offset;
    if (target < start || target >= end) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hs = this.header === null ? 0 : (this.header.size + 3) & ~3;
    if (target < start + hs) return undefined;
    const fam = this.header !== null && this.header.familyOffset >= 0 ? bytes[start + this.header.familyOffset]! : 0;
    try {
      return attrsPathAt(this.set, bytes, view, start + hs, end, target, '', fam);
    } catch {
      return undefined;
    }
  }
}

const codecs = new Map<string, BodyCodec>();
const byType: (BodyCodec | null | undefined)[] = [];

function codecFor(family: string, header: string | undefined, set: string): BodyCodec {
  const key = `${header ?? ''}|${set}`;
  let c = codecs.get(key);
  if (c === undefined) {
    c = new TableBodyCodec(family, header === undefined ? null : compileStruct(header), compileSet(set));
    codecs.set(key, c);
  }
  return c;
}

/**
 * The body codec for a netlink message type (`RTM_NEWLINK` = 16, ...), or
 * undefined when the tables do not know the type (keep the payload raw).
 *
 * @example
 * ```ts
 * const codec = bodyCodecForType(16)!; // RTM_NEWLINK
 * const body: Record<string, unknown> = {};
 * codec.decode(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 16, bytes.length, body);
 * body.attrs; // { ifname: 'lo', mtu: 65536, ... }
 * ```
 */
export function bodyCodecForType(messageType: number): BodyCodec | undefined {
  const c = byType[messageType];
  if (c !== undefined) return c ?? undefined;
  const spec = Number.isInteger(messageType) ? MESSAGE_TYPES[messageType] : undefined;
  const codec = spec?.attributeSet === undefined ? null : codecFor(spec.family, spec.fixedHeader, spec.attributeSet);
  if (Number.isInteger(messageType) && messageType >= 0 && messageType <= 0xffff) byType[messageType] = codec;
  return codec ?? undefined;
}

/**
 * The extended-ack TLVs after `struct nlmsgerr` (and after NLMSG_DONE's error):
 * `msg`, `offs`, `cookie`, `policy`, `miss-type`, `miss-nest`. No fixed header:
 * `decode` fills only `attrs`.
 *
 * @example
 * ```ts
 * const out: Record<string, unknown> = {};
 * extAckCodec.decode(bytes, view, tlvStart, msgEnd, out);
 * (out.attrs as { msg?: string }).msg; // 'mtu greater than device maximum'
 * ```
 */
export const extAckCodec: BodyCodec = codecFor('nlmsgerr', undefined, 'nlmsgerr/nlmsgerr-attrs');
