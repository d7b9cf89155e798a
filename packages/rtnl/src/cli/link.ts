/** `rtnl link show|add|del|set`: ip-compatible syntax over the public link API. */
import '../link/index.js';
import type { Handle } from '../handle.js';
import { kindModule, knownKinds } from '../link/kinds/index.js';
import type { Link } from '../link/link.js';
import type { LinkSpec } from '../link/spec.js';
import { validateMac } from '../validate.js';
import { Args, CliError, runCommand, netnsPath, parseUint, type CliContext } from './args.js';
import { linkBriefJson, linkBriefText, linkGroupNumber, linkIpJson, linkText } from './ipjson/link.js';


const USAGE =
  'Usage: rtnl link { show [dev NAME] [type KIND] [master DEV] [group G] [up] | add NAME type KIND ... | del DEV | set DEV ... }';

export async function run(ctx: CliContext, argv: string[]): Promise<void> {
  return runCommand(ctx, argv, 'link', USAGE, [
    { words: ['show', 'list', 'lst'], run: show },
    { words: ['add'], run: add },
    { words: ['delete', 'del'], run: del },
    { words: ['set', 'change'], run: set },
  ]);
}

/**
 * Print links as ip does (JSON array with -j), naming masters/parents from `all`. `shown`
 * filters on our side (`up`, `group`): ip opens each link's JSON object before its own filter
 * rejects the link, so with -j a filtered-out link is an empty `{}`, and in text nothing.
 */
export function printLinks(ctx: CliContext, links: Link[], all: Link[], shown: (l: Link) => boolean = () => true): void {
  const byIndex = new Map(all.map((l) => [l.index, l]));
  for (const l of links) byIndex.set(l.index, l);
  const pc = { details: ctx.details, stats: ctx.stats, byIndex };
  if (ctx.brief) {
    // -br: print_linkinfo_brief's columns from the same fields the full form computes.
    const brief = links.map((l) => (shown(l) ? linkIpJson(l, { details: false, stats: 0, byIndex }) : undefined));
    if (ctx.json) ctx.printJson(brief.map((j) => (j === undefined ? {} : linkBriefJson(j))));
    else for (const j of brief) if (j !== undefined) ctx.print(linkBriefText(j));
    return;
  }
  if (ctx.json) ctx.printJson(links.map((l) => (shown(l) ? linkIpJson(l, pc) : {})));
  else for (const l of links) if (shown(l)) ctx.print(linkText(l, pc));
}

async function show(ctx: CliContext, a: Args): Promise<void> {
  const h = ctx.handle();
  let dev: string | undefined;
  let kind: string | undefined;
  let master: string | undefined;
  let upOnly = false;
  let group: number | undefined;
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'dev') dev = a.next('device name after "dev"');
    else if (w === 'type') kind = a.next('kind after "type"');
    else if (w === 'master') master = a.next('device after "master"');
    else if (w === 'up') upOnly = true;
    else if (w === 'group') group = groupArg(a.next('group after "group"'));
    else if (dev === undefined && !w.startsWith('-')) dev = w;
    else throw new CliError(`unknown link show argument "${w}"`);
  }
  let links: Link[];
  if (dev !== undefined) links = [await byName(h, dev)];
  else links = await h.linkList({ ...(kind !== undefined ? { kind } : {}), ...(master !== undefined ? { master } : {}) });
  // ip applies these after the kernel's reply, to `show dev X` too.
  const shown = (l: Link) => (!upOnly || l.flags.includes('up')) && (group === undefined || l.group === group);
  // ip names masters and parents; a filtered result may not hold them.
  const refs = links.flatMap((l) => [l.masterIndex, l.parentNetnsId === undefined ? l.parentIndex : undefined]).filter((x): x is number => !!x);
  const known = new Set(links.map((l) => l.index));
  // With -d, kind data names links too (a vxlan's `dev`, a port's backup_port): a filtered
  // listing reads the whole namespace for their names, as ip's name cache does.
  const filtered = dev !== undefined || kind !== undefined || master !== undefined;
  const all = refs.some((r) => !known.has(r)) || (ctx.details && filtered) ? await h.linkList() : links;
  printLinks(ctx, links, all, shown);
}

/** A link by name; a missing one is a bad argument, worded as ip words it. */
async function byName(h: Handle, name: string): Promise<Link> {
  try {
    return await h.linkByName(name);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENODEV') throw new CliError(`Device "${name}" does not exist (ENODEV).`);
    throw e;
  }
}

async function index(h: Handle, name: string): Promise<number> {
  return (await byName(h, name)).index;
}

/** An interface group: a number or a name of /etc/iproute2/group (`default`). */
function groupArg(s: string): number {
  const n = linkGroupNumber(s);
  if (n === undefined || n > 0xffffffff) throw new CliError(`invalid group "${s}"`);
  return n;
}

/** ip's `netns NS` argument: a PID, a name under /run/netns, or a path. */
function netnsArg(s: string): { pid?: number; path?: string } {
  if (/^\d+$/.test(s)) return { pid: parseUint(s, 'netns pid', 0x7fffffff) };
  return { path: netnsPath(s) };
}

function mac(s: string): string {
  try {
    return validateMac(s);
  } catch {
    throw new CliError(`invalid MAC address "${s}"`);
  }
}

async function add(ctx: CliContext, a: Args): Promise<void> {
  const h = ctx.handle();
  const spec: Record<string, unknown> = {};
  let kind: string | undefined;
  while (!a.done && kind === undefined) {
    const w = a.next('argument');
    switch (w) {
      case 'name':
      case 'dev':
        spec.name = a.next(`name after "${w}"`);
        break;
      case 'mtu':
        spec.mtu = parseUint(a.next('MTU'), 'MTU');
        break;
      case 'address':
        spec.hardwareAddr = mac(a.next('MAC address'));
        break;
      case 'master':
        spec.masterIndex = await index(h, a.next('master device'));
        break;
      case 'link':
        spec.parentIndex = await index(h, a.next('lower device after "link"'));
        break;
      case 'txqueuelen':
      case 'txqlen':
      case 'qlen':
        spec.txQLen = parseUint(a.next('queue length'), 'txqueuelen');
        break;
      case 'alias':
        spec.alias = a.next('alias text');
        break;
      case 'group':
        spec.linkGroup = groupArg(a.next('group'));
        break;
      case 'numtxqueues':
        spec.numTxQueues = parseUint(a.next('numtxqueues'), 'numtxqueues');
        break;
      case 'numrxqueues':
        spec.numRxQueues = parseUint(a.next('numrxqueues'), 'numrxqueues');
        break;
      case 'netns': {
        const n = netnsArg(a.next('namespace after "netns"'));
        spec.netns = n.path ?? `/proc/${n.pid}/ns/net`;
        break;
      }
      case 'up':
        spec.up = true;
        break;
      case 'type':
        kind = a.next('KIND after "type"');
        break;
      default:
        if (spec.name === undefined) spec.name = w;
        else throw new CliError(`unknown link add argument "${w}"`);
    }
  }
  if (kind === undefined) throw new CliError('missing "type KIND"');
  const k = kindModule(kind);
  if (k === undefined || !k.creatable) throw new CliError(`unknown link type "${kind}" (known: ${knownKinds().filter((x) => kindModule(x)!.creatable).join(', ')})`);
  spec.kind = kind;
  if (kind === 'veth') await vethPeer(spec, a);
  while (!a.done) {
    const w = a.next('option');
    if (kind === 'vxlan' && w === 'dev') {
      spec.vxlanLinkIndex = await index(h, a.next('device after "dev"'));
      continue;
    }
    const o = k.cli?.[w];
    if (o === undefined) throw new CliError(`unknown ${kind} option "${w}"`);
    try {
      spec[o.key] = o.parse ? o.parse(a.next(`value after "${w}"`)) : o.value;
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  if (spec.name === undefined) throw new CliError('missing link name');
  await h.linkAdd(spec as unknown as LinkSpec);
}

async function vethPeer(spec: Record<string, unknown>, a: Args): Promise<void> {
  if (!a.accept('peer')) return;
  // `peer` with nothing after it is an incomplete command (ip: "Command line is not complete").
  if (a.done) throw new CliError('missing peer name after "peer"');
  const peer: Record<string, unknown> = {};
  while (!a.done) {
    const w = a.next('peer option');
    if (w === 'name') peer.name = a.next('peer name');
    else if (w === 'netns') {
      const n = netnsArg(a.next('namespace after "netns"'));
      peer.netns = n.path ?? `/proc/${n.pid}/ns/net`;
    } else if (w === 'mtu') peer.mtu = parseUint(a.next('MTU'), 'MTU');
    else if (w === 'address') peer.hardwareAddr = mac(a.next('MAC address'));
    else if (w === 'txqueuelen' || w === 'txqlen') peer.txQLen = parseUint(a.next('queue length'), 'txqueuelen');
    else if (peer.name === undefined) peer.name = w;
    else throw new CliError(`unknown veth peer option "${w}"`);
  }
  spec.peer = peer;
}

async function del(ctx: CliContext, a: Args): Promise<void> {
  a.accept('dev');
  const dev = a.next('device to delete');
  // `type KIND` after the name (ip accepts it) changes nothing.
  if (a.accept('type')) a.next('KIND');
  if (!a.done) throw new CliError(`unknown link del argument "${a.peek()}"`);
  await ctx.handle().linkDel(dev);
}

async function set(ctx: CliContext, a: Args): Promise<void> {
  const h = ctx.handle();
  a.accept('dev');
  const dev = a.next('device');
  const steps: Array<(i: number) => Promise<void>> = [];
  let updown: boolean | undefined;
  let rename: string | undefined;
  let netns: { pid?: number; path?: string } | undefined;
  while (!a.done) {
    const w = a.next('argument');
    switch (w) {
      case 'up':
      case 'down':
        updown = w === 'up';
        break;
      case 'mtu': {
        const mtu = parseUint(a.next('MTU'), 'MTU');
        steps.push((i) => h.linkSetMTU(i, mtu));
        break;
      }
      case 'name':
        rename = a.next('new name');
        break;
      case 'address': {
        const m = mac(a.next('MAC address'));
        steps.push((i) => h.linkSetHardwareAddr(i, m));
        break;
      }
      case 'master': {
        const master = a.next('master device');
        steps.push((i) => h.linkSetMaster(i, master));
        break;
      }
      case 'nomaster':
        steps.push((i) => h.linkSetNoMaster(i));
        break;
      case 'alias': {
        const text = a.next('alias text');
        steps.push((i) => h.linkSetAlias(i, text));
        break;
      }
      case 'txqueuelen':
      case 'txqlen':
      case 'qlen': {
        const q = parseUint(a.next('queue length'), 'txqueuelen');
        steps.push((i) => h.linkSetTxQLen(i, q));
        break;
      }
      case 'group': {
        const g = groupArg(a.next('group'));
        steps.push((i) => h.linkSetGroup(i, g));
        break;
      }
      case 'netns':
        netns = netnsArg(a.next('namespace after "netns"'));
        break;
      default:
        throw new CliError(`unknown link set argument "${w}"`);
    }
  }
  // Everything after the name lookup uses the index, so a rename cannot break later steps.
  const i = await index(h, dev);
  for (const s of steps) await s(i);
  if (rename !== undefined) await h.linkSetName(i, rename);
  if (updown !== undefined) await (updown ? h.linkSetUp(i) : h.linkSetDown(i));
  if (netns !== undefined) await (netns.pid !== undefined ? h.linkSetNsPid(i, netns.pid) : h.linkSetNsFd(i, netns.path!));
}
