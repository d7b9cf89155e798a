// Byte builders for hand-made bodies in tests.

/** One attribute: header + payload + zero padding (or `pad` bytes). */
export function attr(type: number, payload: Uint8Array | number[] = [], flags = 0, pad?: number[]): Uint8Array {
  const p = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
  const len = 4 + p.length;
  const total = (len + 3) & ~3;
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint16(0, len, true);
  new DataView(out.buffer).setUint16(2, type | flags, true);
  out.set(p, 4);
  if (pad) out.set(pad, len);
  return out;
}

export function cat(...parts: Array<Uint8Array | number[]>): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function u16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

export function str(s: string, nul = true): number[] {
  const out = [...new TextEncoder().encode(s)];
  if (nul) out.push(0);
  return out;
}

/** ifinfomsg: family, type, index, flags, change. */
export function ifinfomsg(index = 1, flags = 0, family = 0, type = 1): number[] {
  return [family, 0, ...u16(type), ...u32(index), ...u32(flags), ...u32(0)];
}

export const NESTED = 0x8000;
export const NET_BYTEORDER = 0x4000;
