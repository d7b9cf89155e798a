/// <reference types="node" />
// Runs the real `nl-codec` command (bin/nl-codec.js -> dist/cli/main.js) as a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../json.js';
import { datagrams, loadVectors } from '../test-support/vectors.js';

const pkg = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(pkg, 'bin', 'nl-codec.js');
let dir: string;

function run(args: string[], input?: Uint8Array | string): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { input, cwd: dir, maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

const vectorBytes = (name: string): Uint8Array => {
  const parts = datagrams(loadVectors().filter((o) => o.name === name)).map((d) => d.bytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};

beforeAll(() => {
  // Build so the test runs the current sources. tsc still emits when another module of the
  // package has a type error; what matters here is that the CLI's output exists.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json')], { stdio: 'pipe' });
  } catch {
    // reported below if the CLI was not emitted
  }
  if (!existsSync(join(pkg, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js was not built');
  dir = mkdtempSync(join(tmpdir(), 'nl-codec-cli-'));
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('nl-codec decode', () => {
  it('prints a readable tree of a hex file with type, attribute and errno names', () => {
    const bytes = vectorBytes('link_err_gso_max_size_range');
    const file = join(dir, 'gso.hex');
    // Spread over lines with 0x prefixes, as hex copied from a log often is.
    writeFileSync(file, toHex(bytes).replace(/(.{32})/g, '$1\n').replace(/(..)/g, '0x$1 '));
    const r = run(['decode', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    expect(text).toContain('RTM_NEWLINK flags=[request,ack]');
    expect(text).toContain('    ifname: "br0"');
    expect(text).toContain('ERANGE');
    expect(text).toContain('attribute: .gso-max-size');
  });

  it('gives back the hex input through decode --json | encode --hex', () => {
    const bytes = vectorBytes('link_err_gso_max_size_range');
    const json = run(['decode', '--hex', '--json'], toHex(bytes));
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout.toString()) as unknown[];
    expect(Array.isArray(parsed)).toBe(true);
    const hex = run(['encode', '--hex'], json.stdout);
    expect(hex.status).toBe(0);
    expect(hex.stdout.toString().replace(/\s/g, '')).toBe(toHex(bytes));
  });

  it('gives back concatenated raw datagrams with trailing bytes through decode --json | encode', () => {
    const bytes = vectorBytes('addr_show_dump'); // its requests carry zeroed trailing structs
    const file = join(dir, 'addr.bin');
    writeFileSync(file, bytes);
    const json = run(['decode', file, '--json']);
    expect(json.status).toBe(0);
    const messages = JSON.parse(json.stdout.toString()) as Array<{ trailing?: unknown }>;
    expect(messages.some((m) => m.trailing !== undefined)).toBe(true);
    const raw = run(['encode', '-'], json.stdout);
    expect(raw.status).toBe(0);
    expect(toHex(new Uint8Array(raw.stdout))).toBe(toHex(bytes));
  });

  it('reads an strace capture and writes the same datagrams to a pcap with encode --pcap', () => {
    const strace = join(pkg, 'src', 'capture', 'fixtures', 'ip-link-show.strace');
    const json = run(['decode', strace, '--json']);
    expect(json.stderr).toBe('');
    const fromStrace = JSON.parse(json.stdout.toString()) as Array<{ packet: { index: number; direction: string } }>;
    expect(fromStrace.length).toBeGreaterThan(2);
    expect(fromStrace[0]!.packet).toMatchObject({ index: 0, direction: 'to-kernel', protocol: 0 });
    const pcap = join(dir, 'out.pcap');
    expect(run(['encode', '--pcap', pcap], json.stdout).status).toBe(0);
    const again = run(['decode', pcap, '--json']);
    expect(again.status).toBe(0);
    const fromPcap = JSON.parse(again.stdout.toString()) as typeof fromStrace;
    // Same messages; the pcap adds a time and the pseudo-header's packet type.
    const bare = (ms: typeof fromStrace): unknown => ms.map(({ packet, ...m }) => ({ ...m, i: packet.index, d: packet.direction }));
    expect(bare(fromPcap)).toEqual(bare(fromStrace));
    const tree = run(['decode', pcap]);
    expect(tree.stdout.toString()).toMatch(/^ {2}packet: #0 to-kernel 0\.000000000 protocol 0/m);
  });

  it('filters decoded messages by type, direction and errors', () => {
    const bytes = toHex(vectorBytes('link_err_gso_max_size_range'));
    const types = (args: string[]): string[] =>
      (JSON.parse(run(['decode', '--hex', '--json', ...args], bytes).stdout.toString()) as Array<{ header: { type: string } }>).map(
        (m) => m.header.type,
      );
    expect(types([])).toEqual(['RTM_NEWLINK', 'NLMSG_ERROR', 'RTM_GETLINK', 'RTM_NEWLINK', 'RTM_NEWLINK', 'NLMSG_ERROR']);
    expect(types(['--type', 'rtm_getlink,2'])).toEqual(['NLMSG_ERROR', 'RTM_GETLINK', 'NLMSG_ERROR']);
    expect(types(['--direction', 'to-kernel'])).toEqual(['RTM_NEWLINK', 'RTM_GETLINK', 'RTM_NEWLINK']);
    const errors = JSON.parse(run(['decode', '--hex', '--json', '--errors'], bytes).stdout.toString()) as Array<{ errno: string }>;
    expect(errors.map((e) => e.errno)).toEqual(['ENODEV', 'ERANGE']);
    expect(run(['decode', '--hex', '--type', 'RTM_BOGUS'], bytes).stderr).toMatch(/^nl-codec: --type: unknown message type 'RTM_BOGUS'\n$/);
  });

  it('reads stdin from a slow writer (a pipe that is empty when decode starts)', () => {
    const bytes = toHex(vectorBytes('link_add_bridge'));
    // Node makes a piped stdin non-blocking once process.stdin exists, so a synchronous read
    // of fd 0 would fail with EAGAIN here.
    const piped = spawnSync('sh', ['-c', `(sleep 0.3; echo ${bytes}) | "${process.execPath}" "${bin}" decode --hex --json`], {
      maxBuffer: 1 << 24,
    });
    expect(piped.stderr.toString()).toBe('');
    expect((JSON.parse(piped.stdout.toString()) as unknown[]).length).toBe(4);
  });

  it('prints --help and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/^Usage:\n {2}nl-codec decode/);
  });
});

describe('nl-codec errors', () => {
  const cases: Array<[string, string[], string | undefined, RegExp]> = [
    ['an unknown command', ['frobnicate'], undefined, /unknown command 'frobnicate'/],
    ['no command', [], undefined, /missing command/],
    ['an unknown option', ['decode', '--bogus'], '', /unknown option --bogus/],
    ['an unknown format', ['decode', '--format', 'nope'], '', /unknown input format 'nope'/],
    ['a missing option value', ['decode', '--format'], '', /--format needs a value/],
    ['a missing file', ['decode', 'does-not-exist.bin'], undefined, /cannot read does-not-exist\.bin: ENOENT/],
    ['bad hex', ['decode', '--hex'], '14 00 zz', /unexpected character "z"/],
    ['a truncated message', ['decode', '--hex'], '40000000 1000 0000 00000000 00000000 00000000', /nlmsg_len 64 .*byte offset 0/],
    ['JSON that is not JSON', ['encode'], '[{', /input is not nl-codec JSON/],
    ['a message that cannot be encoded', ['encode'], '[{"header":{"type":"RTM_NOPE"}}]', /messages\[0\]\.header\.type/],
    ['two inputs', ['decode', 'a', 'b'], '', /decode takes one input/],
  ];

  it.each(cases)('rejects %s with exit status 1 and one line', (_what, args, input, message) => {
    const r = run(args, input);
    expect(r.status).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^nl-codec: [^\n]*\n$/);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});
