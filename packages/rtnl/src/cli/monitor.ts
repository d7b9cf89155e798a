/**
 * `rtnl [-j] monitor [link | address | route | neigh | all | label]...`: as `ip monitor`, one
 * line per event (`ip -o monitor` style) or, with `-j`, one JSON object per event, flushed as
 * it happens. Runs until SIGINT/SIGTERM, or until stdout is closed (noticed at the next write,
 * as `ip` does).
 */
import type { RtnlEvent } from '../events.js';
import type { EventGroupName } from '../events/groups.js';
import type { Link } from '../link/link.js';
import { CliError, matchCommand, type CliContext } from './args.js';
import { monitorIpJson, type MonitorPrintContext } from './ipjson/monitor.js';
import { linkText } from './ipjson/link.js';
import { addrShowText } from './ipjson/addr.js';
import { neighText } from './ipjson/neigh.js';
import { routeText } from './ipjson/route.js';
import { linkFromMessage } from '../link/link.js';

type MonitorObject = 'link' | 'address' | 'route' | 'neigh';

const WORDS = ['link', 'address', 'route', 'neigh', 'neighbor', 'neighbour', 'all', 'label', 'help'] as const;

const GROUPS: Record<MonitorObject, readonly EventGroupName[]> = {
  link: ['link'],
  address: ['ipv4-ifaddr', 'ipv6-ifaddr'],
  route: ['ipv4-route', 'ipv6-route'],
  neigh: ['neigh'],
};

/** ip's banners when several kinds are shown (`ip monitor all`). */
const BANNER: Record<MonitorObject, string> = { link: '[LINK]', address: '[ADDR]', route: '[ROUTE]', neigh: '[NEIGH]' };

const USAGE = 'Usage: rtnl [-j] monitor [ link | address | route | neigh | all ]... [ label ]';

/** Which object an event belongs to. */
function objectOf(ev: RtnlEvent): MonitorObject | undefined {
  switch (ev.type) {
    case 'newlink':
    case 'dellink':
      return 'link';
    case 'newaddr':
    case 'deladdr':
      return 'address';
    case 'newroute':
    case 'delroute':
      return 'route';
    case 'newneigh':
    case 'delneigh':
      return 'neigh';
    default:
      return undefined;
  }
}

/** Parse the object words (exported for tests). */
export function parseMonitorArgs(argv: readonly string[]): { objects: Set<MonitorObject>; label: boolean; help: boolean } {
  const objects = new Set<MonitorObject>();
  let label = false;
  let all = argv.length === 0;
  for (const w of argv) {
    const m = matchCommand(w, WORDS);
    switch (m) {
      case 'link':
      case 'address':
      case 'route':
        objects.add(m);
        break;
      case 'neigh':
      case 'neighbor':
      case 'neighbour':
        objects.add('neigh');
        break;
      case 'all':
        all = true;
        label = true; // as `ip monitor all`
        break;
      case 'label':
        label = true;
        break;
      case 'help':
        return { objects, label, help: true };
      default:
        throw new CliError(`unknown monitor object "${w}" (link, address, route, neigh, all)`);
    }
  }
  if (all || objects.size === 0) for (const o of Object.keys(GROUPS) as MonitorObject[]) objects.add(o);
  return { objects, label, help: false };
}

/** One event as a text line (`ip -o monitor` style: a multi-line entry is joined with `\`). */
export function monitorText(ev: RtnlEvent, ctx: MonitorPrintContext): string | undefined {
  let s: string;
  switch (ev.type) {
    case 'newlink':
    case 'dellink':
      s = linkText(ev.link, ctx);
      break;
    case 'newaddr':
    case 'deladdr': {
      // `ip monitor`: "2: br0" then the address block `addr show` prints under the link.
      const link = linkNamed(ev.addr.linkIndex, ctx);
      const [, ...block] = addrShowText([link], [ev.addr], ctx);
      s = `${link.index}: ${link.name}${block.join('\n')}`;
      break;
    }
    case 'newroute':
    case 'delroute':
      s = routeText(ev.route, { details: ctx.details, linkName: (i) => ctx.byIndex.get(i)?.name });
      break;
    case 'newneigh':
    case 'delneigh':
      s = neighText(ev.neigh, { linkName: (i) => ctx.byIndex.get(i)?.name });
      break;
    default:
      return undefined;
  }
  s = s.replaceAll('\n', '\\');
  return ev.type.startsWith('del') ? `Deleted ${s}` : s;
}

/** Links a line names (devices, masters, parents). */
function linksNamedBy(ev: RtnlEvent): number[] {
  switch (ev.type) {
    case 'newlink':
    case 'dellink':
      return [ev.link.masterIndex ?? 0, ev.link.parentNetnsId === undefined ? (ev.link.parentIndex ?? 0) : 0];
    case 'newaddr':
    case 'deladdr':
      return [ev.addr.linkIndex];
    case 'newroute':
    case 'delroute':
      return [ev.route.linkIndex ?? 0, ...(ev.route.multipath ?? []).map((nh) => nh.linkIndex)];
    case 'newneigh':
    case 'delneigh':
      return [ev.neigh.linkIndex];
    default:
      return [];
  }
}

/** The link with this index, or a stand-in named as ip names unknown devices (`if7`). */
function linkNamed(index: number, ctx: MonitorPrintContext): Link {
  return (
    ctx.byIndex.get(index) ??
    linkFromMessage({
      header: { type: 'RTM_NEWLINK', flags: [], seq: 0, pid: 0 },
      'ifi-family': 0,
      'ifi-type': 0,
      'ifi-index': index,
      'ifi-flags': [],
      'ifi-change': 0,
      attrs: { ifname: `if${index}` },
    })
  );
}

export async function run(ctx: CliContext, argv: string[]): Promise<void> {
  const { objects, label, help } = parseMonitorArgs(argv);
  if (help) {
    ctx.print(USAGE);
    return;
  }
  const h = ctx.handle();
  // Links are always followed, printed or not: other objects name their devices, and a name
  // must stay right across renames and new links.
  const groups = new Set<EventGroupName>(['link']);
  for (const o of objects) for (const g of GROUPS[o]) groups.add(g);
  // 1 MiB, as ip asks for its monitor socket: bursts (a namespace full of links going away)
  // fit without an overrun.
  const sub = h.subscribe({ groups: [...groups], recvBufferSize: 1 << 20 });
  const stop = (): void => sub.close();
  const onStdoutError = (): void => sub.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.on('error', onStdoutError);
  try {
    // Names of masters and devices; subscribed first, so nothing between the dump and the
    // first event is missed.
    const byIndex = new Map<number, Link>((await h.linkList()).map((l) => [l.index, l]));
    const pc: MonitorPrintContext = { details: ctx.details, byIndex };
    // Indexes the kernel no longer knows: asked once, then printed as `if<N>`.
    const gone = new Set<number>();
    for await (const ev of sub) {
      if (ev.type === 'overrun') {
        if (ctx.json) ctx.printJson(monitorIpJson(ev, pc));
        else process.stderr.write(`rtnl: netlink receive error: No buffer space available (${ev.reason}): events were lost\n`);
        continue;
      }
      const obj = objectOf(ev);
      if (ev.type === 'newlink') {
        byIndex.set(ev.link.index, ev.link);
        gone.delete(ev.link.index);
      }
      if (obj !== undefined && objects.has(obj)) {
        // A notification can name a link before its own newlink arrives (a new bridge
        // announces its FDB entry first): ask the kernel, as ip does on a cache miss.
        for (const i of linksNamedBy(ev)) {
          if (i <= 0 || byIndex.has(i) || gone.has(i)) continue;
          try {
            byIndex.set(i, await h.linkByIndex(i));
          } catch {
            gone.add(i);
          }
        }
        if (ctx.json) {
          const o = monitorIpJson(ev, pc);
          if (o !== undefined) ctx.printJson(o);
        } else {
          const line = monitorText(ev, pc);
          if (line !== undefined) ctx.print(label ? `${BANNER[obj]}${line}` : line);
        }
      }
      // Forget a deleted link only after printing it (its own line names it).
      if (ev.type === 'dellink') byIndex.delete(ev.link.index);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.stdout.off('error', onStdoutError);
    sub.close();
  }
}
