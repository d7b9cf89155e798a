/**
 * Scalar encoding and error paths, shared by the attribute encoder and the
 * generated struct encoders (`src/schema/structs.generated.ts`).
 *
 * Errors are thrown without a path; each level that catches one prepends its
 * segment (`withPath`), and `finishPath` puts the whole path in front of the
 * message at the API boundary. So no path string is built on the hot path.
 */
import { K_S8, K_S64, K_U16, K_U64, K_U8, K_S16, type CEnum } from './compile.js';

type Obj = Record<string, unknown>;

const PATH = Symbol('nl-codec path');
type PathError = Error & { [PATH]?: string };

/** Prepend `segment` (`.name` or `[i]`) to the path of an encoding error. */
export function withPath(e: unknown, segment: string): unknown {
  if (e instanceof TypeError || e instanceof RangeError) {
    const pe = e as PathError;
    pe[PATH] = segment + (pe[PATH] ?? '');
  }
  return e;
}

export function seg(key: string, idx: number): string {
  return idx < 0 ? `.${key}` : `.${key}[${idx}]`;
}

/** At the API boundary: `message` becomes `<path>: message` (also in `stack`). */
export function finishPath(e: unknown, prefix = ''): unknown {
  if (e instanceof TypeError || e instanceof RangeError) {
    const pe = e as PathError;
    const path = prefix + (pe[PATH] ?? '');
    if (pe[PATH] !== undefined || prefix !== '') {
      const old = e.message;
      e.message = `${path || '.'}: ${old}`;
      if (typeof e.stack === 'string') e.stack = e.stack.replace(old, e.message);
      delete pe[PATH];
    }
  }
  return e;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a Uint8Array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return String(v);
  return typeof v;
}

export function typeError(what: string, v: unknown): TypeError {
  return new TypeError(`expected ${what}, got ${describe(v)}`);
}

export function rawOf(v: unknown): Uint8Array | undefined {
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v)) {
    const r = (v as Obj).$raw;
    if (r instanceof Uint8Array) return r;
  }
  return undefined;
}

export function bytesOf(val: unknown): Uint8Array | undefined {
  return val instanceof Uint8Array ? val : rawOf(val);
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

// ---------------------------------------------------------------- scalars

export const RANGE: ReadonlyArray<readonly [number, number]> = [
  [0, 0], [0, 0xff], [0, 0xffff], [0, 0xffffffff], [0, 0], [-0x80, 0x7f], [-0x8000, 0x7fff], [-0x80000000, 0x7fffffff],
];

export function kindName(kind: number): string {
  return ['', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64'][kind] ?? 'this type';
}

/** A number for a <= 32-bit scalar, from a number, an enum name or an array of flag names. */
export function scalarNumber(kind: number, en: CEnum | null, asFlags: boolean, val: unknown): number {
  let n: number;
  if (typeof val === 'number') n = val;
  else if (en !== null && typeof val === 'string') {
    const e = en.byName.get(val);
    if (e === undefined) throw new RangeError(`unknown ${en.key.split('/')[1]} name ${JSON.stringify(val)} (known: ${[...en.byName.keys()].join(', ')})`);
    n = e;
  } else if (en !== null && asFlags && Array.isArray(val)) {
    n = 0;
    for (const f of val) {
      if (typeof f === 'number' && Number.isInteger(f) && f >= 0 && f <= 0xffffffff) n = (n | f) >>> 0;
      else if (typeof f === 'string') {
        const e = en.byName.get(f);
        if (e === undefined) throw new RangeError(`unknown flag ${JSON.stringify(f)} (known: ${[...en.byName.keys()].join(', ')})`);
        n = (n | e) >>> 0;
      } else throw typeError('flag names or numbers', f);
    }
  } else throw typeError(en === null ? 'a number' : asFlags ? 'an array of flag names' : 'a number or enum name', val);
  const r = RANGE[kind]!;
  if (!Number.isInteger(n) || n < r[0] || n > r[1]) {
    // flag sets of signed members are bit masks: accept the unsigned form too
    if (!(kind >= K_S8 && Number.isInteger(n) && n >= 0 && n <= -r[0] * 2 - 1)) throw new RangeError(`${n} does not fit ${kindName(kind)}`);
  }
  return n;
}

export function bigValue(kind: number, val: unknown): bigint {
  let n: bigint;
  if (typeof val === 'bigint') n = val;
  else if (typeof val === 'number' && Number.isSafeInteger(val)) n = BigInt(val);
  else throw typeError('a bigint', val);
  if (kind === K_U64 ? n < 0n || n > 0xffffffffffffffffn : n < -0x8000000000000000n || n > 0x7fffffffffffffffn)
    throw new RangeError(`${n} does not fit ${kindName(kind)}`);
  return n;
}

export function writeScalar(kind: number, le: boolean, en: CEnum | null, asFlags: boolean, val: unknown, b: Uint8Array, v: DataView, p: number): void {
  switch (kind) {
    case K_U64:
      v.setBigUint64(p, bigValue(kind, val), le);
      return;
    case K_S64:
      v.setBigInt64(p, bigValue(kind, val), le);
      return;
  }
  const n = scalarNumber(kind, en, asFlags, val);
  switch (kind) {
    case K_U8: case K_S8: b[p] = n & 0xff; return;
    case K_U16: case K_S16: v.setUint16(p, n & 0xffff, le); return;
    default: v.setUint32(p, n >>> 0, le); return;
  }
}

