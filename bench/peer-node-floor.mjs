#!/usr/bin/env node
// The harness's C floor (../shared/peers/floor/floor.c), ported to Node: the same requests,
// built the same way into one reused buffer, sent and acknowledged through
// @nlkit/syscall-shim (koffi) on a blocking socket, dumps walking message headers only. No
// library above the shim: it measures what any Node program pays for these workloads before
// a library adds anything (koffi's calls, the shim's argument checks, and the kernel's own
// work run from a Node process), which is the least nlkit's single requests can cost. It
// speaks the peer protocol and runs in the nlkit slot:
//
//   ../shared/peers/run.sh --nlkit bench/peer-node-floor.mjs --peers floor,nlkit --rounds 3
//
// Its rows are labelled `nlkit` by the harness (the slot's peer id); lib_version says what it is.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as shim from '@nlkit/syscall-shim';
import { Handle } from '@nlkit/rtnl';
import { arg, dieAs, measure, median, nowMs } from './common.mjs';

const require = createRequire(import.meta.url);
const LIB = `none (bare AF_NETLINK through @nlkit/syscall-shim ${require('@nlkit/syscall-shim/package.json').version}, koffi)`;
const RUNTIME = `node ${process.version}`;

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLM_F_DUMP = 0x300;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINKINFO = 18;
const IFLA_EXT_MASK = 29;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFF_UP = 1;
const RTEXT_FILTER_VF = 1;

const die = dieAs('node floor');

// floor.c's `struct req` and `rbuf`: one request buffer, one 1 MiB receive buffer.
const req = new Uint8Array(2048);
const rbuf = new Uint8Array(1 << 20);
let len = 0;
let seq = 0;
let fd;

const put16 = (at, v) => {
  req[at] = v;
  req[at + 1] = v >>> 8;
};
const put32 = (at, v) => {
  req[at] = v;
  req[at + 1] = v >>> 8;
  req[at + 2] = v >>> 16;
  req[at + 3] = v >>> 24;
};
const rd32 = (b, at) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const align = (n) => (n + 3) & ~3;

function init(type, flags) {
  req.fill(0, 0, 512);
  len = 16;
  put16(4, type);
  put16(6, NLM_F_REQUEST | flags);
  put32(8, ++seq);
}
/** A zeroed fixed header (ifinfomsg/ifaddrmsg) of `size` bytes; returns its offset. */
function struct(size) {
  const at = align(len);
  len = at + size;
  return at;
}
function attr(type, bytes) {
  const at = align(len);
  put16(at, 4 + bytes.length);
  put16(at + 2, type);
  req.set(bytes, at + 4);
  len = at + align(4 + bytes.length);
}
function attrU32(type, v) {
  const at = align(len);
  put16(at, 8);
  put16(at + 2, type);
  put32(at + 4, v);
  len = at + 8;
}
function attrString(type, s) {
  const at = align(len);
  let n = 0;
  for (; n < s.length; n++) req[at + 4 + n] = s.charCodeAt(n); // ASCII names
  req[at + 4 + n] = 0;
  put16(at, 4 + n + 1);
  put16(at + 2, type);
  len = at + align(4 + n + 1);
}
function nest(type) {
  const at = align(len);
  put16(at + 2, type);
  len = at + 4;
  return at;
}
const nestEnd = (at) => put16(at, len - at);

/** floor.c's transact(): send with NLM_F_ACK, read until our ACK; any error is fatal. */
function transact() {
  put16(6, req[6] | (req[7] << 8) | NLM_F_ACK);
  put32(0, len);
  shim.sendto(fd, req.subarray(0, len), 0);
  const want = seq;
  for (;;) {
    const r = shim.recvfrom(fd, rbuf, 0);
    for (let o = 0; o + 16 <= r.length; ) {
      const mlen = rd32(rbuf, o);
      if (mlen < 16) break;
      if (rd32(rbuf, o + 8) === want && (rbuf[o + 4] | (rbuf[o + 5] << 8)) === NLMSG_ERROR) {
        const err = rd32(rbuf, o + 16) | 0;
        if (err !== 0) die(`request failed: errno ${-err}`);
        return;
      }
      o += align(mlen);
    }
  }
}

/** floor.c's dump(): count messages of type `want`, headers only. */
function dump(type, family, want) {
  init(type, NLM_F_DUMP);
  if (type === RTM_GETLINK) {
    req[struct(16)] = family;
    attrU32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
  } else req[struct(8)] = family;
  put32(0, len);
  shim.sendto(fd, req.subarray(0, len), 0);
  const mine = seq;
  let count = 0;
  for (;;) {
    const r = shim.recvfrom(fd, rbuf, 0);
    for (let o = 0; o + 16 <= r.length; ) {
      const mlen = rd32(rbuf, o);
      if (mlen < 16) break;
      if (rd32(rbuf, o + 8) === mine) {
        const t = rbuf[o + 4] | (rbuf[o + 5] << 8);
        if (t === NLMSG_DONE) return count;
        if (t === NLMSG_ERROR) die(`dump failed: errno ${-(rd32(rbuf, o + 16) | 0)}`);
        if (t === want) count++;
      }
      o += align(mlen);
    }
  }
}

function setlink(index, up, mtu) {
  init(RTM_NEWLINK, 0);
  const ifi = struct(16);
  put32(ifi + 4, index);
  if (up) {
    put32(ifi + 8, IFF_UP);
    put32(ifi + 12, IFF_UP);
  }
  if (mtu) attrU32(IFLA_MTU, mtu);
  transact();
}

function hostAddr(i) {
  return [198, 18 + (i >> 16), (i >> 8) & 255, i & 255];
}

async function bench(n, reps) {
  if (shim.isInitialNetns()) die('refusing to run in the initial network namespace');
  fd = shim.socket(shim.AF_NETLINK, shim.SOCK_RAW, shim.NETLINK_ROUTE);
  shim.bind(fd, { pid: 0, groups: 0 });
  const phases = [];
  phases.push(await measure('create', 'veth pair', n, 1, () => {
    for (let i = 0; i < n; i++) {
      init(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
      struct(16);
      attrString(IFLA_IFNAME, `va${i}`);
      const li = nest(IFLA_LINKINFO);
      attrString(IFLA_INFO_KIND, 'veth');
      const data = nest(IFLA_INFO_DATA);
      const peer = nest(VETH_INFO_PEER);
      struct(16);
      attrString(IFLA_IFNAME, `vb${i}`);
      nestEnd(peer);
      nestEnd(data);
      nestEnd(li);
      transact();
    }
    return n;
  }));
  phases.push(await measure('list', 'dump', 1, reps, () => {
    const c = dump(RTM_GETLINK, 0, RTM_NEWLINK);
    if (c !== 2 * n + 1) die(`dump returned ${c} links`);
    return c;
  }));
  // Untimed from here to the next phase, as in floor.c: the indexes (through nlkit).
  const h = Handle.open();
  const byName = new Map((await h.linkList()).map((l) => [l.name, l]));
  const va = [];
  const vb = [];
  for (let i = 0; i < n; i++) {
    va.push(byName.get(`va${i}`)?.index ?? die(`va${i} missing`));
    vb.push(byName.get(`vb${i}`)?.index ?? die(`vb${i} missing`));
  }
  const vethObjects = [...byName.values()].filter((l) => l.kind === 'veth').length;
  phases.push(await measure('set_up', 'link', 2 * n, 1, () => {
    for (let i = 0; i < n; i++) setlink(va[i], true, 0);
    for (let i = 0; i < n; i++) setlink(vb[i], true, 0);
    return 2 * n;
  }));
  phases.push(await measure('set_mtu', 'link', 2 * n, 1, () => {
    for (let i = 0; i < n; i++) setlink(va[i], false, 9000);
    for (let i = 0; i < n; i++) setlink(vb[i], false, 9000);
    return 2 * n;
  }));
  const upMtu = (await h.linkList()).filter((l) => l.name.startsWith('v') && l.mtu === 9000 && l.flags.includes('up')).length;
  phases.push(await measure('addr_add', 'address', n, 1, () => {
    for (let i = 0; i < n; i++) {
      init(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
      const ifa = struct(8);
      req[ifa] = 2; // AF_INET
      req[ifa + 1] = 32;
      put32(ifa + 4, va[i]);
      const ip = hostAddr(i);
      attr(IFA_LOCAL, ip);
      attr(IFA_ADDRESS, ip);
      transact();
    }
    return n;
  }));
  phases.push(await measure('addr_dump', 'dump', 1, reps, () => {
    const c = dump(RTM_GETADDR, 2, RTM_NEWADDR);
    if (c !== n) die(`addr dump returned ${c}`);
    return c;
  }));
  const slot = new Map(va.map((index, k) => [index, k]));
  const addrsOk = (await h.addrList(undefined, { family: 'inet' })).filter((a) => {
    const k = slot.get(a.linkIndex);
    return k !== undefined && a.local === hostAddr(k).join('.');
  }).length;
  phases.push(await measure('delete', 'veth pair', n, 1, () => {
    for (let i = 0; i < n; i++) {
      init(RTM_DELLINK, 0);
      put32(struct(16) + 4, va[i]);
      transact();
    }
    return n;
  }));
  const left = (await h.linkList()).length;
  h.close();
  const checks = { veth_objects: vethObjects, links_up_mtu9000: upMtu, addrs_ok: addrsOk, links_after_delete: left };
  const ok = vethObjects === 2 * n && upMtu === 2 * n && addrsOk === n && left === 1;
  if (!ok) process.stderr.write(`node floor: checks failed: ${JSON.stringify(checks)}\n`);
  return { out: { peer: 'nlkit', lib_version: LIB, runtime: RUNTIME, mode: 'bench', n, phases, checks }, ok };
}

/** floor.c's decode(): walk headers and top-level attributes, touching each one's first byte. */
function decode(file, minMs) {
  const buf = new Uint8Array(readFileSync(file));
  const times = [];
  let msgs = 0;
  let sink = 0;
  const start = nowMs();
  for (;;) {
    const t0 = nowMs();
    let m = 0;
    for (let o = 0; o + 16 <= buf.length; ) {
      const mlen = rd32(buf, o);
      if (mlen < 16 || o + mlen > buf.length) break;
      if ((buf[o + 4] | (buf[o + 5] << 8)) === RTM_NEWLINK) {
        m++;
        for (let a = o + 32; a + 4 <= o + mlen; ) {
          const alen = buf[a] | (buf[a + 1] << 8);
          if (alen < 4) break;
          sink += (buf[a + 2] | (buf[a + 3] << 8)) + buf[a + 4];
          a += align(alen);
        }
      }
      o += align(mlen);
    }
    msgs = m;
    times.push(nowMs() - t0);
    if (times.length >= 50 && nowMs() - start >= minMs) break;
  }
  if (sink === -1) process.stderr.write('');
  const med = median(times);
  return {
    peer: 'nlkit', lib_version: LIB, runtime: RUNTIME, mode: 'decode', variant: 'attr-walk only', file,
    bytes: buf.length, msgs, reps: times.length, median_ms: med, min_ms: Math.min(...times), max_ms: Math.max(...times),
    msgs_per_s: msgs / (med / 1e3), mb_per_s: buf.length / 1e6 / (med / 1e3),
  };
}

const mode = process.argv[2];
if (mode === 'bench') {
  const { out, ok } = await bench(Number(arg('n', '1000')), Number(arg('reps', '20')));
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(ok ? 0 : 1);
} else if (mode === 'decode') {
  process.stdout.write(JSON.stringify(decode(arg('file'), Number(arg('min-ms', '1000')))) + '\n');
} else die('usage: peer-node-floor.mjs bench --n N --reps R | decode --file F [--min-ms MS]');
