/**
 * `LinkRef`: how every operation names a link (a `Link`, an ifindex, or a name), and the one
 * place that turns it into what a request needs.
 */
import type { Message } from '@nlkit/nl-codec';
import type { Handle } from '../handle.js';
import { validateIfName, validateIndex } from '../validate.js';
import type { Link } from './link.js';

/** A `Link` (its `index` is used), an interface index, or an interface name. */
export type LinkRef = Link | number | string;

/** Check a `LinkRef`'s shape without any system call. */
export function validateLinkRef(ref: unknown, field = 'link'): void {
  if (typeof ref === 'number') validateIndex(ref, field);
  else if (typeof ref === 'string') validateIfName(ref, field, false);
  else if (ref !== null && typeof ref === 'object' && typeof (ref as Link).index === 'number') validateIndex((ref as Link).index, `${field}.index`);
  else throw new TypeError(`${field} must be a Link, an interface index or a name`);
}

/**
 * The ifindex of `ref`: free for a `Link` or a number; for a name, one kernel-side
 * `RTM_GETLINK` with `IFLA_IFNAME` (never a dump filtered here).
 *
 * @example
 * ```ts
 * const index = await resolveLinkIndex(h, 'br0');
 * ```
 */
export async function resolveLinkIndex(h: Handle, ref: LinkRef, field = 'link'): Promise<number> {
  validateLinkRef(ref, field);
  if (typeof ref === 'number') return ref;
  if (typeof ref === 'object') return ref.index;
  const [index] = await h.request<number>(getByNameMessage(ref, true), { mapRaw: indexOfReply });
  if (index === undefined) throw new Error(`RTM_GETLINK for "${ref}" returned no link`);
  return index;
}

const RTM_NEWLINK = 16;
/**
 * `ifi_index` of an `RTM_NEWLINK` reply, read from its bytes: a name lookup needs nothing
 * else, and decoding the whole 1-2 KB link only to drop it is most of the lookup's cost.
 */
function indexOfReply(b: Uint8Array): number | undefined {
  if (b.length < 24 || (b[4]! | (b[5]! << 8)) !== RTM_NEWLINK) return undefined;
  return b[20]! | (b[21]! << 8) | (b[22]! << 16) | (b[23]! << 24);
}

/** `RTM_GETLINK` for one name; `light` asks the kernel to skip stats and VF info. */
export function getByNameMessage(name: string, light: boolean): Message {
  const attrs: Record<string, unknown> = { ifname: name };
  // RTEXT_FILTER_SKIP_STATS (8): a name lookup needs none of the counters.
  if (light) attrs['ext-mask'] = ['skip-stats'];
  return { header: { type: 'RTM_GETLINK', flags: [], seq: 0, pid: 0 }, 'ifi-family': 0, 'ifi-type': 0, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0, attrs };
}

/**
 * The fields that select `ref` in a request that the kernel also resolves by name
 * (`RTM_NEWLINK`/`RTM_DELLINK` accept `IFLA_IFNAME` with index 0), so a name costs no extra
 * round trip. `attrs` is the attribute object to put the name into.
 */
export function selectLink(ref: LinkRef, attrs: Record<string, unknown>, field = 'link'): number {
  validateLinkRef(ref, field);
  if (typeof ref === 'number') return ref;
  if (typeof ref === 'object') return ref.index;
  attrs.ifname = ref;
  return 0;
}
