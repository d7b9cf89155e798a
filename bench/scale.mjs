#!/usr/bin/env node
// nlkit in ../shared/scale: a full-table route workload (see ../shared/scale/README.md).
//
//   node bench/scale.mjs insert   -r R -oif IFINDEX                   one routeAdd per route, awaited
//   node bench/scale.mjs reinsert -r R -oif IFINDEX --variant batch [--window W] [--chunk N (4096)]
//                                                                    delete (untimed), re-insert with h.batch()
//   node bench/scale.mjs dump --variant full|stream --reps N          main-table IPv4 dump
//
// Routes: P/24 via 198.18.0.2 dev IFINDEX, P = (11 + (i>>16)).((i>>8)&255).(i&255).0.
// Runs inside the namespace the harness made (unshare -n); prints one JSON line per mode.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arg, dieAs, median, nowMs } from './common.mjs';
import { loopMonitor } from './loop-monitor.mjs';
import { Handle } from '@nlkit/rtnl';

const require = createRequire(import.meta.url);
const LIB_VERSION = require('@nlkit/rtnl/package.json').version;
const RUNTIME = `node ${process.version}`;
const GW = '198.18.0.2';

const die = dieAs('nlkit scale');
const vmhwmKb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? -1);
const vmrssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? -1);
const prefix = (i) => `${11 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;
const route = (i, oif) => ({ dst: prefix(i), gw: GW, linkIndex: oif });

async function countRoutes(h) {
  let routes = 0;
  let viaGw = 0;
  for await (const r of h.routeListStream({ family: 'inet', table: 'main' })) {
    routes++;
    if (r.gw === GW) viaGw++;
  }
  return { routes, viaGw };
}

async function insert(r, oif) {
  const h = Handle.open({ recvBufferSize: 8 << 20 });
  try {
    const stall = await loopMonitor();
    const t0 = nowMs();
    for (let i = 0; i < r; i++) await h.routeAdd(route(i, oif));
    const ms = nowMs() - t0;
    const maxStall = await stall();
    const { viaGw } = await countRoutes(h);
    if (viaGw !== r) die(`${viaGw} routes via ${GW} after inserting ${r}`);
    return { peer: 'nlkit', lib_version: LIB_VERSION, runtime: RUNTIME, mode: 'insert', r, ms, us_per_route: (ms * 1e3) / r, vmhwm_kb: vmhwmKb(), max_loop_stall_ms: maxStall, routes_via_gw: viaGw };
  } finally {
    h.close();
  }
}

/** The [first, last) route numbers of each batch: `chunk` routes each, or all R for 0. */
function* chunks(r, chunk) {
  const step = chunk > 0 ? chunk : r;
  for (let first = 0; first < r; first += step) yield [first, Math.min(r, first + step)];
}

async function reinsert(r, oif, variant, window, chunk) {
  if (variant !== 'batch') die(`unknown reinsert variant ${variant}`);
  const h = Handle.open({ recvBufferSize: 32 << 20 });
  try {
    // Untimed: remove the routes, in batches too (chunked like the inserts below).
    for (const [first, last] of chunks(r, chunk)) {
      const del = h.batch();
      for (let i = first; i < last; i++) del.routeDel(route(i, oif));
      const delResults = await del.commit({ window });
      const delFailed = delResults.filter((x) => !x.ok).length;
      if (delFailed) die(`${delFailed} deletes failed, e.g. ${delResults.find((x) => !x.ok).error}`);
    }
    const before = await countRoutes(h);
    if (before.viaGw !== 0) die(`${before.viaGw} routes left after delete`);

    const stall = await loopMonitor();
    const t0 = nowMs();
    // One batch per 4096 routes by default (--chunk N; --chunk 0: one batch of all R). Queueing
    // a million operations in one synchronous loop blocks the event loop for ~300 ms whatever
    // the library does with each (here ~0.3 us: the caller's object and prefix string, then
    // validation and bytes); per 4096 it is ~1 ms, and only 4096 queued routes exist at a time
    // (peak RSS ~96 MB instead of ~290 MB), at the same throughput.
    let failed = 0;
    let firstError;
    for (const [first, last] of chunks(r, chunk)) {
      const b = h.batch();
      for (let i = first; i < last; i++) b.routeAdd(route(i, oif));
      const results = await b.commit({ window });
      for (const x of results) {
        if (x.ok) continue;
        failed++;
        firstError ??= x.error;
      }
    }
    const ms = nowMs() - t0;
    const maxStall = await stall();
    if (failed) die(`${failed} batched inserts failed, e.g. ${firstError}`);
    const { viaGw } = await countRoutes(h);
    if (viaGw !== r) die(`${viaGw} routes via ${GW} after re-inserting ${r}`);
    return { peer: 'nlkit', lib_version: LIB_VERSION, runtime: RUNTIME, mode: 'insert', variant: 'batch', window, ...(chunk > 0 ? { chunk } : {}), r, ms, us_per_route: (ms * 1e3) / r, vmhwm_kb: vmhwmKb(), max_loop_stall_ms: maxStall, routes_via_gw: viaGw };
  } finally {
    h.close();
  }
}

async function dump(variant, reps) {
  const h = Handle.open();
  try {
    const times = [];
    let routes = 0;
    let viaGw = 0;
    let firstRepHwm = 0;
    const rss0 = vmrssKb();
    let rssGrowthKb = 0;
    // The stall is measured over each dump only (one monitor per rep, stopped after a last tick
    // so the dump's final stretch is recorded): the checks below walk a million objects in one
    // synchronous loop of this program's own (~30 ms), which says nothing about the library.
    let maxStall = 0;
    for (let rep = 0; rep < reps; rep++) {
      const stall = await loopMonitor();
      const t0 = nowMs();
      if (variant === 'full') {
        const list = await h.routeList({ family: 'inet', table: 'main' });
        times.push(nowMs() - t0);
        maxStall = Math.max(maxStall, await stall());
        routes = list.length;
        viaGw = 0;
        for (const x of list) if (x.gw === GW) viaGw++;
      } else if (variant === 'stream') {
        let n = 0;
        let g = 0;
        for await (const x of h.routeListStream({ family: 'inet', table: 'main' })) {
          n++;
          if (x.gw === GW) g++;
        }
        times.push(nowMs() - t0);
        maxStall = Math.max(maxStall, await stall());
        routes = n;
        viaGw = g;
        rssGrowthKb = Math.max(rssGrowthKb, vmrssKb() - rss0);
      } else die(`unknown dump variant ${variant}`);
      if (rep === 0) firstRepHwm = vmhwmKb();
    }
    return {
      peer: 'nlkit', lib_version: LIB_VERSION, runtime: RUNTIME, mode: 'dump', variant, reps,
      median_ms: median(times), min_ms: Math.min(...times), max_ms: Math.max(...times), times,
      routes, routes_via_gw: viaGw, vmhwm_kb_first_rep: firstRepHwm, vmhwm_kb: vmhwmKb(),
      ...(variant === 'stream' ? { rss_growth_kb: rssGrowthKb } : {}), max_loop_stall_ms: maxStall,
    };
  } finally {
    h.close();
  }
}

const mode = process.argv[2];
let out;
if (mode === 'insert') out = await insert(Number(arg('r')), Number(arg('oif')));
else if (mode === 'reinsert') out = await reinsert(Number(arg('r')), Number(arg('oif')), arg('variant', 'batch'), Number(arg('window', '256')), Number(arg('chunk', '4096')));
else if (mode === 'dump') out = await dump(arg('variant', 'full'), Number(arg('reps', '3')));
else die('usage: scale.mjs insert -r R -oif N | reinsert -r R -oif N --variant batch | dump --variant full|stream --reps N');
process.stdout.write(`${JSON.stringify(out)}\n`);
