/**
 * `ip [-j] tuntap show` output. iproute2 reads `/sys/class/net/NAME/tun_flags`, `owner` and
 * `group` (of the mount namespace, not necessarily the device's network namespace); we take the
 * same facts from the kernel's IFLA_TUN_* over netlink. Netlink does not report
 * `IFF_ONE_QUEUE` (ignored by the kernel), so `one_queue` is never printed.
 */
import type { TuntapData } from '../../link/kinds/index.js';
import type { Link } from '../../link/link.js';

/** One tun/tap device as `ip -j tuntap show` prints it. */
export function tuntapIpJson(link: Link): Record<string, unknown> {
  const d = (link.data ?? {}) as Partial<TuntapData>;
  const flags: string[] = [];
  if (d.mode === 'tun') flags.push('tun');
  if (d.mode === 'tap') flags.push('tap');
  if (d.pi) flags.push('pi');
  if (d.multiQueue) flags.push('multi_queue');
  if (d.vnetHdr) flags.push('vnet_hdr');
  if (d.persist) flags.push('persist');
  // iproute2 prints "filter" when IFF_NOFILTER (0x1000) is clear; that bit is IFF_NO_PI's.
  if (d.pi) flags.push('filter');
  const o: Record<string, unknown> = { ifname: link.name, flags };
  if (d.owner !== undefined) o.user = d.owner;
  if (d.group !== undefined) o.group = d.group;
  return o;
}

/** The text form: `tap0: tap multi_queue vnet_hdr persist user 1 group 2`. */
export function tuntapText(link: Link): string {
  const j = tuntapIpJson(link);
  let s = `${link.name}: ${(j.flags as string[]).join(' ')}`;
  if (j.user !== undefined) s += ` user ${j.user as number}`;
  if (j.group !== undefined) s += ` group ${j.group as number}`;
  return s;
}
