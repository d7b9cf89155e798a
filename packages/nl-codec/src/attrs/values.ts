/**
 * Value helpers shared by the walker and the generated struct decoders
 * (`src/schema/structs.generated.ts`). A leaf module: it imports only types.
 */
import type { CEnum } from './compile.js';

/** 64-bit read; small values (the common case for counters) come from a shared cache (see SCHEMA.md). */
export function readU64(v: DataView, p: number, le: boolean): bigint {
  if (v.getUint32(le ? p + 4 : p, le) === 0) {
    const lo = v.getUint32(le ? p : p + 4, le);
    if (lo < SMALL_BIGINTS.length) return SMALL_BIGINTS[lo]!;
  }
  return v.getBigUint64(p, le);
}

/**
 * Shared bigint values for small counters (most of a link's 64-bit statistics are
 * 0 or small): bigints are immutable, so handing out the same value is safe, and
 * it avoids allocating tens of thousands of them per dump.
 */
export const SMALL_BIGINT_LIMIT = 1024;
export const SMALL_BIGINTS: bigint[] = [];
for (let i = 0; i < SMALL_BIGINT_LIMIT; i++) SMALL_BIGINTS.push(BigInt(i));

export function enumName(en: CEnum, v: number): string | number {
  const n = v >= 0 && v < 4096 ? en.names[v] : en.sparse.get(v);
  return n === undefined ? v : n;
}

/** Flag bits -> names in bit order; bits without a name stay numbers (one per bit). */
export function flagNames(en: CEnum, v: number): Array<string | number> {
  // Sized up front: the first push on an empty array reserves room for 17 elements.
  let n = 0;
  for (let r = v | 0; r !== 0; r &= r - 1) n++;
  const out = new Array<string | number>(n);
  let rest = v | 0;
  for (let i = 0; rest !== 0; i++) {
    const bit = rest & -rest;
    const name = en.bitNames[31 - Math.clz32(bit)];
    out[i] = name === undefined ? bit >>> 0 : name;
    rest ^= bit;
  }
  return out;
}


/**
 * A new empty plain object (prototype `Object.prototype`, as `{}`), in 24 bytes instead of
 * the 56 of a `{}` literal, which V8 gives room for four properties. Empty nests are in every
 * link message (`dpll-pin`): 32 bytes less per link of a large dump, for an allocation that
 * sat right at V8's young-generation line (see docs/benchmarks.md). Properties added later
 * work as on any object.
 */
export const emptyRecord = (() => {
  // A constructor whose instances have Object.prototype and no own fields: V8's slack
  // tracking shrinks them to the bare header. `new` of a plain function, not a class, so the
  // objects are indistinguishable from `{}` (constructor === Object).
  function EmptyRecord(this: object): void {}
  EmptyRecord.prototype = Object.prototype;
  const Ctor = EmptyRecord as unknown as new () => Record<string, unknown>;
  return (): Record<string, unknown> => new Ctor();
})();
