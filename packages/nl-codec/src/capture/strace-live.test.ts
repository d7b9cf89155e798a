/**
 * Reads the output of the strace installed here, so a format change in a new
 * strace shows up. Runs `ip -j link show` inside `unshare -n`: a fresh, empty
 * network namespace, never the host's (and the command only reads).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStrace } from './strace.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const tools = ['strace', 'unshare', 'ip'].filter((tool) => spawnSync(tool, ['-V'], { encoding: 'utf8' }).error === undefined);
const reason = !isRoot ? 'not root (unshare -n needs it)' : tools.length < 3 ? 'strace, unshare or ip is missing' : undefined;
if (reason !== undefined) console.log(`skipping live strace test: ${reason}`);

describe.runIf(reason === undefined)('live strace output', () => {
  it('reads a fresh strace of `ip -j link show` in a new network namespace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-strace-'));
    try {
      const out = join(dir, 'trace');
      // The inner shell compares namespace identities so the command provably
      // runs outside the host's namespace.
      const script = `[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] || exit 99
        exec strace -f -yy -xx -e trace=socket,sendmsg,recvmsg,sendto,recvfrom -e read=all -e write=all -o '${out}' ip -j link show`;
      const run = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const links = JSON.parse(run.stdout) as { ifname: string }[];
      expect(links.map((l) => l.ifname)).toEqual(['lo']);
      const text = readFileSync(out, 'latin1');
      const { packets, errors } = readStrace(text);
      expect(errors).toEqual([]);
      expect(packets.length).toBeGreaterThanOrEqual(4);
      expect(packets[0]!.direction).toBe('to-kernel');
      expect(packets.some((p) => p.direction === 'to-user')).toBe(true);
      // strace decodes each buffer on the call line: its first nlmsg_len must match the dumped bytes.
      const lines = text.split('\n');
      for (const p of packets) {
        const len = new DataView(p.bytes.buffer, p.bytes.byteOffset).getUint32(0, true);
        expect(lines[p.source.line! - 1]).toContain(`nlmsg_len=${len}`);
        expect(p.protocol).toBe(0);
        expect(p.portId).toBeGreaterThan(0);
      }
      // The dump reply carries "lo" (IFLA_IFNAME 3) somewhere.
      expect(packets.some((p) => p.direction === 'to-user' && Buffer.from(p.bytes).includes(Buffer.from([7, 0, 3, 0, 0x6c, 0x6f, 0])))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
