/**
 * `rtnl -j monitor` output: one JSON object per event, `{ "event": "newlink", ...same keys as
 * show }`. The object's keys come from the printers of `show` (`linkIpJson`, ...), so a line
 * of `monitor -j` parses like an entry of the matching `-j ... show`; this file only adds the
 * `event` key and shapes each kind as its `show` entry.
 */
import type { RtnlEvent } from '../../events.js';
import type { Link } from '../../link/link.js';
import { addrInfoIpJson, addrShowIpJson } from './addr.js';
import { linkIpJson } from './link.js';
import { neighIpJson } from './neigh.js';
import { routeIpJson } from './route.js';

/** What the printers need besides the event: links by index (names of masters and devices). */
export interface MonitorPrintContext {
  details: boolean;
  byIndex: ReadonlyMap<number, Link>;
}

/**
 * One event as `rtnl -j monitor` prints it, or `undefined` for an event it does not print
 * (notifications of groups `monitor` does not join).
 *
 * @example
 * ```ts
 * for await (const ev of h.subscribe()) {
 *   const o = monitorIpJson(ev, { details: false, byIndex });
 *   if (o) console.log(JSON.stringify(o));
 * }
 * ```
 */
export function monitorIpJson(ev: RtnlEvent, ctx: MonitorPrintContext): Record<string, unknown> | undefined {
  switch (ev.type) {
    case 'newlink':
    case 'dellink':
      return { event: ev.type, ...linkIpJson(ev.link, ctx) };
    case 'newaddr':
    case 'deladdr': {
      // The entry `addr show` prints for the link, holding just this address.
      const link = ctx.byIndex.get(ev.addr.linkIndex);
      if (link === undefined) return { event: ev.type, ifindex: ev.addr.linkIndex, addr_info: [addrInfoIpJson(ev.addr)] };
      return { event: ev.type, ...addrShowIpJson([link], [ev.addr], ctx)[0] };
    }
    case 'newroute':
    case 'delroute':
      return { event: ev.type, ...routeIpJson(ev.route, { details: ctx.details, linkName: (i) => ctx.byIndex.get(i)?.name }) };
    case 'newneigh':
    case 'delneigh':
      return { event: ev.type, ...neighIpJson(ev.neigh, { linkName: (i) => ctx.byIndex.get(i)?.name }) };
    case 'overrun':
      return { event: 'overrun', reason: ev.reason };
    default:
      return undefined;
  }
}
