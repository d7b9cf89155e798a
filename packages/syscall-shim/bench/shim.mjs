// Per-call overhead of @nlkit/syscall-shim against C on the same machine and run:
// an RTM_GETLINK round trip for lo (ifindex 1) and getpid(). Runs against dist/ (build first).
// Makes its own network namespace (unshare on the main thread) and refuses to run in the host's.
//
//   node bench/shim.mjs [batches] [perBatch] [rounds]
//
// The JavaScript and C measurements alternate over `rounds` rounds, so a change in machine load
// during the run hits both sides alike; each figure is the median over all its batches.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AF_NETLINK, CLONE_NEWNET, MSG_DONTWAIT, NETLINK_ROUTE, SOCK_RAW, bind, getpid, isInitialNetns, netnsInode,
  recvmsg, sendmsg, sendto, socket, unshare,
} from '../dist/index.js';

const batches = Number(process.argv[2] ?? 60);
const perBatch = Number(process.argv[3] ?? 2000);
const rounds = Number(process.argv[4] ?? 6);
const batchesPerRound = Math.max(1, Math.round(batches / rounds));
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

/** Appends to `out` the mean ns per call of fn for each of `n` batches of `per` calls. */
function measure(out, fn, n, per = perBatch) {
  for (let i = 0; i < per; i++) fn(); // warm-up (JIT, caches)
  for (let b = 0; b < n; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < per; i++) fn();
    out.push(Number(process.hrtime.bigint() - t0) / per);
  }
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
const jsOps = {
  sendtoRecvmsg: () => {
    rv.setUint32(8, ++seq, true);
    sendto(sock, req);
    check(recvmsg(sock, buf));
  },
  sendtoRecvmsgDontwait: () => {
    rv.setUint32(8, ++seq, true);
    sendto(sock, req);
    check(recvmsg(sock, buf, MSG_DONTWAIT));
  },
  sendmsgRecvmsg: () => {
    rv.setUint32(8, ++seq, true);
    sendmsg(sock, parts);
    check(recvmsg(sock, buf));
  },
  eagain: () => recvmsg(sock, buf, MSG_DONTWAIT),
  getpid: () => getpid(),
};
const js = Object.fromEntries(Object.keys(jsOps).map((k) => [k, []]));
const c = { sendRecv: [], sendtoRecvmsg: [], sendmsgRecvmsg: [], getpid: [] };

// The C reference, compiled now, run in this same namespace (children inherit it).
const dir = mkdtempSync(join(tmpdir(), 'nlkit-bench-'));
try {
  const exe = join(dir, 'getlink_rtt');
  execFileSync('cc', ['-O2', '-o', exe, join(here, 'getlink_rtt.c')], { stdio: 'inherit' });
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(jsOps)) {
      const per = k === 'eagain' || k === 'getpid' ? perBatch * 10 : perBatch;
      measure(js[k], fn, batchesPerRound, per);
    }
    const out = JSON.parse(execFileSync(exe, [String(batchesPerRound), String(perBatch)], { encoding: 'utf8' }));
    if (BigInt(out.netnsInode) !== netnsInode()) throw new Error('the C reference ran in another namespace');
    for (const k of Object.keys(c)) c[k].push(...out[k]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  sock.close();
}

const m = (v) => median(v);
const rows = [
  ['RTM_GETLINK lo: sendto + recvmsg', m(js.sendtoRecvmsg), m(c.sendtoRecvmsg)],
  ['RTM_GETLINK lo: sendto + recvmsg(MSG_DONTWAIT)', m(js.sendtoRecvmsgDontwait), m(c.sendtoRecvmsg)],
  ['RTM_GETLINK lo: sendmsg (2 iovecs) + recvmsg', m(js.sendmsgRecvmsg), m(c.sendmsgRecvmsg)],
  ['RTM_GETLINK lo: vs C send + recv (plainest C)', m(js.sendtoRecvmsg), m(c.sendRecv)],
  ['getpid', m(js.getpid), m(c.getpid)],
  ['recvmsg on an empty socket (EAGAIN -> null)', m(js.eagain), NaN],
];
const f = (n) => (Number.isNaN(n) ? '' : `${n.toFixed(0)} ns`).padStart(9);
console.log(`node ${process.version}, ${rounds} rounds x ${batchesPerRound} batches x ${perBatch} calls, medians`);
console.log(`${'operation'.padEnd(48)} ${'nlkit'.padStart(9)} ${'C'.padStart(9)}  ratio`);
for (const [name, ours, theirs] of rows) {
  const ratio = Number.isNaN(theirs) ? '' : `${(ours / theirs).toFixed(2)}x`;
  console.log(`${name.padEnd(48)} ${f(ours)} ${f(theirs)}  ${ratio}`);
}
