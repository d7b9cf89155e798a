/**
 * Captures from nlkit itself: a handle records every datagram to a pcap that nl-codec reads
 * back, message for message, and that round-trips through `decode --json | encode --pcap`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decode, encode, readCapture } from '@nlkit/nl-codec';
import { Handle } from '@nlkit/rtnl';
import { afterAll, expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'nlkit-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const nlCodec = resolve(__dirname, '../packages/nl-codec/bin/nl-codec.js');

describeKernel('recording a handle to pcap', () => {
  const t = useTestNetns();

  it('writes every datagram sent and received, with direction and port id, readable by nl-codec', async () => {
    const { ns } = t();
    const file = join(dir, 'trace.pcap');
    const h = Handle.open({ netns: ns, record: file });
    const portId = h.portId;
    await h.request({ header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-family': 0, 'ifi-index': 1, attrs: {} });
    await h.request({ header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-family': 0, attrs: {} }, { dump: true });
    await h.request({ header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-family': 0, 'ifi-index': 9999, attrs: {} }).catch(() => {});
    h.close();

    const { packets, errors } = readCapture(new Uint8Array(readFileSync(file)));
    expect(errors).toEqual([]);
    expect(packets.length).toBeGreaterThanOrEqual(6);
    expect(packets.every((p) => p.portId === portId && p.protocol === 0)).toBe(true);
    const kinds = packets.map((p) => `${p.direction}:${decode(p.bytes).map((m) => m.header.type).join('+')}`);
    expect(kinds[0]).toBe('to-kernel:RTM_GETLINK');
    // The kernel answers a GET with the object, then the ACK, in two datagrams.
    expect(kinds.slice(1, 3)).toEqual(['to-user:RTM_NEWLINK', 'to-user:NLMSG_ERROR']);
    expect(kinds.at(-1)).toBe('to-user:NLMSG_ERROR');
    // Lossless: every recorded datagram decodes and re-encodes to the same bytes.
    for (const p of packets) expect(encode(decode(p.bytes))).toEqual(p.bytes);
  });

  it('round-trips a recorded capture through nl-codec decode --json and encode --pcap', async () => {
    const { ns } = t();
    const file = join(dir, 'cli.pcap');
    const h = Handle.open({ netns: ns, record: file });
    await h.request({ header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-family': 0, attrs: {} }, { dump: true });
    h.close();
    const json = execFileSync(process.execPath, [nlCodec, 'decode', '--json', file], { encoding: 'utf8' });
    const parsed = JSON.parse(json) as { packet: { direction: string } }[];
    expect(parsed.length).toBeGreaterThanOrEqual(3);
    expect(parsed[0]!.packet.direction).toBe('to-kernel');
    const out = join(dir, 'again.pcap');
    const r = spawnSync(process.execPath, [nlCodec, 'encode', '--pcap', out], { input: json, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const a = readCapture(new Uint8Array(readFileSync(file))).packets;
    const b = readCapture(new Uint8Array(readFileSync(out))).packets;
    expect(b.map((p) => [p.direction, p.portId, p.bytes])).toEqual(a.map((p) => [p.direction, p.portId, p.bytes]));
  });

  it('records every socket of the process to the file named by NLKIT_PCAP', () => {
    const file = join(dir, 'env.pcap');
    const script = `
      import { Handle, netns } from '@nlkit/rtnl';
      const ns = netns.create();
      const a = Handle.open({ netns: ns }), b = Handle.open({ netns: ns });
      await a.request({ header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-family': 0, 'ifi-index': 1, attrs: {} });
      await b.request({ header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-family': 0, 'ifi-index': 1, attrs: {} });
      console.log(a.portId, b.portId);
      a.close(); b.close(); ns.close();
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: __dirname,
      env: { ...process.env, NLKIT_PCAP: file },
    });
    expect(r.status, r.stderr).toBe(0);
    const ports = r.stdout.trim().split(' ').map(Number);
    const { packets } = readCapture(new Uint8Array(readFileSync(file)));
    expect(new Set(packets.map((p) => p.portId))).toEqual(new Set(ports));
    expect(packets).toHaveLength(6); // per handle: request, object, ACK
  });
});
