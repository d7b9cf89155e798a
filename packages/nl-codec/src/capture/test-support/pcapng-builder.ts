/** A tiny pcapng writer for tests: just enough blocks to exercise the reader. */

export type Order = 'le' | 'be';

export class PcapngBuilder {
  private readonly parts: Uint8Array[] = [];
  constructor(private order: Order = 'le') {}

  private block(type: number, body: Uint8Array): this {
    const padded = (body.length + 3) & ~3;
    const length = 12 + padded;
    const out = new Uint8Array(length);
    const view = new DataView(out.buffer);
    const little = this.order === 'le';
    view.setUint32(0, type, little);
    view.setUint32(4, length, little);
    out.set(body, 8);
    view.setUint32(length - 4, length, little);
    this.parts.push(out);
    return this;
  }

  /** Starts a section (interfaces restart at 0); may switch byte order. */
  section(order: Order = this.order): this {
    this.order = order;
    const body = new Uint8Array(16);
    const view = new DataView(body.buffer);
    const little = order === 'le';
    view.setUint32(0, 0x1a2b3c4d, little);
    view.setUint16(4, 1, little);
    view.setUint16(6, 0, little);
    view.setBigInt64(8, -1n, little);
    return this.block(0x0a0d0d0a, body);
  }

  /** Interface Description Block with optional if_tsresol / if_tsoffset. */
  interface(linkType: number, opts: { snaplen?: number; tsresol?: number; tsoffset?: bigint } = {}): this {
    const little = this.order === 'le';
    const options: number[] = [];
    const push = (code: number, value: Uint8Array): void => {
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint16(0, code, little);
      new DataView(head.buffer).setUint16(2, value.length, little);
      options.push(...head, ...value);
      while (options.length % 4 !== 0) options.push(0);
    };
    if (opts.tsresol !== undefined) push(9, Uint8Array.of(opts.tsresol));
    if (opts.tsoffset !== undefined) {
      const v = new Uint8Array(8);
      new DataView(v.buffer).setBigInt64(0, opts.tsoffset, little);
      push(14, v);
    }
    if (options.length > 0) options.push(0, 0, 0, 0);
    const body = new Uint8Array(8 + options.length);
    const view = new DataView(body.buffer);
    view.setUint16(0, linkType, little);
    view.setUint32(4, opts.snaplen ?? 0, little);
    body.set(options, 8);
    return this.block(1, body);
  }

  /** Enhanced Packet Block; `frame` includes any pseudo-header. */
  epb(interfaceId: number, timestamp: bigint, frame: Uint8Array, origLength = frame.length, capLength = frame.length): this {
    const little = this.order === 'le';
    const body = new Uint8Array(20 + frame.length);
    const view = new DataView(body.buffer);
    view.setUint32(0, interfaceId, little);
    view.setUint32(4, Number(timestamp >> 32n), little);
    view.setUint32(8, Number(timestamp & 0xffffffffn), little);
    view.setUint32(12, capLength, little);
    view.setUint32(16, origLength, little);
    body.set(frame, 20);
    return this.block(6, body);
  }

  /** Simple Packet Block (interface 0, no timestamp). */
  spb(frame: Uint8Array, origLength = frame.length): this {
    const body = new Uint8Array(4 + frame.length);
    new DataView(body.buffer).setUint32(0, origLength, this.order === 'le');
    body.set(frame, 4);
    return this.block(3, body);
  }

  /** Any other block, e.g. a Name Resolution Block (4) the reader must skip. */
  other(type: number, body: Uint8Array = new Uint8Array(8)): this {
    return this.block(type, body);
  }

  build(): Uint8Array {
    const size = this.parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** The 16-byte LINKTYPE_NETLINK pseudo-header (big-endian) followed by the datagram. */
export function netlinkFrame(bytes: Uint8Array, packetType: number, protocol = 0, portId?: number): Uint8Array {
  const out = new Uint8Array(16 + bytes.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, packetType, false);
  view.setUint16(2, 824, false);
  if (portId !== undefined) {
    view.setUint16(4, 4, false);
    view.setUint32(6, portId, false);
  }
  view.setUint16(14, protocol, false);
  out.set(bytes, 16);
  return out;
}
