/// <reference types="node" />
// Test inputs: the iproute2 vectors and the 2001-link dump from ../shared, and
// helpers to decode/re-encode one body through the BodyCodec interface.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bodyCodecForType, type BodyCodec } from '../../body.js';

export const SHARED = fileURLToPath(new URL('../../../../../../shared/', import.meta.url));

export interface RawMessage {
  op: string;
  group: string;
  command: string;
  dir: 'send' | 'recv';
  type: number;
  /** The whole message (nlmsghdr + body). */
  bytes: Uint8Array;
  ipJson: unknown;
}

export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHexString(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Split concatenated netlink messages by nlmsg_len (4-byte aligned). */
export function splitMessages(b: Uint8Array): Uint8Array[] {
  const v = viewOf(b);
  const out: Uint8Array[] = [];
  let off = 0;
  while (b.length - off >= 16) {
    const len = v.getUint32(off, true);
    if (len < 16 || off + len > b.length) break;
    out.push(b.subarray(off, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

export function vectorMessages(): RawMessage[] {
  const text = readFileSync(`${SHARED}vectors/iproute2.jsonl`, 'utf8');
  const out: RawMessage[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as { name: string; group: string; command: string; messages: Array<{ dir: 'send' | 'recv'; hex: string }>; ip_json?: unknown };
    for (const m of o.messages) {
      for (const msg of splitMessages(hexBytes(m.hex))) {
        out.push({ op: o.name, group: o.group, command: o.command, dir: m.dir, type: viewOf(msg).getUint16(4, true), bytes: msg, ipJson: o.ip_json });
      }
    }
  }
  return out;
}

export function linkDump(): Uint8Array {
  return new Uint8Array(readFileSync(`${SHARED}peers/linkdump-2001.bin`));
}

/** Decode the body of a whole message (after the 16-byte nlmsghdr). */
export function decodeBody(codec: BodyCodec, msg: Uint8Array): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  codec.decode(msg, viewOf(msg), 16, msg.length, body);
  return body;
}

export function encodeBody(codec: BodyCodec, body: Record<string, unknown>): Uint8Array {
  const n = codec.measure(body);
  const out = new Uint8Array(n);
  const end = codec.write(body, out, viewOf(out), 0);
  if (end !== n) throw new Error(`write ended at ${end}, measure said ${n}`);
  return out;
}

export function codec(type: number): BodyCodec {
  const c = bodyCodecForType(type);
  if (c === undefined) throw new Error(`no codec for type ${type}`);
  return c;
}
