/**
 * Cross-checks the pcap writer against Wireshark's dissector: tshark must
 * read every packet and see the same messages and top-level attributes.
 * Runs only where tshark is installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from '../message/decode.js';
import { ATTRIBUTE_SETS } from '../schema/generated.js';
import { readPcap, writePcap } from './pcap.js';
import { readPcapng } from './pcapng.js';
import { loadDatagrams } from './test-support/vectors.js';

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
const haveTshark = tshark.status === 0;
if (!haveTshark) console.log('skipping tshark cross-check: tshark is not installed');
const haveEditcap = spawnSync('editcap', ['--version'], { encoding: 'utf8' }).status === 0;
if (!haveEditcap) console.log('skipping editcap conversions: editcap is not installed');

type Json = string | Json[] | { [key: string]: Json };

/** Values of `key` anywhere under `node`, in document order. */
function collect(node: Json | undefined, key: string, out: string[] = []): string[] {
  if (node === undefined || typeof node === 'string') return out;
  if (Array.isArray(node)) {
    for (const item of node) collect(item, key, out);
    return out;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === key) {
      for (const value of Array.isArray(v) ? v : [v]) if (typeof value === 'string') out.push(value);
    } else collect(v, key, out);
  }
  return out;
}

/** Family header size of the rtnetlink types tshark 4.0 dissects (link, addr, route). */
function familyHeader(type: number): number | undefined {
  if (type >= 16 && type <= 19) return 16;
  if (type >= 20 && type <= 23) return 8;
  if (type >= 24 && type <= 27) return 12;
  return undefined;
}

/**
 * tshark 4.0's attribute labels (the value strings of `netlink-route.ifla_attr_type`,
 * `ifa_attr_type`, `rta_attr_type`, shown as `Attribute: <label>[: value]`) -> the spec names
 * nl-codec decodes to. tshark labels attributes it does not know just `Attribute`.
 */
const TSHARK_NAMES: Record<'link' | 'addr' | 'route', Record<string, string>> = {
  link: {
    'HW Address': 'address', Broadcast: 'broadcast', 'Device name': 'ifname', MTU: 'mtu', 'Link type': 'link',
    'Queueing discipline': 'qdisc', 'Interface Statistics': 'stats', Master: 'master', 'Prot info': 'protinfo',
    'TxQueue length': 'txqlen', Map: 'map', Operstate: 'operstate', 'Link mode': 'linkmode', 'Link info': 'linkinfo',
    'NetNs id': 'net-ns-pid', Ifalias: 'ifalias', Stats: 'stats64', 'AF spec': 'af-spec', Group: 'group',
    'Ext mask': 'ext-mask', Promiscuity: 'promiscuity', 'Number of Tx queues': 'num-tx-queues',
    'Number of Rx queues': 'num-rx-queues', Carrier: 'carrier', 'Carrier changes': 'carrier-changes',
    IFLA_PROTO_DOWN: 'proto-down', 'Maximum GSO segment count': 'gso-max-segs', 'Maximum GSO size': 'gso-max-size',
    IFLA_XDP: 'xdp', 'Carrier up count': 'carrier-up-count', 'Carrier down count': 'carrier-down-count',
    'Minimum MTU': 'min-mtu', 'Maximum MTU': 'max-mtu', 'Property list': 'prop-list', 'GRO maximum size': 'gro-max-size',
    'TSO maximum size': 'tso-max-size', 'TSO maximum number of segments': 'tso-max-segs', 'Allmulti count': 'allmulti',
  },
  addr: {
    'Interface address': 'address', 'Local address': 'local', 'Name of interface': 'label', 'Broadcast address': 'broadcast',
    'Address information': 'cacheinfo', 'Address flags': 'flags',
  },
  route: {
    'Route destination address': 'dst', 'Output interface index': 'oif', 'Gateway of the route': 'gateway',
    RTA_PRIORITY: 'priority', RTA_PREFSRC: 'prefsrc', RTA_CACHEINFO: 'cacheinfo', RTA_TABLE: 'table', RTA_UID: 'uid',
  },
};

function familyOf(type: number): 'link' | 'addr' | 'route' | undefined {
  if (type >= 16 && type <= 19) return 'link';
  if (type >= 20 && type <= 23) return 'addr';
  if (type >= 24 && type <= 27) return 'route';
  return undefined;
}

/** Top-level attribute names of nl-codec's decode of a one-message datagram, one per occurrence. */
function decodedNames(bytes: Uint8Array): string[] {
  const [m] = decode(bytes);
  const attrs = (m?.attrs ?? {}) as Record<string, unknown>;
  const repeated = (attrs.$repeated ?? []) as string[];
  const names: string[] = [];
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('$')) continue;
    const multi = Object.values(ATTRIBUTE_SETS).some((set) => set.attributes.some((a) => a.name === key && a.multiAttr === true));
    const count = Array.isArray(value) && (repeated.includes(key) || multi) ? value.length : 1;
    for (let i = 0; i < count; i++) names.push(key);
  }
  return names;
}

interface Expected {
  types: number[];
  attrs?: number[];
}

/** What tshark should report for a datagram, computed straight from the bytes. */
function expected(bytes: Uint8Array): Expected {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const types: number[] = [];
  const messages: { type: number; offset: number; len: number }[] = [];
  for (let at = 0; at + 16 <= bytes.length; ) {
    const len = view.getUint32(at, true);
    if (len < 16 || at + len > bytes.length) break;
    const type = view.getUint16(at + 4, true);
    messages.push({ type, offset: at, len });
    types.push(type);
    // NLMSG_ERROR echoes the request's header, which tshark shows too.
    if (type === 2 && len >= 36) types.push(view.getUint16(at + 24, true));
    at += (len + 3) & ~3;
  }
  const only = messages.length === 1 ? messages[0] : undefined;
  const header = only === undefined ? undefined : familyHeader(only.type);
  if (only === undefined || header === undefined) return { types };
  const attrs: number[] = [];
  for (let at = only.offset + 16 + header; at + 4 <= only.offset + only.len; ) {
    const len = view.getUint16(at, true);
    if (len < 4) break;
    attrs.push(view.getUint16(at + 2, true) & 0x3fff);
    at += (len + 3) & ~3;
  }
  return { types, attrs };
}

describe.runIf(haveTshark)('tshark reads the pcap writer output', () => {
  it('sees every iproute2 datagram with the same message types and top-level attributes', () => {
    const datagrams = loadDatagrams();
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-capture-'));
    try {
      const file = join(dir, 'vectors.pcap');
      writeFileSync(file, writePcap(datagrams.map((d, i) => ({ time: i, direction: d.direction, portId: 4000 + i, bytes: d.bytes }))));
      const run = spawnSync('tshark', ['-T', 'json', '--no-duplicate-keys', '-r', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
      expect(run.status, run.stderr).toBe(0);
      const frames = JSON.parse(run.stdout) as { _source: { layers: Record<string, Json> } }[];
      expect(frames).toHaveLength(datagrams.length);
      let attributeFrames = 0;
      let namedAttributes = 0;
      frames.forEach((frame, i) => {
        const layers = frame._source.layers;
        const bytes = datagrams[i]!.bytes;
        const want = expected(bytes);
        const frameInfo = layers.frame as Record<string, string>;
        expect(Number(frameInfo['frame.len'])).toBe(bytes.length + 16);
        const netlink = layers.netlink as Record<string, string>;
        expect(netlink['netlink.hatype']).toBe('824');
        const route = layers['netlink-route'];
        const generic = layers['Netlink message'];
        const seen = [
          ...collect(route, 'netlink-route.nltype').map(Number),
          ...collect(route, 'netlink.hdr_type').map((h) => Number.parseInt(h, 16)),
          ...collect(generic, 'netlink.hdr_type').map((h) => Number.parseInt(h, 16)),
        ];
        expect([...seen].sort((a, b) => a - b), `frame ${i + 1} message types`).toEqual([...want.types].sort((a, b) => a - b));
        if (want.attrs !== undefined && route !== undefined && !Array.isArray(route) && typeof route !== 'string') {
          const top: number[] = [];
          for (const [key, value] of Object.entries(route)) {
            if (!key.startsWith('Attribute')) continue;
            for (const attr of Array.isArray(value) ? value : [value]) {
              const type = (attr as Record<string, Json>)['netlink.attr_type'];
              for (const t of Array.isArray(type) ? type : [type]) top.push(Number.parseInt(t as string, 16) & 0x3fff);
            }
          }
          expect([...top].sort((a, b) => a - b), `frame ${i + 1} attributes`).toEqual([...want.attrs].sort((a, b) => a - b));
          attributeFrames++;
          // The names: tshark's labels through the table above against nl-codec's spec names.
          const family = familyOf(want.types[0]!)!;
          const ours = decodedNames(bytes);
          const theirs: string[] = [];
          let unlabelled = 0;
          for (const [key, value] of Object.entries(route)) {
            if (!key.startsWith('Attribute')) continue;
            const label = key.replace(/^Attribute(: )?/, '').split(': ')[0]!;
            const count = Array.isArray(value) ? value.length : 1;
            if (label === '') {
              unlabelled += count;
              continue;
            }
            const name = TSHARK_NAMES[family][label];
            expect(name, `frame ${i + 1}: tshark ${family} label '${label}' is missing from TSHARK_NAMES`).toBeDefined();
            for (let k = 0; k < count; k++) theirs.push(name!);
          }
          // Attributes tshark 4.0 does not know are only checked to be known to nl-codec.
          const extra = [...ours];
          for (const name of theirs) {
            const at = extra.indexOf(name);
            expect(at, `frame ${i + 1} (${datagrams[i]!.operation}): tshark's ${name} not decoded by nl-codec (${ours.join(' ')})`).toBeGreaterThanOrEqual(0);
            extra.splice(at, 1);
          }
          expect(extra, `frame ${i + 1}: names tshark left unlabelled`).toHaveLength(unlabelled);
          for (const name of extra) expect(name, `frame ${i + 1}`).not.toMatch(/^unknown-/);
          namedAttributes += theirs.length;
        }
      });
      expect(attributeFrames).toBeGreaterThan(50);
      expect(namedAttributes).toBeGreaterThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(haveEditcap)('captures rewritten by Wireshark\'s editcap', () => {
  const datagrams = loadDatagrams();
  const written = datagrams.map((d, i) => ({ time: { sec: 1_700_000_000 + i, nsec: i * 1000 }, direction: d.direction, portId: 4000 + i, bytes: d.bytes }));

  function editcap(args: string[], input: Uint8Array): Uint8Array {
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-editcap-'));
    try {
      writeFileSync(join(dir, 'in.pcap'), input);
      const run = spawnSync('editcap', [...args, join(dir, 'in.pcap'), join(dir, 'out')], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      return new Uint8Array(readFileSync(join(dir, 'out')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('reads the pcapng editcap makes from our pcap with the same packets', () => {
    const { packets, errors } = readPcapng(editcap(['-F', 'pcapng'], writePcap(written)));
    expect(errors).toEqual([]);
    expect(packets.map((p) => [p.bytes, p.direction, p.portId, p.time])).toEqual(written.map((w) => [w.bytes, w.direction, w.portId, w.time]));
  });

  it('flags every packet editcap cut to a 48-byte snaplen, keeping its first 32 netlink bytes', () => {
    const { packets, errors } = readPcap(editcap(['-F', 'pcap', '-s', '48'], writePcap(written)));
    expect(packets).toHaveLength(datagrams.length);
    const cut = datagrams.map((d, i) => [i, d.bytes.length] as const).filter(([, n]) => n > 32);
    expect(cut.length).toBeGreaterThan(100);
    expect(errors.map((e) => [e.code, e.packetIndex])).toEqual(cut.map(([i]) => ['snaplen', i]));
    for (const [i, n] of cut) {
      expect(packets[i]!.truncated).toBe(true);
      expect(packets[i]!.originalLength).toBe(n);
      expect(packets[i]!.bytes).toEqual(datagrams[i]!.bytes.subarray(0, 32));
      expect(packets[i]!.byteOrder).toBe('le');
      expect(packets[i]!.direction).toBe(datagrams[i]!.direction);
    }
  });
});
