/** Kinds without options: `dummy` and `ifb` (no IFLA_INFO_DATA at all). */
import type { LinkSpecCommon } from '../spec.js';
import { registerKind } from './registry.js';

export interface DummySpec extends LinkSpecCommon {
  kind: 'dummy';
}
export interface IfbSpec extends LinkSpecCommon {
  kind: 'ifb';
}

declare module '../spec.js' {
  interface LinkSpecMap {
    dummy: DummySpec;
    ifb: IfbSpec;
  }
}

export const dummyKind = registerKind({ kind: 'dummy', creatable: true, options: [], lift: () => ({}) });
export const ifbKind = registerKind({ kind: 'ifb', creatable: true, options: [], lift: () => ({}) });
