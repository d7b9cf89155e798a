/**
 * `rtnl [-j] [-d] [-n NETNS] [--record FILE] OBJECT COMMAND ...`: an `ip`-like front end to
 * the public API. This file parses the global options and dispatches OBJECT to
 * `./<object>.js`, which exports `run(ctx, args)`. Bad arguments exit with status 1 and one
 * line naming the problem; kernel refusals exit with status 2, as `ip` does.
 */
// The whole public API, so every Handle method is installed whichever object runs.
import '../index.js';
import { Handle } from '../handle.js';
import { NetlinkError } from '../errors.js';
import { ownValue } from '../ip.js';
import { Args, CliError, netnsPath, type CliContext } from './args.js';
import { ipPrettyJson } from './pretty.js';

export { Args, CliError, type CliContext } from './args.js';

const OBJECTS: Record<string, string> = {
  link: 'link', l: 'link', li: 'link', lin: 'link',
  tuntap: 'tuntap', tu: 'tuntap', tun: 'tuntap', tap: 'tuntap',
  addr: 'addr', address: 'addr', a: 'addr', ad: 'addr',
  route: 'route', r: 'route', ro: 'route',
  neigh: 'neigh', n: 'neigh', neighbor: 'neigh', neighbour: 'neigh',
  monitor: 'monitor', mon: 'monitor', m: 'monitor',
};

const USAGE = `Usage: rtnl [-j [-p]] [-d] [-s] [-br] [-o] [-4|-6|-f FAMILY] [-n NETNS] [--record FILE] OBJECT COMMAND ...
where OBJECT := { link | tuntap | addr | route | neigh | monitor }`;

interface Parsed {
  ctx: CliContext;
  object: string;
  args: string[];
  close(): void;
}

/** Parse global options (exported for tests). */
export function parseGlobal(argv: readonly string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Parsed {
  const a = new Args(argv);
  let json = false;
  let details = false;
  let stats = 0;
  let pretty = false;
  let brief = false;
  let oneline = false;
  let netns: string | undefined;
  let record: string | undefined;
  let family: 'inet' | 'inet6' | undefined;
  for (;;) {
    const v = a.peek();
    if (v === undefined || !v.startsWith('-')) break;
    a.next('option');
    const opt = v.replace(/^--?/, '');
    if (opt === 'j' || opt === 'json') json = true;
    else if (opt === 'd' || opt === 'details') details = true;
    else if (opt === 'jd' || opt === 'dj') json = details = true;
    else if (opt === 's' || opt === 'stats' || opt === 'statistics') stats++;
    else if (/^s+$/.test(opt)) stats += opt.length;
    // ip matches option words by prefix (matches()); these are the spellings people use.
    else if (opt === 'p' || opt === 'pretty') pretty = true;
    else if (opt === 'br' || opt === 'brief') brief = true;
    else if (opt === 'o' || opt === 'oneline') oneline = true;
    else if (opt === 'n' || opt === 'netns') netns = netnsPath(a.next('namespace after -n'));
    else if (opt === '4') family = 'inet';
    else if (opt === '6') family = 'inet6';
    else if (opt === 'f' || opt === 'family') {
      const f = a.next('family after -f (inet or inet6)');
      if (f === 'inet' || f === 'inet6') family = f;
      else throw new CliError(`unknown family "${f}" (inet or inet6)`);
    } else if (opt === 'record') record = a.next('file after --record');
    else if (opt.startsWith('record=')) record = opt.slice('record='.length);
    else if (opt === 'h' || opt === 'help') throw new CliError(USAGE);
    else throw new CliError(`unknown option "${v}"`);
  }
  const word = a.next('OBJECT (link, tuntap, addr, route, neigh or monitor)');
  const object = ownValue(OBJECTS, word);
  if (object === undefined) throw new CliError(`unknown object "${word}"`);
  let handle: Handle | undefined;
  const ctx: CliContext = {
    json,
    details,
    stats,
    brief,
    oneline,
    netns,
    record,
    family,
    handle() {
      // --record captures every datagram of this invocation (handle and subscriptions) to pcap.
      handle ??= Handle.open({ ...(netns === undefined ? {} : { netns }), ...(record === undefined ? {} : { record }) });
      return handle;
    },
    // ip's oneline mode prints its line separator as a backslash: one record, one line.
    print: oneline ? (s) => out(s.replace(/\n/g, '\\')) : out,
    printJson: pretty
      ? (v) => out(ipPrettyJson(v))
      : (v) => out(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x))),
  };
  return { ctx, object, args: a.rest(), close: () => handle?.close() };
}

/** Run the CLI; resolves with the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed: Parsed | undefined;
  try {
    parsed = parseGlobal(argv);
    const mod = (await import(`./${parsed.object}.js`)) as { run(ctx: CliContext, args: string[]): Promise<void> };
    await mod.run(parsed.ctx, parsed.args);
    return 0;
  } catch (e) {
    return report(e);
  } finally {
    parsed?.close();
  }
}

function report(e: unknown): number {
  if (e instanceof CliError || e instanceof TypeError || e instanceof RangeError) {
    process.stderr.write(`rtnl: ${e.message}\n`);
    return 1;
  }
  if (e instanceof NetlinkError) {
    process.stderr.write(`rtnl: RTNETLINK answers: ${e.message}\n`);
    return 2;
  }
  const err = e as { code?: string; message?: string };
  if (err?.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write(`rtnl: this object is not available in this build\n`);
    return 1;
  }
  process.stderr.write(`rtnl: ${err?.message ?? String(e)}\n`);
  return 2;
}

// Run when executed directly (bin/rtnl.js imports this module and calls main).
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
