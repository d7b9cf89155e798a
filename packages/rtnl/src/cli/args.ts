/**
 * The CLI's shared pieces: `CliContext` (what every object module gets), `CliError` (a bad
 * argument: exit status 1, one line), and `Args`, a cursor over the remaining arguments.
 */
import { Handle } from '../handle.js';

/** A bad command line: printed as `rtnl: MESSAGE`, exit status 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** What an object module (`link`, `addr`, ...) gets from the framework. */
export interface CliContext {
  /** `-j`: print ip-compatible JSON. */
  json: boolean;
  /** `-d`: details. */
  details: boolean;
  /** `-s` given this many times (0: no statistics). */
  stats: number;
  /** `-br`: ip's brief tables (links and addresses); other objects print as usual. */
  brief?: boolean;
  /** `-o`: each record on one line, its line breaks printed as `\` (ip's oneline). */
  oneline?: boolean;
  /** `-n NETNS` as given (a name under /run/netns or a path), resolved to a path. */
  netns: string | undefined;
  /** `--record FILE`: every datagram of this invocation is appended to this pcap. */
  record: string | undefined;
  /** `-4`, `-6` or `-f inet|inet6`: the address family objects filter on, as in `ip`. */
  family: 'inet' | 'inet6' | undefined;
  /** The handle for this invocation, opened on first use in `netns`. */
  handle(): Handle;
  /** Write a line (or lines) to stdout. */
  print(text: string): void;
  /** Print a JSON value on one line, as `ip -j` does. */
  printJson(value: unknown): void;
}

/** A cursor over arguments with ip-style helpers. */
export class Args {
  private i = 0;
  constructor(private readonly argv: readonly string[]) {}

  get done(): boolean {
    return this.i >= this.argv.length;
  }

  peek(): string | undefined {
    return this.argv[this.i];
  }

  /** The next argument; `what` names it in the error when missing. */
  next(what: string): string {
    const v = this.argv[this.i++];
    if (v === undefined) throw new CliError(`missing ${what}`);
    return v;
  }

  /** Consume the next argument if it equals one of `words`. */
  accept(...words: string[]): string | undefined {
    const v = this.argv[this.i];
    if (v !== undefined && words.includes(v)) {
      this.i++;
      return v;
    }
    return undefined;
  }

  rest(): string[] {
    const r = this.argv.slice(this.i);
    this.i = this.argv.length;
    return r;
  }
}

/** Parse an unsigned decimal (or 0x hex) integer argument. */
export function parseUint(s: string, what: string, max = 0xffffffff): number {
  const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? parseInt(s, 10) : NaN;
  if (!Number.isFinite(n) || n > max) throw new CliError(`invalid ${what} "${s}"`);
  return n;
}

/** `ip` accepts command prefixes (`sh` for `show`): match `word` against `commands`. */
export function matchCommand(word: string, commands: readonly string[]): string | undefined {
  if (commands.includes(word)) return word;
  return commands.find((c) => c.startsWith(word));
}

/** One command of an object: its ip spellings (matched by prefix in table order) and what it runs. */
export interface CommandSpec {
  words: readonly string[];
  run: (ctx: CliContext, a: Args) => Promise<void> | void;
}

/**
 * `OBJECT COMMAND ...` as ip dispatches it: no command means `show`; a command is any prefix
 * of a spelling, the first match in table order winning (so `a` is `add`, as in ip); `help`
 * prints `usage`; anything else is a one-line error naming the object.
 */
export async function runCommand(
  ctx: CliContext,
  argv: string[],
  object: string,
  usage: string,
  commands: readonly CommandSpec[],
): Promise<void> {
  const a = new Args(argv);
  const word = a.done ? 'show' : a.next('command');
  const match = matchCommand(word, [...commands.flatMap((c) => c.words), 'help']);
  if (match === 'help') {
    ctx.print(usage);
    return;
  }
  const command = commands.find((c) => match !== undefined && c.words.includes(match));
  if (command === undefined) throw new CliError(`unknown ${object} command "${word}"`);
  return command.run(ctx, a);
}

/** Resolve `-n NETNS`: a name under /run/netns, or a path. */
export function netnsPath(arg: string): string {
  if (arg.includes('/')) return arg;
  if (arg === '' || arg === '.' || arg === '..') throw new CliError(`invalid netns name "${arg}"`);
  return `/run/netns/${arg}`;
}
