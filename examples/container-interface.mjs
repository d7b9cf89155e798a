#!/usr/bin/env node
/**
 * What a container engine does for one sandbox's network, end to end, with @nlkit/rtnl:
 *
 *   "host" namespace:    br0 (MTU 9001, up) <- veth-host (port, up)
 *                                                  | veth pair
 *   "sandbox" namespace:                        eth0 (MAC, 192.0.2.2/24, 2001:db8::2/64 nodad, up,
 *                                                     198.51.100.0/24 scope link, accept_ra=0)
 *
 * Both namespaces are created here (`netns.create()`) and checked not to be the initial one:
 * nothing touches the namespace this process runs in. If a configuration step in the sandbox
 * fails, the interface goes back to the host namespace under its original name (rollback),
 * and the error is rethrown with the state seen after the rollback.
 *
 * Run:    node examples/container-interface.mjs          (as root)
 * Fail:   NLKIT_EXAMPLE_FAIL_AT=route node examples/container-interface.mjs
 *         (steps: mac, address, up, route, sysctl; `route` makes the kernel refuse a route via
 *         an unreachable gateway, the others throw before their step)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Handle, netns } from '@nlkit/rtnl';

export const STEPS = ['mac', 'address', 'up', 'route', 'sysctl'];

const BRIDGE = 'br0';
const HOST_END = 'veth-host';
const SANDBOX_END = 'veth-ctr'; // its name in the host namespace, before the move
const MTU = 9001;
const MAC = '02:42:c0:00:02:02';

/** Write a sysctl inside `ns` (the thread enters the namespace for the write only). */
function sysctl(ns, name, value) {
  netns.run(ns, () => writeFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, value));
}

function readSysctl(ns, name) {
  return netns.run(ns, () => readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').trim());
}

/** `ip -j ARGS` inside `ns`, through nsenter on our own namespace fd. */
function ipJson(ns, ...args) {
  const r = spawnSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', '-j', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip -j ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout.trim() === '' ? [] : JSON.parse(r.stdout);
}

/**
 * Build the sandbox network, check it with `ip -j`, and tear everything down.
 *
 * @param {{ failAt?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<{ bridge: object, hostEnd: object, eth0: object, routes: object[], acceptRa: string }>}
 *   what `ip -j` reported in both namespaces before teardown.
 */
export async function runContainerExample(options = {}) {
  const failAt = options.failAt;
  const log = options.log ?? (() => {});
  if (failAt !== undefined && !STEPS.includes(failAt)) throw new RangeError(`failAt must be one of ${STEPS.join(', ')}, got ${failAt}`);
  const host = netns.create();
  const sandbox = netns.create();
  let hh;
  let sh;
  try {
    for (const ns of [host, sandbox]) {
      // Never work in the initial namespace: both must be fresh.
      if (ns.isInitial()) throw new Error('refusing to run: a created namespace is the initial one');
      // No IPv6 autoconfiguration once links go up: nothing is sent, even inside.
      sysctl(ns, 'net.ipv6.conf.default.addr_gen_mode', '1');
      sysctl(ns, 'net.ipv6.conf.default.accept_ra', '0');
    }
    hh = Handle.open({ netns: host });
    sh = Handle.open({ netns: sandbox });

    // Host side: the bridge and the veth pair, the host end as a bridge port. The veth gets the
    // bridge's MTU, or the bridge would lower its own MTU to its smallest port's.
    const br = await hh.linkAdd({ kind: 'bridge', name: BRIDGE, mtu: MTU });
    await hh.linkSetUp(br);
    await hh.linkAdd({ kind: 'veth', name: HOST_END, mtu: MTU, peer: { name: SANDBOX_END, mtu: MTU } });
    await hh.linkSetMaster(HOST_END, br);
    await hh.linkSetUp(HOST_END);
    log(`host: ${BRIDGE} (mtu ${MTU}) with port ${HOST_END}`);

    // Into the sandbox, renamed eth0 in the same request.
    const eth0 = await hh.linkMoveToNetns(SANDBOX_END, sandbox, { name: 'eth0' });
    log(`moved ${SANDBOX_END} into the sandbox as eth0 (index ${eth0.index})`);
    try {
      await configure(sh, sandbox, eth0, failAt);
    } catch (error) {
      // Roll back: down, then home under the original name, in one move.
      log(`configuration failed (${error.message}); rolling back`);
      await sh.linkSetDown(eth0).catch(() => undefined);
      await sh.linkMoveToNetns(eth0, host, { name: SANDBOX_END });
      const state = {
        hostLinks: ipJson(host, 'link', 'show').map((l) => l.ifname),
        sandboxLinks: ipJson(sandbox, 'link', 'show').map((l) => l.ifname),
      };
      log(`rolled back: host has ${state.hostLinks.join(', ')}; sandbox has ${state.sandboxLinks.join(', ')}`);
      throw Object.assign(new Error(`sandbox configuration failed and was rolled back: ${error.message}`, { cause: error }), { state });
    }

    // What `ip` sees in both namespaces.
    const report = {
      bridge: ipJson(host, 'link', 'show', BRIDGE)[0],
      hostEnd: ipJson(host, 'link', 'show', HOST_END)[0],
      eth0: ipJson(sandbox, 'addr', 'show', 'dev', 'eth0')[0],
      routes: ipJson(sandbox, 'route', 'show', 'dev', 'eth0'),
      acceptRa: readSysctl(sandbox, 'net.ipv6.conf.eth0.accept_ra'),
    };
    check(report);
    log(`sandbox: eth0 ${report.eth0.address} ${report.eth0.addr_info.map((a) => `${a.local}/${a.prefixlen}`).join(' ')}`);
    return report;
  } finally {
    // Teardown: the links first (deleting one veth end removes both), then the namespaces.
    if (hh && !hh.closed) {
      await hh.linkDel(HOST_END).catch(() => undefined);
      await hh.linkDel(BRIDGE).catch(() => undefined);
    }
    hh?.close();
    sh?.close();
    sandbox.close();
    host.close();
  }
}

/** The sandbox's configuration steps; `failAt` injects a failure at one of them. */
async function configure(sh, sandbox, eth0, failAt) {
  const step = (name) => {
    if (failAt === name && name !== 'route') throw new Error(`injected failure before step "${name}"`);
  };
  step('mac');
  await sh.linkSetHardwareAddr(eth0, MAC);
  step('address');
  await sh.addrAdd(eth0, '192.0.2.2/24');
  await sh.addrAdd(eth0, { address: '2001:db8::2/64', flags: ['nodad'] });
  step('up');
  await sh.linkSetUp(eth0);
  step('route');
  if (failAt === 'route') {
    // A real kernel refusal: the gateway is not on any connected network (ENETUNREACH).
    await sh.routeAdd({ dst: '198.51.100.0/24', gw: '203.0.113.1' });
  } else {
    await sh.routeAdd({ dst: '198.51.100.0/24', link: eth0, scope: 'link' });
  }
  step('sysctl');
  sysctl(sandbox, 'net.ipv6.conf.eth0.accept_ra', '0');
}

/** Check that what ip reports is what we configured. */
function check(r) {
  const fail = (what) => {
    throw new Error(`ip -j disagrees: ${what}`);
  };
  if (r.bridge.mtu !== MTU || !r.bridge.flags.includes('UP')) fail(`bridge ${JSON.stringify(r.bridge)}`);
  if (r.hostEnd.master !== BRIDGE || !r.hostEnd.flags.includes('UP')) fail(`host end ${JSON.stringify(r.hostEnd)}`);
  if (r.eth0.address !== MAC || !r.eth0.flags.includes('UP')) fail(`eth0 ${JSON.stringify(r.eth0)}`);
  const addrs = r.eth0.addr_info.filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
  if (addrs.join(' ') !== '192.0.2.2/24 2001:db8::2/64') fail(`addresses ${addrs.join(' ')}`);
  if (!r.routes.some((x) => x.dst === '198.51.100.0/24' && x.scope === 'link')) fail(`routes ${JSON.stringify(r.routes)}`);
  if (r.acceptRa !== '0') fail(`accept_ra ${r.acceptRa}`);
}

// Run when executed directly.
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  runContainerExample({ failAt: process.env.NLKIT_EXAMPLE_FAIL_AT || undefined, log: (l) => console.log(l) }).then(
    () => console.log('ok: the sandbox network was built, checked with ip -j, and torn down'),
    (e) => {
      console.error(`error: ${e.message}`);
      if (e.state) console.error(`after rollback: ${JSON.stringify(e.state)}`);
      process.exitCode = 1;
    },
  );
}
