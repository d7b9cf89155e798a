#!/usr/bin/env node
// `npm run bench`: nlkit's micro-benchmarks, then the peer harness when the peers are installed.
// Speed is only measured and reported here; nothing is asserted. Compare ratios within one run.
//
// Environment: NLKIT_BENCH_N (peer harness N, default 1000), NLKIT_BENCH_REPS (default 20),
// NLKIT_BENCH_PAIRS (bench/rtnl.mjs, default 1000), NLKIT_BENCH_SCALE=R (also run the route-scale
// harness with R routes), NLKIT_BENCH_SKIP=peers,scale,kernel (skip parts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '../shared');
const skip = new Set((process.env.NLKIT_BENCH_SKIP ?? '').split(',').filter(Boolean));
const isRoot = process.getuid?.() === 0;

function run(title, cmd, args, options = {}) {
  console.log(`\n## ${title}\n$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) console.log(`(exit ${r.status ?? r.signal}: ${title} did not complete)`);
  return r.status === 0;
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

run('codec: decode and encode of the 2001-link dump', 'node', ['packages/nl-codec/bench/decode.mjs']);
run('rtnl: decodeLinks of the 2001-link dump (bench/peer.mjs decode)', 'node', ['bench/peer.mjs', 'decode', '--file', resolve(shared, 'peers/linkdump-2001.bin')]);

if (!isRoot) {
  console.log('\n(not root: skipping the benchmarks that need a network namespace)');
} else if (!skip.has('kernel')) {
  run('shim: per-call overhead and RTM_GETLINK round trip vs C', 'unshare', ['-n', 'node', 'packages/syscall-shim/bench/shim.mjs']);
  run('rtnl: linkDelAll, event-loop stall, memory', 'unshare', ['-n', 'node', '--expose-gc', 'bench/rtnl.mjs']);
}

const peersReady = isRoot && has('go') && has('gcc') && existsSync('/usr/bin/python3') &&
  spawnSync('/usr/bin/python3', ['-c', 'import pyroute2'], { stdio: 'ignore' }).status === 0;
if (skip.has('peers')) {
  console.log('\n(peer harness skipped by NLKIT_BENCH_SKIP)');
} else if (!peersReady) {
  console.log('\n(peer harness skipped: install the peers as in ../shared/peers/README.md: apt-get install iproute2 golang-go golang-github-vishvananda-netlink-dev python3-pyroute2 gcc)');
} else {
  run('peers: nlkit next to the C floor, Go, pyroute2, npm netlink and iproute2', resolve(shared, 'peers/run.sh'), [
    '--nlkit', 'bench/peer.mjs', '-n', process.env.NLKIT_BENCH_N ?? '1000', '--reps', process.env.NLKIT_BENCH_REPS ?? '20',
  ]);
}

if (process.env.NLKIT_BENCH_SCALE && !skip.has('scale') && isRoot) {
  const r = process.env.NLKIT_BENCH_SCALE;
  run(`scale: ${r} routes`, resolve(shared, 'scale/bench.sh'), [r, '3', 'floor:own go:own nlkit:own'], {
    env: { ...process.env, NLKIT: resolve(root, 'bench/scale.mjs') },
  });
}
