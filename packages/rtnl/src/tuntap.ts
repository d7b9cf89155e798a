/**
 * tun/tap devices. The kernel refuses `kind: tun` over rtnetlink, so they are made the way
 * `ip tuntap` and Go's netlink make them: open `/dev/net/tun` once per queue (inside the
 * handle's namespace), `TUNSETIFF` each fd, `TUNSETOWNER`/`TUNSETGROUP`/`TUNSETPERSIST` on the
 * first; then MTU, master and the rest over netlink. Any failure closes every fd opened so far
 * and removes a persistent device the call created.
 */
import * as shim from '@nlkit/syscall-shim';
import { Handle, getDefaultHandle } from './handle.js';
import type { NetnsRef } from './netns.js';
import { nsTarget } from './netns.js';
import type { Link } from './link/link.js';
import { closeQuietly, ifinfoRequest, IFF_UP } from './link/message.js';
import { validateLinkRef, type LinkRef } from './link/ref.js';
import type { LinkSpecCommon } from './link/spec.js';
import {
  rejectUnknownKeys, validateBool, validateEnum, validateId, validateIfName, validateMac, validateMtu, validateObject,
  validateString, validateTxQLen, validateUint,
} from './validate.js';

/** A tun/tap spec for `linkAdd` (`kind: 'tuntap'`). */
export interface TuntapSpec extends Omit<LinkSpecCommon, 'parentIndex' | 'numTxQueues' | 'numRxQueues'> {
  kind: 'tuntap';
  /** `'tap'` (Ethernet frames) or `'tun'` (IP packets). */
  mode: 'tap' | 'tun';
  /** Number of queues (fds) to open; more than 1 implies `multiQueue`. Default 1. */
  queues?: number;
  multiQueue?: boolean;
  /** Frames carry a virtio-net header (`IFF_VNET_HDR`). */
  vnetHdr?: boolean;
  /** No packet-information header (`IFF_NO_PI`). Default true. */
  noPi?: boolean;
  /** `IFF_ONE_QUEUE` (ignored by modern kernels; accepted for compatibility). */
  oneQueue?: boolean;
  /** Keep the device when the fds close (`TUNSETPERSIST`). Default true, as `ip tuntap` and Go. */
  persist?: boolean;
  /** Owner uid (`TUNSETOWNER`). */
  owner?: number;
  /** Owner gid (`TUNSETGROUP`). Not the interface group: that is `linkGroup`. */
  group?: number;
}

declare module './link/spec.js' {
  interface LinkSpecMap {
    tuntap: TuntapSpec;
  }
}

const KEYS = new Set([
  'kind', 'name', 'mode', 'queues', 'multiQueue', 'vnetHdr', 'noPi', 'oneQueue', 'persist', 'owner', 'group',
  'mtu', 'txQLen', 'hardwareAddr', 'masterIndex', 'alias', 'linkGroup', 'netns', 'up',
]);

const TUN_PATH = '/dev/net/tun';
const C = shim;

/** Validate a tuntap spec with no system call; returns the TUNSETIFF flags and queue count. */
export function validateTuntapSpec(spec: unknown): { flags: number; queues: number } {
  const s = validateObject(spec, 'spec');
  rejectUnknownKeys(s, KEYS, 'tuntap spec');
  const mode = validateEnum(s.mode, 'mode', ['tap', 'tun'] as const);
  if (s.name !== undefined) validateIfName(s.name, 'name', true);
  const queues = s.queues === undefined ? 1 : validateUint(s.queues, 'queues', 1, 256);
  for (const k of ['multiQueue', 'vnetHdr', 'noPi', 'oneQueue', 'persist', 'up']) if (s[k] !== undefined) validateBool(s[k], k);
  if (queues > 1 && s.multiQueue === false) throw new RangeError(`queues: ${queues} queues need multiQueue`);
  if (s.owner !== undefined) validateId(s.owner, 'owner');
  if (s.group !== undefined) validateId(s.group, 'group');
  if (s.mtu !== undefined) validateMtu(s.mtu);
  if (s.txQLen !== undefined) validateTxQLen(s.txQLen);
  if (s.hardwareAddr !== undefined) {
    validateMac(s.hardwareAddr);
    if (mode === 'tun') throw new RangeError('hardwareAddr: a tun device has no MAC address');
  }
  if (s.masterIndex !== undefined) validateUint(s.masterIndex, 'masterIndex', 1, 0x7fffffff);
  if (s.alias !== undefined) validateString(s.alias, 'alias', 255);
  if (s.linkGroup !== undefined) validateUint(s.linkGroup, 'linkGroup');
  if (s.netns !== undefined) nsTarget(s.netns as NetnsRef);
  let flags = mode === 'tap' ? C.IFF_TAP : C.IFF_TUN;
  if (s.noPi !== false) flags |= C.IFF_NO_PI;
  if (s.vnetHdr === true) flags |= C.IFF_VNET_HDR;
  if (s.oneQueue === true) flags |= C.IFF_ONE_QUEUE;
  if (s.multiQueue === true || queues > 1) flags |= C.IFF_MULTI_QUEUE;
  return { flags, queues };
}

/** Open one queue: `/dev/net/tun` (non-blocking, close-on-exec) + TUNSETIFF; returns the name the kernel chose. */
function openQueue(name: string, flags: number, fds: shim.OwnedFd[]): string {
  const fd = shim.open(TUN_PATH, C.O_RDWR | C.O_NONBLOCK);
  fds.push(fd);
  const req = new shim.Ifreq(name);
  req.flags = flags;
  shim.ioctl(fd, C.TUNSETIFF, req.bytes);
  return req.name;
}

function closeAll(fds: shim.OwnedFd[]): void {
  for (const fd of fds) {
    try {
      fd.close();
    } catch {
      /* already closed */
    }
  }
}

/** @internal `linkAdd({ kind: 'tuntap', ... })`. */
export async function tuntapAdd(h: Handle, spec: TuntapSpec): Promise<Link> {
  const { flags, queues } = validateTuntapSpec(spec);
  const persist = spec.persist !== false;
  const fds: shim.OwnedFd[] = [];
  let name = spec.name ?? '';
  let created = false;
  const run = <T>(fn: () => T): T => (spec.netns !== undefined ? shim.inNetns(nsTarget(spec.netns), fn) : h.inNamespace(fn));
  const target = spec.netns === undefined ? h : Handle.open({ netns: spec.netns });
  try {
    run(() => {
      // The first open creates the device; TUN_EXCL makes it fail rather than attach to an
      // existing device we would then wrongly remove on failure.
      name = openQueue(name, flags | C.IFF_TUN_EXCL, fds);
      created = true;
      if (spec.owner !== undefined) shim.ioctl(fds[0]!, C.TUNSETOWNER, spec.owner);
      if (spec.group !== undefined) shim.ioctl(fds[0]!, C.TUNSETGROUP, spec.group);
      if (persist) shim.ioctl(fds[0]!, C.TUNSETPERSIST, 1);
      for (let i = 1; i < queues; i++) openQueue(name, flags, fds);
    });
    const attrs: Record<string, unknown> = {};
    if (spec.mtu !== undefined) attrs.mtu = spec.mtu;
    if (spec.txQLen !== undefined) attrs.txqlen = spec.txQLen;
    if (spec.hardwareAddr !== undefined) attrs.address = spec.hardwareAddr.toLowerCase();
    if (spec.masterIndex !== undefined) attrs.master = spec.masterIndex;
    if (spec.alias !== undefined) attrs.ifalias = spec.alias;
    if (spec.linkGroup !== undefined) attrs.group = spec.linkGroup;
    if (Object.keys(attrs).length > 0 || spec.up === true) {
      await target.request(ifinfoRequest('RTM_NEWLINK', 0, { ifname: name, ...attrs }, [], spec.up ? ['up'] : [], spec.up ? IFF_UP : 0));
    }
    const link = await target.linkByName(name);
    link.fds = fds;
    return link;
  } catch (e) {
    const cleared = created && persist ? clearPersist(run, fds) : true;
    closeAll(fds);
    if (!cleared) {
      // If clearing persistence failed, delete it over netlink instead.
      await target.linkDel(name).catch(() => undefined);
    }
    throw e;
  } finally {
    if (target !== h) closeQuietly(target);
  }
}

/** Make the device non-persistent, so it goes away when its last fd closes. */
function clearPersist(run: <T>(fn: () => T) => T, fds: shim.OwnedFd[]): boolean {
  const first = fds[0];
  if (first === undefined || first.closed) return false;
  try {
    run(() => shim.ioctl(first, C.TUNSETPERSIST, 0));
    return true;
  } catch {
    return false; // the caller deletes it over netlink instead
  }
}

function tunFlagsOf(link: Link): number {
  const d = link.data as { mode?: string; pi?: boolean; vnetHdr?: boolean; multiQueue?: boolean } | undefined;
  if (link.kind !== 'tun' || d === undefined) throw new TypeError(`${link.name} is not a tun/tap device`);
  if (d.multiQueue !== true) throw new RangeError(`${link.name} is not a multi-queue device`);
  let flags = d.mode === 'tun' ? C.IFF_TUN : C.IFF_TAP;
  if (d.pi === false) flags |= C.IFF_NO_PI;
  if (d.vnetHdr === true) flags |= C.IFF_VNET_HDR;
  return flags | C.IFF_MULTI_QUEUE;
}

declare module './handle.js' {
  interface Handle {
    /**
     * Attach `count` more queues to a multi-queue tun/tap; resolves with their fds.
     * @example
     * ```ts
     * const more = await h.tuntapAddQueues(tap, 2);
     * ```
     */
    tuntapAddQueues(tap: LinkRef, count: number): Promise<shim.OwnedFd[]>;
    /**
     * Drop queues of a tun/tap: each fd is detached by closing it (and removed from `tap.fds`).
     * @example
     * ```ts
     * await h.tuntapRemoveQueues(tap, ...more);
     * ```
     */
    tuntapRemoveQueues(tap: LinkRef, ...fds: shim.OwnedFd[]): Promise<void>;
  }
}

Handle.prototype.tuntapAddQueues = async function (this: Handle, tap: LinkRef, count: number): Promise<shim.OwnedFd[]> {
  validateLinkRef(tap, 'tap');
  validateUint(count, 'count', 1, 256);
  // Flags must match the device (type, multi-queue, pi, vnet_hdr): read them from the kernel
  // unless we were given a Link that already carries them.
  const link = typeof tap === 'object' && tap.kind === 'tun' && tap.data !== undefined ? tap : typeof tap === 'number' ? await this.linkByIndex(typeof tap === 'number' ? tap : 0) : await this.linkByName(typeof tap === 'string' ? tap : tap.name);
  const flags = tunFlagsOf(link);
  const fds: shim.OwnedFd[] = [];
  try {
    this.inNamespace(() => {
      for (let i = 0; i < count; i++) openQueue(link.name, flags, fds);
    });
  } catch (e) {
    closeAll(fds);
    throw e;
  }
  if (typeof tap === 'object' && tap.fds) tap.fds.push(...fds);
  return fds;
};

Handle.prototype.tuntapRemoveQueues = async function (this: Handle, tap: LinkRef, ...fds: shim.OwnedFd[]): Promise<void> {
  validateLinkRef(tap, 'tap');
  fds.forEach((fd, i) => {
    if (!(fd instanceof shim.OwnedFd)) throw new TypeError(`fds[${i}] must be an OwnedFd`);
  });
  for (const fd of fds) fd.close();
  if (typeof tap === 'object' && tap.fds) tap.fds = tap.fds.filter((f) => !fds.includes(f));
};

/**
 * {@link Handle.tuntapAddQueues} on the default handle.
 * @example
 * ```ts
 * const fds = await tuntapAddQueues('tap0', 2);
 * ```
 */
export const tuntapAddQueues = (tap: LinkRef, count: number): Promise<shim.OwnedFd[]> => getDefaultHandle().tuntapAddQueues(tap, count);
/**
 * {@link Handle.tuntapRemoveQueues} on the default handle.
 * @example
 * ```ts
 * await tuntapRemoveQueues(tap, ...fds);
 * ```
 */
export const tuntapRemoveQueues = (tap: LinkRef, ...fds: shim.OwnedFd[]): Promise<void> => getDefaultHandle().tuntapRemoveQueues(tap, ...fds);
