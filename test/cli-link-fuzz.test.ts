/**
 * Differential fuzzing of links against iproute2: random sets of bridge, veth (bridge ports),
 * vxlan, macvlan/macvtap, ifb and tun/tap links are built with `ip` (so the kernel state is
 * iproute2's doing), then `rtnl` (the CLI, as a process) and `h.linkList()` must show them as
 * `ip -j` does. Seed: `FC_SEED` (decimal) or a constant, so a failure replays.
 */
import fc from 'fast-check';
import type { Link } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { createTestNetns, describeKernel, useTestNetns, type TestNetns } from './fixtures/netns.js';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 0x6e6c6b;
const RUNS = Number(process.env.NLKIT_FUZZ_RUNS ?? 4);

/** Bridge and port timers tick between two reads; everything else is the same state. */
const TIMERS = new Set(['hello_timer', 'tcn_timer', 'topology_change_timer', 'gc_timer', 'hold_timer', 'message_age_timer', 'forward_delay_timer']);
const strip = (o: unknown): unknown =>
  Array.isArray(o) ? o.map(strip) : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([k]) => !TIMERS.has(k)).map(([k, v]) => [k, strip(v)])) : o;
/** ip's `-d` text prints the same timers as `hello_timer    1.30`. */
const stripText = (s: string): string => s.replace(/\b(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer) +[0-9.]+/g, '$1 T');

/** Every key of every object, recursively, in order: ip's key order is part of the contract. */
const keyPaths = (o: unknown, p = ''): string[] =>
  Array.isArray(o) ? o.flatMap((x, i) => keyPaths(x, `${p}[${i}]`)) : o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => [`${p}.${k}`, ...keyPaths(v, `${p}.${k}`)]) : [];

// ---------------------------------------------------------------------------------------------
// Scenario model: what to build, as ip argument lists.

type Cmd = string[];
interface Scenario {
  cmds: Cmd[];
  /** Names that exist at the end (for `show dev X`). */
  names: string[];
  bridges: string[];
}

const onOff = fc.constantFrom('on', 'off');
const bit = fc.constantFrom('0', '1');
const mac = fc.tuple(fc.integer({ min: 0, max: 0x3f }), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 })).map(([first, rest]) =>
  [((first << 2) | 2) & 0xfe, ...rest].map((b) => b.toString(16).padStart(2, '0')).join(':'),
);
const ALIASES = ['uplink', 'with  two spaces', 'héllo wörld ☃', '日本語の別名', 'q"uote\\back', 'emoji 🦊 end', 'x'];

/**
 * `[opt, value]` pairs, each present or not; a `null` value is a bare flag, and a key starting
 * with `_` stands for one word chosen by its value (`learning` or `nolearning`: ip refuses both).
 */
function opts(table: Record<string, fc.Arbitrary<string | null>>): fc.Arbitrary<string[]> {
  return fc
    .record(table, { requiredKeys: [] })
    .map((r) => Object.entries(r).flatMap(([k, v]) => (k.startsWith('_') ? [v as string] : v === null ? [k] : [k, v as string])));
}
const flag = fc.constant(null);
const int = (min: number, max: number) => fc.integer({ min, max }).map(String);

const bridgeOpts = opts({
  stp_state: fc.constantFrom('0', '1', '2'),
  forward_delay: int(200, 3000),
  hello_time: int(100, 1000),
  max_age: int(600, 4000),
  ageing_time: int(1000, 100000),
  priority: int(0, 65535),
  group_fwd_mask: fc.integer({ min: 0, max: 0xffff }).map((m) => `0x${(m & ~7).toString(16)}`),
  group_address: fc.constantFrom('01:80:c2:00:00:00', '01:80:c2:00:00:0e', '01:80:c2:00:00:0d'),
  no_linklocal_learn: bit,
  vlan_protocol: fc.constantFrom('802.1Q', '802.1ad'),
  vlan_default_pvid: int(0, 4094),
  vlan_stats_enabled: bit,
  vlan_stats_per_port: bit,
  mcast_snooping: bit,
  mcast_router: int(0, 2),
  mcast_query_use_ifaddr: bit,
  mcast_querier: bit,
  mcast_hash_elasticity: int(1, 64),
  mcast_hash_max: fc.constantFrom('512', '1024', '4096', '8192'),
  mcast_last_member_count: int(1, 10),
  mcast_startup_query_count: int(1, 10),
  mcast_last_member_interval: int(100, 1000),
  mcast_membership_interval: int(10000, 60000),
  mcast_querier_interval: int(10000, 60000),
  mcast_query_interval: int(1000, 20000),
  mcast_query_response_interval: int(100, 900),
  mcast_startup_query_interval: int(100, 5000),
  mcast_stats_enabled: bit,
  mcast_igmp_version: fc.constantFrom('2', '3'),
  mcast_mld_version: fc.constantFrom('1', '2'),
  nf_call_iptables: bit,
  nf_call_ip6tables: bit,
  nf_call_arptables: bit,
});

const portOpts = opts({
  cost: int(1, 65535),
  priority: int(0, 63),
  learning: onOff,
  flood: onOff,
  hairpin: onOff,
  guard: onOff,
  fastleave: onOff,
  root_block: onOff,
  mcast_router: int(0, 3),
  proxy_arp: onOff,
  proxy_arp_wifi: onOff,
  mcast_flood: onOff,
  bcast_flood: onOff,
  mcast_to_unicast: onOff,
  group_fwd_mask: fc.integer({ min: 0, max: 0xffff }).map((m) => `0x${(m & ~7).toString(16)}`),
  neigh_suppress: onOff,
  vlan_tunnel: onOff,
  isolated: onOff,
  locked: onOff,
});

const vethSide = opts({ mtu: fc.constantFrom('1400', '1500', '9000'), txqueuelen: int(0, 5000), address: mac });

const ip4 = fc.constantFrom('192.0.2.1', '198.51.100.7', '203.0.113.254');
const ip6 = fc.constantFrom('2001:db8::1', '2001:db8:1::ff', '2001:db8::a:b');
const mcast4 = fc.constantFrom('239.1.1.1', '224.0.0.251', '239.255.0.9');
const mcast6 = fc.constantFrom('ff05::1', 'ff0e::1:2');

interface VxlanShape {
  family: 4 | 6;
  peer: 'remote' | 'group' | 'none';
  local: boolean;
  external: boolean;
}
const vxlanShape: fc.Arbitrary<VxlanShape> = fc.record({
  family: fc.constantFrom(4 as const, 6 as const),
  peer: fc.constantFrom('remote' as const, 'group' as const, 'none' as const),
  local: fc.boolean(),
  external: fc.boolean(),
});
function vxlanArgs(shape: VxlanShape, lower: string | undefined): fc.Arbitrary<string[]> {
  const v6 = shape.family === 6;
  return fc
    .record({
      id: int(0, 0xffffff),
      peerAddr: shape.peer === 'group' ? (v6 ? mcast6 : mcast4) : v6 ? ip6 : ip4,
      localAddr: v6 ? ip6 : ip4,
      dev: fc.boolean(),
      rest: opts({
        srcport: fc.tuple(fc.integer({ min: 1, max: 30000 }), fc.integer({ min: 0, max: 30000 })).map(([a, b]) => `${a} ${a + b}`),
        ttl: fc.oneof(int(0, 255), fc.constantFrom('auto', 'inherit')),
        // ip reads a TOS as hex (rtnl_dsfield_a2n).
        tos: fc.oneof(fc.integer({ min: 0, max: 255 }).map((x) => `0x${x.toString(16)}`), fc.constant('inherit')),
        df: fc.constantFrom('set', 'unset', 'inherit'),
        ageing: int(0, 100000),
        maxaddress: int(0, 1000),
        _learning: fc.constantFrom('learning', 'nolearning'),
        proxy: flag,
        rsc: flag,
        l2miss: flag,
        l3miss: flag,
        _csum: fc.constantFrom('udpcsum', 'noudpcsum'),
        _csum6tx: fc.constantFrom('udp6zerocsumtx', 'noudp6zerocsumtx'),
        _csum6rx: fc.constantFrom('udp6zerocsumrx', 'noudp6zerocsumrx'),
        gbp: flag,
        remcsumtx: flag,
        remcsumrx: flag,
        ...(v6 && shape.peer !== 'none' ? { flowlabel: fc.integer({ min: 0, max: 0xfffff }).map((x) => `0x${x.toString(16)}`) } : {}),
      }),
      gpe: fc.boolean(),
    })
    .map((r) => {
      const a: string[] = [];
      if (shape.external) a.push('external');
      else a.push('id', r.id);
      if (shape.peer !== 'none') a.push(shape.peer, r.peerAddr);
      if (shape.local) a.push('local', r.localAddr);
      if (lower !== undefined && (r.dev || shape.peer === 'group')) a.push('dev', lower);
      // srcport's value is "LOW HIGH": two arguments.
      for (const w of r.rest) a.push(...w.split(' '));
      // GPE: only for metadata devices, without learning, proxy, rsc, l2miss, l3miss, GBP or remcsum.
      if (shape.external && r.gpe && !['gbp', 'learning', 'proxy', 'rsc', 'l2miss', 'l3miss', 'remcsumtx', 'remcsumrx'].some((w) => a.includes(w))) a.push('gpe');
      return a;
    });
}

const tuntapArgs = opts({
  user: fc.constantFrom('0', '1000', '65534', '4242'),
  group: fc.constantFrom('0', '100', '65534', '4343'),
  multi_queue: flag,
  vnet_hdr: flag,
  pi: flag,
  one_queue: flag,
});

const MACVLAN_MODES = ['private', 'vepa', 'bridge', 'passthru', 'source'] as const;

/** Per-link generic settings applied with `ip link set` after creation. */
const generic = opts({
  // Dropped for links with a lower device (vxlan, macvlan, veth ports), which bound it.
  mtu: fc.constantFrom('1280', '1400', '1500', '9000'),
  txqueuelen: int(0, 10000),
  alias: fc.constantFrom(...ALIASES),
  group: int(0, 255),
  address: mac,
  promisc: onOff,
  allmulticast: onOff,
  arp: onOff,
  multicast: onOff,
  dynamic: onOff,
  trailers: onOff,
});

const nameChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.'.split(''));

/** A whole scenario: kinds and options drawn together so lower devices and masters exist. */
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    bridges: fc.array(bridgeOpts, { minLength: 0, maxLength: 2 }),
    veths: fc.array(fc.record({ a: vethSide, b: vethSide, peerOpts: fc.boolean(), port: fc.boolean(), portOpts, bridge: fc.nat(), backup: fc.boolean() }), { minLength: 1, maxLength: 2 }),
    vxlans: fc.array(vxlanShape.chain((s) => fc.tuple(fc.constant(s), fc.nat()).chain(([sh, li]) => vxlanArgs(sh, `ve${li}`).map((args) => ({ args, lower: li })))), { maxLength: 2 }),
    macvlans: fc.array(fc.record({ kind: fc.constantFrom('macvlan', 'macvtap'), mode: fc.constantFrom(...MACVLAN_MODES), nopromisc: fc.boolean(), bcq: fc.option(int(0, 5000), { nil: undefined }), srcMacs: fc.array(mac, { maxLength: 2 }), lower: fc.nat(), mtu: fc.boolean() }), { maxLength: 2 }),
    ifbs: fc.array(fc.constant(null), { maxLength: 1 }),
    taps: fc.array(fc.record({ mode: fc.constantFrom('tun', 'tap'), args: tuntapArgs }), { maxLength: 2 }),
    settings: fc.array(fc.tuple(fc.nat(), generic), { maxLength: 4 }),
    renames: fc.array(fc.tuple(fc.nat(), fc.array(nameChars, { minLength: 1, maxLength: 10 })), { maxLength: 2 }),
    altnames: fc.array(fc.tuple(fc.nat(), fc.array(nameChars, { minLength: 0, maxLength: 40 })), { maxLength: 2 }),
    ups: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  })
  .map((s) => {
    const cmds: Cmd[] = [];
    const names: string[] = [];
    /** Links whose MTU we may change freely (no lower-device limits). */
    const free = new Set<string>();
    const bridges = s.bridges.map((o, i) => {
      cmds.push(['link', 'add', `br${i}`, 'type', 'bridge', ...o]);
      names.push(`br${i}`);
      free.add(`br${i}`);
      return `br${i}`;
    });
    const lowers: string[] = [];
    const ports = new Map<string, string>();
    s.veths.forEach((v, i) => {
      cmds.push(['link', 'add', `vp${i}`, ...v.a, 'type', 'veth', 'peer', 'name', `ve${i}`, ...(v.peerOpts ? v.b : [])]);
      names.push(`vp${i}`, `ve${i}`);
      lowers.push(`ve${i}`);
      if (v.port && bridges.length > 0) {
        const br = bridges[v.bridge % bridges.length]!;
        cmds.push(['link', 'set', `vp${i}`, 'master', br]);
        if (v.portOpts.length > 0) cmds.push(['link', 'set', `vp${i}`, 'type', 'bridge_slave', ...v.portOpts]);
        // A second port of the same bridge may back this one up (backup_port).
        const other = ports.get(br);
        if (other !== undefined && v.backup) cmds.push(['link', 'set', `vp${i}`, 'type', 'bridge_slave', 'backup_port', other]);
        ports.set(br, `vp${i}`);
      } else free.add(`vp${i}`);
    });
    s.vxlans.forEach((v, i) => {
      const lower = lowers[v.lower % lowers.length]!;
      const args = v.args.map((a) => (/^ve\d+$/.test(a) ? lower : a));
      // Each vxlan its own UDP port: two devices on one port and VNI would conflict.
      cmds.push(['link', 'add', `vx${i}`, 'type', 'vxlan', ...args, 'dstport', String(4789 + i)]);
      names.push(`vx${i}`);
    });
    const passthruUsed = new Set<string>();
    const macvlanUsed = new Set<string>();
    s.macvlans.forEach((m, i) => {
      const lower = lowers[m.lower % lowers.length]!;
      let mode: string = m.mode;
      // passthru takes the whole lower device: alone on it.
      if (mode === 'passthru' && macvlanUsed.has(lower)) mode = 'bridge';
      if (passthruUsed.has(lower)) return;
      if (mode === 'passthru') passthruUsed.add(lower);
      macvlanUsed.add(lower);
      const name = `${m.kind === 'macvlan' ? 'mv' : 'mt'}${i}`;
      const a = ['link', 'add', name, 'link', lower, ...(m.mtu ? ['mtu', '1280'] : []), 'type', m.kind, 'mode', mode];
      if (mode === 'passthru' && m.nopromisc) a.push('nopromisc');
      if (m.bcq !== undefined) a.push('bcqueuelen', m.bcq);
      cmds.push(a);
      if (mode === 'source') for (const x of m.srcMacs) cmds.push(['link', 'set', name, 'type', m.kind, 'macaddr', 'add', x]);
      names.push(name);
    });
    s.ifbs.forEach((_, i) => {
      cmds.push(['link', 'add', `ifb${i}`, 'type', 'ifb']);
      names.push(`ifb${i}`);
      free.add(`ifb${i}`);
    });
    s.taps.forEach((t, i) => {
      cmds.push(['tuntap', 'add', `${t.mode}${i}`, 'mode', t.mode, ...t.args]);
      names.push(`${t.mode}${i}`);
      free.add(`${t.mode}${i}`);
    });
    for (const [which, o] of s.settings) {
      const name = names[which % names.length]!;
      const args = [...o];
      const m = args.indexOf('mtu');
      if (m >= 0 && !free.has(name)) args.splice(m, 2);
      // A tun (layer 3) device has no hardware address to set, and ifb refuses a new one.
      const ad = args.indexOf('address');
      if (ad >= 0 && (name.startsWith('tun') || name.startsWith('ifb'))) args.splice(ad, 2);
      // A bridge's MTU above its ports' is fine; ifb and tun take any of these.
      if (args.length > 0) cmds.push(['link', 'set', 'dev', name, ...args]);
    }
    // Alternative names (ip link property add), unique across the namespace.
    s.altnames.forEach(([which, chars], k) => {
      cmds.push(['link', 'property', 'add', 'dev', names[which % names.length]!, 'altname', `alt${k}-${chars.join('')}`]);
    });
    // Renames while down (a live rename of an up device is refused).
    const used = new Set(names);
    for (const [which, chars] of s.renames) {
      const i = which % names.length;
      const to = `n${chars.join('')}`;
      if (used.has(to)) continue;
      used.add(to);
      cmds.push(['link', 'set', 'dev', names[i]!, 'name', to]);
      if (bridges.includes(names[i]!)) bridges[bridges.indexOf(names[i]!)] = to;
      names[i] = to;
    }
    names.forEach((n, i) => {
      if (s.ups[i % s.ups.length]) cmds.push(['link', 'set', 'dev', n, 'up']);
    });
    return { cmds, names, bridges };
  });

// ---------------------------------------------------------------------------------------------
// Comparison helpers.

function rtnlIn(t: TestNetns, args: string[]): string {
  const r = t.rtnl(...args);
  if (r.status !== 0 || r.stderr !== '') throw new Error(`rtnl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/**
 * ip, rtnl, ip again, until rtnl matches one of the two ip reads or the two agree: counters
 * and STP states move (hellos, IGMP queries, forward delay), so a read between two ip reads
 * that differ can match either. On a stable state this is one round.
 */
function stable<T>(read: () => T, ours: () => T, norm: (x: T) => unknown): { ip: T; ours: T } {
  const key = (x: T) => JSON.stringify(norm(x));
  for (let attempt = 0; ; attempt++) {
    const a = read();
    const o = ours();
    const b = read();
    if (key(o) === key(a)) return { ip: a, ours: o };
    if (key(o) === key(b) || key(a) === key(b) || attempt === 9) return { ip: b, ours: o };
  }
}

function compareJson(t: TestNetns, args: string[], label: string): void {
  const { ip, ours } = stable(
    () => t.ipJson(...args),
    () => JSON.parse(rtnlIn(t, ['-j', ...args]) || '[]'),
    strip,
  );
  expect(strip(ours), `rtnl -j ${args.join(' ')} (${label})`).toEqual(strip(ip));
  expect(keyPaths(strip(ours)), `key order of rtnl -j ${args.join(' ')} (${label})`).toEqual(keyPaths(strip(ip)));
}

function compareText(t: TestNetns, args: string[], label: string): void {
  const { ip, ours } = stable(
    () => t.ip(...args),
    () => rtnlIn(t, args),
    stripText,
  );
  expect(stripText(ours), `rtnl ${args.join(' ')} (${label})`).toBe(stripText(ip));
}

/**
 * `ip tuntap show` reads sysfs, which shows the devices of the namespace that mounted it: ip
 * runs in a private mount namespace with a sysfs of the test namespace (as `ip -n` does).
 * IFF_ONE_QUEUE is only in sysfs (netlink does not carry it), so ip's `one_queue` is dropped.
 */
function compareTuntap(t: TestNetns, label: string): void {
  const ipTuntap = (opts: string) => {
    const r = t.exec('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t sysfs sysfs /sys && ip ${opts} tuntap show 2>/dev/null`]);
    if (r.status !== 0) throw new Error(`ip ${opts} tuntap show failed: ${r.stderr}`);
    return r.stdout.replace(/ one_queue\b/g, '').replace(/"one_queue",/g, '');
  };
  for (const opts of ['-j', '', '-d']) {
    const args = [...opts.split(' ').filter(Boolean), 'tuntap', 'show'];
    const { ip, ours } = stable(() => ipTuntap(opts), () => rtnlIn(t, args), (x) => x);
    if (opts === '-j') expect(JSON.parse(ours || '[]'), `rtnl ${args.join(' ')} (${label})`).toEqual(JSON.parse(ip || '[]'));
    else expect(ours, `rtnl ${args.join(' ')} (${label})`).toBe(ip);
  }
}

const snakeToCamel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** ip's `0x..` strings and booleans against the numbers and booleans of `Link.data`. */
const normValue = (v: unknown): unknown =>
  typeof v === 'string' && /^(0x[0-9a-f]+|0)$/.test(v) ? parseInt(v, 16) : typeof v === 'boolean' ? (v ? 1 : 0) : v;
/** ip keys whose value is a name or a formatted text, not what `Link.data` holds. */
const DATA_SKIP = new Set(['link', 'user', 'group', 'bridge_id', 'root_id', 'type', ...TIMERS]);

/** `h.linkList()` lifted fields against the `ip -j -d link show` of the same state. */
function compareLinks(links: Link[], ip: Array<Record<string, any>>, label: string): void {
  const byIndex = new Map(links.map((l) => [l.index, l]));
  expect(links.map((l) => l.index), label).toEqual(ip.map((j) => j.ifindex));
  for (const j of ip) {
    const l = byIndex.get(j.ifindex)!;
    const at = `${label}: ${j.ifname}`;
    expect(l.name, at).toBe(j.ifname);
    expect(l.kind, at).toBe(j.linkinfo?.info_kind);
    expect(l.flags.filter((f) => f !== 'running').map((f) => f.toUpperCase()).sort(), at).toEqual(
      (j.flags as string[]).filter((f) => f !== 'NO-CARRIER' && f !== 'M-DOWN').sort(),
    );
    expect(l.operState.toUpperCase(), at).toBe(j.operstate);
    expect(l.mtu, at).toBe(j.mtu);
    expect(l.hardwareAddr, at).toBe(j.address);
    expect(l.masterIndex === undefined ? undefined : byIndex.get(l.masterIndex)?.name, at).toBe(j.master);
    if (j.link_index !== undefined) expect(l.parentIndex, at).toBe(j.link_index);
    else expect(l.parentIndex === undefined ? undefined : l.parentIndex === 0 ? null : byIndex.get(l.parentIndex)?.name, at).toBe(j.link);
    expect(l.txQLen, at).toBe(j.txqlen ?? 0);
    expect(l.alias, at).toBe(j.ifalias);
    expect(l.group, at).toBe(j.group === 'default' ? 0 : Number(j.group));
    expect(l.slaveKind, at).toBe(j.linkinfo?.info_slave_kind);
    const info = j.linkinfo?.info_data as Record<string, unknown> | undefined;
    if (info !== undefined) {
      const data = (l.data ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(info)) {
        if (DATA_SKIP.has(k) || v === null || typeof v === 'object') continue;
        const ck = snakeToCamel(k);
        if (!(ck in data)) continue;
        expect(normValue(data[ck]), `${at}: data.${ck} vs info_data.${k}`).toEqual(normValue(v));
      }
    }
  }
}

/** Run the ip commands of a scenario; every one must succeed (the generator makes valid ones). */
function build(t: TestNetns, s: Scenario): void {
  for (const c of s.cmds) {
    const r = t.exec('ip', c);
    if (r.status !== 0) throw new Error(`ip ${c.join(' ')} failed: ${r.stderr.trim()}`);
  }
}

async function checkAll(t: TestNetns, s: Scenario, label: string): Promise<void> {
  compareJson(t, ['-d', 'link', 'show'], label);
  compareJson(t, ['link', 'show'], label);
  compareJson(t, ['-s', 'link', 'show'], label);
  compareJson(t, ['-s', '-s', '-d', 'link', 'show'], label);
  compareJson(t, ['link', 'show', 'up'], label);
  compareJson(t, ['link', 'show', 'group', String(label.length % 3 === 0 ? 'default' : (label.length % 256))], label);
  const dev = s.names[label.length % s.names.length]!;
  compareJson(t, ['-d', 'link', 'show', 'dev', dev], label);
  // One kind per run (each comparison is a process): the runs between them cover all kinds.
  const kinds = ['veth', 'bridge', 'vxlan', 'macvlan', 'macvtap', 'tun', 'ifb'].filter((k) => s.cmds.some((c) => c.includes(k) || (k === 'tun' && c[0] === 'tuntap')));
  if (kinds.length > 0) compareJson(t, ['-d', 'link', 'show', 'type', kinds[label.length % kinds.length]!], label);
  for (const m of s.bridges) compareJson(t, ['link', 'show', 'master', m], label);
  compareText(t, ['link', 'show'], label);
  compareText(t, ['-s', 'link', 'show'], label);
  compareText(t, ['-s', '-s', 'link', 'show'], label);
  compareText(t, ['-d', 'link', 'show'], label);
  if (s.cmds.some((c) => c[0] === 'tuntap')) compareTuntap(t, label);
  const { ip, ours } = await (async () => {
    for (let attempt = 0; ; attempt++) {
      const a = t.ipJson('-d', 'link', 'show');
      const links = await t.h.linkList();
      const b = t.ipJson('-d', 'link', 'show');
      if (JSON.stringify(strip(a)) === JSON.stringify(strip(b)) || attempt === 9) return { ip: b, ours: links };
    }
  })();
  compareLinks(ours, ip, label);
}

describeKernel('rtnl link show against ip, on random link sets built by ip', () => {
  it(`matches ip -j [-d] [-s], the text forms and linkList() (seed ${SEED}, ${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const t = createTestNetns();
        try {
          build(t, s);
          await checkAll(t, s, s.cmds.map((c) => c.join(' ')).join('; '));
        } finally {
          t.close();
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});

describeKernel('regressions found by the link fuzzer', () => {
  const t = useTestNetns();
  const run = (...cmds: string[][]) => build(t(), { cmds, names: [], bridges: [] });

  it('prints ip -d text for every kind: kind and port lines, on/off words, padded timers, queue limits', async () => {
    run(
      ['link', 'add', 'br0', 'type', 'bridge', 'stp_state', '1', 'group_fwd_mask', '0x4000'],
      ['link', 'add', 'v0', 'type', 'veth', 'peer', 'v1'],
      ['link', 'set', 'v0', 'master', 'br0'],
      ['link', 'set', 'v0', 'type', 'bridge_slave', 'fastleave', 'on', 'hairpin', 'on'],
      ['link', 'add', 'vx0', 'type', 'vxlan', 'id', '5', 'remote', '2001:db8::1', 'local', '2001:db8::2', 'dstport', '4789', 'srcport', '1000', '2000', 'ttl', 'auto', 'tos', 'inherit', 'df', 'inherit', 'flowlabel', '0x123', 'proxy', 'rsc', 'l2miss', 'l3miss', 'noudpcsum', 'udp6zerocsumtx'],
      ['link', 'add', 'vx1', 'type', 'vxlan', 'external', 'vnifilter', 'dstport', '4790'],
      ['link', 'add', 'vx2', 'type', 'vxlan', 'id', '7', 'dstport', '4791', 'ttl', 'inherit', 'tos', '0x10', 'gbp'],
      ['link', 'add', 'vx3', 'type', 'vxlan', 'external', 'dstport', '4792', 'gpe'],
      ['link', 'add', 'vx4', 'type', 'vxlan', 'id', '8', 'dstport', '4793', 'remcsumtx', 'remcsumrx', 'ageing', '0', 'maxaddress', '5'],
      ['link', 'add', 'mv0', 'link', 'v1', 'type', 'macvlan', 'mode', 'passthru', 'nopromisc'],
      ['link', 'add', 'ifb0', 'type', 'ifb'],
      ['tuntap', 'add', 'tap0', 'mode', 'tap', 'multi_queue', 'vnet_hdr', 'user', '0'],
      ['tuntap', 'add', 'tun0', 'mode', 'tun', 'pi'],
      ['link', 'set', 'br0', 'up', 'alias', 'héllo wörld ☃'],
      ['link', 'set', 'v0', 'up'],
    );
    compareText(t(), ['-d', 'link', 'show'], 'every kind');
    compareText(t(), ['-s', '-d', 'link', 'show'], 'every kind');
    compareText(t(), ['-s', '-s', 'link', 'show'], 'every kind');
    compareJson(t(), ['-d', 'link', 'show'], 'every kind');
  });

  it('prints alternative names last, one "altname" line each, in every text form', async () => {
    run(
      ['link', 'add', 'v0', 'type', 'veth', 'peer', 'v1'],
      ['link', 'property', 'add', 'dev', 'v0', 'altname', 'a-very-long-alternative-name-0'],
      ['link', 'property', 'add', 'dev', 'v0', 'altname', 'alt1'],
      ['link', 'set', 'v0', 'alias', 'with alias'],
    );
    for (const args of [['link', 'show'], ['-s', 'link', 'show'], ['-s', '-s', 'link', 'show'], ['-d', 'link', 'show']]) compareText(t(), args, 'altnames');
    compareJson(t(), ['-d', 'link', 'show'], 'altnames');
    // ip addr: the altnames stay with the link lines, and -s counters follow the addresses.
    run(['addr', 'add', '192.0.2.1/24', 'dev', 'v0']);
    for (const args of [['addr', 'show'], ['-s', 'addr', 'show'], ['-4', 'addr', 'show'], ['-d', 'addr', 'show']]) compareText(t(), args, 'altnames');
  });

  it('lists the processes holding tun/tap queues with -d tuntap show (this test holds two)', async () => {
    const tap = await t().h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'tapq0', queues: 2, multiQueue: true });
    try {
      run(['tuntap', 'add', 'tun9', 'mode', 'tun']);
      compareTuntap(t(), 'attached queues');
      expect(rtnlIn(t(), ['-d', 'tuntap', 'show'])).toContain(`Attached to processes:`);
      expect(rtnlIn(t(), ['-d', 'tuntap', 'show'])).toMatch(new RegExp(`\\(${process.pid}\\)\\S*\\(${process.pid}\\)`));
    } finally {
      for (const fd of tap.fds ?? []) fd.close();
    }
  });

  it('omits qlen/txqlen when the queue length is 0, as print_queuelen does', async () => {
    run(['link', 'add', 'br0', 'type', 'bridge'], ['link', 'set', 'br0', 'txqueuelen', '0']);
    compareJson(t(), ['link', 'show'], 'txqlen 0');
    compareText(t(), ['link', 'show'], 'txqlen 0');
  });

  it('prints no ttl key for "ttl inherit" vxlans, and ttl 0 for "ttl auto"', async () => {
    run(['link', 'add', 'vx0', 'type', 'vxlan', 'id', '6', 'dstport', '4789', 'ttl', 'inherit'], ['link', 'add', 'vx1', 'type', 'vxlan', 'id', '7', 'dstport', '4790', 'ttl', 'auto']);
    compareJson(t(), ['-d', 'link', 'show'], 'ttl inherit');
    compareText(t(), ['-d', 'link', 'show'], 'ttl inherit');
    expect(t().ipJson('-d', 'link', 'show', 'vx0')[0].linkinfo.info_data.ttl).toBeUndefined();
  });

  it('lists the source MACs of a source-mode macvlan (macaddr_count, macaddr_data)', async () => {
    run(
      ['link', 'add', 'v0', 'type', 'veth', 'peer', 'v1'],
      ['link', 'add', 'mv0', 'link', 'v1', 'type', 'macvlan', 'mode', 'source'],
      ['link', 'add', 'mv1', 'link', 'v0', 'type', 'macvtap', 'mode', 'source'],
      ['link', 'set', 'mv1', 'type', 'macvtap', 'macaddr', 'add', '02:00:00:00:00:05'],
      ['link', 'set', 'mv1', 'type', 'macvtap', 'macaddr', 'add', '02:00:00:00:00:06'],
    );
    compareJson(t(), ['-d', 'link', 'show'], 'macvlan source');
    compareText(t(), ['-d', 'link', 'show'], 'macvlan source');
  });

  it('names the group_fwd_mask bits of a bridge port and prints its backup_port', async () => {
    run(
      ['link', 'add', 'br0', 'type', 'bridge'],
      ['link', 'add', 'v0', 'type', 'veth', 'peer', 'v1'],
      ['link', 'add', 'v2', 'type', 'veth', 'peer', 'v3'],
      ['link', 'set', 'v0', 'master', 'br0'],
      ['link', 'set', 'v2', 'master', 'br0'],
      ['link', 'set', 'v0', 'type', 'bridge_slave', 'group_fwd_mask', '0x4008', 'backup_port', 'v2'],
      ['link', 'set', 'v2', 'type', 'bridge_slave', 'group_fwd_mask', '0'],
    );
    compareJson(t(), ['-d', 'link', 'show'], 'bridge port');
    compareText(t(), ['-d', 'link', 'show'], 'bridge port');
    expect(t().ipJson('-d', 'link', 'show', 'v0')[0].linkinfo.info_slave_data.group_fwd_mask_str).toBe('0x8,lldp');
    compareJson(t(), ['-d', 'link', 'show', 'dev', 'v0'], 'backup_port named in show dev');
  });

  it('names the lower device of a vxlan in "show dev" and "show type" with -d', async () => {
    run(['link', 'add', 'v0', 'type', 'veth', 'peer', 'v1'], ['link', 'add', 'vx0', 'type', 'vxlan', 'id', '1', 'dstport', '4789', 'remote', '192.0.2.1', 'dev', 'v1']);
    compareJson(t(), ['-d', 'link', 'show', 'dev', 'vx0'], 'vxlan dev');
    compareJson(t(), ['-d', 'link', 'show', 'type', 'vxlan'], 'vxlan dev');
  });

  it('prints {} for each link that "up" or "group" filters out, as ip -j does', async () => {
    run(['link', 'add', 'v0', 'group', '5', 'type', 'veth', 'peer', 'v1'], ['link', 'set', 'v1', 'up']);
    compareJson(t(), ['link', 'show', 'up'], 'up');
    compareJson(t(), ['link', 'show', 'group', '5'], 'group');
    compareJson(t(), ['link', 'show', 'dev', 'v0', 'up'], 'dev up');
    compareText(t(), ['link', 'show', 'up'], 'up');
    expect(JSON.parse(rtnlIn(t(), ['-j', 'link', 'show', 'up']))).toContainEqual({});
  });
});
