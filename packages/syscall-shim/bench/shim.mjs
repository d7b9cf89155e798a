// Per-call overhead of @nlkit/syscall-shim against C on the same machine and run:
// an RTM_GETLINK round trip for lo (ifindex 1) and getpid(). Runs against dist/ (build first).
// Makes its own network namespace (unshare on the main thread) and refuses to run in the host's.
//
//   node bench/shim.mjs [batches] [perBatch]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AF_NETLINK, CLONE_NEWNET, MSG_DONTWAIT, NETLINK_ROUTE, SOCK_RAW, bind, getpid, isInitialNetns, netnsInode,
  recvmsg, sendmsg, sendto, socket, unshare,
} from '../dist/index.js';

const batches = Number(process.argv[2] ?? 50);
const perBatch = Number(process.argv[3] ?? 2000);
const here = dirname(fileURLToPath(import.meta.url));

if (process.getuid?.() !== 0) {
  console.error('bench/shim.mjs needs root (it makes its own network namespace)');
  process.exit(1);
}
unshare(CLONE_NEWNET);
if (isInitialNetns()) throw new Error('refusing to benchmark in the initial network namespace');

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median over batches of the mean ns per call of fn. */
function measure(fn, per = perBatch) {
  for (let i = 0; i < per; i++) fn(); // warm-up (JIT, caches)
  const out = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < per; i++) fn();
    out.push(Number(process.hrtime.bigint() - t0) / per);
  }
  return median(out);
}

// The same request the C program sends: nlmsghdr + ifinfomsg, RTM_GETLINK for ifindex 1.
const req = new Uint8Array(32);
const rv = new DataView(req.buffer);
rv.setUint32(0, 32, true);
rv.setUint16(4, 18, true);
rv.setUint16(6, 1, true);
rv.setInt32(20, 1, true);
const buf = new Uint8Array(65536);
const parts = [req.subarray(0, 16), req.subarray(16)];

const sock = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
let seq = 0;
bind(sock);

function check(r) {
  if (r === null || r.length <= 0) throw new Error('no reply');
}
const js = {
  'sendto + recvmsg (blocking)': measure(() => {
    rv.setUint32(8, ++seq, true);
    sendto(sock, req);
    check(recvmsg(sock, buf));
  }),
  'sendto + recvmsg(MSG_DONTWAIT) (the engine path)': measure(() => {
    rv.setUint32(8, ++seq, true);
    sendto(sock, req);
    check(recvmsg(sock, buf, MSG_DONTWAIT));
  }),
  'sendmsg (2 iovecs) + recvmsg': measure(() => {
    rv.setUint32(8, ++seq, true);
    sendmsg(sock, parts);
    check(recvmsg(sock, buf));
  }),
  'recvmsg on an empty socket (EAGAIN -> null)': measure(() => recvmsg(sock, buf, MSG_DONTWAIT), perBatch * 10),
  getpid: measure(() => getpid(), perBatch * 10),
};
sock.close();

// The C reference, compiled now, run in this same namespace (children inherit it).
const dir = mkdtempSync(join(tmpdir(), 'nlkit-bench-'));
let c;
try {
  const exe = join(dir, 'getlink_rtt');
  execFileSync('cc', ['-O2', '-o', exe, join(here, 'getlink_rtt.c')], { stdio: 'inherit' });
  c = JSON.parse(execFileSync(exe, [String(batches), String(perBatch)], { encoding: 'utf8' }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (BigInt(c.netnsInode) !== netnsInode()) throw new Error('the C reference ran in another namespace');

// Each nlkit figure is compared with the C loop making the same system calls.
const rows = [
  ['RTM_GETLINK lo: sendto + recvmsg', js['sendto + recvmsg (blocking)'], c.sendtoRecvmsgNs],
  ['RTM_GETLINK lo: sendto + recvmsg(MSG_DONTWAIT)', js['sendto + recvmsg(MSG_DONTWAIT) (the engine path)'], c.sendtoRecvmsgNs],
  ['RTM_GETLINK lo: sendmsg (2 iovecs) + recvmsg', js['sendmsg (2 iovecs) + recvmsg'], c.sendmsgRecvmsgNs],
  ['RTM_GETLINK lo: vs C send + recv (plainest C)', js['sendto + recvmsg (blocking)'], c.sendRecvNs],
  ['getpid', js.getpid, c.getpidNs],
  ['recvmsg on an empty socket (EAGAIN -> null)', js['recvmsg on an empty socket (EAGAIN -> null)'], NaN],
];
const f = (n) => (Number.isNaN(n) ? '' : `${n.toFixed(0)} ns`).padStart(9);
console.log(`node ${process.version}, ${batches} batches x ${perBatch} calls, medians`);
console.log(`${'operation'.padEnd(48)} ${'nlkit'.padStart(9)} ${'C'.padStart(9)}  ratio`);
for (const [name, ours, theirs] of rows) {
  const ratio = Number.isNaN(theirs) ? '' : `${(ours / theirs).toFixed(2)}x`;
  console.log(`${name.padEnd(48)} ${f(ours)} ${f(theirs)}  ${ratio}`);
}
