/** `vlan`: an 802.1Q/802.1ad VLAN on a lower device (IFLA_VLAN_*). */
import { validateBool, validateEnum, validateUint } from '../../validate.js';
import type { LinkSpecCommon } from '../spec.js';
import { num, parseOnOff, parseUintArg, registerKind } from './registry.js';

export interface VlanSpec extends LinkSpecCommon {
  kind: 'vlan';
  parentIndex: number;
  /** VLAN id 0..4094. */
  id: number;
  /** Default 802.1Q. */
  protocol?: '802.1Q' | '802.1ad';
  reorderHdr?: boolean;
  gvrp?: boolean;
  mvrp?: boolean;
  looseBinding?: boolean;
  bridgeBinding?: boolean;
}

export interface VlanData {
  id?: number;
  protocol?: '802.1Q' | '802.1ad' | number;
  flags?: string[];
}

declare module '../spec.js' {
  interface LinkSpecMap {
    vlan: VlanSpec;
  }
  interface LinkDataMap {
    vlan: VlanData;
  }
}

const FLAGS: Array<[key: string, name: string, bit: number]> = [
  ['reorderHdr', 'reorder-hdr', 1],
  ['gvrp', 'gvrp', 2],
  ['looseBinding', 'loose-binding', 4],
  ['mvrp', 'mvrp', 8],
  ['bridgeBinding', 'bridge-binding', 16],
];

function protoName(v: unknown): '802.1Q' | '802.1ad' | number | undefined {
  if (v === '8021q' || v === 0x8100) return '802.1Q';
  if (v === '8021ad' || v === 0x88a8) return '802.1ad';
  return num(v);
}

function flagNames(v: unknown): string[] {
  if (v && typeof v === 'object' && 'flags' in v) {
    const f = (v as { flags: unknown }).flags;
    if (Array.isArray(f)) return f.filter((x): x is string => typeof x === 'string');
    const n = num(f) ?? 0;
    return FLAGS.filter(([, , bit]) => n & bit).map(([, name]) => name);
  }
  return [];
}

export const vlanKind = registerKind({
  kind: 'vlan',
  creatable: true,
  needsParent: true,
  options: ['id', 'protocol', ...FLAGS.map((f) => f[0])],
  validate(s) {
    validateUint(s.id, 'id', 0, 4094);
    if (s.protocol !== undefined) validateEnum(s.protocol, 'protocol', ['802.1Q', '802.1ad'] as const);
    for (const [k] of FLAGS) if (s[k] !== undefined) validateBool(s[k], k);
  },
  infoData(s) {
    const d: Record<string, unknown> = { id: s.id };
    let mask = 0;
    const set: string[] = [];
    for (const [k, name, bit] of FLAGS) {
      if (s[k] === undefined) continue;
      mask |= bit;
      if (s[k]) set.push(name);
    }
    if (mask !== 0) d.flags = { flags: set, mask };
    if (s.protocol !== undefined) d.protocol = s.protocol === '802.1ad' ? '8021ad' : '8021q';
    return d;
  },
  lift(d) {
    return { id: num(d['id']), protocol: protoName(d['protocol']), flags: flagNames(d['flags']) };
  },
  ipJson(d) {
    const o: Record<string, unknown> = {};
    const p = protoName(d['protocol']);
    if (p !== undefined) o.protocol = p;
    const id = num(d['id']);
    if (id !== undefined) o.id = id;
    const names = flagNames(d['flags']);
    if (d['flags'] !== undefined) o.flags = names.map((n) => n.toUpperCase().replace(/-/g, '_'));
    return o;
  },
  // vlan_print_opt: the flags are a `<A,B> ` list in text (a JSON array).
  ipText(d, ctx) {
    const j = vlanKind.ipJson!(d, ctx) ?? {};
    let s = '';
    if (j.protocol !== undefined) s += `protocol ${j.protocol as string} `;
    if (j.id !== undefined) s += `id ${j.id as number} `;
    if (Array.isArray(j.flags)) s += `<${(j.flags as string[]).join(',')}> `;
    return s;
  },
  cli: {
    id: { key: 'id', parse: parseUintArg('vlan id', 4094) },
    protocol: { key: 'protocol', parse: (s) => (s.toLowerCase() === '802.1q' ? '802.1Q' : s.toLowerCase() === '802.1ad' ? '802.1ad' : s) },
    reorder_hdr: { key: 'reorderHdr', parse: parseOnOff('reorder_hdr') },
    gvrp: { key: 'gvrp', parse: parseOnOff('gvrp') },
    mvrp: { key: 'mvrp', parse: parseOnOff('mvrp') },
    loose_binding: { key: 'looseBinding', parse: parseOnOff('loose_binding') },
    bridge_binding: { key: 'bridgeBinding', parse: parseOnOff('bridge_binding') },
  },
});
