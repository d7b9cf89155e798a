/**
 * Changing links. Each call is one `RTM_NEWLINK` carrying the ifindex (or, for a name, the
 * name itself: the kernel resolves `IFLA_IFNAME` with index 0, so a name costs no lookup).
 */
import type { RequestOptions } from '../conn/engine.js';
import { Handle, getDefaultHandle } from '../handle.js';
import { nsFd, type NetnsRef } from '../netns.js';
import { validateIfName, validateMac, validateSetMtu, validateString, validateTxQLen, validateUint } from '../validate.js';
import { closeQuietly, IFF_UP, ifinfoWire, NO_CHANGE, type LinkChange } from './message.js';
import { resolveLinkIndex, selectLink, type LinkRef } from './ref.js';

/** Change requests resolve to nothing: the engine gives `undefined` instead of a result array. */
const VOID = { resolveVoid: true } as const;
/**
 * Moving a link to another namespace waits inside `sendmsg` (~16 ms for a veth here, RCU):
 * made on a worker thread so the event loop runs meanwhile.
 */
const VOID_OFFLOAD = { resolveVoid: true, offload: true } as const;

/**
 * Send one RTM_NEWLINK changing `ref` (no NLM_F_CREATE: a missing link is ENODEV). Not an
 * async function, so a loop of changes costs one promise per request; bad input still
 * arrives as a rejection, before any system call.
 */
export function changeLink(h: Handle, ref: LinkRef, change: LinkChange, up?: boolean, options: RequestOptions<void> = VOID): Promise<void> {
  try {
    let index: number;
    if (typeof ref === 'number' && Number.isInteger(ref) && ref > 0 && ref <= 0x7fffffff) index = ref; // the common case, checked inline
    else {
      const named: Record<string, unknown> = {};
      index = selectLink(ref, named);
      if (named.ifname !== undefined) change = { ...change, ifname: named.ifname as string };
    }
    return h.request(ifinfoWire('RTM_NEWLINK', index, change, up === true ? IFF_UP : 0, up === undefined ? 0 : IFF_UP), options) as unknown as Promise<void>;
  } catch (e) {
    return Promise.reject(e);
  }
}

declare module '../handle.js' {
  interface Handle {
    /**
     * Bring a link up (`ifi_flags`/`ifi_change` `IFF_UP`).
     * @example
     * ```ts
     * await h.linkSetUp('br0');
     * ```
     */
    linkSetUp(link: LinkRef): Promise<void>;
    /** Bring a link down. @example `await h.linkSetDown(link)` */
    linkSetDown(link: LinkRef): Promise<void>;
    /** Set the MTU (68-65535). @example `await h.linkSetMTU('br0', 9000)` */
    linkSetMTU(link: LinkRef, mtu: number): Promise<void>;
    /** Rename a link. @example `await h.linkSetName(link, 'uplink')` */
    linkSetName(link: LinkRef, name: string): Promise<void>;
    /** Set (or with `''`, clear) the alias. @example `await h.linkSetAlias(link, 'to the VM')` */
    linkSetAlias(link: LinkRef, alias: string): Promise<void>;
    /** Set the MAC address. @example `await h.linkSetHardwareAddr(link, '02:00:00:00:00:01')` */
    linkSetHardwareAddr(link: LinkRef, hardwareAddr: string): Promise<void>;
    /** Enslave `link` to `master` (a Link, index or name). @example `await h.linkSetMaster('veth0', 'br0')` */
    linkSetMaster(link: LinkRef, master: LinkRef): Promise<void>;
    /** Enslave `link` to the master with this ifindex. @example `await h.linkSetMasterByIndex(link, br.index)` */
    linkSetMasterByIndex(link: LinkRef, masterIndex: number): Promise<void>;
    /** Release `link` from its master. @example `await h.linkSetNoMaster(link)` */
    linkSetNoMaster(link: LinkRef): Promise<void>;
    /** Set the transmit queue length. @example `await h.linkSetTxQLen(link, 500)` */
    linkSetTxQLen(link: LinkRef, txQLen: number): Promise<void>;
    /** Set the interface group (`IFLA_GROUP`). @example `await h.linkSetGroup(link, 7)` */
    linkSetGroup(link: LinkRef, group: number): Promise<void>;
    /**
     * Move a link to the namespace open as `fd` (or a `NetNs`/path). Addresses are flushed by
     * the kernel; `linkMoveToNetns` keeps them.
     * @example `await h.linkSetNsFd(link, ns.fd)`
     */
    linkSetNsFd(link: LinkRef, fd: number | NetnsRef): Promise<void>;
    /** Move a link to the namespace of process `pid`. @example `await h.linkSetNsPid(link, child.pid)` */
    linkSetNsPid(link: LinkRef, pid: number): Promise<void>;
  }
}

Handle.prototype.linkSetUp = function (this: Handle, link: LinkRef): Promise<void> {
  return changeLink(this, link, NO_CHANGE, true);
};

Handle.prototype.linkSetDown = function (this: Handle, link: LinkRef): Promise<void> {
  return changeLink(this, link, NO_CHANGE, false);
};

Handle.prototype.linkSetMTU = function (this: Handle, link: LinkRef, mtu: number): Promise<void> {
  try {
    validateSetMtu(mtu);
  } catch (e) {
    return Promise.reject(e);
  }
  return changeLink(this, link, { mtu });
};

Handle.prototype.linkSetName = async function (this: Handle, link: LinkRef, name: string): Promise<void> {
  validateIfName(name, 'name', false);
  // The new name travels in IFLA_IFNAME, so the link must be named by its index.
  const index = await resolveLinkIndex(this, link);
  await this.request(ifinfoWire('RTM_NEWLINK', index, { ifname: name }));
};

Handle.prototype.linkSetAlias = async function (this: Handle, link: LinkRef, alias: string): Promise<void> {
  validateString(alias, 'alias', 255);
  return changeLink(this, link, { ifalias: alias });
};

Handle.prototype.linkSetHardwareAddr = async function (this: Handle, link: LinkRef, hardwareAddr: string): Promise<void> {
  const address = validateMac(hardwareAddr);
  return changeLink(this, link, { address });
};

Handle.prototype.linkSetMaster = async function (this: Handle, link: LinkRef, master: LinkRef): Promise<void> {
  const masterIndex = await resolveLinkIndex(this, master, 'master');
  return changeLink(this, link, { master: masterIndex });
};

Handle.prototype.linkSetMasterByIndex = async function (this: Handle, link: LinkRef, masterIndex: number): Promise<void> {
  validateUint(masterIndex, 'masterIndex', 1, 0x7fffffff);
  return changeLink(this, link, { master: masterIndex });
};

Handle.prototype.linkSetNoMaster = function (this: Handle, link: LinkRef): Promise<void> {
  return changeLink(this, link, { master: 0 });
};

Handle.prototype.linkSetTxQLen = async function (this: Handle, link: LinkRef, txQLen: number): Promise<void> {
  validateTxQLen(txQLen);
  return changeLink(this, link, { txqlen: txQLen });
};

Handle.prototype.linkSetGroup = async function (this: Handle, link: LinkRef, group: number): Promise<void> {
  validateUint(group, 'group');
  // By index: old kernels treat "no such name + IFLA_GROUP" as a change of a whole group.
  const index = await resolveLinkIndex(this, link);
  await this.request(ifinfoWire('RTM_NEWLINK', index, { group }));
};

Handle.prototype.linkSetNsFd = async function (this: Handle, link: LinkRef, fd: number | NetnsRef): Promise<void> {
  const ns = nsFd(fd);
  try {
    await changeLink(this, link, { 'net-ns-fd': ns.fd }, undefined, VOID_OFFLOAD);
  } finally {
    closeQuietly(ns);
  }
};

Handle.prototype.linkSetNsPid = async function (this: Handle, link: LinkRef, pid: number): Promise<void> {
  validateUint(pid, 'pid', 1, 0x7fffffff);
  return changeLink(this, link, { 'net-ns-pid': pid }, undefined, VOID_OFFLOAD);
};

const d = getDefaultHandle;
/**
 * {@link Handle.linkSetUp} on the default handle.
 * @example
 * ```ts
 * await linkSetUp('eth0');
 * ```
 */
export const linkSetUp = (link: LinkRef): Promise<void> => d().linkSetUp(link);
/**
 * {@link Handle.linkSetDown} on the default handle.
 * @example
 * ```ts
 * await linkSetDown('eth0');
 * ```
 */
export const linkSetDown = (link: LinkRef): Promise<void> => d().linkSetDown(link);
/**
 * {@link Handle.linkSetMTU} on the default handle.
 * @example
 * ```ts
 * await linkSetMTU('eth0', 9000);
 * ```
 */
export const linkSetMTU = (link: LinkRef, mtu: number): Promise<void> => d().linkSetMTU(link, mtu);
/**
 * {@link Handle.linkSetName} on the default handle.
 * @example
 * ```ts
 * await linkSetName('eth0', 'lan0');
 * ```
 */
export const linkSetName = (link: LinkRef, name: string): Promise<void> => d().linkSetName(link, name);
/**
 * {@link Handle.linkSetAlias} on the default handle.
 * @example
 * ```ts
 * await linkSetAlias('eth0', 'uplink');
 * ```
 */
export const linkSetAlias = (link: LinkRef, alias: string): Promise<void> => d().linkSetAlias(link, alias);
/**
 * {@link Handle.linkSetHardwareAddr} on the default handle.
 * @example
 * ```ts
 * await linkSetHardwareAddr('eth0', '02:00:00:00:00:01');
 * ```
 */
export const linkSetHardwareAddr = (link: LinkRef, mac: string): Promise<void> => d().linkSetHardwareAddr(link, mac);
/**
 * {@link Handle.linkSetMaster} on the default handle.
 * @example
 * ```ts
 * await linkSetMaster('veth0', 'br0');
 * ```
 */
export const linkSetMaster = (link: LinkRef, master: LinkRef): Promise<void> => d().linkSetMaster(link, master);
/**
 * {@link Handle.linkSetMasterByIndex} on the default handle.
 * @example
 * ```ts
 * await linkSetMasterByIndex('veth0', br.index);
 * ```
 */
export const linkSetMasterByIndex = (link: LinkRef, masterIndex: number): Promise<void> => d().linkSetMasterByIndex(link, masterIndex);
/**
 * {@link Handle.linkSetNoMaster} on the default handle.
 * @example
 * ```ts
 * await linkSetNoMaster('veth0');
 * ```
 */
export const linkSetNoMaster = (link: LinkRef): Promise<void> => d().linkSetNoMaster(link);
/**
 * {@link Handle.linkSetTxQLen} on the default handle.
 * @example
 * ```ts
 * await linkSetTxQLen('eth0', 500);
 * ```
 */
export const linkSetTxQLen = (link: LinkRef, txQLen: number): Promise<void> => d().linkSetTxQLen(link, txQLen);
/**
 * {@link Handle.linkSetGroup} on the default handle.
 * @example
 * ```ts
 * await linkSetGroup('eth0', 7);
 * ```
 */
export const linkSetGroup = (link: LinkRef, group: number): Promise<void> => d().linkSetGroup(link, group);
/**
 * {@link Handle.linkSetNsFd} on the default handle.
 * @example
 * ```ts
 * await linkSetNsFd('veth1', ns.fd);
 * ```
 */
export const linkSetNsFd = (link: LinkRef, fd: number | NetnsRef): Promise<void> => d().linkSetNsFd(link, fd);
/**
 * {@link Handle.linkSetNsPid} on the default handle.
 * @example
 * ```ts
 * await linkSetNsPid('veth1', child.pid);
 * ```
 */
export const linkSetNsPid = (link: LinkRef, pid: number): Promise<void> => d().linkSetNsPid(link, pid);
