/** Datagrams of the iproute2 vectors (../shared/vectors/iproute2.jsonl), rebuilt as its README says. */
import { readFileSync } from 'node:fs';
import type { Direction } from '../types.js';

export interface VectorDatagram {
  operation: string;
  direction: Direction;
  bytes: Uint8Array;
}

interface VectorMessage {
  dir: 'send' | 'recv';
  dgram: number;
  hex: string;
  trailing_hex?: string;
}

export const VECTORS_PATH = new URL('../../../../../../shared/vectors/iproute2.jsonl', import.meta.url);

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Every datagram of every operation, in file order: messages padded to 4, then trailing bytes. */
export function loadDatagrams(): VectorDatagram[] {
  const out: VectorDatagram[] = [];
  for (const line of readFileSync(VECTORS_PATH, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const op = JSON.parse(line) as { name: string; messages: VectorMessage[] };
    const groups = new Map<number, { dir: VectorMessage['dir']; hex: string }>();
    for (const m of op.messages) {
      let hex = m.hex;
      while (hex.length % 8 !== 0) hex += '00';
      hex += m.trailing_hex ?? '';
      const group = groups.get(m.dgram);
      if (group === undefined) groups.set(m.dgram, { dir: m.dir, hex });
      else group.hex += hex;
    }
    for (const [, g] of [...groups].sort((a, b) => a[0] - b[0])) {
      out.push({ operation: op.name, direction: g.dir === 'send' ? 'to-kernel' : 'to-user', bytes: fromHex(g.hex) });
    }
  }
  return out;
}
