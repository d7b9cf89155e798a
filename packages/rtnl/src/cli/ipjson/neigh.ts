/**
 * `ip -j neigh show` output: the one place that knows iproute2's neighbour key names and value
 * formats (iproute2 6.1, `print_neigh`).
 */
import type { Neigh, NeighState } from '../../neigh.js';

export interface NeighPrintContext {
  /** ifindex -> name (for `dev`). */
  linkName(index: number): string | undefined;
  /** Leave `dev` out (ip does when the listing was filtered by device). */
  omitDev?: boolean;
}

const STATE_ORDER: readonly NeighState[] = ['incomplete', 'reachable', 'stale', 'delay', 'probe', 'failed', 'noarp', 'permanent'];

/**
 * Whether `ip neigh show` would print this entry: by default it hides `noarp` entries and
 * those in no state at all (unless proxy or externally learned).
 */
export function shownByDefault(n: Neigh): boolean {
  if (n.flags.includes('proxy') || n.flags.includes('extern_learn')) return true;
  if (n.state.length === 0) return false;
  return n.state.some((s) => s !== 'noarp');
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
  if (n.protocol !== undefined) o.protocol = String(n.protocol);
  const states = STATE_ORDER.filter((s) => n.state.includes(s)).map((s) => s.toUpperCase());
  o.state = states.length > 0 ? states : ['NONE'];
  return o;
}

/** The text form of `ip neigh show` (one line per entry). */
export function neighText(n: Neigh, ctx: NeighPrintContext): string {
  const j = neighIpJson(n, ctx);
  const parts: string[] = [];
  if (j.dst !== undefined) parts.push(j.dst as string);
  if (j.dev !== undefined) parts.push('dev', j.dev as string);
  if (j.lladdr !== undefined) parts.push('lladdr', j.lladdr as string);
  for (const k of ['router', 'proxy', 'extern_learn', 'offload']) if (k in j) parts.push(k);
  parts.push(...(j.state as string[]));
  return parts.join(' ');
}
