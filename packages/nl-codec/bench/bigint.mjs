#!/usr/bin/env node
// How to read the 64-bit counters of a link dump (IFLA_STATS64 etc.) as bigint:
// measures three lossless strategies on the real counters of linkdump-2001.bin.
//   node bench/bigint.mjs [--runs N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ri = process.argv.indexOf('--runs');
const runs = ri >= 0 ? Number(process.argv[ri + 1]) : 300;
const bytes = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../../shared/peers/linkdump-2001.bin', import.meta.url))));
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// Offsets of every u64 in IFLA_STATS64 (type 23) payloads: the 64-bit counters of the dump.
const offs = [];
for (let off = 0; off + 16 <= bytes.length; ) {
  const len = view.getUint32(off, true);
  if (view.getUint16(off + 4, true) === 16) {
    for (let a = off + 32; a + 4 <= off + len; ) {
      const alen = view.getUint16(a, true);
      if (alen < 4) break;
      if ((view.getUint16(a + 2, true) & 0x3fff) === 23) for (let p = a + 4; p + 8 <= a + alen; p += 8) offs.push(p);
      a += (alen + 3) & ~3;
    }
  }
  off += (len + 3) & ~3;
}

const SMALL = Array.from({ length: 1024 }, (_, i) => BigInt(i));
const strategies = {
  getBigUint64: (p) => view.getBigUint64(p, true),
  'BigInt(lo) if hi == 0': (p) => (view.getUint32(p + 4, true) === 0 ? BigInt(view.getUint32(p, true)) : view.getBigUint64(p, true)),
  'shared small values': (p) => {
    if (view.getUint32(p + 4, true) === 0) {
      const lo = view.getUint32(p, true);
      if (lo < 1024) return SMALL[lo];
    }
    return view.getBigUint64(p, true);
  },
};

const out = new Array(offs.length);
const results = {};
for (let round = 0; round < 2; round++) {
  for (const [name, read] of Object.entries(strategies)) {
    const t = [];
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < offs.length; i++) out[i] = read(offs[i]);
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    t.sort((a, b) => a - b);
    results[name] = t[t.length >> 1];
  }
}
console.log(`${offs.length} counters`);
for (const [name, ms] of Object.entries(results)) console.log(`${name.padEnd(24)} ${ms.toFixed(3)} ms (median)`);
