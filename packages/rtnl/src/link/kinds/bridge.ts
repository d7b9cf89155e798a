/** `bridge`: an 802.1D bridge (IFLA_BR_*). Times are in the kernel's unit, centiseconds, as `ip` takes them. */
import { validateBool, validateEnum, validateMac, validateUint } from '../../validate.js';
import type { LinkSpecCommon } from '../spec.js';
import { camelLift } from './lift.js';
import { bool, num, onOff, parseOnOff, parseUintArg, registerKind, timerText, type CliOption, type IpJsonContext } from './registry.js';

export interface BridgeSpec extends LinkSpecCommon {
  kind: 'bridge';
  /** 0 off, 1 on (kernel STP), 2 user-space STP. */
  stpState?: number;
  /** Centiseconds (`forward_delay 400` = 4 s), as `ip link add type bridge forward_delay`. */
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  priority?: number;
  vlanFiltering?: boolean;
  vlanDefaultPvid?: number;
  vlanProtocol?: '802.1Q' | '802.1ad';
  vlanStatsEnabled?: boolean;
  mcastSnooping?: boolean;
  mcastRouter?: number;
  mcastQuerier?: boolean;
  mcastQueryUseIfaddr?: boolean;
  mcastHashElasticity?: number;
  mcastHashMax?: number;
  mcastLastMemberCount?: number;
  mcastStartupQueryCount?: number;
  mcastStatsEnabled?: boolean;
  mcastIgmpVersion?: number;
  mcastMldVersion?: number;
  groupFwdMask?: number;
  groupAddress?: string;
  nfCallIptables?: boolean;
  nfCallIp6tables?: boolean;
  nfCallArptables?: boolean;
}

/** `Link.data` of a bridge: the kernel's IFLA_BR_* in camelCase (timers as numbers). */
export interface BridgeData {
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  stpState?: number;
  priority?: number;
  vlanFiltering?: number;
  /** `'802.1Q'` or `'802.1ad'` (ip's spelling); `0x....` for any other protocol number. */
  vlanProtocol?: string;
  mcastSnooping?: number;
  [key: string]: unknown;
}

declare module '../spec.js' {
  interface LinkSpecMap {
    bridge: BridgeSpec;
  }
  interface LinkDataMap {
    bridge: BridgeData;
  }
}

/**
 * IFLA_BR_VLAN_PROTOCOL is a __be16; the codec decodes it big-endian into the spec's
 * vlan-protocols names (`8021q`, `8021ad`), a number for anything else. ip's spelling:
 */
const VLAN_PROTOCOL_TEXT: Record<string, '802.1Q' | '802.1ad'> = { '8021q': '802.1Q', '8021ad': '802.1ad' };
const vlanProtocolText = (v: unknown): string | undefined =>
  typeof v === 'string' ? (VLAN_PROTOCOL_TEXT[v] ?? v) : typeof v === 'number' ? `0x${v.toString(16).padStart(4, '0')}` : undefined;

type Field = [specKey: string, attr: string, check: (v: unknown, f: string) => unknown];
const u = (max: number) => (v: unknown, f: string) => validateUint(v, f, 0, max);
const b01 = (v: unknown, f: string) => (validateBool(v, f) ? 1 : 0);
const FIELDS: Field[] = [
  ['forwardDelay', 'forward-delay', u(0xffffffff)],
  ['helloTime', 'hello-time', u(0xffffffff)],
  ['maxAge', 'max-age', u(0xffffffff)],
  ['ageingTime', 'ageing-time', u(0xffffffff)],
  ['stpState', 'stp-state', u(2)],
  ['priority', 'priority', u(0xffff)],
  ['vlanFiltering', 'vlan-filtering', b01],
  ['vlanProtocol', 'vlan-protocol', (v, f) => (validateEnum(v, f, ['802.1Q', '802.1ad'] as const) === '802.1Q' ? '8021q' : '8021ad')],
  ['groupFwdMask', 'group-fwd-mask', u(0xffff)],
  ['groupAddress', 'group-addr', (v, f) => validateMac(v, f)],
  ['mcastRouter', 'mcast-router', u(3)],
  ['mcastSnooping', 'mcast-snooping', b01],
  ['mcastQueryUseIfaddr', 'mcast-query-use-ifaddr', b01],
  ['mcastQuerier', 'mcast-querier', b01],
  ['mcastHashElasticity', 'mcast-hash-elasticity', u(0xffffffff)],
  ['mcastHashMax', 'mcast-hash-max', u(0xffffffff)],
  ['mcastLastMemberCount', 'mcast-last-member-cnt', u(0xffffffff)],
  ['mcastStartupQueryCount', 'mcast-startup-query-cnt', u(0xffffffff)],
  ['nfCallIptables', 'nf-call-iptables', b01],
  ['nfCallIp6tables', 'nf-call-ip6tables', b01],
  ['nfCallArptables', 'nf-call-arptables', b01],
  ['vlanDefaultPvid', 'vlan-default-pvid', u(4094)],
  ['vlanStatsEnabled', 'vlan-stats-enabled', b01],
  ['mcastStatsEnabled', 'mcast-stats-enabled', b01],
  ['mcastIgmpVersion', 'mcast-igmp-version', (v, f) => validateUint(v, f, 2, 3)],
  ['mcastMldVersion', 'mcast-mld-version', (v, f) => validateUint(v, f, 1, 2)],
];

const CLI: Record<string, CliOption> = {};
for (const [key] of FIELDS) {
  const ipName = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  CLI[ipName] = { key };
}
// ip's spellings that differ from the camelCase-to-snake rule, and value parsers.
Object.assign(CLI, {
  mcast_last_member_count: { key: 'mcastLastMemberCount' },
  mcast_startup_query_count: { key: 'mcastStartupQueryCount' },
  group_address: { key: 'groupAddress', parse: (s: string) => s },
  vlan_protocol: { key: 'vlanProtocol', parse: (s: string) => s },
});
for (const [key, attr, check] of FIELDS) {
  for (const o of Object.values(CLI)) {
    if (o.key !== key || o.parse) continue;
    const probe = check === b01 ? 'bool' : 'uint';
    o.parse = probe === 'bool' ? (s: string) => parseOnOff(attr)(s) : parseUintArg(attr.replace(/-/g, '_'));
  }
}

function fmtBridgeId(v: unknown): string | undefined {
  let prio0: number;
  let prio1: number;
  let mac: string;
  if (v instanceof Uint8Array && v.length >= 8) {
    prio0 = v[0]!;
    prio1 = v[1]!;
    mac = Array.from(v.subarray(2, 8), (x) => x.toString(16)).join(':');
  } else if (v && typeof v === 'object' && 'prio' in v) {
    const o = v as { prio: number; addr: string | Uint8Array };
    prio0 = o.prio & 0xff; // the struct member is two bytes in network order, decoded as host u16
    prio1 = o.prio >> 8;
    const bytes = typeof o.addr === 'string' ? o.addr.split(':').map((x) => parseInt(x, 16)) : Array.from(o.addr);
    mac = bytes.map((x) => x.toString(16)).join(':');
  } else return undefined;
  return `${prio0.toString(16).padStart(2, '0')}${prio1.toString(16).padStart(2, '0')}.${mac}`;
}

const centis = (v: unknown): number | undefined => {
  const n = num(v);
  return n === undefined ? undefined : Math.round(n) / 100;
};

function boolopts(v: unknown): [number, number] | undefined {
  if (v instanceof Uint8Array && v.length >= 8) {
    const dv = new DataView(v.buffer, v.byteOffset, v.length);
    return [dv.getUint32(0, true), dv.getUint32(4, true)];
  }
  if (v && typeof v === 'object' && 'optval' in v) {
    const o = v as { optval: number; optmask: number };
    return [o.optval, o.optmask];
  }
  return undefined;
}

/** Text labels that differ from the JSON keys (iplink_bridge.c bridge_print_opt). */
const BRIDGE_TEXT: Record<string, string> = {
  root_id: 'designated_root',
  group_addr: 'group_address',
  mcast_last_member_cnt: 'mcast_last_member_count',
  mcast_startup_query_cnt: 'mcast_startup_query_count',
  mcast_last_member_intvl: 'mcast_last_member_interval',
  mcast_membership_intvl: 'mcast_membership_interval',
  mcast_querier_intvl: 'mcast_querier_interval',
  mcast_query_intvl: 'mcast_query_interval',
  mcast_query_response_intvl: 'mcast_query_response_interval',
  mcast_startup_query_intvl: 'mcast_startup_query_interval',
};
const TIMER_KEYS = new Set(['hello_timer', 'tcn_timer', 'topology_change_timer', 'gc_timer', 'hold_timer', 'message_age_timer', 'forward_delay_timer']);

/** Same keys and order as the JSON; ip only relabels some and pads the timers. */
function bridgeText(j: Record<string, unknown>): string {
  let s = '';
  for (const [k, v] of Object.entries(j)) s += `${BRIDGE_TEXT[k] ?? k} ${TIMER_KEYS.has(k) ? timerText(v as number) : String(v)} `;
  return s;
}

export const bridgeKind = registerKind({
  kind: 'bridge',
  creatable: true,
  options: FIELDS.map((f) => f[0]),
  validate(spec) {
    for (const [key, , check] of FIELDS) if (spec[key] !== undefined) check(spec[key], key);
  },
  infoData(spec) {
    const data: Record<string, unknown> = {};
    for (const [key, attr, check] of FIELDS) if (spec[key] !== undefined) data[attr] = check(spec[key], key);
    return Object.keys(data).length > 0 ? data : undefined;
  },
  lift(d) {
    const o = camelLift(d);
    if (d['vlan-protocol'] !== undefined) o.vlanProtocol = vlanProtocolText(d['vlan-protocol']);
    return o;
  },
  ipJson(d) {
    const o: Record<string, unknown> = {};
    const put = (k: string, v: unknown) => {
      if (v !== undefined) o[k] = v;
    };
    put('forward_delay', num(d['forward-delay']));
    put('hello_time', num(d['hello-time']));
    put('max_age', num(d['max-age']));
    put('ageing_time', num(d['ageing-time']));
    put('stp_state', num(d['stp-state']));
    put('priority', num(d['priority']));
    put('vlan_filtering', num(d['vlan-filtering']));
    put('vlan_protocol', vlanProtocolText(d['vlan-protocol']));
    put('bridge_id', fmtBridgeId(d['bridge-id']));
    put('root_id', fmtBridgeId(d['root-id']));
    put('root_port', num(d['root-port']));
    put('root_path_cost', num(d['root-path-cost']));
    put('topology_change', num(d['topology-change']));
    put('topology_change_detected', num(d['topology-change-detected']));
    put('hello_timer', centis(d['hello-timer']));
    put('tcn_timer', centis(d['tcn-timer']));
    put('topology_change_timer', centis(d['topology-change-timer']));
    put('gc_timer', centis(d['gc-timer']));
    put('vlan_default_pvid', num(d['vlan-default-pvid']));
    put('vlan_stats_enabled', num(d['vlan-stats-enabled']));
    put('vlan_stats_per_port', num(d['vlan-stats-per-port']));
    const mask = num(d['group-fwd-mask']);
    if (mask !== undefined) put('group_fwd_mask', mask === 0 ? '0' : `0x${mask.toString(16)}`);
    put('group_addr', typeof d['group-addr'] === 'string' ? d['group-addr'] : undefined);
    put('mcast_snooping', num(d['mcast-snooping']));
    const bo = boolopts(d['multi-boolopt']);
    if (bo) {
      put('no_linklocal_learn', bo[0] & 1 ? 1 : 0);
      put('mcast_vlan_snooping', bo[0] & 2 ? 1 : 0);
    }
    put('mcast_router', num(d['mcast-router']));
    put('mcast_query_use_ifaddr', num(d['mcast-query-use-ifaddr']));
    put('mcast_querier', num(d['mcast-querier']));
    put('mcast_hash_elasticity', num(d['mcast-hash-elasticity']));
    put('mcast_hash_max', num(d['mcast-hash-max']));
    put('mcast_last_member_cnt', num(d['mcast-last-member-cnt']));
    put('mcast_startup_query_cnt', num(d['mcast-startup-query-cnt']));
    put('mcast_last_member_intvl', num(d['mcast-last-member-intvl']));
    put('mcast_membership_intvl', num(d['mcast-membership-intvl']));
    put('mcast_querier_intvl', num(d['mcast-querier-intvl']));
    put('mcast_query_intvl', num(d['mcast-query-intvl']));
    put('mcast_query_response_intvl', num(d['mcast-query-response-intvl']));
    put('mcast_startup_query_intvl', num(d['mcast-startup-query-intvl']));
    put('mcast_stats_enabled', num(d['mcast-stats-enabled']));
    put('mcast_igmp_version', num(d['mcast-igmp-version']));
    put('mcast_mld_version', num(d['mcast-mld-version']));
    put('nf_call_iptables', num(d['nf-call-iptables']));
    put('nf_call_ip6tables', num(d['nf-call-ip6tables']));
    put('nf_call_arptables', num(d['nf-call-arptables']));
    return o;
  },
  ipText(d, ctx) {
    return bridgeText(bridgeKind.ipJson!(d, ctx) ?? {});
  },
  cli: CLI,
});

/** Port text labels that differ from the JSON keys (iplink_bridge_slave.c). */
const PORT_TEXT: Record<string, string> = {
  id: 'port_id',
  no: 'port_no',
  bridge_id: 'designated_bridge',
  root_id: 'designated_root',
  multicast_router: 'mcast_router',
};

/**
 * `ip -d link show` text of a bridge port (after `    bridge_slave `): the JSON's keys and
 * order, booleans as on/off, timers padded, and the text-only `mcast_fast_leave` after
 * `mcast_router`.
 */
export function bridgePortText(d: Record<string, unknown>, ctx?: Pick<IpJsonContext, 'linkName'>): string {
  const j = bridgePortIpJson(d, ctx);
  let s = '';
  for (const [k, v] of Object.entries(j)) {
    s += `${PORT_TEXT[k] ?? k} ${typeof v === 'boolean' ? onOff(v) : TIMER_KEYS.has(k) ? timerText(v as number) : String(v)} `;
    if (k === 'multicast_router' && d['fast-leave'] !== undefined) s += `mcast_fast_leave ${onOff(bool(d['fast-leave']))} `;
  }
  return s;
}

/** `ip -j -d` `info_slave_data` of a bridge port (IFLA_BRPORT_*), in ip's key order. */
/** Names ip gives the bits of a port's group_fwd_mask (iplink_bridge_slave.c fwd_mask_tbl). */
const FWD_MASK_NAMES: Record<number, string> = { 0: 'stp', 2: 'lacp', 14: 'lldp' };

/** `group_fwd_mask_str`: named bits, others as `0x...`, comma-separated; `0x0` when empty. */
function fwdMaskText(mask: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i++) if (mask & (1 << i)) parts.push(FWD_MASK_NAMES[i] ?? `0x${(1 << i).toString(16)}`);
  return parts.length === 0 ? '0x0' : parts.join(',');
}

export function bridgePortIpJson(d: Record<string, unknown>, ctx?: Pick<IpJsonContext, 'linkName'>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  const states = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
  const st = num(d['state']);
  if (st !== undefined) put('state', states[st] ?? String(st));
  put('priority', num(d['priority']));
  put('cost', num(d['cost']));
  put('hairpin', bool(d['mode']));
  put('guard', bool(d['guard']));
  put('root_block', bool(d['protect']));
  put('fastleave', bool(d['fast-leave']));
  put('learning', bool(d['learning']));
  put('flood', bool(d['unicast-flood']));
  const id = num(d['id']);
  if (id !== undefined) put('id', `0x${id.toString(16)}`);
  const no = num(d['no']);
  if (no !== undefined) put('no', `0x${no.toString(16)}`);
  put('designated_port', num(d['designated-port']));
  put('designated_cost', num(d['designated-cost']));
  put('bridge_id', fmtBridgeId(d['bridge-id']));
  put('root_id', fmtBridgeId(d['root-id']));
  put('hold_timer', centis(d['hold-timer']));
  put('message_age_timer', centis(d['message-age-timer']));
  put('forward_delay_timer', centis(d['forward-delay-timer']));
  put('topology_change_ack', num(d['topology-change-ack']));
  put('config_pending', num(d['config-pending']));
  put('proxy_arp', bool(d['proxyarp']));
  put('proxy_arp_wifi', bool(d['proxyarp-wifi']));
  put('multicast_router', num(d['multicast-router']));
  put('mcast_flood', bool(d['mcast-flood']));
  put('bcast_flood', bool(d['bcast-flood']));
  put('mcast_to_unicast', bool(d['mcast-to-ucast']));
  put('neigh_suppress', bool(d['neigh-suppress']));
  const gm = num(d['group-fwd-mask']);
  if (gm !== undefined) {
    put('group_fwd_mask', gm === 0 ? '0' : `0x${gm.toString(16)}`);
    put('group_fwd_mask_str', fwdMaskText(gm));
  }
  put('vlan_tunnel', bool(d['vlan-tunnel']));
  put('isolated', bool(d['isolated']));
  put('locked', bool(d['locked']));
  const backup = num(d['backup-port']);
  if (backup !== undefined) put('backup_port', ctx?.linkName(backup) ?? `if${backup}`);
  return o;
}
