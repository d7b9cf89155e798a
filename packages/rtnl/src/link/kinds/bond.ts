/** `bond`: link aggregation (IFLA_BOND_*). */
import { validateEnum, validateUint } from '../../validate.js';
import type { LinkSpecCommon } from '../spec.js';
import { camelLift } from './lift.js';
import { num, parseUintArg, registerKind } from './registry.js';

export const BOND_MODES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'] as const;
export type BondMode = (typeof BOND_MODES)[number];
export const BOND_XMIT_HASH_POLICIES = ['layer2', 'layer3+4', 'layer2+3', 'encap2+3', 'encap3+4', 'vlan+srcmac'] as const;
export type BondXmitHashPolicy = (typeof BOND_XMIT_HASH_POLICIES)[number];

export interface BondSpec extends LinkSpecCommon {
  kind: 'bond';
  mode?: BondMode;
  /** MII link monitoring interval, ms. */
  miimon?: number;
  updelay?: number;
  downdelay?: number;
  xmitHashPolicy?: BondXmitHashPolicy;
  lacpRate?: 'slow' | 'fast';
  minLinks?: number;
  arpInterval?: number;
}

export interface BondData {
  mode?: BondMode | number;
  miimon?: number;
  [key: string]: unknown;
}

declare module '../spec.js' {
  interface LinkSpecMap {
    bond: BondSpec;
  }
  interface LinkDataMap {
    bond: BondData;
  }
}

export const bondKind = registerKind({
  kind: 'bond',
  creatable: true,
  options: ['mode', 'miimon', 'updelay', 'downdelay', 'xmitHashPolicy', 'lacpRate', 'minLinks', 'arpInterval'],
  validate(s) {
    if (s.mode !== undefined) validateEnum(s.mode, 'mode', BOND_MODES);
    for (const k of ['miimon', 'updelay', 'downdelay', 'minLinks', 'arpInterval']) if (s[k] !== undefined) validateUint(s[k], k, 0, 0x7fffffff);
    if (s.xmitHashPolicy !== undefined) validateEnum(s.xmitHashPolicy, 'xmitHashPolicy', BOND_XMIT_HASH_POLICIES);
    if (s.lacpRate !== undefined) validateEnum(s.lacpRate, 'lacpRate', ['slow', 'fast'] as const);
  },
  infoData(s) {
    // Attribute order follows IFLA_BOND_* numbering, as iproute2 emits them.
    const d: Record<string, unknown> = {};
    if (s.mode !== undefined) d.mode = BOND_MODES.indexOf(s.mode as BondMode);
    if (s.miimon !== undefined) d.miimon = s.miimon;
    if (s.updelay !== undefined) d.updelay = s.updelay;
    if (s.downdelay !== undefined) d.downdelay = s.downdelay;
    if (s.arpInterval !== undefined) d['arp-interval'] = s.arpInterval;
    if (s.xmitHashPolicy !== undefined) d['xmit-hash-policy'] = BOND_XMIT_HASH_POLICIES.indexOf(s.xmitHashPolicy as BondXmitHashPolicy);
    if (s.minLinks !== undefined) d['min-links'] = s.minLinks;
    if (s.lacpRate !== undefined) d['ad-lacp-rate'] = s.lacpRate === 'fast' ? 1 : 0;
    return Object.keys(d).length > 0 ? d : undefined;
  },
  lift(d) {
    const o = camelLift(d);
    const m = num(d['mode']);
    if (m !== undefined) o.mode = BOND_MODES[m] ?? m;
    const x = num(d['xmit-hash-policy']);
    if (x !== undefined) o.xmitHashPolicy = BOND_XMIT_HASH_POLICIES[x] ?? x;
    return o;
  },
  ipJson(d) {
    const o: Record<string, unknown> = {};
    const m = num(d['mode']);
    if (m !== undefined) o.mode = BOND_MODES[m] ?? String(m);
    for (const [attr, key] of [['miimon', 'miimon'], ['updelay', 'updelay'], ['downdelay', 'downdelay'], ['arp-interval', 'arp_interval'], ['min-links', 'min_links']] as const) {
      const v = num(d[attr]);
      if (v !== undefined) o[key] = v;
    }
    const x = num(d['xmit-hash-policy']);
    if (x !== undefined) o.xmit_hash_policy = BOND_XMIT_HASH_POLICIES[x] ?? String(x);
    const r = num(d['ad-lacp-rate']);
    if (r !== undefined) o.ad_lacp_rate = r ? 'fast' : 'slow';
    return o;
  },
  cli: {
    mode: { key: 'mode', parse: (s) => s },
    miimon: { key: 'miimon', parse: parseUintArg('miimon') },
    updelay: { key: 'updelay', parse: parseUintArg('updelay') },
    downdelay: { key: 'downdelay', parse: parseUintArg('downdelay') },
    arp_interval: { key: 'arpInterval', parse: parseUintArg('arp_interval') },
    xmit_hash_policy: { key: 'xmitHashPolicy', parse: (s) => s },
    lacp_rate: { key: 'lacpRate', parse: (s) => s },
    min_links: { key: 'minLinks', parse: parseUintArg('min_links') },
  },
});
