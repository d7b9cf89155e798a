/// <reference types="node" />
// Runs the real `nl-codec` command (bin/nl-codec.js -> dist/cli/main.js) as a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePcap } from '../capture/pcap.js';
import { swapNetlinkHeaders } from '../capture/netlink.js';
import { readStrace } from '../capture/strace.js';
import { PcapngBuilder, netlinkFrame } from '../capture/test-support/pcapng-builder.js';
import { fromJSON, toHex, toJSON } from '../json.js';
import { decode } from '../message/decode.js';
import { datagrams, loadVectors } from '../test-support/vectors.js';
import { readFileSync } from 'node:fs';

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

/** Every iproute2 datagram with its direction, in file order. */
const allDatagrams = (): Array<{ bytes: Uint8Array; direction: 'to-kernel' | 'to-user' }> =>
  datagrams(loadVectors()).map((d) => ({ bytes: d.bytes, direction: d.dir === 'send' ? 'to-kernel' : 'to-user' }));

/** A pcap record (little-endian header, µs) around a frame; `capLength` cuts it. */
function pcapRecord(frame: Uint8Array, sec: number, capLength = frame.length): Uint8Array {
  const out = new Uint8Array(16 + capLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, sec, true);
  v.setUint32(8, capLength, true);
  v.setUint32(12, frame.length, true);
  out.set(frame.subarray(0, capLength), 16);
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};

type JsonMessage = { header: { type: string | number }; packet?: Record<string, unknown> } & Record<string, unknown>;

describe('nl-codec decode of captures', () => {
  it('decodes a pcap written from the iproute2 vectors to the same messages as the vectors, packet by packet', () => {
    const dgrams = allDatagrams();
    const file = join(dir, 'vectors.pcap');
    writeFileSync(file, writePcap(dgrams.map((d, i) => ({ time: { sec: 1_700_000_000 + i, nsec: 0 }, direction: d.direction, bytes: d.bytes }))));
    const r = run(['decode', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout.toString()) as JsonMessage[];
    const want = dgrams.flatMap((d, i) => decode(d.bytes).map((m) => ({ index: i, direction: d.direction, message: toJSON(m) })));
    expect(got).toHaveLength(want.length);
    got.forEach((m, k) => {
      const { packet, ...message } = m;
      expect(packet).toMatchObject({ index: want[k]!.index, direction: want[k]!.direction, protocol: 0, time: { sec: 1_700_000_000 + want[k]!.index, nsec: 0 } });
      expect(message).toEqual(want[k]!.message);
    });
    // ...and encode --pcap writes the very same file back.
    const again = join(dir, 'again.pcap');
    expect(run(['encode', '--pcap', again], r.stdout).status).toBe(0);
    expect(toHex(new Uint8Array(readFileSync(again)))).toBe(toHex(new Uint8Array(readFileSync(file))));
  });

  it('decodes a pcapng (big-endian section) to the same messages, with packet metadata', () => {
    const dgrams = allDatagrams().slice(0, 40);
    const b = new PcapngBuilder('be').section().interface(253, { tsresol: 9 });
    dgrams.forEach((d, i) => b.epb(0, BigInt(1_700_000_000 + i) * 1_000_000_000n + 5n, netlinkFrame(d.bytes, d.direction === 'to-kernel' ? 7 : 6, 0, 4242)));
    const file = join(dir, 'vectors.pcapng');
    writeFileSync(file, b.build());
    const r = run(['decode', file, '--json']);
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout.toString()) as JsonMessage[];
    const want = dgrams.flatMap((d) => decode(d.bytes).map((m) => toJSON(m)));
    expect(got.map(({ packet: _p, ...m }) => m)).toEqual(want);
    expect(got[0]!.packet).toEqual({ index: 0, time: { sec: 1_700_000_000, nsec: 5 }, direction: 'to-kernel', protocol: 0, portId: 4242, packetType: 7 });
  });

  it('decodes an strace capture to the datagrams strace showed, and encode gives their bytes back', () => {
    const text = readFileSync(join(pkg, 'src', 'capture', 'fixtures', 'ip-link-show.strace'), 'utf8');
    const packets = readStrace(text).packets;
    const r = run(['decode', join(pkg, 'src', 'capture', 'fixtures', 'ip-link-show.strace'), '--json']);
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout.toString()) as JsonMessage[];
    expect(got.map(({ packet: _p, ...m }) => m)).toEqual(packets.flatMap((p) => decode(p.bytes).map((m) => toJSON(m))));
    const raw = run(['encode'], r.stdout);
    expect(toHex(new Uint8Array(raw.stdout))).toBe(toHex(concat(...packets.map((p) => p.bytes))));
  });

  it('prints one summary line per message with capture time, direction and identifier, filters included', () => {
    const dgrams = allDatagrams().filter((_, i) => i < 6);
    const file = join(dir, 'summary.pcap');
    writeFileSync(file, writePcap(dgrams.map((d, i) => ({ time: { sec: 1_700_000_000, nsec: i * 1000 }, direction: d.direction, bytes: d.bytes }))));
    const r = run(['decode', file, '--summary']);
    expect(r.status).toBe(0);
    const lines = r.stdout.toString().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(dgrams.reduce((n, d) => n + decode(d.bytes).length, 0));
    expect(lines[0]).toBe('1700000000.000000000 > RTM_NEWLINK [request,ack] seq=0 len=32');
    expect(lines[1]).toBe('1700000000.000001000 < NLMSG_ERROR [] seq=0 len=52 ENODEV');
    expect(lines[2]).toBe('1700000000.000002000 > RTM_NEWLINK [request,ack,excl,create] seq=1795631531 len=56 br0');
    const acks = run(['decode', file, '--summary', '--type', 'NLMSG_ERROR', '--seq', '1795631531']).stdout.toString();
    expect(acks).toBe('1700000000.000003000 < NLMSG_ERROR [capped] seq=1795631531 len=36 ACK\n');
    const errors = run(['decode', file, '--summary', '--errors']).stdout.toString();
    expect(errors.split('\n').filter((l) => l !== '').every((l) => / ENODEV$| EEXIST$/.test(l) || /"/.test(l))).toBe(true);
  });

  it('shows -v offsets from the start of the packet, after the pseudo-header', () => {
    const bytes = vectorBytes('link_add_bridge').subarray(84); // the create request and its ACK
    const file = join(dir, 'v.pcap');
    writeFileSync(file, writePcap([{ direction: 'to-kernel', bytes: bytes.subarray(0, 56) }]));
    const r = run(['decode', file, '-v']);
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    expect(text).toMatch(/^RTM_NEWLINK flags=\[request,ack,excl,create\] seq=1795631531 pid=0 @0 len=56$/m);
    expect(text).toContain('    ifname: "br0" @32 len=8\n    linkinfo: @40 len=16\n      kind: "bridge" @44 len=10\n');
  });

  it('reports each damaged packet on its own line with its index and byte offset, prints the others, and exits 2', () => {
    const [a, b, c] = allDatagrams().slice(2, 5);
    const header = writePcap([]);
    const good1 = pcapRecord(netlinkFrame(a!.bytes, 7), 1);
    const cut = pcapRecord(netlinkFrame(b!.bytes, 6), 2, 16 + 20); // snaplen: 20 of its netlink bytes
    const short = pcapRecord(new Uint8Array(10), 3); // shorter than the 16-byte pseudo-header
    const bad = concat(netlinkFrame(Uint8Array.of(0xff, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 7)); // nlmsg_len 255 in a 16-byte datagram
    const good2 = pcapRecord(netlinkFrame(c!.bytes, 6), 5);
    const tail = new Uint8Array(7); // the file ends inside a record header
    const parts = [header, good1, cut, short, pcapRecord(bad, 4), good2, tail];
    const offsets = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.length, 0));
    const file = join(dir, 'damaged.pcap');
    writeFileSync(file, concat(...parts));
    for (const mode of [[], ['--json'], ['--summary']]) {
      const r = run(['decode', file, ...mode]);
      expect(r.status, mode.join(' ')).toBe(2);
      const errors = r.stderr.split('\n').filter((l) => l !== '');
      expect(errors).toHaveLength(4);
      expect(errors[0]).toMatch(new RegExp(`^nl-codec: packet 1 at byte ${offsets[2]}: .*20 of its ${b!.bytes.length} netlink bytes.*snaplen`));
      expect(errors[1]).toMatch(new RegExp(`^nl-codec: packet 2 at byte ${offsets[3]} is 10 bytes, shorter than its 16-byte netlink pseudo-header`));
      expect(errors[2]).toMatch(new RegExp(`^nl-codec: packet 5 at byte ${offsets[6]}: the file ends inside its record header`));
      expect(errors[3]).toMatch(new RegExp(`^nl-codec: packet 3 at byte ${offsets[4]}: cannot decode: .*nlmsg_len 255 .*\\(netlink byte offset 0\\)$`));
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    const json = JSON.parse(run(['decode', file, '--json']).stdout.toString()) as JsonMessage[];
    expect([...new Set(json.map((m) => m.packet!.index))]).toEqual([0, 4]);
    expect(json.map(({ packet: _p, ...m }) => m)).toEqual([...decode(a!.bytes), ...decode(c!.bytes)].map((m) => toJSON(m)));
  });

  it('refuses with one line and exit 1 a file that is not the forced capture format, a truncated file header and empty input', () => {
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, new Uint8Array(64).fill(0x5a));
    const pcap = run(['decode', '--format', 'pcap', junk]);
    expect([pcap.status, pcap.stderr]).toEqual([1, expect.stringMatching(/^nl-codec: not a pcap file: magic 0x5a5a5a5a[^\n]*\n$/)]);
    const pcapng = run(['decode', '--format', 'pcapng', junk]);
    expect([pcapng.status, pcapng.stderr]).toEqual([1, expect.stringMatching(/^nl-codec: not a pcapng file[^\n]*\n$/)]);
    const cutHeader = join(dir, 'cut-header.pcap');
    writeFileSync(cutHeader, writePcap([]).subarray(0, 10));
    expect(run(['decode', cutHeader]).stderr).toMatch(/^nl-codec: truncated pcap file: the file header is 24 bytes, the file has 10\n$/);
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, new Uint8Array(0));
    expect(run(['decode', empty])).toMatchObject({ status: 1, stderr: `nl-codec: empty input: ${empty} has no bytes\n` });
    expect(run(['decode', '-'], '')).toMatchObject({ status: 1, stderr: 'nl-codec: empty input: stdin has no bytes\n' });
  });

  it('shows packets of other netlink protocols as headers with raw payload, and encode --pcap writes them back', () => {
    // A generic netlink request (protocol 16): type 0x10 is GENL_ID_CTRL, not RTM_NEWLINK.
    const genl = Uint8Array.of(20, 0, 0, 0, 0x10, 0, 0x05, 0x03, 1, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0);
    const file = join(dir, 'genl.pcap');
    writeFileSync(file, writePcap([{ direction: 'to-kernel', protocol: 16, portId: 7, bytes: genl }, { direction: 'to-user', bytes: vectorBytes('link_add_bridge').subarray(140) }]));
    const tree = run(['decode', file]);
    expect(tree.stderr).toBe('');
    expect(tree.status).toBe(0);
    expect(tree.stdout.toString()).toMatch(/^16 flags=\[request,ack,0x100,0x200\] seq=1 pid=0\n {2}packet: #0 to-kernel 0\.000000000 protocol 16 portId 7 packetType 7\n {2}payload: 03010000 \(4 bytes\)\n/);
    expect(tree.stdout.toString()).toContain('NLMSG_ERROR flags=[capped] seq=1795631531');
    const json = run(['decode', file, '--json']);
    const out = join(dir, 'genl-again.pcap');
    expect(run(['encode', '--pcap', out], json.stdout).status).toBe(0);
    expect(toHex(new Uint8Array(readFileSync(out)))).toBe(toHex(new Uint8Array(readFileSync(file))));
  });

  it('shows a big-endian capture as headers with raw payload, and encode --pcap gives the same file back', () => {
    const le = vectorBytes('link_add_bridge').subarray(84, 84 + 56 + 36);
    const be = swapNetlinkHeaders(le, 'le'); // nlmsghdrs, error code and echoed header in big-endian
    const file = join(dir, 'be.pcap');
    writeFileSync(file, writePcap([{ direction: 'to-kernel', bytes: be.subarray(0, 56) }, { direction: 'to-user', bytes: be.subarray(56) }]));
    const r = run(['decode', file, '--summary']);
    expect(r.stderr).toBe('');
    expect(r.stdout.toString()).toBe(
      '0.000000000 > RTM_NEWLINK [request,ack,excl,create] seq=1795631531 len=56 payload 40 bytes\n' +
        '0.000000000 < NLMSG_ERROR [capped] seq=1795631531 len=36 payload 20 bytes\n',
    );
    const json = run(['decode', file, '--json']);
    const messages = JSON.parse(json.stdout.toString()) as JsonMessage[];
    expect(messages.map((m) => m.packet!.byteOrder)).toEqual(['be', 'be']);
    const out = join(dir, 'be-again.pcap');
    expect(run(['encode', '--pcap', out], json.stdout).status).toBe(0);
    expect(toHex(new Uint8Array(readFileSync(out)))).toBe(toHex(new Uint8Array(readFileSync(file))));
    // Forcing the wrong byte order makes the packets unreadable: reported, not fatal.
    const forced = run(['decode', file, '--byte-order', 'le']);
    expect(forced.status).toBe(2);
    expect(forced.stderr.split('\n').filter((l) => l !== '')).toHaveLength(2);
    expect(run(['decode', file, '--byte-order', 'xx']).stderr).toBe("nl-codec: --byte-order must be le or be, got 'xx'\n");
  });

  it('reads big-endian raw input with --byte-order be as headers', () => {
    const be = swapNetlinkHeaders(vectorBytes('link_add_bridge').subarray(84, 84 + 56), 'le');
    const r = run(['decode', '--format', 'raw', '--byte-order', 'be', '--json', '-'], be);
    expect(r.status).toBe(0);
    const [m] = JSON.parse(r.stdout.toString()) as JsonMessage[];
    expect(m!.header).toEqual({ type: 'RTM_NEWLINK', flags: ['request', 'ack', 'excl', 'create'], seq: 1795631531, pid: 0 });
    expect(fromJSON(m!.payload as never)).toEqual(be.subarray(16, 56));
  });
});
