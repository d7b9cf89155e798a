#!/usr/bin/env node
// nlkit's own rtnl measurements that the peer harness has no row for. Must run inside a fresh
// network namespace (bench/run.mjs starts it under `unshare -n`); it refuses to run in the host's.
//
//   linkDelAll vs one-by-one deletion of N veth pairs
//   the event loop's longest stall while listing 2N+1 links
//   RSS growth over 10 rounds of create / list / delete
import { writeFileSync } from 'node:fs';
import { loopMonitor } from './loop-monitor.mjs';
import v8 from 'node:v8';
import { Handle, netns } from '@nlkit/rtnl';

// The initial namespace (PID 1's; where PID 1 hides it, kthreadd's, as the shim resolves it).
const here = netns.current();
const inInitial = here.isInitial();
here.close();
if (inInitial) {
  console.error('bench/rtnl.mjs: refusing to run in the host network namespace (use unshare -n)');
  process.exit(2);
}
writeFileSync('/proc/sys/net/ipv6/conf/default/disable_ipv6', '1');

// 1000 pairs by default: the size the targets are stated for (about a minute, most of it the
// one-by-one deletion this compares against).
const N = Number(process.env.NLKIT_BENCH_PAIRS ?? 1000);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
/** Physical size of all V8 heap spaces, in MB. */
const heapCommittedMb = () => v8.getHeapSpaceStatistics().reduce((a, x) => a + x.physical_space_size, 0) / 2 ** 20;

const h = Handle.open();
async function createPairs(n) {
  const links = [];
  for (let i = 0; i < n; i++) links.push(await h.linkAdd({ kind: 'veth', name: `va${i}`, peer: { name: `vb${i}` } }));
  return links;
}

const out = { pairs: N };
try {
  let links = await createPairs(N);
  let t0 = nowMs();
  for (const l of links) await h.linkDel(l.index);
  out.delete_one_by_one_ms = nowMs() - t0;

  links = await createPairs(N);
  t0 = nowMs();
  await h.linkDelAll(links);
  out.link_del_all_ms = nowMs() - t0;
  out.link_del_all_speedup = out.delete_one_by_one_ms / out.link_del_all_ms;
  const left = (await h.linkList()).length;
  if (left !== 1) throw new Error(`${left} links left after linkDelAll`);

  // Event-loop stall while listing 2N+1 links (a timer keeps ticking meanwhile).
  links = await createPairs(N);
  const stall = await loopMonitor();
  for (let r = 0; r < 20; r++) await h.linkList();
  out.list_max_loop_stall_ms = await stall();
  out.list_links = 2 * N + 1;
  await h.linkDelAll(links);

  // Memory: 10 rounds of create / list / delete after one warm-up round. Besides RSS, what of
  // it is V8 holding heap capacity it does not use (its young generation grows to its maximum
  // once enough objects survive scavenges, and it keeps old-space pages after a GC): RSS growth
  // minus the heap spaces' committed growth beyond the live heap's (as test/soak.mjs counts).
  const rounds = [];
  let spaces0;
  let used0 = 0;
  for (let round = 0; round <= 10; round++) {
    links = await createPairs(N);
    await h.linkList();
    await h.linkDelAll(links);
    globalThis.gc?.();
    rounds.push(rssMb());
    if (round === 0) {
      spaces0 = heapCommittedMb();
      used0 = process.memoryUsage().heapUsed / 2 ** 20;
    }
  }
  const heapGrowth = process.memoryUsage().heapUsed / 2 ** 20 - used0;
  const committedGrowth = heapCommittedMb() - spaces0;
  out.rss_mb_after_warmup = rounds[0];
  out.rss_mb_after_10_rounds = rounds[10];
  out.rss_growth_mb = rounds[10] - rounds[0];
  out.live_heap_growth_mb = heapGrowth;
  out.heap_capacity_growth_mb = committedGrowth;
  out.rss_growth_beyond_heap_capacity_mb = out.rss_growth_mb - Math.max(0, committedGrowth - Math.max(0, heapGrowth));
} finally {
  h.close();
}
console.log(JSON.stringify(out));
