/** `rtnl tuntap add|del|show`: as `ip tuntap`. */
import { readFileSync } from 'node:fs';
import '../link/index.js';
import type { TuntapSpec } from '../tuntap.js';
import { Args, CliError, matchCommand, parseUint, type CliContext } from './args.js';
import { tunProcesses, tuntapIpJson, tuntapText } from './ipjson/tuntap.js';

const COMMANDS = ['add', 'delete', 'del', 'show', 'list', 'lst', 'help'] as const;

function idOf(s: string, file: string, what: string): number {
  if (/^\d+$/.test(s)) return parseUint(s, what, 0xfffffffe);
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === s && f[2] !== undefined) return Number(f[2]);
    }
  } catch {
    /* fall through */
  }
  throw new CliError(`invalid ${what} "${s}"`);
}

export async function run(ctx: CliContext, argv: string[]): Promise<void> {
  const a = new Args(argv);
  const word = a.done ? 'show' : a.next('command');
  const cmd = matchCommand(word, COMMANDS);
  if (cmd === 'show' || cmd === 'list' || cmd === 'lst') {
    // The kernel filters by kind (IFLA_INFO_KIND "tun").
    const taps = await ctx.handle().linkList({ kind: 'tun' });
    // -d adds the processes holding each device's queues, as ip does.
    const procs = ctx.details ? tunProcesses() : undefined;
    const of = (l: (typeof taps)[number]) => (procs === undefined ? undefined : (procs.get(l.name) ?? []));
    if (ctx.json) ctx.printJson(taps.map((l) => tuntapIpJson(l, of(l))));
    else for (const l of taps) ctx.print(tuntapText(l, of(l)));
    return;
  }
  if (cmd === 'help') {
    ctx.print('Usage: rtnl tuntap { add | del | show } [dev] NAME mode { tun | tap } [multi_queue] [vnet_hdr] [one_queue] [pi] [user U] [group G]');
    return;
  }
  if (cmd !== 'add' && cmd !== 'delete' && cmd !== 'del') throw new CliError(`unknown tuntap command "${word}"`);
  const spec: Partial<TuntapSpec> & { kind: 'tuntap' } = { kind: 'tuntap' };
  while (!a.done) {
    const w = a.next('argument');
    switch (w) {
      case 'dev':
      case 'name':
        spec.name = a.next('name');
        break;
      case 'mode': {
        const m = a.next('mode');
        if (m !== 'tun' && m !== 'tap') throw new CliError(`invalid mode "${m}": expected tun or tap`);
        spec.mode = m;
        break;
      }
      case 'multi_queue':
        spec.multiQueue = true;
        break;
      case 'vnet_hdr':
        spec.vnetHdr = true;
        break;
      case 'one_queue':
        spec.oneQueue = true;
        break;
      case 'pi':
        spec.noPi = false;
        break;
      case 'user':
        spec.owner = idOf(a.next('user'), '/etc/passwd', 'user');
        break;
      case 'group':
        spec.group = idOf(a.next('group'), '/etc/group', 'group');
        break;
      default:
        if (spec.name === undefined) spec.name = w;
        else throw new CliError(`unknown tuntap argument "${w}"`);
    }
  }
  if (spec.name === undefined) throw new CliError('missing device name');
  const h = ctx.handle();
  if (cmd === 'add') {
    if (spec.mode === undefined) throw new CliError('missing "mode tun|tap"');
    const link = await h.linkAdd(spec as TuntapSpec);
    for (const fd of link.fds ?? []) fd.close();
    return;
  }
  const link = await h.linkByName(spec.name);
  if (link.kind !== 'tun') throw new CliError(`${spec.name} is not a tun/tap device`);
  await h.linkDel(link.index);
}
