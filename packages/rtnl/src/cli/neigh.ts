/**
 * `rtnl neigh show [dev D] | add|replace|change ADDR lladdr MAC dev D [nud STATE] [router] | del ADDR dev D`,
 * `ip neigh` syntax over the public neighbour API.
 */
import '../neigh.js';
import '../link/index.js';
import type { NeighFlag, NeighSpec, NeighState } from '../neigh.js';
import { parseIP, parseMAC } from '../ip.js';
import { Args, CliError, runCommand, type CliContext } from './args.js';
import { ctxFamily } from './addr.js';
import { neighIpJson, neighText, nudFilter, shownByNud, type NeighPrintContext } from './ipjson/neigh.js';

const STATES: readonly string[] = ['permanent', 'noarp', 'reachable', 'stale', 'incomplete', 'delay', 'probe', 'failed'];

const USAGE =
  'Usage: rtnl neigh { show [dev DEV] | add|replace ADDR lladdr MAC dev DEV [nud STATE] [router] | del ADDR dev DEV }';

export async function run(ctx: CliContext, argv: string[]): Promise<void> {
  return runCommand(ctx, argv, 'neigh', USAGE, [
    { words: ['show', 'list', 'lst'], run: show },
    { words: ['add'], run: (c, a) => modify(c, a, 'add') },
    { words: ['replace', 'change'], run: (c, a) => modify(c, a, 'replace') },
    { words: ['delete', 'del'], run: (c, a) => modify(c, a, 'del') },
  ]);
}

async function show(ctx: CliContext, a: Args): Promise<void> {
  let dev: string | undefined;
  const nud: string[] = [];
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'dev') dev = a.next('device after "dev"');
    else if (w === 'nud') {
      const s = a.next('state after "nud"');
      if (s !== 'all' && s !== 'none' && !STATES.includes(s)) throw new CliError(`invalid nud state "${s}"`);
      nud.push(s);
    } else throw new CliError(`unknown neigh show argument "${w}"`);
  }
  const h = ctx.handle();
  const family = ctxFamily(ctx);
  let list = await h.neighList({ ...(dev !== undefined ? { link: dev } : {}), ...(family !== undefined ? { family } : {}) });
  const mask = nudFilter(nud);
  list = list.filter((n) => shownByNud(n, mask));
  const links = await h.linkList();
  const names = new Map(links.map((l) => [l.index, l.name]));
  const pc: NeighPrintContext = { linkName: (i) => names.get(i), omitDev: dev !== undefined, stats: ctx.stats > 0 };
  if (ctx.json) ctx.printJson(list.map((n) => neighIpJson(n, pc)));
  else for (const n of list) ctx.print(neighText(n, pc));
}

/** Parse `ip neigh add|del` arguments. Exported for tests. */
export function parseNeighArgs(argv: readonly string[]): NeighSpec & { link: string } {
  const a = new Args(argv);
  let dev: string | undefined;
  let ip: string | undefined;
  const spec: NeighSpec = {};
  const flags: NeighFlag[] = [];
  while (!a.done) {
    const w = a.next('argument');
    switch (w) {
      case 'dev':
        dev = a.next('device after "dev"');
        break;
      case 'lladdr':
        spec.hardwareAddr = parseMAC(a.next('address after "lladdr"'), 'lladdr');
        break;
      case 'nud': {
        const s = a.next('state after "nud"');
        if (!STATES.includes(s)) throw new CliError(`invalid nud state "${s}"`);
        spec.state = s as NeighState;
        break;
      }
      case 'router':
        flags.push('router');
        break;
      case 'extern_learn':
        flags.push('extern_learn');
        break;
      case 'proxy':
        flags.push('proxy');
        break;
      case 'to':
        ip = a.next('address after "to"');
        break;
      default:
        if (ip === undefined && !w.startsWith('-')) ip = w;
        else throw new CliError(`unknown neigh argument "${w}"`);
    }
  }
  if (ip === undefined) throw new CliError('missing neighbour address');
  if (dev === undefined) throw new CliError('missing "dev DEV"');
  parseIP(ip, 'address');
  if (flags.length) spec.flags = flags;
  return { ...spec, ip, link: dev };
}

async function modify(ctx: CliContext, a: Args, op: 'add' | 'replace' | 'del'): Promise<void> {
  const spec = parseNeighArgs(a.rest());
  const h = ctx.handle();
  if (op === 'add') await h.neighAdd(spec);
  else if (op === 'replace') await h.neighSet(spec);
  else await h.neighDel(spec);
}
