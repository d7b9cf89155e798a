/** `macvlan` and `macvtap`: MAC-address-based virtual devices on a lower device (IFLA_MACVLAN_*). */
import { validateBool, validateEnum, validateUint } from '../../validate.js';
import type { LinkSpecCommon } from '../spec.js';
import { camelLift } from './lift.js';
import { num, parseUintArg, registerKind, type KindModule } from './registry.js';

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';
const MODES: readonly MacvlanMode[] = ['private', 'vepa', 'bridge', 'passthru', 'source'];
const MODE_VALUES: Record<MacvlanMode, number> = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 };

export interface MacvlanSpec extends LinkSpecCommon {
  kind: 'macvlan';
  /** Required: the lower device. */
  parentIndex: number;
  mode?: MacvlanMode;
  /** passthru only: do not put the lower device in promiscuous mode. */
  noPromisc?: boolean;
  /** Broadcast queue length. */
  bcQueueLen?: number;
}

export interface MacvtapSpec extends Omit<MacvlanSpec, 'kind'> {
  kind: 'macvtap';
}

export interface MacvlanData {
  mode?: MacvlanMode | number;
  flags?: unknown;
  bcQueueLen?: number;
  bcQueueLenUsed?: number;
  [key: string]: unknown;
}

declare module '../spec.js' {
  interface LinkSpecMap {
    macvlan: MacvlanSpec;
    macvtap: MacvtapSpec;
  }
  interface LinkDataMap {
    macvlan: MacvlanData;
  }
}

function modeName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const n = num(v);
  if (n === undefined) return undefined;
  const e = Object.entries(MODE_VALUES).find(([, x]) => x === n);
  return e ? e[0] : 'unknown';
}

function flagsHas(v: unknown, name: string, bit: number): boolean {
  if (Array.isArray(v)) return v.includes(name);
  const n = num(v);
  return n !== undefined && (n & bit) !== 0;
}

/** IFLA_MACVLAN_MACADDR_DATA: a nest of IFLA_MACVLAN_MACADDR (the codec's `macaddr` list). */
function sourceMacs(v: unknown): string[] | undefined {
  if (v === undefined || v === null || typeof v !== 'object' || v instanceof Uint8Array) return undefined;
  const m = (v as Record<string, unknown>).macaddr;
  const all = m === undefined ? [] : Array.isArray(m) ? m : [m];
  return all.map((x) => (x instanceof Uint8Array ? Array.from(x, (b) => b.toString(16).padStart(2, '0')).join(':') : String(x)));
}

function make(kind: 'macvlan' | 'macvtap'): KindModule {
  const m: KindModule = registerKind({
    kind,
    creatable: true,
    needsParent: true,
    options: ['mode', 'noPromisc', 'bcQueueLen'],
    validate(s) {
      if (s.mode !== undefined) validateEnum(s.mode, 'mode', MODES);
      if (s.noPromisc !== undefined) validateBool(s.noPromisc, 'noPromisc');
      if (s.noPromisc === true && s.mode !== 'passthru') throw new RangeError('noPromisc needs mode passthru');
      if (s.bcQueueLen !== undefined) validateUint(s.bcQueueLen, 'bcQueueLen');
    },
    infoData(s) {
      const d: Record<string, unknown> = {};
      if (s.mode !== undefined) d.mode = s.mode;
      if (s.noPromisc) d.flags = ['nopromisc'];
      if (s.bcQueueLen !== undefined) d['bc-queue-len'] = s.bcQueueLen;
      return Object.keys(d).length > 0 ? d : undefined;
    },
    lift(d) {
      const o = camelLift(d);
      if (o.mode !== undefined) o.mode = modeName(o.mode);
      return o;
    },
    ipJson(d) {
      const o: Record<string, unknown> = {};
      const mode = modeName(d['mode']);
      if (mode !== undefined) o.mode = mode;
      if (d['flags'] !== undefined) {
        if (flagsHas(d['flags'], 'nopromisc', 1)) o.nopromisc = true;
        if (flagsHas(d['flags'], 'nodst', 2)) o.nodst = true;
      }
      const q = num(d['bc-queue-len']);
      if (q !== undefined) o.bcqueuelen = q;
      const u = num(d['bc-queue-len-used']);
      if (u !== undefined) o.usedbcqueuelen = u;
      // Source mode lists the allowed source MACs (macvlan_print_opt prints them last).
      if (mode === 'source') {
        const count = num(d['macaddr-count']);
        if (count === undefined) return o;
        o.macaddr_count = count;
        const list = sourceMacs(d['macaddr-data']);
        if (list !== undefined) o.macaddr_data = list;
      }
      return o;
    },
    ipText(d, ctx) {
      const j = m.ipJson!(d, ctx) ?? {};
      let s = '';
      for (const [k, v] of Object.entries(j)) {
        if (k === 'macaddr_count') s += `remotes (${v as number}) `;
        else if (k === 'macaddr_data') for (const m of v as string[]) s += `${m} `;
        else s += v === true ? `${k} ` : `${k} ${String(v)} `;
      }
      return s;
    },
    cli: {
      mode: { key: 'mode', parse: (s) => s },
      nopromisc: { key: 'noPromisc', value: true },
      bcqueuelen: { key: 'bcQueueLen', parse: parseUintArg('bcqueuelen') },
    },
  });
  return m;
}

export const macvlanKind = make('macvlan');
export const macvtapKind = make('macvtap');
