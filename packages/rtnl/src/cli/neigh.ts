/**
 * `rtnl neigh show [dev D] | add|replace|change ADDR lladdr MAC dev D [nud STATE] [router] | del ADDR dev D`,
 * `ip neigh` syntax over the public neighbour API.
 */
import '../neigh.js';
import '../link/index.js';
import { neighDumpMessage, neighFromMessage, type Neigh, type NeighFlag, type NeighSpec, type NeighState } from '../neigh.js';
import { parseCIDR, parseIP, parseMAC, parseNamedByte, samePrefix, type ParsedCIDR } from '../ip.js';
import { ROUTE_PROTOCOLS } from '../route.js';
import { Args, CliError, runCommand, type CliContext } from './args.js';
import { ctxFamily } from './addr.js';
import { neighIpJson, neighText, nudFilter, shownByNud, type NeighPrintContext } from './ipjson/neigh.js';

const STATES: readonly string[] = ['permanent', 'noarp', 'reachable', 'stale', 'incomplete', 'delay', 'probe', 'failed'];

const USAGE =
  'Usage: rtnl neigh { show [[to] PREFIX] [dev DEV] [nud STATE|all|none]... [proxy] [unused] [proto P] | add|replace ADDR lladdr MAC dev DEV [nud STATE] [router] | del ADDR dev DEV | get [proxy] ADDR dev DEV }';

export async function run(ctx: CliContext, argv: string[]): Promise<void> {
  return runCommand(ctx, argv, 'neigh', USAGE, [
    { words: ['show', 'list', 'lst'], run: show },
    { words: ['add'], run: (c, a) => modify(c, a, 'add') },
    { words: ['replace', 'change'], run: (c, a) => modify(c, a, 'replace') },
    { words: ['delete', 'del'], run: (c, a) => modify(c, a, 'del') },
    { words: ['get'], run: get },
  ]);
}

async function show(ctx: CliContext, a: Args): Promise<void> {
  let dev: string | undefined;
  const nud: string[] = [];
  let proxy = false;
  let unused = false;
  let protocol: number | undefined;
  let prefix: ParsedCIDR | undefined;
  let family = ctxFamily(ctx);
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'dev') dev = a.next('device after "dev"');
    else if (w === 'proxy') proxy = true;
    else if (w === 'unused') unused = true;
    else if (w === 'proto' || w === 'protocol') {
      const p = a.next('protocol after "proto"');
      // `proto all` is no filter (ip: protocol 0).
      if (p !== 'all') protocol = protocolArg(p);
    } else if (w === 'nud') {
      const s = a.next('state after "nud"');
      if (s !== 'all' && s !== 'none' && !STATES.includes(s)) throw new CliError(`invalid nud state "${s}"`);
      nud.push(s);
    } else if (prefix === undefined && !w.startsWith('-')) {
      // `[to] PREFIX`: entries whose address lies in it; it sets the family when none was given.
      prefix = parseCIDR(w === 'to' ? a.next('prefix after "to"') : w, 'prefix', family === undefined ? undefined : family === 'inet' ? 2 : 10);
      family ??= prefix.af === 2 ? 'inet' : 'inet6';
    } else throw new CliError(`unknown neigh show argument "${w}"`);
  }
  const h = ctx.handle();
  let list = proxy
    ? await proxyList(ctx, dev, family)
    : await h.neighList({ ...(dev !== undefined ? { link: dev } : {}), ...(family !== undefined ? { family } : {}) });
  const mask = nudFilter(nud);
  list = list.filter((n) => shownByNud(n, mask));
  // ip's print_neigh filters: protocol (0 when the entry has none), `unused` (no references).
  if (protocol) list = list.filter((n) => (n.protocol ?? 0) === protocol);
  if (unused) list = list.filter((n) => !n.cacheinfo?.refcnt);
  if (prefix !== undefined) list = list.filter((n) => n.ip !== undefined && inPrefix(n.ip, prefix!));
  const links = await h.linkList();
  const names = new Map(links.map((l) => [l.index, l.name]));
  const pc: NeighPrintContext = { linkName: (i) => names.get(i), omitDev: dev !== undefined, stats: ctx.stats > 0 };
  if (ctx.json) ctx.printJson(list.map((n) => neighIpJson(n, pc)));
  else for (const n of list) ctx.print(neighText(n, pc));
}

/** `ip`'s inet_addr_match: the address lies in the prefix. */
function inPrefix(ip: string, p: ParsedCIDR): boolean {
  const a = parseIP(ip);
  return a.af === p.af && samePrefix(a.bytes, p.bytes, p.prefixLen);
}

/**
 * `ip neigh show proxy`: the proxy entries, which the kernel dumps from its own table when the
 * request carries NTF_PROXY (neighList has no such filter).
 */
async function proxyList(ctx: CliContext, dev: string | undefined, family: 'inet' | 'inet6' | undefined): Promise<Neigh[]> {
  const h = ctx.handle();
  const index = dev === undefined ? undefined : (await h.linkByName(dev)).index;
  const req = neighDumpMessage(family === 'inet' ? 2 : family === 'inet6' ? 10 : 0, index, undefined);
  req['ndm-flags'] = ['proxy'];
  return h.request<Neigh>(req, { dump: true, map: (m) => (m.header.type === 'RTM_NEWNEIGH' ? neighFromMessage(m) : undefined) });
}

/**
 * `ip neigh get ADDR dev D` / `get proxy ADDR dev D`: one RTM_GETNEIGH for the entry. iproute2
 * 6.1 prints the answer as text even under -j (it opens no JSON writer there), and so do we.
 */
async function get(ctx: CliContext, a: Args): Promise<void> {
  let dev: string | undefined;
  let dst: string | undefined;
  let proxy = false;
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'dev') dev = a.next('device after "dev"');
    else if (w === 'proxy') {
      proxy = true;
      dst = a.next('address after "proxy"');
    } else if (w === 'to') dst = a.next('address after "to"');
    else if (dst === undefined && !w.startsWith('-')) dst = w;
    else throw new CliError(`unknown neigh get argument "${w}"`);
  }
  if (dst === undefined || (dev === undefined && !proxy)) throw new CliError('"neigh get" needs an address and "dev DEV"');
  const family = ctxFamily(ctx);
  const ip = parseIP(dst, 'address', family === undefined ? undefined : family === 'inet' ? 2 : 10);
  const h = ctx.handle();
  const link = dev === undefined ? undefined : await h.linkByName(dev);
  const [n] = await h.request<Neigh>(
    {
      header: { type: 'RTM_GETNEIGH', flags: [], seq: 0, pid: 0 },
      'ndm-family': ip.af,
      'ndm-ifindex': link?.index ?? 0,
      'ndm-state': [],
      'ndm-flags': proxy ? ['proxy'] : [],
      'ndm-type': 'unspec',
      attrs: { dst: ip.text },
    },
    { map: (m) => (m.header.type === 'RTM_NEWNEIGH' ? neighFromMessage(m) : undefined) },
  );
  if (n === undefined) throw new Error(`the kernel sent no neighbour for ${ip.text}`);
  const names = new Map((await h.linkList()).map((l) => [l.index, l.name]));
  ctx.print(neighText(n, { linkName: (i) => names.get(i) }));
}

/** A protocol word as ip takes it (rtnl_rtprot_a2n): a routing protocol's name or a number 0-255. */
function protocolArg(v: string): number {
  try {
    return parseNamedByte(v, ROUTE_PROTOCOLS, 'protocol');
  } catch {
    throw new CliError(`invalid protocol "${v}" (a number 0-255 or a name such as static, boot, kernel)`);
  }
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
        // `nud none` is NUD_NONE: no state bit at all.
        if (s === 'none') spec.state = [];
        else if (!STATES.includes(s)) throw new CliError(`invalid nud state "${s}"`);
        else spec.state = s as NeighState;
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
      case 'proto':
      case 'protocol': {
        // NDA_PROTOCOL.
        spec.protocol = protocolArg(a.next('protocol after "proto"'));
        break;
      }
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
