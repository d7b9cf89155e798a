/**
 * `linkMoveToNetns`: move (and optionally rename) a link into another namespace in one
 * request, keeping its addresses. The kernel flushes a device's addresses when it changes
 * namespace, so, as runc does, the global-scope addresses are read first and re-added in the
 * target through a handle opened there.
 */
import type { Message } from '@nlkit/nl-codec';
import { NetlinkError } from '../errors.js';
import { Handle, getDefaultHandle } from '../handle.js';
import { nsFd, type NetnsRef } from '../netns.js';
import { rejectUnknownKeys, validateIfName, validateObject } from '../validate.js';
import type { Link } from './link.js';
import { closeQuietly, ifinfoRequest } from './message.js';
import { resolveLinkIndex, type LinkRef } from './ref.js';

export interface MoveOptions {
  /** New name in the target namespace (moved and renamed in the same request). */
  name?: string;
}

/**
 * The link moved, but some addresses could not be re-added in the target namespace.
 * @example
 * ```ts
 * try { await h.linkMoveToNetns('veth1', ns); } catch (e) { if (e instanceof AddressRestoreError) console.log(e.notRestored); }
 * ```
 */
export class AddressRestoreError extends Error {
  constructor(
    /** The moved link, as the target namespace reports it (undefined if it could not be read back). */
    readonly link: Link | undefined,
    /** Addresses (`CIDR` text) that were not restored. */
    readonly notRestored: string[],
    readonly errors: unknown[],
    /** The link's name in the target namespace. */
    readonly linkName: string = link?.name ?? '',
  ) {
    super(`moved ${linkName} but could not restore its address(es) ${notRestored.join(', ')}: ${errors.map((e) => (e as Error)?.message ?? String(e)).join('; ')}`);
    this.name = 'AddressRestoreError';
  }
}

const RT_SCOPE_UNIVERSE = 0;

function cidr(m: Message): string {
  const a = (m as { attrs?: Record<string, unknown> }).attrs ?? {};
  const addr = (a.local ?? a.address) as string | undefined;
  return `${addr ?? '?'}/${m['ifa-prefixlen'] as number}`;
}

declare module '../handle.js' {
  interface Handle {
    /**
     * Move `link` into `ns` (a `NetNs`, fd or path), renamed to `options.name` in the same
     * request so the name cannot clash in either namespace, and re-add its global addresses
     * there. Resolves with the link as the target namespace reports it; if addresses could not
     * be restored, rejects with an `AddressRestoreError` naming them.
     *
     * @example
     * ```ts
     * const eth0 = await h.linkMoveToNetns('veth1', sandbox, { name: 'eth0' });
     * ```
     */
    linkMoveToNetns(link: LinkRef, ns: NetnsRef, options?: MoveOptions): Promise<Link>;
  }
}

Handle.prototype.linkMoveToNetns = async function (this: Handle, link: LinkRef, ns: NetnsRef, options: MoveOptions = {}): Promise<Link> {
  validateObject(options, 'options');
  rejectUnknownKeys(options, new Set(['name']), 'linkMoveToNetns options');
  if (options.name !== undefined) validateIfName(options.name, 'options.name', false);
  const index = await resolveLinkIndex(this, link);
  // The name is needed to find the link in the target (its index may be taken there) and to
  // carry IPv4 labels (`eth0:1`) over to a new name.
  const oldName = typeof link === 'string' ? link : typeof link === 'object' ? link.name : (await this.linkByIndex(index)).name;
  // Global addresses of this link only: the kernel filters by ifa_index (strict checking).
  const addrs = await this.request<Message>(addrDump(index), {
    dump: true,
    map: (m) => (m.header.type === 'RTM_NEWADDR' && m['ifa-index'] === index && m['ifa-scope'] === RT_SCOPE_UNIVERSE ? m : undefined),
  });
  const name = options.name ?? oldName;
  // Opened before the move: once the link has moved, reading it back and restoring its
  // addresses must not depend on a socket that might fail to open.
  const target = Handle.open({ netns: ns });
  try {
    let lostReply: unknown;
    const fd = nsFd(ns);
    try {
      const attrs: Record<string, unknown> = { 'net-ns-fd': fd.fd };
      if (options.name !== undefined) attrs.ifname = options.name;
      // On a worker thread: the move waits inside sendmsg (RCU), ~16 ms for a veth.
      await this.request(ifinfoRequest('RTM_NEWLINK', index, attrs), { offload: true });
    } catch (e) {
      // A kernel refusal is definite. Anything else (a send or receive error) may hide a move
      // that happened: if the link is still here, nothing did; otherwise finish the job.
      if (e instanceof NetlinkError || (await stillHere(this, index))) throw e;
      lostReply = e;
    } finally {
      closeQuietly(fd);
    }
    // The ifindex survives the move unless it is taken in the target; the name is what we know for sure.
    let moved: Link;
    try {
      moved = await target.linkByName(name);
    } catch (e) {
      throw new AddressRestoreError(undefined, addrs.map(cidr), [e], name);
    }
    const results = await Promise.allSettled(addrs.map((m) => target.request(readdMessage(m, moved.index, oldName, name))));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) {
      // A lost reply fails every pending request, including some the kernel carried out:
      // what is missing is what the target does not have.
      let notRestored = addrs.filter((_, i) => results[i]!.status === 'rejected').map(cidr);
      try {
        const present = new Set(
          (await target.request<Message>(addrDump(moved.index), { dump: true, map: (m) => (m.header.type === 'RTM_NEWADDR' && m['ifa-index'] === moved.index ? m : undefined) })).map(cidr),
        );
        notRestored = addrs.map(cidr).filter((a) => !present.has(a));
      } catch {
        /* keep the list of rejected requests */
      }
      if (notRestored.length > 0) throw new AddressRestoreError(moved, notRestored, errors);
      lostReply ??= errors[0];
    }
    if (lostReply !== undefined) {
      // Everything is in place (checked), but a call failed: say so rather than pretend.
      throw new Error(
        `linkMoveToNetns: a reply was lost (${(lostReply as Error)?.message ?? String(lostReply)}), but ${name} is in the target with all its addresses`,
        { cause: lostReply },
      );
    }
    return moved;
  } finally {
    closeQuietly(target);
  }
};

/** An RTM_GETADDR dump of one link's addresses (both families). */
function addrDump(index: number): Message {
  return { header: { type: 'RTM_GETADDR', flags: [], seq: 0, pid: 0 }, 'ifa-family': 0, 'ifa-prefixlen': 0, 'ifa-flags': [], 'ifa-scope': 0, 'ifa-index': index, attrs: {} };
}

/** Whether link `index` is still in the handle's namespace (true when it cannot be told). */
async function stillHere(h: Handle, index: number): Promise<boolean> {
  try {
    await h.linkByIndex(index);
    return true;
  } catch (e) {
    return !(e instanceof NetlinkError && e.code === 'ENODEV');
  }
}

/** The kernel's RTM_NEWADDR turned into a request for the same address on `index`. */
function readdMessage(m: Message, index: number, oldName: string, newName: string): Message {
  const a = { ...((m as { attrs?: Record<string, unknown> }).attrs ?? {}) };
  // An IPv4 label is the device name or `name:suffix`: it follows a rename.
  if (typeof a.label === 'string' && oldName !== newName && (a.label === oldName || a.label.startsWith(`${oldName}:`))) {
    a.label = newName + a.label.slice(oldName.length);
  }
  // Keep lifetimes (IFA_CACHEINFO carries them on input too), drop what only the kernel sets.
  const ci = a.cacheinfo as { 'ifa-prefered': number; 'ifa-valid': number } | undefined;
  if (ci !== undefined) a.cacheinfo = { 'ifa-prefered': ci['ifa-prefered'], 'ifa-valid': ci['ifa-valid'], cstamp: 0, tstamp: 0 };
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(m)) if (key !== 'header' && key !== 'attrs') body[key] = m[key];
  return { ...body, header: { type: 'RTM_NEWADDR', flags: ['create', 'excl'], seq: 0, pid: 0 }, 'ifa-index': index, attrs: a } as Message;
}

/**
 * {@link Handle.linkMoveToNetns} on the default handle.
 * @example
 * ```ts
 * await linkMoveToNetns('veth1', '/run/netns/blue', { name: 'eth0' });
 * ```
 */
export const linkMoveToNetns = (link: LinkRef, ns: NetnsRef, options?: MoveOptions): Promise<Link> => getDefaultHandle().linkMoveToNetns(link, ns, options);
