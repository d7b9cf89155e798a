/**
 * The two command-line tools on bad input: `nl-codec decode` on random files, empty input,
 * absurd lengths and malformed hex; `rtnl` with malformed arguments. Whatever the input, the
 * tool exits with a status (never a signal or a hang), prints at most one line on stderr,
 * and never a stack trace. Bad input exits non-zero with one line naming the problem.
 *
 * `rtnl` always runs with `-n` on a namespace the test made, so even a command that the parser
 * wrongly accepted could only change that namespace; the tests check it is unchanged.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkState } from './fixtures/faults.js';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

const nlCodecBin = fileURLToPath(new URL('../packages/nl-codec/bin/nl-codec.js', import.meta.url));
const rtnlBin = fileURLToPath(new URL('../packages/rtnl/bin/rtnl.js', import.meta.url));

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], input?: Uint8Array | string): Ran {
  const r = spawnSync(process.execPath, [bin, ...args], { input, timeout: 20_000, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${bin} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const STACK_FRAME = /^\s+at /m;

/**
 * Exited by itself with a status; no stack frames anywhere; stderr at most one line, except
 * that a capture may get one line per damaged packet (`nl-codec: packet N at byte B: ...`, the
 * good packets still decoded, exit 2), as tshark reports them.
 */
function expectClean(r: Ran, where: string): void {
  expect(r.signal, `${where}: killed by a signal`).toBeNull();
  expect(r.status, `${where}: status`).not.toBeNull();
  expect(r.stderr, `${where}: stack trace on stderr`).not.toMatch(STACK_FRAME);
  expect(r.stdout, `${where}: stack trace on stdout`).not.toMatch(STACK_FRAME);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  if (lines.length > 1 && lines.every((l) => /^nl-codec: packet \d+ at byte \d+: /.test(l))) return;
  expect(lines.length, `${where}: stderr has ${lines.length} lines: ${r.stderr}`).toBeLessThanOrEqual(1);
}

/** Non-zero with exactly one line on stderr that matches `names`. */
function expectRefused(r: Ran, names: RegExp, where: string): void {
  expectClean(r, where);
  expect(r.status, `${where}: status (stderr: ${r.stderr})`).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, where).toHaveLength(1);
  expect(lines[0], where).toMatch(names);
}

describe('nl-codec decode on bad input', () => {
  let dir: string;
  const file = (name: string, bytes: Uint8Array | string): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nlkit-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const header = (len: number, type = 16, flags = 0, seq = 1, pid = 0): Uint8Array => {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setUint32(0, len >>> 0, true);
    v.setUint16(4, type, true);
    v.setUint16(6, flags, true);
    v.setUint32(8, seq, true);
    v.setUint32(12, pid, true);
    return b;
  };

  it('refuses a message whose nlmsg_len runs past the input (4 GiB, 2 GiB, one byte too many), naming the offset', () => {
    for (const [name, bytes, offset] of [
      ['len-4g', header(0xffffffff), 0],
      ['len-2g-second', new Uint8Array([...header(16), ...header(0x7fffffff, 3)]), 16],
      ['len-plus-one', new Uint8Array([...header(33), ...new Uint8Array(16)]), 0],
    ] as const) {
      for (const json of [[], ['--json']]) {
        const r = run(nlCodecBin, ['decode', ...json, file(name, bytes)]);
        expectRefused(r, new RegExp(`nlmsg_len.*offset ${offset}`), `${name} ${json.join(' ')}`);
      }
    }
  });

  it('refuses malformed hex (a non-hex character, an odd number of digits), naming the problem', () => {
    expectRefused(run(nlCodecBin, ['decode', '--hex', file('bad.hex', 'zz00')]), /hex.*"z"/, 'zz00');
    expectRefused(run(nlCodecBin, ['decode', '--hex', file('odd.hex', '0a0')]), /hex.*odd/, 'odd');
    expectRefused(run(nlCodecBin, ['decode', '--hex', '-'], '10 00 00 00 qq'), /hex.*"q"/, 'stdin qq');
    // Well-formed hex of a broken message is refused by the message layer instead.
    expectRefused(run(nlCodecBin, ['decode', '--hex', '-'], 'ffffffff100000000100000000000000'), /nlmsg_len/, 'hex of 4 GiB len');
  });

  it('refuses a missing file, an unknown option and an unknown command with one line each', () => {
    expectRefused(run(nlCodecBin, ['decode', join(dir, 'nosuch.bin')]), /nosuch\.bin.*ENOENT/, 'missing file');
    expectRefused(run(nlCodecBin, ['decode', '--bogus']), /unknown option --bogus/, 'unknown option');
    expectRefused(run(nlCodecBin, ['bogus']), /unknown command/, 'unknown command');
    expectRefused(run(nlCodecBin, ['encode'], '[{"header":'), /JSON/, 'truncated JSON to encode');
    expectRefused(run(nlCodecBin, ['encode'], '[{"header":{"type":"RTM_NOSUCH"}}]'), /RTM_NOSUCH|type/, 'unknown type to encode');
  });

  // The issue lists empty input among the bad inputs.
  it('refuses empty input (a file and stdin) with one line saying it is empty', () => {
    expectRefused(run(nlCodecBin, ['decode', file('empty.bin', new Uint8Array(0))]), /empty/, 'empty file');
    expectRefused(run(nlCodecBin, ['decode', '-'], ''), /empty/, 'empty stdin');
  });

  // A format forced with --format that the input is not is an error, not a warning.
  it('refuses input that is not the format forced with --format (pcap, pcapng)', () => {
    const junk = file('junk.bin', new Uint8Array(64).fill(0x5a));
    expectRefused(run(nlCodecBin, ['decode', '--format', 'pcap', junk]), /not a pcap file/, 'pcap');
    expectRefused(run(nlCodecBin, ['decode', '--format', 'pcapng', junk]), /not a pcapng file/, 'pcapng');
  });

  it('reports each damaged packet of a capture on its own line (index and byte offset), decodes the good ones and exits 2', () => {
    const pcapHeader = new Uint8Array(24);
    const hv = new DataView(pcapHeader.buffer);
    hv.setUint32(0, 0xa1b2c3d4, true);
    hv.setUint16(4, 2, true);
    hv.setUint16(6, 4, true);
    hv.setUint32(16, 65535, true);
    hv.setUint32(20, 253, true); // LINKTYPE_NETLINK
    const packet = (netlink: Uint8Array): Uint8Array => {
      const rec = new Uint8Array(16 + 16 + netlink.length); // record header, cooked pseudo-header, data
      const v = new DataView(rec.buffer);
      v.setUint32(8, 16 + netlink.length, true);
      v.setUint32(12, 16 + netlink.length, true);
      rec.set(netlink, 32);
      return rec;
    };
    const done = new Uint8Array([...header(20, 3, 2), 0, 0, 0, 0]);
    const broken = header(0xffff);
    const bytes = new Uint8Array([...pcapHeader, ...packet(done), ...packet(broken), ...packet(done), ...packet(broken)]);
    const r = run(nlCodecBin, ['decode', file('damaged.pcap', bytes)]);
    expectClean(r, 'damaged pcap');
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^nl-codec: packet 1 at byte \d+: .*nlmsg_len 65535/);
    expect(lines[1]).toMatch(/^nl-codec: packet 3 at byte \d+: /);
    expect(r.stdout.match(/NLMSG_DONE/g)).toHaveLength(2);
  });

  it('never crashes or prints a stack on random files, in every input format', () => {
    let refused = 0;
    let decoded = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 4096 }),
          // Plausible headers with random lengths, types and flags, then random bodies.
          fc
            .array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 64 })), { minLength: 1, maxLength: 6 })
            .map((parts) => new Uint8Array(parts.flatMap(([len, type, flags, body]) => [...header(len % 4 === 0 ? len % 256 : len, type, flags), ...body]))),
        ),
        fc.constantFrom('auto', 'raw', 'hex', 'pcap', 'pcapng', 'strace'),
        fc.boolean(),
        (bytes, format, json) => {
          const r = run(nlCodecBin, ['decode', '--format', format, ...(json ? ['--json'] : []), file('random.bin', bytes)]);
          expectClean(r, `--format ${format}${json ? ' --json' : ''} on ${bytes.length} random bytes`);
          if (r.status === 0) decoded++;
          else {
            expect([1, 2]).toContain(r.status);
            expect(r.stderr).toMatch(/^nl-codec: \S/);
            refused++;
          }
        },
      ),
      { numRuns: 40, seed: 0x5eed },
    );
    console.log(`random inputs: ${decoded} decoded, ${refused} refused`);
    expect(refused).toBeGreaterThan(0);
  });
});

describeKernel('rtnl on malformed arguments', () => {
  const t = useTestNetns();

  const cases: Array<[args: string, names: RegExp]> = [
    ['link add x0 type nosuch', /unknown link type "nosuch"/],
    ['link add x0 address zz type bridge', /invalid MAC address "zz"/],
    ['link set lo address 02:00:00:00:00:0g', /invalid MAC address "02:00:00:00:00:0g"/],
    ['link add abcdefghijklmnop type bridge', /"abcdefghijklmnop" is 16 bytes/],
    ['link add x0 type veth peer name abcdefghijklmnopq', /17 bytes/],
    ['link set dev lo mtu', /missing MTU/],
    ['link add x0 mtu type bridge', /invalid MTU "type"/],
    ['link add name', /missing name/],
    ['link add x0', /missing "type KIND"/],
    ['link set dev', /missing device/],
    ['link del', /missing device/],
    ['link set lo mtu 9999999999', /mtu.*9999999999/i],
    ['link add x0 type vxlan id 99999999', /vxlan id "99999999"/],
    ['tuntap add mode xyz name t0', /mode "xyz"/],
    ['addr add 192.0.2.300/24 dev lo', /192\.0\.2\.300/],
    ['addr add 192.0.2.1/99 dev lo', /prefix length 99/],
    ['addr add 192.0.2.1/24 dev', /missing device/],
    ['route add 198.51.100.0/24 via', /missing gateway/],
    ['neigh add 192.0.2.1 lladdr zz dev lo', /invalid MAC address "zz"/],
    ['bogus', /unknown object "bogus"/],
    ['', /missing OBJECT/],
  ];

  it('exits 1 with one line naming the problem for each malformed command, changing nothing', () => {
    const before = linkState(t());
    for (const [args, names] of cases) {
      const r = run(rtnlBin, ['-n', t().nsPath, ...args.split(' ').filter((a) => a !== '')]);
      expectRefused(r, names, `rtnl ${args}`);
      expect(r.status, `rtnl ${args}`).toBe(1);
    }
    expect(linkState(t())).toEqual(before);
  });

  it('refuses a missing namespace and an unknown option with one line', () => {
    expectRefused(run(rtnlBin, ['-n']), /missing namespace/, '-n');
    expectRefused(run(rtnlBin, ['-x', 'link', 'show']), /unknown option "-x"/, '-x');
    expectRefused(run(rtnlBin, ['-n', '/nonexistent/ns', 'link', 'show']), /nonexistent/, 'no such namespace');
  });

  it('reports a kernel refusal on one line with the errno name, without a stack', () => {
    const r = run(rtnlBin, ['-n', t().nsPath, 'link', 'show', 'dev', 'nosuch0']);
    expectRefused(r, /ENODEV/, 'show nosuch0');
    const add = run(rtnlBin, ['-n', t().nsPath, 'link', 'add', 'x0', 'type', 'dummy']);
    expectRefused(add, /Unknown device type|EOPNOTSUPP|ENOTSUP/, 'dummy (missing from this kernel)');
  });

  // `peer` with nothing after it is a missing value (ip says "Command line is not complete").
  it('refuses "type veth peer" without a peer name, creating nothing', () => {
    const before = linkState(t());
    const r = run(rtnlBin, ['-n', t().nsPath, 'link', 'add', 'x0', 'type', 'veth', 'peer']);
    expect(linkState(t())).toEqual(before);
    expectRefused(r, /peer/, 'peer without a name');
  });

  it('never crashes or prints a stack on random argument lists', () => {
    const words = ['link', 'addr', 'route', 'neigh', 'tuntap', 'add', 'del', 'set', 'show', 'get', 'dev', 'lo', 'x0', 'type', 'bridge', 'veth', 'vxlan', 'peer', 'name', 'mtu', 'address', 'up', 'down', 'master', 'via', 'lladdr', 'id', 'mode', 'tap', 'queues', '1500', '-1', '99999999999', '192.0.2.1/24', '2001:db8::1/64', 'zz', '', '%d', 'ab:cd', '-j', '-d', 'default', 'table', 'all', 'x'.repeat(16)];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 8 }), (args) => {
        const r = run(rtnlBin, ['-n', t().nsPath, ...args]);
        expectClean(r, `rtnl ${args.join(' ')}`);
        expect([0, 1, 2], `rtnl ${args.join(' ')}: ${r.stderr}`).toContain(r.status);
      }),
      { numRuns: 30, seed: 0xc11 },
    );
  });
});
