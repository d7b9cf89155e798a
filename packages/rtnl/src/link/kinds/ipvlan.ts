/** `ipvlan`: layer 2/3 virtual devices sharing the lower device's MAC (IFLA_IPVLAN_*). */
import { validateEnum } from '../../validate.js';
import type { LinkSpecCommon } from '../spec.js';
import { num, registerKind } from './registry.js';

export type IpvlanMode = 'l2' | 'l3' | 'l3s';
export type IpvlanFlag = 'bridge' | 'private' | 'vepa';

export interface IpvlanSpec extends LinkSpecCommon {
  kind: 'ipvlan';
  parentIndex: number;
  mode?: IpvlanMode;
  /** `bridge` (default), `private` or `vepa`. */
  flag?: IpvlanFlag;
}

export interface IpvlanData {
  mode?: IpvlanMode | number;
  flags?: IpvlanFlag;
}

declare module '../spec.js' {
  interface LinkSpecMap {
    ipvlan: IpvlanSpec;
  }
  interface LinkDataMap {
    ipvlan: IpvlanData;
  }
}

const MODES = ['l2', 'l3', 'l3s'] as const;

function modeName(v: unknown): IpvlanMode | number | undefined {
  if (typeof v === 'string') return v as IpvlanMode;
  const n = num(v);
  return n === undefined ? undefined : (MODES[n] ?? n);
}

function flagName(v: unknown): IpvlanFlag {
  if (Array.isArray(v)) return v.includes('private') ? 'private' : v.includes('vepa') ? 'vepa' : 'bridge';
  const n = num(v) ?? 0;
  return n & 1 ? 'private' : n & 2 ? 'vepa' : 'bridge';
}

export const ipvlanKind = registerKind({
  kind: 'ipvlan',
  creatable: true,
  needsParent: true,
  options: ['mode', 'flag'],
  validate(s) {
    if (s.mode !== undefined) validateEnum(s.mode, 'mode', MODES);
    if (s.flag !== undefined) validateEnum(s.flag, 'flag', ['bridge', 'private', 'vepa'] as const);
  },
  infoData(s) {
    const d: Record<string, unknown> = {};
    if (s.mode !== undefined) d.mode = s.mode;
    if (s.flag !== undefined) d.flags = s.flag === 'bridge' ? [] : [s.flag];
    return Object.keys(d).length > 0 ? d : undefined;
  },
  lift(d) {
    return { mode: modeName(d['mode']), flags: flagName(d['flags']) };
  },
  ipJson(d) {
    const o: Record<string, unknown> = {};
    const m = modeName(d['mode']);
    if (m !== undefined) o.mode = m;
    if (d['flags'] !== undefined) o.flags = flagName(d['flags']);
    return o;
  },
  cli: {
    mode: { key: 'mode', parse: (s) => s },
    bridge: { key: 'flag', value: 'bridge' },
    private: { key: 'flag', value: 'private' },
    vepa: { key: 'flag', value: 'vepa' },
  },
});
