import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqTable } from './seq-table.js';

describe('SeqTable', () => {
  it('behaves as a Map of sequence numbers under any sequence of operations', () => {
    // Few sequence numbers and rare clears, so values move between the slot and the Map.
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('set' as const), seq: fc.integer({ min: 0, max: 5 }), v: fc.integer() }), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('delete' as const), seq: fc.integer({ min: 0, max: 5 }) }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('clear' as const) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const t = new SeqTable<number>();
        const m = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            t.set(o.seq, o.v);
            m.set(o.seq, o.v);
          } else if (o.kind === 'delete') expect(t.delete(o.seq)).toBe(m.delete(o.seq));
          else {
            t.clear();
            m.clear();
          }
          expect(t.size).toBe(m.size);
          for (let s = 0; s <= 5; s++) {
            expect(t.get(s)).toBe(m.get(s));
            expect(t.has(s)).toBe(m.has(s));
          }
          expect([...t.values()].sort()).toEqual([...m.values()].sort());
        }
      }),
      { numRuns: 1000 },
    );
  });
});
