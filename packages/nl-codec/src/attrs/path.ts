/**
 * Ext-ack offset -> attribute path (`.linkinfo.data.id`). Walks the encoded
 * bytes with the same tables as the decoder, without building values; never
 * throws (a malformed region just yields undefined).
 */
import { K_INDEXED, K_NEST, K_NEST_LIST, K_SUBMSG, K_STRING, type CAttr, type CSet, type CStruct } from './compile.js';
import { NLA_TYPE_MASK, unknownKey } from './decode.js';
import { utf8Text } from './text.js';

/** Path of the attribute starting at (or containing) `target` within attributes `[s, e)`. */
export function attrsPathAt(set: CSet, b: Uint8Array, v: DataView, s: number, e: number, target: number, prefix: string, fam: number): string | undefined {
  // First pass: occurrence counts, so repeated attributes get [i] from the first one.
  const counts = new Map<number, number>();
  let off = s;
  while (e - off >= 4) {
    const len = v.getUint16(off, true);
    if (len < 4 || len > e - off) break;
    const t = v.getUint16(off + 2, true) & NLA_TYPE_MASK;
    counts.set(t, (counts.get(t) ?? 0) + 1);
    off += (len + 3) & ~3;
  }
  const seen = new Map<number, number>();
  off = s;
  while (e - off >= 4) {
    const len = v.getUint16(off, true);
    if (len < 4 || len > e - off) return undefined;
    const t = v.getUint16(off + 2, true) & NLA_TYPE_MASK;
    const idx = seen.get(t) ?? 0;
    seen.set(t, idx + 1);
    if (target >= off && target < off + len) {
      const a = set.byType[t];
      const name = a === undefined ? unknownKey(t) : a.name;
      const path = `${prefix}.${name}${(a !== undefined && a.multi) || (counts.get(t) ?? 0) > 1 ? `[${idx}]` : ''}`;
      if (target === off || a === undefined || target < off + 4) return path;
      return inside(a, set, b, v, s, e, off + 4, off + len, target, path, fam) ?? path;
    }
    off += (len + 3) & ~3;
  }
  return undefined;
}

function headed(st: CStruct | null, set: CSet, b: Uint8Array, v: DataView, p: number, e: number, target: number, path: string, fam: number): string | undefined {
  const hs = st === null ? 0 : (st.size + 3) & ~3;
  if (target < p + hs) return undefined;
  if (st !== null && st.familyOffset >= 0) fam = b[p + st.familyOffset]!;
  return attrsPathAt(set, b, v, p + hs, e, target, path, fam);
}

function selectorValue(set: CSet, b: Uint8Array, v: DataView, s: number, e: number, name: string): string | undefined {
  const sel = set.byName.get(name);
  if (sel === undefined || sel.kind !== K_STRING) return undefined;
  let off = s;
  while (e - off >= 4) {
    const len = v.getUint16(off, true);
    if (len < 4 || len > e - off) return undefined;
    if ((v.getUint16(off + 2, true) & NLA_TYPE_MASK) === sel.type) {
      // As decode reads it: iproute2 sends `kind` without its NUL, and the kernel accepts that.
      if (len === 4) return undefined;
      return utf8Text(b, off + 4, b[off + len - 1] === 0 ? len - 5 : len - 4);
    }
    off += (len + 3) & ~3;
  }
  return undefined;
}

function inside(a: CAttr, set: CSet, b: Uint8Array, v: DataView, s: number, e: number, p: number, end: number, target: number, path: string, fam: number): string | undefined {
  switch (a.kind) {
    case K_NEST:
      return headed(a.header, a.set!, b, v, p, end, target, path, fam);
    case K_SUBMSG: {
      const sel = a.selector === '$family' ? String(fam) : selectorValue(set, b, v, s, e, a.selector);
      const f = (sel === undefined ? undefined : a.subMsg!.formats.get(sel)) ?? a.subMsg!.formats.get('*');
      if (f === undefined || f.set === null) return undefined;
      return headed(f.header, f.set, b, v, p, end, target, path, fam);
    }
    case K_INDEXED: {
      let off = p;
      let i = 0;
      while (end - off >= 4) {
        const len = v.getUint16(off, true);
        if (len < 4 || len > end - off) return undefined;
        if (target >= off && target < off + len) {
          const ip = `${path}[${i}]`;
          if (a.subKind !== K_NEST || target < off + 4) return ip;
          return attrsPathAt(a.set!, b, v, off + 4, off + len, target, ip, fam) ?? ip;
        }
        off += (len + 3) & ~3;
        i++;
      }
      return undefined;
    }
    case K_NEST_LIST: {
      const st = a.struct!;
      const lm = st.members.find((m) => m.name === a.lengthMember)!;
      const hs = (st.size + 3) & ~3;
      let off = p;
      let i = 0;
      while (end - off >= st.size) {
        const len = lm.size === 2 ? v.getUint16(off + lm.offset, true) : b[off + lm.offset]!;
        if (len < st.size || off + len > end) return undefined;
        if (target >= off && target < off + len) {
          const ip = `${path}[${i}]`;
          if (target < off + hs) return ip;
          return attrsPathAt(a.set!, b, v, off + hs, off + len, target, ip, fam) ?? ip;
        }
        off += (len + 3) & ~3;
        i++;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
