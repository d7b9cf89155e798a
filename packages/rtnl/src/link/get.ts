/** Reading links: `linkByName`, `linkByIndex` (one kernel-side GET each) and `linkList` (one dump, filtered by the kernel). */
import type { Message } from '@nlkit/nl-codec';
import { Handle, getDefaultHandle } from '../handle.js';
import { validateIfName, validateIndex, validateObject, rejectUnknownKeys, validateString } from '../validate.js';
import { linkDumpMapper } from './decode.js';
import { linkFromMessage, type Link } from './link.js';
import { ifinfoRequest } from './message.js';
import { getByNameMessage, resolveLinkIndex, type LinkRef } from './ref.js';

/** `linkList` filters, applied by the kernel (strict checking). */
export interface LinkListFilter {
  /** Only links of this `IFLA_INFO_KIND` (`'bridge'`, `'veth'`, ...). */
  kind?: string;
  /** Only ports of this master. */
  master?: LinkRef;
}

const FILTER_KEYS = new Set(['kind', 'master']);

const asLink = (m: Message): Link | undefined => (m.header.type === 'RTM_NEWLINK' ? linkFromMessage(m) : undefined);

const NLM_F_DUMP_FILTERED = 0x20;

declare module '../handle.js' {
  interface Handle {
    /**
     * The link named `name` (one `RTM_GETLINK` with `IFLA_IFNAME`); rejects with a
     * `NetlinkError` `ENODEV` when there is none.
     * @example
     * ```ts
     * const br = await h.linkByName('br0');
     * ```
     */
    linkByName(name: string): Promise<Link>;
    /**
     * The link with ifindex `index` (one `RTM_GETLINK`).
     * @example
     * ```ts
     * const lo = await h.linkByIndex(1);
     * ```
     */
    linkByIndex(index: number): Promise<Link>;
    /**
     * Every link in the handle's namespace (one dump). `kind` and `master` filters run in the
     * kernel (`IFLA_LINKINFO/IFLA_INFO_KIND` and `IFLA_MASTER` in the dump request).
     * @example
     * ```ts
     * const ports = await h.linkList({ master: 'br0' });
     * const bridges = await h.linkList({ kind: 'bridge' });
     * ```
     */
    linkList(filter?: LinkListFilter): Promise<Link[]>;
  }
}

Handle.prototype.linkByName = async function (this: Handle, name: string): Promise<Link> {
  validateIfName(name, 'name', false);
  const [link] = await this.request<Link>(getByNameMessage(name, false), { map: asLink });
  if (link === undefined) throw new Error(`RTM_GETLINK for "${name}" returned no link`);
  return link;
};

Handle.prototype.linkByIndex = async function (this: Handle, index: number): Promise<Link> {
  validateIndex(index, 'index');
  const [link] = await this.request<Link>(ifinfoRequest('RTM_GETLINK', index, {}), { map: asLink });
  if (link === undefined) throw new Error(`RTM_GETLINK for index ${index} returned no link`);
  return link;
};

Handle.prototype.linkList = async function (this: Handle, filter?: LinkListFilter): Promise<Link[]> {
  const attrs: Record<string, unknown> = {};
  let kind: string | undefined;
  let master: number | undefined;
  if (filter !== undefined) {
    validateObject(filter, 'filter');
    rejectUnknownKeys(filter, FILTER_KEYS, 'linkList filter');
    if (filter.kind !== undefined) attrs.linkinfo = { kind: (kind = validateString(filter.kind, 'filter.kind', 63)) };
    if (filter.master !== undefined) attrs.master = master = await resolveLinkIndex(this, filter.master, 'filter.master');
  }
  // Lift straight from each message's bytes (the same path as decodeLinks): the cheap fields
  // now, attrs/data/statistics decoded by the codec on first access, from the engine's copy of
  // the datagram that the links of that datagram share.
  const lift = linkDumpMapper();
  if (kind === undefined && master === undefined) return this.request<Link>(ifinfoRequest('RTM_GETLINK', 0, attrs), { dump: true, mapAt: lift, keepDatagram: true });
  // The kernel filters and says so with NLM_F_DUMP_FILTERED. It silently drops a kind it has
  // no driver for (every link would come back), so an unflagged reply is checked here.
  return this.request<Link>(ifinfoRequest('RTM_GETLINK', 0, attrs), {
    dump: true,
    keepDatagram: true,
    mapAt: (d, o, len) => {
      const l = lift(d, o, len);
      if (l === undefined || (d[o + 6]! & NLM_F_DUMP_FILTERED) !== 0) return l;
      return (kind === undefined || l.kind === kind) && (master === undefined || l.masterIndex === master) ? l : undefined;
    },
  });
};

/**
 * {@link Handle.linkByName} on the default handle.
 * @example
 * ```ts
 * const lo = await linkByName('lo');
 * ```
 */
export const linkByName = (name: string): Promise<Link> => getDefaultHandle().linkByName(name);
/**
 * {@link Handle.linkByIndex} on the default handle.
 * @example
 * ```ts
 * const lo = await linkByIndex(1);
 * ```
 */
export const linkByIndex = (index: number): Promise<Link> => getDefaultHandle().linkByIndex(index);
/**
 * {@link Handle.linkList} on the default handle.
 * @example
 * ```ts
 * const bridges = await linkList({ kind: 'bridge' });
 * ```
 */
export const linkList = (filter?: LinkListFilter): Promise<Link[]> => getDefaultHandle().linkList(filter);
