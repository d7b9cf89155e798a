/**
 * rtnetlink multicast groups (`RTNLGRP_*` from `<linux/rtnetlink.h>`) by name.
 *
 * Names are the kernel's without the `RTNLGRP_` prefix, lowercase, `_` written `-` (as the YNL
 * specs spell them: `rtnlgrp-ipv4-ifaddr` -> `'ipv4-ifaddr'`). The numbers are kernel ABI and
 * never change, so a table is exact; groups newer than this table are still reachable by number.
 */
import { ownValue } from '../ip.js';

/** Every group name `subscribe()` accepts, with its `RTNLGRP_*` number. */
export const RTNLGRP = {
  link: 1,
  notify: 2,
  neigh: 3,
  tc: 4,
  'ipv4-ifaddr': 5,
  'ipv4-mroute': 6,
  'ipv4-route': 7,
  'ipv4-rule': 8,
  'ipv6-ifaddr': 9,
  'ipv6-mroute': 10,
  'ipv6-route': 11,
  'ipv6-ifinfo': 12,
  'decnet-ifaddr': 13,
  'decnet-route': 15,
  'decnet-rule': 16,
  'ipv6-prefix': 18,
  'ipv6-rule': 19,
  'nd-useropt': 20,
  'phonet-ifaddr': 21,
  'phonet-route': 22,
  dcb: 23,
  'ipv4-netconf': 24,
  'ipv6-netconf': 25,
  mdb: 26,
  'mpls-route': 27,
  nsid: 28,
  'mpls-netconf': 29,
  'ipv4-mroute-r': 30,
  'ipv6-mroute-r': 31,
  nexthop: 32,
  brvlan: 33,
  'mctp-ifaddr': 34,
  tunnel: 35,
  stats: 36,
  'ipv4-mcaddr': 37,
  'ipv6-mcaddr': 38,
  'ipv6-acaddr': 39,
} as const satisfies Record<string, number>;

/** A group name from {@link RTNLGRP}. */
export type EventGroupName = keyof typeof RTNLGRP;

/** A group by name, or by its `RTNLGRP_*` number (for groups newer than this table). */
export type EventGroup = EventGroupName | number;

/** What `subscribe()` joins when no groups are given: the four object kinds this package lifts. */
export const DEFAULT_EVENT_GROUPS: readonly EventGroupName[] = [
  'link',
  'ipv4-ifaddr',
  'ipv6-ifaddr',
  'ipv4-route',
  'ipv6-route',
  'neigh',
];

// The kernel keeps group membership in a bitmap sized by RTNLGRP_MAX and answers EINVAL beyond
// it; we only refuse what can never be a group, so a newer kernel's groups stay usable.
const MAX_GROUP = 0xffff;

/**
 * Turn group names/numbers into distinct `RTNLGRP_*` numbers, in the given order.
 * Throws `TypeError`/`RangeError` naming the bad entry (before any system call).
 *
 * @example
 * ```ts
 * resolveGroups(['link', 'ipv4-route', 28]); // [1, 7, 28]
 * ```
 */
export function resolveGroups(groups: readonly EventGroup[]): number[] {
  if (!Array.isArray(groups)) throw new TypeError('groups must be an array of group names or numbers');
  if (groups.length === 0) throw new RangeError('groups must name at least one multicast group');
  const out: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    let n: number;
    if (typeof g === 'string') {
      const v = ownValue<number>(RTNLGRP, g);
      if (v === undefined) {
        throw new TypeError(`groups[${i}]: unknown multicast group ${JSON.stringify(g)} (known: ${Object.keys(RTNLGRP).join(', ')})`);
      }
      n = v;
    } else if (typeof g === 'number') {
      if (!Number.isInteger(g) || g < 1 || g > MAX_GROUP) {
        throw new RangeError(`groups[${i}]: a group number must be an integer from 1 to ${MAX_GROUP}, got ${g}`);
      }
      n = g;
    } else {
      throw new TypeError(`groups[${i}]: expected a group name or number, got ${typeof g}`);
    }
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** The name of group `n`, or `undefined` when this table does not know it. */
export function groupName(n: number): EventGroupName | undefined {
  for (const [name, value] of Object.entries(RTNLGRP)) if (value === n) return name as EventGroupName;
  return undefined;
}
