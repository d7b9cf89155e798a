/** Deleting links: `linkDel` (one request) and `linkDelAll` (many links, one kernel deletion). */
import type { Message } from '@nlkit/nl-codec';
import { Handle, getDefaultHandle } from '../handle.js';
import { validateIfName } from '../validate.js';
import type { Link } from './link.js';
import { ifinfoRequest, ifinfoWire, type LinkChange } from './message.js';
import { selectLink, validateLinkRef, type LinkRef } from './ref.js';

/**
 * Deletions wait inside `sendmsg` for RCU to let go of the device (16 ms for a veth, 36 ms for a
 * bridge here; a group of 1000 veths, ~250 ms): made on a worker thread so the event loop runs
 * meanwhile (the thread hop costs ~40 us).
 */
const OFFLOAD = { offload: true } as const;

/**
 * Some links could not be moved into the deletion group; nothing was deleted.
 * @example
 * ```ts
 * try { await h.linkDelAll(links); } catch (e) { if (e instanceof LinkDelAllError) console.log(e.failures, e.notRestored); }
 * ```
 */
export class LinkDelAllError extends Error {
  constructor(
    message: string,
    /** Why each failing link failed, by its ref. */
    readonly failures: Array<{ link: LinkRef; error: unknown }>,
    /** Groups that could not be restored (index -> original group). */
    readonly notRestored: Array<{ index: number; group: number; error: unknown }>,
  ) {
    super(message);
    this.name = 'LinkDelAllError';
  }
}

declare module '../handle.js' {
  interface Handle {
    /**
     * Delete a link (one `RTM_DELLINK`; a name is resolved by the kernel). Deleting one end of
     * a veth pair deletes both.
     * @example
     * ```ts
     * await h.linkDel('br0');
     * ```
     */
    linkDel(link: LinkRef): Promise<void>;
    /**
     * Delete many links in one kernel operation: pick an interface group no link uses (one
     * dump), move the links into it (one `RTM_NEWLINK` each, pipelined), then one
     * `RTM_DELLINK` for the group. If a move fails, the groups already changed are restored
     * and nothing is deleted. Much faster than deleting one by one (the kernel waits for RCU
     * once per request, not per link).
     * @example
     * ```ts
     * await h.linkDelAll(await h.linkList({ kind: 'veth' }));
     * ```
     */
    linkDelAll(links: readonly LinkRef[]): Promise<void>;
  }
}

Handle.prototype.linkDel = async function (this: Handle, link: LinkRef): Promise<void> {
  const change: LinkChange = {};
  const index = selectLink(link, change as Record<string, unknown>);
  await this.request(ifinfoWire('RTM_DELLINK', index, change), OFFLOAD);
};

Handle.prototype.linkDelAll = async function (this: Handle, links: readonly LinkRef[]): Promise<void> {
  if (!Array.isArray(links)) throw new TypeError('links must be an array of Links, indexes or names');
  links.forEach((l, i) => validateLinkRef(l, `links[${i}]`));
  if (links.length === 0) return;
  // One dump gives the groups in use and resolves names, with no per-link lookups.
  const all = await this.request<{ index: number; name: string; group: number }>(ifinfoRequest('RTM_GETLINK', 0, { 'ext-mask': ['skip-stats'] }), {
    dump: true,
    map: (m: Message) => {
      if (m.header.type !== 'RTM_NEWLINK') return undefined;
      const a = (m as { attrs?: Record<string, unknown> }).attrs ?? {};
      return { index: m['ifi-index'] as number, name: a.ifname as string, group: (a.group as number) ?? 0 };
    },
  });
  const byIndex = new Map(all.map((l) => [l.index, l]));
  const byName = new Map(all.map((l) => [l.name, l]));
  const used = new Set(all.map((l) => l.group));
  const targets: Array<{ index: number; group: number }> = [];
  const seen = new Set<number>();
  for (const ref of links) {
    const found = typeof ref === 'string' ? byName.get(validateIfName(ref, 'link', false)) : byIndex.get(typeof ref === 'number' ? ref : (ref as Link).index);
    if (found === undefined) throw new LinkDelAllError(`linkDelAll: no link ${typeof ref === 'object' ? ref.index : JSON.stringify(ref)} in this namespace`, [{ link: ref, error: new Error('not found') }], []);
    if (!seen.has(found.index)) {
      seen.add(found.index);
      targets.push({ index: found.index, group: found.group });
    }
  }
  // A random group far from the small numbers people use; re-drawn while taken.
  let group: number;
  do group = 0x40000000 + Math.floor(Math.random() * 0x3fffffff);
  while (used.has(group));
  // Put links back in their groups. Every target is restored, not only the moves that
  // resolved: a lost reply (a receive error fails every pending request) does not mean the move
  // did not happen, and setting the old group again is harmless. ENODEV means the link is gone.
  const restore = async (): Promise<{ notRestored: Array<{ index: number; group: number; error: unknown }>; gone: number[] }> => {
    const r = await Promise.allSettled(targets.map((t) => this.request(ifinfoRequest('RTM_NEWLINK', t.index, { group: t.group }))));
    const notRestored: Array<{ index: number; group: number; error: unknown }> = [];
    const gone: number[] = [];
    r.forEach((x, i) => {
      if (x.status === 'fulfilled') return;
      if ((x.reason as { code?: string })?.code === 'ENODEV') gone.push(targets[i]!.index);
      else notRestored.push({ index: targets[i]!.index, group: targets[i]!.group, error: x.reason });
    });
    return { notRestored, gone };
  };
  const unrestored = (n: Array<{ index: number }>) => (n.length > 0 ? `; groups of ${n.map((x) => x.index).join(', ')} could not be restored` : '');
  const moves = await Promise.allSettled(targets.map((t) => this.request(ifinfoRequest('RTM_NEWLINK', t.index, { group }))));
  const failures: Array<{ link: LinkRef; error: unknown }> = [];
  moves.forEach((r, i) => {
    if (r.status === 'rejected') failures.push({ link: targets[i]!.index, error: r.reason });
  });
  if (failures.length > 0) {
    const { notRestored } = await restore();
    const first = failures[0]!;
    throw new LinkDelAllError(
      `linkDelAll: could not move link ${String(first.link)} into the deletion group (${(first.error as Error)?.message ?? String(first.error)}); nothing was deleted${unrestored(notRestored)}`,
      failures,
      notRestored,
    );
  }
  try {
    await this.request(ifinfoRequest('RTM_DELLINK', 0, { group }), OFFLOAD);
  } catch (e) {
    // Refused (e.g. EOPNOTSUPP: a device in the group has no rtnetlink ops, like lo or a
    // physical NIC), or the reply was lost: put every link that is still there back.
    const { notRestored, gone } = await restore();
    const what =
      gone.length === targets.length
        ? 'the links were deleted, but the reply was lost'
        : gone.length === 0
          ? 'nothing was deleted'
          : `links ${gone.join(', ')} were deleted, the others not`;
    throw new LinkDelAllError(`linkDelAll: deleting the group failed (${(e as Error)?.message ?? String(e)}); ${what}${unrestored(notRestored)}`, [{ link: 0, error: e }], notRestored);
  }
};

/**
 * {@link Handle.linkDel} on the default handle.
 * @example
 * ```ts
 * await linkDel('br0');
 * ```
 */
export const linkDel = (link: LinkRef): Promise<void> => getDefaultHandle().linkDel(link);
/**
 * {@link Handle.linkDelAll} on the default handle.
 * @example
 * ```ts
 * await linkDelAll(await linkList({ kind: 'veth' }));
 * ```
 */
export const linkDelAll = (links: readonly LinkRef[]): Promise<void> => getDefaultHandle().linkDelAll(links);
