/**
 * `linkAdd`: one `RTM_NEWLINK` with `NLM_F_CREATE|NLM_F_EXCL|NLM_F_ECHO`. The kernel echoes
 * the new link (with our sequence number, before the ACK), which is what we return; when no
 * echo arrives (older kernels, or a link created straight into another namespace, whose
 * notification goes to that namespace) one GET by name in the target namespace replaces it.
 */
import type { Message } from '@nlkit/nl-codec';
import { Handle, getDefaultHandle } from '../handle.js';
import { nsTarget } from '../netns.js';
import { tuntapAdd, type TuntapSpec } from '../tuntap.js';
import {
  describeValue, rejectUnknownKeys, validateBool, validateIfName, validateMac, validateMtu, validateObject, validateString,
  validateTxQLen, validateUint,
} from '../validate.js';
import { kindModule, knownKinds, RequestResources, type KindModule } from './kinds/index.js';
import { linkFromReply } from './decode.js';
import type { Link } from './link.js';
import { closeQuietly, IFF_UP, ifinfoRequest, vethAddWire } from './message.js';
import { COMMON_SPEC_KEYS, type LinkSpec } from './spec.js';

const allowedKeys = new Map<string, Set<string>>();

function keysFor(k: KindModule): Set<string> {
  let s = allowedKeys.get(k.kind);
  if (s === undefined) {
    s = new Set([...COMMON_SPEC_KEYS, ...k.options]);
    allowedKeys.set(k.kind, s);
  }
  return s;
}

/**
 * Check a netlink-created spec completely (common attributes, then the kind's own), with no
 * system call. Returns its kind module.
 * @example
 * ```ts
 * validateLinkSpec({ kind: 'bridge', name: 'br0', mtu: 10 }); // RangeError: mtu must be in 68..65535, got 10
 * ```
 */
export function validateLinkSpec(spec: unknown): KindModule {
  const s = validateObject(spec, 'spec');
  if (typeof s.kind !== 'string') throw new TypeError(`spec.kind must be a string, got ${describeValue(s.kind)}`);
  const k = kindModule(s.kind);
  if (k === undefined || !k.creatable) {
    const kinds = [...knownKinds().filter((x) => kindModule(x)!.creatable), 'tuntap'].join(', ');
    throw new TypeError(`spec.kind: unknown link kind "${s.kind}" (known: ${kinds})`);
  }
  rejectUnknownKeys(s, keysFor(k), `${s.kind} spec`);
  validateIfName(s.name, 'name', true);
  if (s.mtu !== undefined) validateMtu(s.mtu);
  if (s.txQLen !== undefined) validateTxQLen(s.txQLen);
  if (s.hardwareAddr !== undefined) validateMac(s.hardwareAddr);
  if (s.masterIndex !== undefined) validateUint(s.masterIndex, 'masterIndex', 1, 0x7fffffff);
  if (s.parentIndex !== undefined) validateUint(s.parentIndex, 'parentIndex', 1, 0x7fffffff);
  else if (k.needsParent) throw new TypeError(`${s.kind} needs parentIndex (its lower device)`);
  if (s.alias !== undefined) validateString(s.alias, 'alias', 255);
  if (s.linkGroup !== undefined) validateUint(s.linkGroup, 'linkGroup');
  if (s.up !== undefined) validateBool(s.up, 'up');
  if (s.numTxQueues !== undefined) validateUint(s.numTxQueues, 'numTxQueues', 1, 4096);
  if (s.numRxQueues !== undefined) validateUint(s.numRxQueues, 'numRxQueues', 1, 4096);
  if (s.netns !== undefined) {
    nsTarget(s.netns as never);
    // A template name can only be read back from the echo, which another namespace never sends.
    if ((s.name as string).includes('%')) throw new RangeError('name: a %d template cannot be used with netns');
  }
  k.validate?.(s);
  return k;
}

/** The `RTM_NEWLINK` create request for a validated spec (exported for request-bytes tests). */
export function linkAddMessage(spec: Record<string, unknown>, k: KindModule, res: RequestResources): Message {
  const attrs: Record<string, unknown> = { ifname: spec.name };
  if (spec.mtu !== undefined) attrs.mtu = spec.mtu;
  if (spec.txQLen !== undefined) attrs.txqlen = spec.txQLen;
  if (spec.hardwareAddr !== undefined) attrs.address = (spec.hardwareAddr as string).toLowerCase();
  // vxlan's lower device travels in IFLA_VXLAN_LINK, not IFLA_LINK.
  if (spec.parentIndex !== undefined && k.kind !== 'vxlan') attrs.link = spec.parentIndex;
  if (spec.masterIndex !== undefined) attrs.master = spec.masterIndex;
  if (spec.linkGroup !== undefined) attrs.group = spec.linkGroup;
  if (spec.numTxQueues !== undefined) attrs['num-tx-queues'] = spec.numTxQueues;
  if (spec.numRxQueues !== undefined) attrs['num-rx-queues'] = spec.numRxQueues;
  if (spec.netns !== undefined) attrs['net-ns-fd'] = res.nsFd(spec.netns as never);
  const data = k.infoData?.(spec, res);
  attrs.linkinfo = data === undefined ? { kind: k.kind } : { kind: k.kind, data };
  const up = spec.up === true;
  return ifinfoRequest('RTM_NEWLINK', 0, attrs, ['create', 'excl', 'echo'], up ? ['up'] : [], up ? IFF_UP : 0);
}

/** Spec keys other than `kind`, `name`, `peer` and `up`, and peer keys other than `name`. */
const OTHER_KEYS = ['mtu', 'txQLen', 'hardwareAddr', 'masterIndex', 'parentIndex', 'alias', 'linkGroup', 'netns', 'numTxQueues', 'numRxQueues'] as const;

/**
 * A validated veth spec of names only (and `up`): `vethAddWire` writes its request. Anything
 * else goes through `linkAddMessage` and the codec. (Unknown keys were refused by validation.)
 */
function simpleVeth(s: Record<string, unknown>): boolean {
  if (s.kind !== 'veth') return false;
  for (const key of OTHER_KEYS) if (s[key] !== undefined) return false;
  const peer = s.peer as Record<string, unknown> | undefined;
  if (peer === undefined) return true;
  for (const key of OTHER_KEYS) if (peer[key] !== undefined) return false;
  return true;
}

declare module '../handle.js' {
  interface Handle {
    /**
     * Create a link and return it as the kernel reports it. `spec.kind` selects the type:
     * `bridge`, `veth`, `vxlan`, `macvlan`, `macvtap`, `ifb`, `dummy`, `vlan`, `bond`, `geneve`,
     * `ipvlan` (rtnetlink) or `tuntap` (ioctl on /dev/net/tun; the link carries its queue `fds`).
     *
     * @example
     * ```ts
     * const br = await h.linkAdd({ kind: 'bridge', name: 'br0', stpState: 0 });
     * const v = await h.linkAdd({ kind: 'veth', name: 'veth0', peer: { name: 'eth0', netns: ns } });
     * const tap = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'tap0', queues: 4, masterIndex: br.index });
     * ```
     */
    linkAdd(spec: LinkSpec): Promise<Link>;
  }
}

Handle.prototype.linkAdd = async function (this: Handle, spec: LinkSpec): Promise<Link> {
  if ((spec as { kind?: unknown } | null)?.kind === 'tuntap') return tuntapAdd(this, spec as TuntapSpec);
  const k = validateLinkSpec(spec);
  const s = spec as unknown as Record<string, unknown>;
  const name = s.name as string;
  // The handle that reads the link back in another namespace is opened first: once the link
  // exists, every later failure must be able to remove it there.
  const target = s.netns === undefined ? this : Handle.open({ netns: s.netns as never });
  try {
    const res = new RequestResources();
    let echoed: Link[];
    try {
      // The echo is lifted like a dump reply: the cheap fields now, the rest on first access.
      echoed = await this.request<Link>(simpleVeth(s) ? vethAddWire(name, (s.peer as { name?: string } | undefined)?.name, s.up === true) : linkAddMessage(s, k, res), { mapRaw: linkFromReply });
    } finally {
      res.release();
    }
    // From here on the link exists (a failure above may have left it too, but then we cannot
    // tell it from a link of the same name that existed before, so it is not touched).
    let link: Link | undefined;
    if (s.netns === undefined && echoed.length > 0) link = echoed.find((l) => l.name === name) ?? echoed[echoed.length - 1]!;
    // The echo is sent before IFLA_MASTER is applied, and IFLA_IFALIAS is not applied on
    // create: both need a step (and a fresh view) after the link exists.
    const after = s.alias !== undefined || (s.masterIndex !== undefined && link !== undefined);
    if (link !== undefined && !after) return link;
    const ref = link?.index ?? name;
    try {
      if (s.alias !== undefined) await target.linkSetAlias(ref, s.alias as string);
      return typeof ref === 'number' ? await target.linkByIndex(ref) : await target.linkByName(ref);
    } catch (e) {
      // linkAdd either returns the link or leaves nothing behind.
      await target.linkDel(ref).catch(() => undefined);
      throw e;
    }
  } finally {
    if (target !== this) closeQuietly(target);
  }
};

/**
 * {@link Handle.linkAdd} on the default handle.
 * @example
 * ```ts
 * const br = await linkAdd({ kind: 'bridge', name: 'br0' });
 * ```
 */
export const linkAdd = (spec: LinkSpec): Promise<Link> => getDefaultHandle().linkAdd(spec);
