#!/usr/bin/env node
// Body codec benchmark: decode every RTM_NEWLINK of the 2001-link dump fully
// (every attribute and nest), then encode them all back.
//   npx tsc -p tsconfig.build.json && node bench/decode.mjs [--runs N] [--file PATH] [--generic]
// Framing is done here by walking nlmsghdrs (16 bytes, 4-byte aligned), so the
// numbers are the body codec only; the `decode()` line is the public API on the whole
// file (framing, headers and flags included). Like every pass of a real dump, each
// decoded pass is dropped before the next one (what the GC sees in practice).
// --generic: the table walker alone, without the compiled layout decoders.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bodyCodecForType } from '../dist/body.js';
import { useLayoutDecoders } from '../dist/attrs/decode.js';
import { decode } from '../dist/message/decode.js';

const args = process.argv.slice(2);
const opt = (n, d) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : d;
};
const file = opt('--file', fileURLToPath(new URL('../../../../shared/peers/linkdump-2001.bin', import.meta.url)));
const runs = Number(opt('--runs', 200));
if (args.includes('--generic')) useLayoutDecoders(false);

const bytes = new Uint8Array(readFileSync(file));
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// Message boundaries, found once (framing is not what we measure).
const msgs = [];
for (let off = 0; off + 16 <= bytes.length; ) {
  const len = view.getUint32(off, true);
  if (len < 16) break;
  const codec = bodyCodecForType(view.getUint16(off + 4, true));
  if (codec) msgs.push([codec, off + 16, off + len]);
  off += (len + 3) & ~3;
}

function decodeAll() {
  const out = new Array(msgs.length);
  for (let i = 0; i < msgs.length; i++) {
    const [codec, s, e] = msgs[i];
    const body = {};
    codec.decode(bytes, view, s, e, body);
    out[i] = body;
  }
  return out;
}

const decoded = decodeAll();
const sizes = decoded.map((b, i) => msgs[i][0].measure(b));
const total = sizes.reduce((a, b) => a + b, 0);
const outBuf = new Uint8Array(total);
const outView = new DataView(outBuf.buffer);

function encodeAll() {
  let off = 0;
  for (let i = 0; i < decoded.length; i++) {
    const codec = msgs[i][0];
    codec.measure(decoded[i]);
    off = codec.write(decoded[i], outBuf, outView, off);
  }
  return off;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function bench(fn, n) {
  for (let i = 0; i < Math.min(20, n); i++) fn(); // warm-up
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { median: median(t), min: Math.min(...t) };
}

const bodyBytes = msgs.reduce((a, [, s, e]) => a + (e - s), 0);
const d = bench(decodeAll, runs);
const whole = bench(() => decode(bytes), runs);
const e = bench(encodeAll, Math.max(20, runs >> 1));
const mb = bodyBytes / 1e6;
console.log(`file: ${file} (${bytes.length} bytes, ${msgs.length} message bodies, ${bodyBytes} body bytes)`);
console.log(`decode: median ${d.median.toFixed(2)} ms/pass (min ${d.min.toFixed(2)}), ${(mb / (d.median / 1000)).toFixed(0)} MB/s, ${(d.median * 1000 / msgs.length).toFixed(2)} us/message`);
console.log(`decode() of the whole file (messages with headers): median ${whole.median.toFixed(2)} ms/pass (min ${whole.min.toFixed(2)})`);
console.log(`encode (measure + write): median ${e.median.toFixed(2)} ms/pass (min ${e.min.toFixed(2)}), ${(mb / (e.median / 1000)).toFixed(0)} MB/s`);
