/// <reference types="node" />
// Loads the iproute2 vectors (../shared/vectors/iproute2.jsonl beside the repository).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../json.js';

export interface VectorMessage {
  dir: 'send' | 'recv';
  dgram: number;
  hex: string;
  trailing_hex?: string;
}

export interface VectorOp {
  name: string;
  group: string;
  command: string;
  exit_code: number;
  stderr: string;
  messages: VectorMessage[];
  ip_json?: unknown;
}

export interface VectorDatagram {
  op: VectorOp;
  dgram: number;
  dir: 'send' | 'recv';
  messages: VectorMessage[];
  /** The datagram as it crossed the socket: messages padded to 4, then the trailing bytes. */
  bytes: Uint8Array;
}

export const VECTORS_PATH =
  process.env.NLKIT_VECTORS ?? fileURLToPath(new URL('../../../../../shared/vectors/iproute2.jsonl', import.meta.url));

let cache: VectorOp[] | undefined;

export function loadVectors(): VectorOp[] {
  cache ??= readFileSync(VECTORS_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as VectorOp);
  return cache;
}

export function datagrams(ops: VectorOp[] = loadVectors()): VectorDatagram[] {
  const out: VectorDatagram[] = [];
  for (const op of ops) {
    const byIndex = new Map<number, VectorMessage[]>();
    for (const m of op.messages) {
      const list = byIndex.get(m.dgram) ?? [];
      list.push(m);
      byIndex.set(m.dgram, list);
    }
    for (const [dgram, messages] of byIndex) {
      const parts: Uint8Array[] = [];
      for (const m of messages) {
        const b = fromHex(m.hex);
        const padded = new Uint8Array((b.length + 3) & ~3);
        padded.set(b);
        parts.push(padded);
        if (m.trailing_hex !== undefined) parts.push(fromHex(m.trailing_hex));
      }
      const size = parts.reduce((s, p) => s + p.length, 0);
      const bytes = new Uint8Array(size);
      let off = 0;
      for (const p of parts) {
        bytes.set(p, off);
        off += p.length;
      }
      out.push({ op, dgram, dir: messages[0]!.dir, messages, bytes });
    }
  }
  return out;
}
