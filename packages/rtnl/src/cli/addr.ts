/**
 * `rtnl addr show [dev DEV] | add|replace|change IFADDR dev DEV [...] | del IFADDR dev DEV`,
 * `ip addr` syntax over the public address API.
 */
import '../addr.js';
import '../link/index.js';
import type { AddrFlag, AddrSpec } from '../addr.js';
import { networkCIDR, parseCIDR, parseIP, type Family } from '../ip.js';
import type { Link } from '../link/link.js';
import { linkFromReply } from '../link/decode.js';
import { ifinfoRequest } from '../link/message.js';
import { Args, CliError, runCommand, parseUint, type CliContext } from './args.js';
import { addrShowIpJson, addrShowText } from './ipjson/addr.js';


/** The `-4`/`-6`/`-f` global option. */
export function ctxFamily(ctx: CliContext): Family | undefined {
  return ctx.family;
}

const USAGE =
  'Usage: rtnl addr { show [dev DEV] | add|replace IFADDR dev DEV [broadcast ADDR|+|-] [label L] [scope S] [nodad] [noprefixroute] [valid_lft N] [preferred_lft N] | del IFADDR dev DEV }\nIFADDR := PREFIX | ADDR peer PREFIX';

export async function run(ctx: CliContext, argv: string[]): Promise<void> {
  return runCommand(ctx, argv, 'addr', USAGE, [
    { words: ['show', 'list', 'lst'], run: show },
    { words: ['add'], run: (c, a) => modify(c, a, 'add') },
    { words: ['replace', 'change'], run: (c, a) => modify(c, a, 'replace') },
    { words: ['delete', 'del'], run: (c, a) => modify(c, a, 'del') },
  ]);
}

async function show(ctx: CliContext, a: Args): Promise<void> {
  let dev: string | undefined;
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'dev') dev = a.next('device name after "dev"');
    else if (dev === undefined && !w.startsWith('-')) dev = w;
    else throw new CliError(`unknown addr show argument "${w}"`);
  }
  const h = ctx.handle();
  const family = ctxFamily(ctx);
  let links: Link[];
  let all: Link[];
  let queueLengths: Map<number, number> | undefined;
  if (dev !== undefined) {
    const link = await h.linkByName(dev);
    links = [link];
    // Names of masters/parents for the link line.
    all = link.masterIndex || link.parentIndex ? await h.linkList() : links;
  } else {
    links = family === 'inet6' ? await inet6Links(ctx) : await h.linkList();
    all = links;
    if (family === 'inet6') queueLengths = new Map((await h.linkList()).map((l) => [l.index, l.txQLen]));
  }
  const addrs = await h.addrList(dev === undefined ? undefined : links[0]!, family === undefined ? {} : { family });
  const pc = { details: ctx.details, byIndex: new Map(all.map((l) => [l.index, l])) };
  // As ip: with a family filter, links without such addresses are not listed.
  const opts = { ...(family !== undefined ? { family } : {}), ...(queueLengths ? { queueLengths } : {}) };
  if (ctx.json) ctx.printJson(addrShowIpJson(links, addrs, pc, opts));
  else for (const line of addrShowText(links, addrs, pc, opts)) ctx.print(line);
}

/**
 * The links as `ip -6 addr show` sees them: ip dumps links with the family it was given, and
 * for AF_INET6 the kernel answers from IPv6's own handler (inet6_fill_ifinfo), with only the
 * name, address, MTU, parent, operstate and queue length: no qdisc, group, master or link
 * details. (AF_INET has no handler of its own, so `-4` gets the full dump.)
 */
async function inet6Links(ctx: CliContext): Promise<Link[]> {
  const req = ifinfoRequest('RTM_GETLINK', 0, {});
  req['ifi-family'] = 10;
  return ctx.handle().request<Link>(req, { dump: true, mapRaw: linkFromReply });
}

const FLAG_WORDS: Readonly<Record<string, AddrFlag>> = {
  nodad: 'nodad',
  noprefixroute: 'noprefixroute',
  home: 'home',
  mngtmpaddr: 'managetempaddr',
  optimistic: 'optimistic',
  autojoin: 'mcautojoin',
};

function lifetimeArg(s: string, what: string): number | 'forever' {
  if (s === 'forever') return 'forever';
  return parseUint(s, what);
}

/** Parse `ip addr add|del` arguments into (device, spec). Exported for tests. */
export function parseAddrArgs(argv: readonly string[], forDelete: boolean): { dev: string; spec: Exclude<AddrSpec, string> } {
  const a = new Args(argv);
  let dev: string | undefined;
  let local: string | undefined;
  const spec: Partial<Exclude<AddrSpec, string>> & { flags: AddrFlag[] } = { flags: [] };
  // `ip addr add` sends no broadcast unless asked (`brd ADDR` or `brd +`).
  let brd: string | null | '+' | '-' = null;
  while (!a.done) {
    const w = a.next('argument');
    switch (w) {
      case 'dev':
        dev = a.next('device name after "dev"');
        break;
      case 'local':
        local = a.next('address after "local"');
        break;
      case 'peer':
      case 'remote':
        spec.peer = a.next(`address after "${w}"`);
        break;
      case 'broadcast':
      case 'brd':
        brd = a.next(`address after "${w}"`);
        if (brd !== '+' && brd !== '-') parseIP(brd, 'broadcast');
        break;
      case 'label':
        spec.label = a.next('label after "label"');
        break;
      case 'scope':
        spec.scope = a.next('scope after "scope"') as never;
        break;
      case 'valid_lft':
        spec.validLft = lifetimeArg(a.next('lifetime after "valid_lft"'), 'valid_lft');
        break;
      case 'preferred_lft':
        spec.preferredLft = lifetimeArg(a.next('lifetime after "preferred_lft"'), 'preferred_lft');
        break;
      case 'metric':
      case 'priority':
        spec.priority = parseUint(a.next(`number after "${w}"`), w);
        break;
      default: {
        const flag = FLAG_WORDS[w];
        if (flag !== undefined) spec.flags.push(flag);
        else if (local === undefined && !w.startsWith('-')) local = w;
        else throw new CliError(`unknown addr argument "${w}"`);
      }
    }
  }
  if (local === undefined) throw new CliError('missing address (IFADDR)');
  if (dev === undefined) throw new CliError('missing "dev DEV"');
  // Validate here so the error names the argument as typed.
  parseCIDR(local, 'address');
  spec.address = local;
  if (brd === '+') delete spec.broadcast;
  else if (brd === '-') {
    // ip's `brd -`: the prefix's network address as broadcast, for IPv4 prefixes up to /30
    // (none for /31 and /32), computed from the peer prefix when there is one.
    const p = parseCIDR(spec.peer ?? local, 'address');
    if (p.af !== 2) throw new CliError('broadcast can be set only for IPv4 addresses');
    spec.broadcast = !forDelete && p.prefixLen <= 30 ? networkCIDR(p).split('/')[0]! : null;
  } else spec.broadcast = forDelete ? null : brd;
  if (spec.flags.length === 0) delete (spec as { flags?: unknown }).flags;
  return { dev, spec: spec as Exclude<AddrSpec, string> };
}

async function modify(ctx: CliContext, a: Args, op: 'add' | 'replace' | 'del'): Promise<void> {
  const { dev, spec } = parseAddrArgs(a.rest(), op === 'del');
  const h = ctx.handle();
  if (op === 'add') await h.addrAdd(dev, spec);
  else if (op === 'replace') await h.addrReplace(dev, spec);
  else await h.addrDel(dev, spec);
}
