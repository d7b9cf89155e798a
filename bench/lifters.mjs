#!/usr/bin/env node
// Dump lifting: addrList / routeList through the raw lifters (`mapRaw`, src/lift/) against the
// generic path they replaced (decode() + addrFromMessage / routeFromMessage via `map`), on the
// same kernel data in one run, plus the lifters alone on captured bytes (no system call).
//
//   node bench/lifters.mjs [--addrs 1000,10000] [--routes 100000] [--reps 15]
//
// Safety: everything happens in a namespace this script creates with netns.create(); it checks
// that namespace is not the host's before adding anything, and never touches the host's.
import { readlinkSync } from 'node:fs';
import { decode } from '@nlkit/nl-codec';
import {
  Handle, netns,
  addrDumpMessage, addrFromBytes, addrFromMessage,
  routeDumpMessage, routeFromBytes, routeFromMessage,
} from '@nlkit/rtnl';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ADDRS = arg('addrs', '1000,10000').split(',').map(Number);
const ROUTES = Number(arg('routes', '100000'));
const REPS = Number(arg('reps', '15'));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function time(fn, reps = REPS) {
  const c0 = nowMs();
  await fn(); // warm-up; reported, since a short-lived program only ever sees cold calls
  const cold = nowMs() - c0;
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = nowMs();
    await fn();
    t.push(nowMs() - t0);
  }
  return { first_call_ms: +cold.toFixed(3), median_ms: +median(t).toFixed(3), min_ms: +Math.min(...t).toFixed(3) };
}

function withNs(fn) {
  const ns = netns.create();
  const inside = readlinkSync(`/proc/${process.pid}/fd/${ns.fd}`);
  if (inside === readlinkSync('/proc/self/ns/net') || ns.isInitial()) {
    ns.close();
    throw new Error('bench/lifters.mjs: refusing to run: the new namespace is the host namespace');
  }
  const h = Handle.open({ netns: ns });
  return fn(h).finally(() => {
    h.close();
    ns.close();
  });
}

async function veth(h) {
  await h.linkAdd({ kind: 'veth', name: 'sa', peer: { name: 'sb' } });
  await h.linkSetUp('sa');
  await h.linkSetUp('sb');
  return (await h.linkByName('sa')).index;
}

const rawOf = async (h, msg) => h.request(msg, { dump: true, mapRaw: (b) => b.slice() });
function liftOnly(msgs, lift) {
  const t = [];
  for (let r = 0; r < REPS + 1; r++) {
    const t0 = nowMs();
    for (const b of msgs) lift(b);
    t.push(nowMs() - t0);
  }
  t.shift();
  return { median_ms: +median(t).toFixed(3), min_ms: +Math.min(...t).toFixed(3) };
}

const out = { node: process.version, reps: REPS };

for (const n of ADDRS) {
  await withNs(async (h) => {
    const sa = await veth(h);
    for (let i = 0; i < n; i++) await h.addrAdd(sa, `198.18.${(i >> 8) & 255}.${i & 255}/32`);
    const mapAddr = (m) => (m.header.type === 'RTM_NEWADDR' ? addrFromMessage(m) : undefined);
    const got = (await h.addrList(undefined, { family: 'inet' })).length;
    if (got < n) throw new Error(`addrList found ${got} of ${n} addresses`);
    const before = await time(() => h.request(addrDumpMessage(2, 0), { dump: true, map: mapAddr }));
    const after = await time(() => h.addrList(undefined, { family: 'inet' }));
    const msgs = (await rawOf(h, addrDumpMessage(2, 0))).filter((b) => b[4] === 20);
    out[`addrList_${n}`] = {
      addresses: got,
      generic: before,
      raw: after,
      speedup: +(before.median_ms / after.median_ms).toFixed(2),
      lift_only_generic: liftOnly(msgs, (b) => addrFromMessage(decode(b)[0])),
      lift_only_raw: liftOnly(msgs, addrFromBytes),
    };
  });
}

await withNs(async (h) => {
  const sa = await veth(h);
  await h.addrAdd(sa, '198.18.0.1/15');
  const t0 = nowMs();
  for (let i = 0; i < ROUTES; i++) {
    await h.routeAdd({ dst: `${11 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`, gw: '198.18.0.2', linkIndex: sa });
  }
  out.route_insert_s = +((nowMs() - t0) / 1e3).toFixed(1);
  const reps = Math.max(3, Math.min(REPS, 7));
  const mapRoute = (m) => (m.header.type === 'RTM_NEWROUTE' ? routeFromMessage(m) : undefined);
  const got = (await h.routeList({ family: 'inet' })).length;
  const before = await time(() => h.request(routeDumpMessage(2, 254, undefined, 0, 0), { dump: true, map: mapRoute }), reps);
  const after = await time(() => h.routeList({ family: 'inet' }), reps);
  const msgs = (await rawOf(h, routeDumpMessage(2, 254, undefined, 0, 0))).filter((b) => b[4] === 24);
  out[`routeList_${ROUTES}`] = {
    routes: got,
    generic: before,
    raw: after,
    speedup: +(before.median_ms / after.median_ms).toFixed(2),
    lift_only_generic: liftOnly(msgs.slice(0, 20000), (b) => routeFromMessage(decode(b)[0])),
    lift_only_raw: liftOnly(msgs.slice(0, 20000), routeFromBytes),
    lift_only_routes: Math.min(20000, msgs.length),
  };
});

console.log(JSON.stringify(out, null, 1));
