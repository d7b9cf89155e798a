/**
 * `ip -j neigh show` output: the one place that knows iproute2's neighbour key names and value
 * formats (iproute2 6.1, `print_neigh`).
 */
import type { Neigh, NeighState } from '../../neigh.js';
import { protocolName } from '../../route.js';

export interface NeighPrintContext {
  /** ifindex -> name (for `dev`). */
  linkName(index: number): string | undefined;
  /** Leave `dev` out (ip does when the listing was filtered by device). */
  omitDev?: boolean;
  /** `-s`: the cache timers (seconds) and probe count. */
  stats?: boolean;
}

/** USER_HZ: NDA_CACHEINFO timers are in clock ticks; ip prints seconds. */
const HZ = 100;

const STATE_ORDER: readonly NeighState[] = ['incomplete', 'reachable', 'stale', 'delay', 'probe', 'failed', 'noarp', 'permanent'];

const NUD_BITS: Readonly<Record<NeighState, number>> = {
  incomplete: 0x01, reachable: 0x02, stale: 0x04, delay: 0x08, probe: 0x10, failed: 0x20, noarp: 0x40, permanent: 0x80,
};
/** ip's pseudo state bit for entries in no state at all (`nud none`). */
const NUD_NONE_FILTER = 0x100;
/** What `ip neigh show` lists without `nud`: every state but NOARP (not NONE). */
export const DEFAULT_NUD_FILTER = 0xff & ~NUD_BITS.noarp;

/**
 * The state mask of `ip neigh show nud STATE...` (each `nud` adds to it): `all` is every state,
 * `none` the NONE pseudo bit.
 */
export function nudFilter(states: readonly string[]): number {
  if (states.length === 0) return DEFAULT_NUD_FILTER;
  let mask = 0;
  for (const s of states) {
    if (s === 'all') mask = ~0;
    else if (s === 'none') mask |= NUD_NONE_FILTER;
    else mask |= NUD_BITS[s as NeighState] ?? 0;
  }
  return mask;
}

/**
 * Whether `ip neigh show` prints this entry under a state mask (print_neigh): an entry in one
 * of the states, a proxy or externally learned entry always, and one in no state when the mask
 * asks for NONE.
 */
export function shownByNud(n: Neigh, mask: number = DEFAULT_NUD_FILTER): boolean {
  if (n.flags.includes('proxy') || n.flags.includes('extern_learn')) return true;
  if (n.state.length === 0) return (mask & NUD_NONE_FILTER) !== 0;
  return n.state.some((s) => (mask & NUD_BITS[s]) !== 0);
}

/** Whether `ip neigh show` (no `nud`) prints this entry. */
export function shownByDefault(n: Neigh): boolean {
  return shownByNud(n, DEFAULT_NUD_FILTER);
}

/**
 * One neighbour as `ip -j neigh show` prints it.
 *
 * @example
 * ```ts
 * neighIpJson(n, { linkName: (i) => names.get(i) }); // { dst, dev, lladdr, state: ['REACHABLE'] }
 * ```
 */
export function neighIpJson(n: Neigh, ctx: NeighPrintContext): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (n.ip !== undefined) o.dst = n.ip;
  if (!ctx.omitDev && n.linkIndex) o.dev = ctx.linkName(n.linkIndex) ?? `if${n.linkIndex}`;
  if (n.hardwareAddr !== undefined) o.lladdr = n.hardwareAddr;
  // ip marks these with a JSON null, not a boolean.
  if (n.flags.includes('router')) o.router = null;
  if (n.flags.includes('proxy')) o.proxy = null;
  if (n.flags.includes('extern_learn')) o.extern_learn = null;
  if (n.flags.includes('offloaded')) o.offload = null;
  if (ctx.stats) {
    const ci = n.cacheinfo;
    if (ci !== undefined) {
      if (ci.refcnt) o.refcnt = ci.refcnt;
      o.used = Math.floor(ci.used / HZ);
      o.confirmed = Math.floor(ci.confirmed / HZ);
      o.updated = Math.floor(ci.updated / HZ);
    }
    if (n.probes !== undefined) o.probes = n.probes;
  }
  // No state (NUD_NONE): ip prints no state at all.
  const states = STATE_ORDER.filter((s) => n.state.includes(s)).map((s) => s.toUpperCase());
  if (states.length > 0) o.state = states;
  // NDA_PROTOCOL, by the route protocol names (rtnl_rtprot_n2a); 0 is not printed.
  if (n.protocol) o.protocol = String(protocolName(n.protocol));
  return o;
}

/**
 * The text form of `ip neigh show` (one line per entry; iproute2 6.1 ends each item with a
 * space, and prints the timers as ` used U/C/Uu` right after the link-layer address).
 */
export function neighText(n: Neigh, ctx: NeighPrintContext): string {
  const j = neighIpJson(n, ctx);
  let s = '';
  if (j.dst !== undefined) s += `${j.dst as string} `;
  if (j.dev !== undefined) s += `dev ${j.dev as string} `;
  if (j.lladdr !== undefined) s += `lladdr ${j.lladdr as string} `;
  for (const k of ['router', 'proxy', 'extern_learn', 'offload']) if (k in j) s += `${k} `;
  if (j.refcnt !== undefined) s += ` ref ${j.refcnt as number}`;
  if (j.used !== undefined) s += ` used ${j.used as number}/${j.confirmed as number}/${j.updated as number}`;
  if (j.probes !== undefined) s += `probes ${j.probes as number} `;
  for (const st of (j.state as string[] | undefined) ?? []) s += `${st} `;
  if (j.protocol !== undefined) s += `proto ${j.protocol as string} `;
  return s;
}
