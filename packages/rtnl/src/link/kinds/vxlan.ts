/** `vxlan`: a VXLAN tunnel endpoint (IFLA_VXLAN_*). */
import { validateBool, validateIp, validateUint } from '../../validate.js';
import type { LinkSpecCommon } from '../spec.js';
import { camelLift } from './lift.js';
import { bool, num, parseUintArg, registerKind } from './registry.js';

export interface VxlanSpec extends LinkSpecCommon {
  kind: 'vxlan';
  /** VNI (`id` in ip), 0..16777215. `vni` is an alias. */
  id?: number;
  vni?: number;
  /** Multicast group (IPv4 or IPv6). */
  group?: string;
  /** Unicast remote (IPv4 or IPv6). */
  remote?: string;
  local?: string;
  /** UDP destination port (`dstport`). `port` is an alias. */
  dstport?: number;
  port?: number;
  /** UDP source port range. */
  portRange?: { low: number; high: number };
  learning?: boolean;
  ttl?: number;
  tos?: number;
  ageing?: number;
  limit?: number;
  proxy?: boolean;
  l2miss?: boolean;
  l3miss?: boolean;
  udpCsum?: boolean;
  /** The underlying device (`dev` in ip): IFLA_VXLAN_LINK. `parentIndex` is the same. */
  vxlanLinkIndex?: number;
  /** Metadata-only (`external`). */
  external?: boolean;
}

export interface VxlanData {
  id?: number;
  group?: string;
  local?: string;
  port?: number;
  learning?: number;
  ttl?: number;
  link?: number;
  [key: string]: unknown;
}

declare module '../spec.js' {
  interface LinkSpecMap {
    vxlan: VxlanSpec;
  }
  interface LinkDataMap {
    vxlan: VxlanData;
  }
}

function isMulticast(ip: string, fam: 4 | 6): boolean {
  if (fam === 6) return /^ff/i.test(ip);
  const first = Number(ip.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** JSON keys ip prints after ttl: where a `ttl inherit` text goes. */
const TTL_AFTER = new Set(['df', 'label', 'ageing', 'limit', 'udp_csum', 'udp_zero_csum6_tx', 'udp_zero_csum6_rx', 'remcsum_tx', 'remcsum_rx', 'gbp', 'gpe']);

export const vxlanKind = registerKind({
  kind: 'vxlan',
  creatable: true,
  options: ['id', 'vni', 'group', 'remote', 'local', 'dstport', 'port', 'portRange', 'learning', 'ttl', 'tos', 'ageing', 'limit', 'proxy', 'l2miss', 'l3miss', 'udpCsum', 'vxlanLinkIndex', 'external'],
  validate(s) {
    const id = s.id ?? s.vni;
    if (s.id !== undefined && s.vni !== undefined && s.id !== s.vni) throw new RangeError('vxlan: id and vni disagree');
    if (id === undefined && s.external !== true) throw new TypeError('vxlan: id (the VNI) is required');
    if (id !== undefined) validateUint(id, s.id !== undefined ? 'id' : 'vni', 0, 0xffffff);
    if (s.group !== undefined && s.remote !== undefined) throw new TypeError('vxlan: group and remote are exclusive');
    if (s.group !== undefined && !isMulticast(s.group as string, validateIp(s.group, 'group'))) throw new RangeError(`group: ${String(s.group)} is not a multicast address`);
    if (s.remote !== undefined && isMulticast(s.remote as string, validateIp(s.remote, 'remote'))) throw new RangeError(`remote: ${String(s.remote)} is a multicast address (use group)`);
    if (s.local !== undefined) validateIp(s.local, 'local');
    for (const k of ['dstport', 'port']) if (s[k] !== undefined) validateUint(s[k], k, 0, 0xffff);
    if (s.portRange !== undefined) {
      const r = s.portRange as { low: unknown; high: unknown };
      validateUint(r?.low, 'portRange.low', 1, 0xffff);
      validateUint(r?.high, 'portRange.high', r.low as number, 0xffff);
    }
    for (const k of ['ttl', 'tos']) if (s[k] !== undefined) validateUint(s[k], k, 0, 255);
    for (const k of ['ageing', 'limit']) if (s[k] !== undefined) validateUint(s[k], k);
    for (const k of ['learning', 'proxy', 'l2miss', 'l3miss', 'udpCsum', 'external']) if (s[k] !== undefined) validateBool(s[k], k);
    if (s.vxlanLinkIndex !== undefined) validateUint(s.vxlanLinkIndex, 'vxlanLinkIndex', 1, 0x7fffffff);
  },
  infoData(s) {
    const d: Record<string, unknown> = {};
    const id = (s.id ?? s.vni) as number | undefined;
    if (id !== undefined) d.id = id;
    const peer = (s.group ?? s.remote) as string | undefined;
    if (peer !== undefined) d[peer.includes(':') ? 'group6' : 'group'] = peer;
    const local = s.local as string | undefined;
    if (local !== undefined) d[local.includes(':') ? 'local6' : 'local'] = local;
    const link = (s.vxlanLinkIndex ?? s.parentIndex) as number | undefined;
    if (link !== undefined) d.link = link;
    if (s.ttl !== undefined) d.ttl = s.ttl;
    if (s.tos !== undefined) d.tos = s.tos;
    if (s.learning !== undefined) d.learning = s.learning ? 1 : 0;
    if (s.ageing !== undefined) d.ageing = s.ageing;
    if (s.limit !== undefined) d.limit = s.limit;
    if (s.portRange !== undefined) d['port-range'] = s.portRange;
    if (s.proxy !== undefined) d.proxy = s.proxy ? 1 : 0;
    if (s.l2miss !== undefined) d.l2miss = s.l2miss ? 1 : 0;
    if (s.l3miss !== undefined) d.l3miss = s.l3miss ? 1 : 0;
    const port = (s.dstport ?? s.port) as number | undefined;
    if (port !== undefined) d.port = port;
    if (s.udpCsum !== undefined) d['udp-csum'] = s.udpCsum ? 1 : 0;
    if (s.external !== undefined) d['collect-metadata'] = s.external ? 1 : 0;
    return d;
  },
  lift: camelLift,
  ipJson(d, ctx) {
    const o: Record<string, unknown> = {};
    const put = (k: string, v: unknown) => {
      if (v !== undefined) o[k] = v;
    };
    if (num(d['collect-metadata'])) put('external', true);
    if (num(d['vnifilter'])) put('vnifilter', true);
    put('id', num(d['id']));
    const g = d['group'] as string | undefined;
    const g6 = d['group6'] as string | undefined;
    if (g !== undefined) {
      if (g !== '0.0.0.0') put(isMulticast(g, 4) ? 'group' : 'remote', g);
    } else if (g6 !== undefined && g6 !== '::') put(isMulticast(g6, 6) ? 'group6' : 'remote6', g6);
    const l = d['local'] as string | undefined;
    const l6 = d['local6'] as string | undefined;
    if (l !== undefined) {
      if (l !== '0.0.0.0') put('local', l);
    } else if (l6 !== undefined && l6 !== '::') put('local6', l6);
    const link = num(d['link']);
    // ll_index_to_name: an index it cannot name prints as "if<N>".
    if (link) put('link', ctx.linkName(link) ?? `if${link}`);
    const pr = d['port-range'] as { low: number; high: number } | undefined;
    if (pr && typeof pr === 'object') put('port_range', { low: pr.low, high: pr.high });
    put('port', num(d['port']));
    put('learning', bool(d['learning']));
    if (num(d['proxy'])) put('proxy', true);
    if (num(d['rsc'])) put('rsc', true);
    if (num(d['l2miss'])) put('l2miss', true);
    if (num(d['l3miss'])) put('l3miss', true);
    const tos = num(d['tos']);
    if (tos) put('tos', `0x${tos.toString(16)}`);
    // iproute2 6.1: `ttl inherit` is text-only (no JSON key); otherwise the TTL, 0 being "auto".
    if (!num(d['ttl-inherit'])) put('ttl', num(d['ttl']));
    const df = d['df'];
    if (df === 'unset' || df === 0) put('df', 'unset');
    else if (df === 'set' || df === 1) put('df', 'set');
    else if (df === 'inherit' || df === 2) put('df', 'inherit');
    const label = num(d['label']);
    if (label) put('label', `0x${label.toString(16)}`);
    put('ageing', num(d['ageing']));
    const limit = num(d['limit']);
    if (limit) put('limit', limit);
    put('udp_csum', bool(d['udp-csum']));
    put('udp_zero_csum6_tx', bool(d['udp-zero-csum6-tx']));
    put('udp_zero_csum6_rx', bool(d['udp-zero-csum6-rx']));
    if (num(d['remcsum-tx'])) put('remcsum_tx', true);
    if (num(d['remcsum-rx'])) put('remcsum_rx', true);
    if (d['gbp'] !== undefined) put('gbp', true);
    if (d['gpe'] !== undefined) put('gpe', true);
    return o;
  },
  ipText(d, ctx) {
    const j = vxlanKind.ipJson!(d, ctx) ?? {};
    let s = '';
    // `ttl inherit` has no JSON key: the text prints it where ttl would be (after tos).
    let inherit = num(d['ttl-inherit']) ? 'ttl inherit ' : '';
    for (const [k, v] of Object.entries(j)) {
      if (inherit && TTL_AFTER.has(k)) {
        s += inherit;
        inherit = '';
      }
      switch (k) {
        case 'external':
          s += 'external ';
          break;
        case 'vnifilter':
          s += 'vnifilter'; // iproute2 6.1 prints it without the trailing space
          break;
        case 'group6':
        case 'remote6':
        case 'local6':
          s += `${k.slice(0, -1)} ${v as string} `;
          break;
        case 'link':
          s += `dev ${v as string} `;
          break;
        case 'port_range': {
          const r = v as { low: number; high: number };
          s += `srcport ${r.low} ${r.high} `;
          break;
        }
        case 'port':
          s += `dstport ${v as number} `;
          break;
        case 'learning':
          if (!v) s += 'nolearning ';
          break;
        case 'tos':
          s += v === '0x1' ? 'tos inherit ' : `tos ${v as string} `;
          break;
        case 'ttl':
          s += v === 0 ? 'ttl auto ' : `ttl ${v as number} `;
          break;
        case 'df':
          if (v !== 'unset') s += `df ${v as string} `;
          break;
        case 'label':
          s += `flowlabel ${v as string} `;
          break;
        case 'limit':
          s += `maxaddr ${v as number} `;
          break;
        case 'udp_csum':
          s += `${v ? '' : 'no'}udpcsum `;
          break;
        case 'udp_zero_csum6_tx':
          s += `${v ? '' : 'no'}udp6zerocsumtx `;
          break;
        case 'udp_zero_csum6_rx':
          s += `${v ? '' : 'no'}udp6zerocsumrx `;
          break;
        case 'remcsum_tx':
          s += 'remcsumtx ';
          break;
        case 'remcsum_rx':
          s += 'remcsumrx ';
          break;
        default:
          s += v === true ? `${k} ` : `${k} ${String(v)} `;
      }
    }
    return s + inherit;
  },
  cli: {
    id: { key: 'id', parse: parseUintArg('vxlan id', 0xffffff) },
    vni: { key: 'id', parse: parseUintArg('vxlan id', 0xffffff) },
    group: { key: 'group', parse: (s) => s },
    remote: { key: 'remote', parse: (s) => s },
    local: { key: 'local', parse: (s) => s },
    dstport: { key: 'dstport', parse: parseUintArg('dstport', 0xffff) },
    ttl: { key: 'ttl', parse: parseUintArg('ttl', 255) },
    tos: { key: 'tos', parse: parseUintArg('tos', 255) },
    ageing: { key: 'ageing', parse: parseUintArg('ageing') },
    maxaddress: { key: 'limit', parse: parseUintArg('maxaddress') },
    learning: { key: 'learning', value: true },
    nolearning: { key: 'learning', value: false },
    proxy: { key: 'proxy', value: true },
    l2miss: { key: 'l2miss', value: true },
    l3miss: { key: 'l3miss', value: true },
    udpcsum: { key: 'udpCsum', value: true },
    noudpcsum: { key: 'udpCsum', value: false },
    external: { key: 'external', value: true },
  },
});
