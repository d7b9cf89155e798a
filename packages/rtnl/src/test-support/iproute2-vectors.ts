/**
 * The iproute2 vectors (`../shared/vectors/iproute2.jsonl`) for unit tests: what `ip` sent and
 * what the kernel answered, so a request we build can be compared byte for byte with iproute2's
 * and the recorded replies can be replayed through a fake kernel.
 */
import { readFileSync } from 'node:fs';
import { decode } from '@nlkit/nl-codec';
import { expect } from 'vitest';
import { Handle } from '../handle.js';
import { FakeKernel } from './fake-kernel.js';

export interface VectorMessage {
  dir: 'send' | 'recv';
  dgram: number;
  hex: string;
  trailing_hex?: string;
}
export interface Vector {
  name: string;
  group: string;
  command: string;
  exit_code: number;
  stderr: string;
  messages: VectorMessage[];
  ip_json: any;
}

let cache: Map<string, Vector> | undefined;

/** One vector by name (throws if absent, so a renamed vector fails loudly). */
export function vector(name: string): Vector {
  if (!cache) {
    const url = new URL('../../../../../shared/vectors/iproute2.jsonl', import.meta.url);
    cache = new Map();
    for (const line of readFileSync(url, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const v = JSON.parse(line) as Vector;
      cache.set(v.name, v);
    }
  }
  const v = cache.get(name);
  if (!v) throw new Error(`no vector named ${name}`);
  return v;
}

/** Names of every vector of a group (`addr`, `route`, `neigh`, ...). */
export function vectorNames(group: string): string[] {
  vector('link_add_bridge');
  return [...cache!.values()].filter((v) => v.group === group).map((v) => v.name);
}

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

function typeOf(m: VectorMessage): string {
  return String(decode(hex(m.hex))[0]!.header.type);
}

/** The messages `ip` sent of one type (e.g. `RTM_NEWADDR`), as bytes without trailing data. */
export function sentOfType(v: Vector, type: string): Uint8Array[] {
  return v.messages.filter((m) => m.dir === 'send' && typeOf(m) === type).map((m) => hex(m.hex));
}

/** All messages the kernel sent in the vector, decoded. */
export function received(v: Vector): ReturnType<typeof decode> {
  return v.messages.filter((m) => m.dir === 'recv').flatMap((m) => decode(hex(m.hex)));
}

/** Zero `nlmsg_seq` and `nlmsg_pid` of every message in a datagram (they change per run). */
export function withoutSeqPid(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  let off = 0;
  while (off + 16 <= out.length) {
    const len = view.getUint32(off, true);
    if (len < 16) break;
    out.fill(0, off + 8, off + 16);
    off += (len + 3) & ~3;
  }
  return out;
}

/** Hex of `bytes` with seq and pid zeroed. */
export const normalHex = (bytes: Uint8Array): string => Buffer.from(withoutSeqPid(bytes)).toString('hex');

/**
 * A handle on a fake kernel that answers each request of type `type` with the datagrams the
 * real kernel sent after the matching request in `v` (sequence numbers rewritten to ours).
 * Requests of other types get a generic ACK.
 */
export function replayHandle(v: Vector, type: string): { h: Handle; kernel: FakeKernel } {
  // For each recorded send of `type`: the kernel's datagrams carrying its sequence number (other
  // requests, such as iproute2's link lookups, may sit between them), and whether it asked for an ACK.
  const replies: { datagrams: Uint8Array[]; acked: boolean }[] = [];
  for (const m of v.messages) {
    if (m.dir !== 'send' || typeOf(m) !== type) continue;
    const req = hex(m.hex);
    const view = new DataView(req.buffer);
    const seq = view.getUint32(8, true);
    const parts = new Map<number, Uint8Array[]>();
    for (const r of v.messages) {
      if (r.dir !== 'recv') continue;
      const b = hex(r.hex);
      if (new DataView(b.buffer).getUint32(8, true) !== seq) continue;
      const list = parts.get(r.dgram) ?? [];
      list.push(padded(b));
      if (r.trailing_hex) list.push(hex(r.trailing_hex));
      parts.set(r.dgram, list);
    }
    replies.push({ datagrams: joinDatagrams(parts), acked: (view.getUint16(6, true) & 4) !== 0 });
  }
  let next = 0;
  const kernel = new FakeKernel((req, k) => {
    const view = new DataView(req.buffer, req.byteOffset, req.byteLength);
    const seq = view.getUint32(8, true);
    const reqType = String(decode(req)[0]!.header.type);
    if (reqType !== type) {
      k.push({ bytes: ackFor(req) });
      return;
    }
    const reply = replies[next++] ?? { datagrams: [], acked: true };
    for (const d of reply.datagrams) k.push({ bytes: withSeq(d, seq) });
    // iproute2 sent some requests (route get) without NLM_F_ACK; the engine always asks for one.
    const wantsAck = (view.getUint16(6, true) & 4) !== 0;
    const isDump = (view.getUint16(6, true) & 0x300) === 0x300;
    if (wantsAck && !reply.acked && !isDump) k.push({ bytes: ackFor(req) });
  });
  return { h: Handle.open({ transport: kernel }), kernel };
}

function padded(b: Uint8Array): Uint8Array {
  const out = new Uint8Array((b.length + 3) & ~3);
  out.set(b);
  return out;
}

function joinDatagrams(parts: Map<number, Uint8Array[]>): Uint8Array[] {
  return [...parts.keys()].sort((a, b) => a - b).map((k) => Buffer.concat(parts.get(k)!));
}

function withSeq(d: Uint8Array, seq: number): Uint8Array {
  const out = Uint8Array.from(d);
  const view = new DataView(out.buffer);
  let off = 0;
  while (off + 16 <= out.length) {
    const len = view.getUint32(off, true);
    if (len < 16) break;
    view.setUint32(off + 8, seq, true);
    off += (len + 3) & ~3;
  }
  return out;
}

/** A capped ACK for `req`. */
export function ackFor(req: Uint8Array): Uint8Array {
  const out = new Uint8Array(36);
  const view = new DataView(out.buffer);
  view.setUint32(0, 36, true);
  view.setUint16(4, 2, true); // NLMSG_ERROR
  view.setUint16(6, 0x100, true); // capped
  out.set(req.subarray(8, 12), 8);
  out.set(req.subarray(0, 16), 20);
  return out;
}

/**
 * Run `op` on a handle replaying vector `name` and return (our request of `type`, iproute2's
 * request of that type) as normalised hex, for byte-for-byte comparisons.
 */
export async function compareRequest(name: string, type: string, op: (h: Handle) => Promise<unknown>): Promise<[string, string]> {
  const v = vector(name);
  const { h, kernel } = replayHandle(v, type);
  try {
    await op(h).catch(() => undefined);
    const ours = kernel.sent.find((b) => String(decode(b)[0]!.header.type) === type);
    expect(ours, `we sent a ${type}`).toBeDefined();
    return [normalHex(ours!), normalHex(sentOfType(v, type)[0]!)];
  } finally {
    h.close();
  }
}
