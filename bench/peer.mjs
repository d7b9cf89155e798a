#!/usr/bin/env node
// nlkit in ../shared/peers: the same workloads as the Go, Python, C and iproute2 peers, through
// the public API of @nlkit/rtnl only, with the same untimed checks.
//
//   node bench/peer.mjs bench  --n N --reps R     (run by the harness inside a fresh netns)
//   node bench/peer.mjs decode --file F [--min-ms MS]
//
// Prints exactly one JSON line on stdout; diagnostics go to stderr. Requests are issued one at a
// time, awaiting each ACK, like every other peer (no batching here: see bench/run.mjs for that).
import { readFileSync } from 'node:fs';
import { arg, dieAs, measure, median, nowMs } from './common.mjs';
import { loopMonitor } from './loop-monitor.mjs';
import { createRequire } from 'node:module';
import { Handle, decodeLinks } from '@nlkit/rtnl';

const require = createRequire(import.meta.url);
const LIB_VERSION = require('@nlkit/rtnl/package.json').version;
const RUNTIME = `node ${process.version}`;

const die = dieAs('nlkit peer');
// 198.(18+(i>>16)).((i>>8)&255).(i&255): host addresses in the benchmarking range 198.18.0.0/15.
const hostAddr = (i) => `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

async function bench(n, reps) {
  const h = Handle.open();
  const phases = [];
  const checks = {};
  try {
    // a: one RTM_NEWLINK per pair; linkAdd returns the kernel's echo, so no lookup follows.
    const va = new Array(n);
    const vaIndex = new Array(n);
    phases.push(await measure('create', 'veth pair', n, 1, async () => {
      for (let i = 0; i < n; i++) {
        const link = await h.linkAdd({ kind: 'veth', name: `va${i}`, peer: { name: `vb${i}` } });
        va[i] = link;
        vaIndex[i] = link.index;
      }
      return n;
    }));

    // b: full dump decoded into Link objects; the event loop's longest stall is recorded.
    const stall = await loopMonitor();
    phases.push(await measure('list', 'dump', 1, reps, async () => {
      const links = await h.linkList();
      if (links.length !== 2 * n + 1) die(`linkList returned ${links.length} links, want ${2 * n + 1}`);
      return links.length;
    }));
    checks.list_max_loop_stall_ms = await stall();

    const links = await h.linkList();
    checks.veth_objects = links.filter((l) => l.kind === 'veth').length;
    if (checks.veth_objects !== 2 * n) die(`${checks.veth_objects} veth objects, want ${2 * n}`);
    const byName = new Map(links.map((l) => [l.name, l.index]));
    const vb = [];
    for (let i = 0; i < n; i++) {
      if (byName.get(`va${i}`) !== vaIndex[i] || !byName.has(`vb${i}`)) die(`veth pair ${i} missing`);
      vb.push(byName.get(`vb${i}`));
    }
    const both = vaIndex.concat(vb);

    // c: set up, then MTU, one request per link, by index.
    phases.push(await measure('set_up', 'link', both.length, 1, async () => {
      for (const index of both) await h.linkSetUp(index);
      return both.length;
    }));
    phases.push(await measure('set_mtu', 'link', both.length, 1, async () => {
      for (const index of both) await h.linkSetMTU(index, 9000);
      return both.length;
    }));
    checks.links_up_mtu9000 = (await h.linkList()).filter(
      (l) => l.name.startsWith('v') && l.mtu === 9000 && l.flags.includes('up'),
    ).length;
    if (checks.links_up_mtu9000 !== 2 * n) die(`only ${checks.links_up_mtu9000} links up with MTU 9000`);

    // d: one /32 host address per va<i>, then IPv4 address dumps.
    phases.push(await measure('addr_add', 'address', n, 1, async () => {
      for (let k = 0; k < n; k++) await h.addrAdd(vaIndex[k], { address: `${hostAddr(k)}/32` });
      return n;
    }));
    phases.push(await measure('addr_dump', 'dump', 1, reps, async () => {
      const addrs = await h.addrList(undefined, { family: 'inet' });
      if (addrs.length !== n) die(`addrList returned ${addrs.length}, want ${n}`);
      return addrs.length;
    }));
    {
      const slot = new Map(vaIndex.map((index, k) => [index, k]));
      checks.addrs_ok = (await h.addrList(undefined, { family: 'inet' })).filter((a) => {
        const k = slot.get(a.linkIndex);
        return k !== undefined && a.address === `${hostAddr(k)}/32` && a.local === hostAddr(k);
      }).length;
      if (checks.addrs_ok !== n) die(`only ${checks.addrs_ok} of ${n} addresses are as expected`);
    }

    // e: delete one by one (each waits on RCU in the kernel), like every other peer.
    phases.push(await measure('delete', 'veth pair', n, 1, async () => {
      for (let i = 0; i < n; i++) await h.linkDel(vaIndex[i]);
      return n;
    }));
    checks.links_after_delete = (await h.linkList()).length;
    if (checks.links_after_delete !== 1) die(`${checks.links_after_delete} links left after delete`);
  } finally {
    h.close();
  }
  return { peer: 'nlkit', lib_version: LIB_VERSION, runtime: RUNTIME, mode: 'bench', n, phases, checks };
}

// Time repeated passes of `once` (after a warm-up): at least 20 passes and `minMs` ms.
function timePasses(once, minMs) {
  for (let i = 0; i < 5; i++) once();
  const times = [];
  const c0 = process.cpuUsage();
  const start = nowMs();
  while (times.length < 20 || nowMs() - start < minMs) {
    const t0 = nowMs();
    once();
    times.push(nowMs() - t0);
  }
  const c = process.cpuUsage(c0);
  return {
    reps: times.length, median_ms: median(times), min_ms: Math.min(...times), max_ms: Math.max(...times),
    user_ms: c.user / 1e3 / times.length, sys_ms: c.system / 1e3 / times.length,
  };
}

function decode(file, minMs) {
  const bytes = new Uint8Array(readFileSync(file));
  // The main row decodes every attribute: decodeLinks (the path linkList uses) lifts the cheap
  // fields, and reading attrs, the kind's data and statistics decodes everything else.
  const full = () => {
    const links = decodeLinks(bytes);
    for (const l of links) {
      if (l.attrs === undefined || (l.kind !== undefined && l.data === undefined && l.kind === 'veth')) die('incomplete link');
      void l.statistics;
    }
    return links;
  };
  // The lazy row is what a listing that reads only the lifted fields pays.
  const lazy = () => decodeLinks(bytes);
  const first = full();
  const msgs = first.length;
  const vethObjects = first.filter((l) => l.kind === 'veth').length;
  const f = timePasses(full, minMs);
  const l = timePasses(lazy, minMs / 2);
  const rates = (t) => ({ msgs_per_s: msgs / (t.median_ms / 1e3), mb_per_s: bytes.length / 1e6 / (t.median_ms / 1e3) });
  return {
    peer: 'nlkit', lib_version: LIB_VERSION, runtime: RUNTIME, mode: 'decode', variant: 'full',
    file, bytes: bytes.length, msgs, veth_objects: vethObjects, ...f, ...rates(f),
    lazy: { ...l, ...rates(l) },
  };
}

const mode = process.argv[2];
let out;
if (mode === 'bench') out = await bench(Number(arg('n', '1000')), Number(arg('reps', '20')));
else if (mode === 'decode') out = decode(arg('file'), Number(arg('min-ms', '2000')));
else die('usage: peer.mjs bench --n N --reps R | decode --file F');
process.stdout.write(`${JSON.stringify(out)}\n`);
