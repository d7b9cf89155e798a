/**
 * `rtnl addr show [dev DEV] | add|replace|change IFADDR dev DEV [...] | del IFADDR dev DEV`,
 * `ip addr` syntax over the public address API.
 */
import '../addr.js';
import '../link/index.js';
import type { Addr, AddrFlag, AddrSpec } from '../addr.js';
import { broadcastBytes, formatIP, networkBytes, ownValue, parseCIDR, parseIP, scopeName, type Family, type ParsedCIDR } from '../ip.js';
import type { Link } from '../link/link.js';
import { linkDumpMapper } from '../link/decode.js';
import { ifinfoRequest } from '../link/message.js';
import { Args, CliError, runCommand, parseUint, type CliContext } from './args.js';
import { addrBrief, addrOneline, addrShowIpJson, addrShowText } from './ipjson/addr.js';


/** The `-4`/`-6`/`-f` global option. */
export function ctxFamily(ctx: CliContext): Family | undefined {
  return ctx.family;
}

const USAGE =
  'Usage: rtnl addr { show [dev DEV] [to PREFIX] [scope S] [label PATTERN] [up] [FLAG|-FLAG|dynamic|primary]... | add|replace IFADDR dev DEV [broadcast ADDR|+|-] [label L] [scope S] [nodad] [noprefixroute] [valid_lft N] [preferred_lft N] | del IFADDR dev DEV }\nIFADDR := PREFIX | ADDR peer PREFIX';

export async function run(ctx: CliContext, argv: string[]): Promise<void> {
  return runCommand(ctx, argv, 'addr', USAGE, [
    { words: ['show', 'list', 'lst'], run: show },
    { words: ['add'], run: (c, a) => modify(c, a, 'add') },
    { words: ['replace', 'change'], run: (c, a) => modify(c, a, 'replace') },
    { words: ['delete', 'del'], run: (c, a) => modify(c, a, 'del') },
  ]);
}

/** ip's address flag words for `addr show` filters (ifa_flag_names) -> our flag names. */
const SHOW_FLAG_WORDS: Readonly<Record<string, AddrFlag>> = {
  secondary: 'secondary',
  temporary: 'secondary',
  nodad: 'nodad',
  optimistic: 'optimistic',
  dadfailed: 'dadfailed',
  home: 'home',
  deprecated: 'deprecated',
  tentative: 'tentative',
  permanent: 'permanent',
  mngtmpaddr: 'managetempaddr',
  noprefixroute: 'noprefixroute',
  autojoin: 'mcautojoin',
  'stable-privacy': 'stable-privacy',
};

/** The selectors of `ip addr show` (ipaddr_list_flush_or_save): what an address must match. */
interface AddrShowFilter {
  family?: Family;
  prefix?: ParsedCIDR;
  scope?: string;
  label?: RegExp;
  /** Flags that must be set (true) or clear (false). */
  flags: Map<AddrFlag, boolean>;
  up: boolean;
}

/** fnmatch(3) without flags, as ip matches `label PATTERN`: `*`, `?`, `[...]`. */
function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function addrMatches(a: Addr, f: AddrShowFilter, names: ReadonlyMap<number, string>): boolean {
  if (f.family !== undefined && a.family !== f.family) return false;
  if (f.scope !== undefined && String(a.scope) !== f.scope) return false;
  for (const [flag, set] of f.flags) if (a.flags.includes(flag) !== set) return false;
  if (f.prefix !== undefined) {
    const own = parseCIDR(a.local ?? a.address.split('/')[0]!);
    if (own.af !== f.prefix.af) return false;
    for (let i = 0; i < f.prefix.prefixLen; i++) {
      if (((own.bytes[i >> 3]! >> (7 - (i & 7))) & 1) !== ((f.prefix.bytes[i >> 3]! >> (7 - (i & 7))) & 1)) return false;
    }
  }
  if (f.label !== undefined && !f.label.test(a.label ?? names.get(a.linkIndex) ?? '')) return false;
  return true;
}

async function show(ctx: CliContext, a: Args): Promise<void> {
  let dev: string | undefined;
  const filter: AddrShowFilter = { flags: new Map(), up: false };
  const dumpFamily = ctxFamily(ctx);
  if (dumpFamily !== undefined) filter.family = dumpFamily;
  while (!a.done) {
    const w = a.next('argument');
    if (w === 'dev') dev = a.next('device name after "dev"');
    else if (w === 'to') {
      const p = a.next('prefix after "to"');
      filter.prefix = parseCIDR(p, 'to', filter.family === undefined ? undefined : filter.family === 'inet' ? 2 : 10);
      // As ip: a prefix without -4/-6 sets the family filter (not the link dump's family).
      filter.family ??= filter.prefix.af === 2 ? 'inet' : 'inet6';
    } else if (w === 'scope') {
      const v = a.next('scope after "scope"');
      if (v !== 'all') filter.scope = /^\d+$/.test(v) ? String(scopeName(parseUint(v, 'scope', 255))) : v;
    } else if (w === 'label') filter.label = globRegExp(a.next('pattern after "label"'));
    else if (w === 'up') filter.up = true;
    else if (w === 'dynamic') filter.flags.set('permanent', false);
    else if (w === 'primary') filter.flags.set('secondary', false);
    else {
      // A flag word, or with '-' in front its negation.
      const negated = w.startsWith('-');
      const flag = ownValue(SHOW_FLAG_WORDS, negated ? w.slice(1) : w);
      if (flag !== undefined) filter.flags.set(flag, !negated);
      else if (dev === undefined && !negated) dev = w;
      else throw new CliError(`unknown addr show argument "${w}"`);
    }
  }
  const h = ctx.handle();
  let links: Link[];
  let all: Link[];
  let queueLengths: Map<number, number> | undefined;
  if (dev !== undefined) {
    const link = await h.linkByName(dev);
    links = [link];
    // Names of masters/parents for the link line.
    all = link.masterIndex || link.parentIndex ? await h.linkList() : links;
  } else {
    links = dumpFamily === 'inet6' ? await inet6Links(ctx) : await h.linkList();
    all = links;
    if (dumpFamily === 'inet6') queueLengths = new Map((await h.linkList()).map((l) => [l.index, l.txQLen]));
  }
  // ip dumps addresses with its family filter (set by -4/-6 or by `to PREFIX`).
  const addrs = await h.addrList(dev === undefined ? undefined : links[0]!, filter.family === undefined ? {} : { family: filter.family });
  const names = new Map(all.map((l) => [l.index, l.name]));
  const hidden = new Set(addrs.filter((x) => !addrMatches(x, filter, names)));
  // As ip (ipaddr_filter): a link is listed when one of its addresses matches, or when it has
  // none at all and no family was asked for.
  links = links.filter((l) => {
    const own = addrs.filter((x) => x.linkIndex === l.index);
    return own.some((x) => !hidden.has(x)) || (own.length === 0 && filter.family === undefined);
  });
  const hiddenLinks = filter.up ? new Set(links.filter((l) => !l.flags.includes('up')).map((l) => l.index)) : undefined;
  const pc = { details: ctx.details, byIndex: new Map(all.map((l) => [l.index, l])), ...(ctx.stats > 0 ? { stats: ctx.stats } : {}) };
  const opts = {
    ...(filter.family !== undefined ? { family: filter.family } : {}),
    ...(queueLengths ? { queueLengths } : {}),
    ...(hidden.size > 0 ? { hidden } : {}),
    ...(hiddenLinks ? { hiddenLinks } : {}),
    ...(filter.label !== undefined ? { noLink: true } : {}),
  };
  if (ctx.brief) {
    if (ctx.json) ctx.printJson(addrBrief(links, addrs, pc, opts));
    else for (const line of addrBrief(links, addrs, pc, opts, true)) ctx.print(line);
  } else if (ctx.json) ctx.printJson(addrShowIpJson(links, addrs, pc, opts));
  else if (ctx.oneline) for (const line of addrOneline(links, addrs, opts)) ctx.print(line);
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
  return ctx.handle().request<Link>(req, { dump: true, mapAt: linkDumpMapper(), keepDatagram: true });
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
        const flag = ownValue(FLAG_WORDS, w);
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
  // `brd +` on a plain prefix: the library's default broadcast is ip's (and is written where ip
  // writes it). With a peer, ip computes it from the peer prefix, which the library does not.
  if (brd === '+' && spec.peer === undefined) delete spec.broadcast;
  else if (brd === '+' || brd === '-') {
    // ip's `brd +` / `brd -`: the prefix's broadcast / network address, for IPv4 prefixes up
    // to /30 (none for /31 and /32), from the peer prefix when there is one.
    const p = parseCIDR(spec.peer ?? local, 'address');
    if (p.af !== 2) throw new CliError('broadcast can be set only for IPv4 addresses');
    spec.broadcast = !forDelete && p.prefixLen <= 30 ? formatIP((brd === '+' ? broadcastBytes : networkBytes)(p.bytes, p.prefixLen)) : null;
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
