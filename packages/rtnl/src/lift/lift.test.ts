import { readFileSync } from 'node:fs';
import { decode, encode, NetlinkDecodeError, type Message } from '@nlkit/nl-codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addrFromMessage } from '../addr.js';
import { formatIP } from '../ip.js';
import { neighFromMessage } from '../neigh.js';
import { routeFromMessage } from '../route.js';
import { addrFromBytes, liftAddr } from './addr.js';
import { asciiStringAt, asciiStringAtCached, ipv4At, ipv6At } from './common.js';
import { neighFromBytes } from './neigh.js';
import { routeFromBytes } from './route.js';
import { decodeLinks, linkFromBytes } from '../link/decode.js';
import { linkFromMessage } from '../link/link.js';

const RAW: Record<number, (b: Uint8Array) => unknown> = {
  20: addrFromBytes, 21: addrFromBytes,
  24: routeFromBytes, 25: routeFromBytes,
  28: neighFromBytes, 29: neighFromBytes,
};
const GENERIC: Record<number, (m: Message) => unknown> = {
  20: addrFromMessage, 21: addrFromMessage,
  24: routeFromMessage, 25: routeFromMessage,
  28: neighFromMessage, 29: neighFromMessage,
};

/** Every message of a datagram, as its own bytes (exactly nlmsg_len). */
function split(d: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let off = 0;
  while (off + 16 <= d.length) {
    const len = v.getUint32(off, true);
    if (len < 16 || off + len > d.length) break;
    out.push(d.slice(off, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

const typeOf = (b: Uint8Array): number => b[4]! | (b[5]! << 8);

/** The RTM_NEW/DEL ADDR, ROUTE and NEIGH messages the kernel sent in the iproute2 vectors. */
function vectorMessages(): Uint8Array[] {
  const url = new URL('../../../../../shared/vectors/iproute2.jsonl', import.meta.url);
  const out: Uint8Array[] = [];
  for (const line of readFileSync(url, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const v = JSON.parse(line) as { messages: { dir: string; hex: string }[] };
    for (const m of v.messages) {
      if (m.dir !== 'recv') continue;
      for (const b of split(Uint8Array.from(Buffer.from(m.hex, 'hex')))) if (RAW[typeOf(b)]) out.push(b);
    }
  }
  return out;
}

function generic(b: Uint8Array): unknown {
  return GENERIC[typeOf(b)]!(decode(b)[0]!);
}

const VECTORS = vectorMessages();

/** Messages built with the codec, covering attributes the vectors lack. */
/**
 * The same object, keys in the same order: `JSON.stringify` (and so the CLIs' output) must not
 * depend on which path lifted a message.
 */
function sameObject(got: unknown, want: unknown): void {
  expect(got).toStrictEqual(want);
  expect(JSON.stringify(got)).toBe(JSON.stringify(want));
}

function built(m: Message): Uint8Array {
  return encode(m);
}
const hdr = (type: string) => ({ type, flags: [] as string[], seq: 1, pid: 0 });
const SYNTHETIC: Uint8Array[] = [
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 10, 'rtm-dst-len': 64, 'rtm-src-len': 56, 'rtm-tos': 0, 'rtm-table': 252, 'rtm-protocol': 99, 'rtm-scope': 0, 'rtm-type': 'unicast', 'rtm-flags': 0x200 | 0x4, attrs: { table: 100000, dst: '2001:db8:0:1::', src: '2001:db8:ff00::', gateway: 'fe80::1', prefsrc: '::ffff:192.0.2.1', oif: 3, iif: 4, priority: 1024, mark: 7, pref: 3, uid: 1000, 'nh-id': 9, expires: 33 } }),
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 10, 'rtm-dst-len': 48, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': 254, 'rtm-protocol': 250, 'rtm-scope': 200, 'rtm-type': 'unreachable', 'rtm-flags': 0x20000000, attrs: { pref: 7, cacheinfo: { 'rta-clntref': 0, 'rta-lastuse': 0, 'rta-expires': -512 >>> 0, 'rta-error': 0, 'rta-used': 0, 'rta-id': 0, 'rta-ts': 0, 'rta-tsage': 0 } } }),
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 2, 'rtm-dst-len': 24, 'rtm-src-len': 0, 'rtm-tos': 4, 'rtm-table': 0, 'rtm-protocol': 3, 'rtm-scope': 253, 'rtm-type': 40, 'rtm-flags': 0, attrs: { via: Uint8Array.from([10, 0, 32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), oif: 2 } }),
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 2, 'rtm-dst-len': 8, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': 254, 'rtm-protocol': 3, 'rtm-scope': 0, 'rtm-type': 'unicast', 'rtm-flags': 0, attrs: {} }),
  // The common shapes of a big table (built as one literal by the lifter): with and without a metric, flags, a table id.
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 2, 'rtm-dst-len': 24, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': 254, 'rtm-protocol': 3, 'rtm-scope': 0, 'rtm-type': 'unicast', 'rtm-flags': 0, attrs: { table: 254, dst: '198.51.100.0', gateway: '198.18.0.2', oif: 2 } }),
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 2, 'rtm-dst-len': 25, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': 254, 'rtm-protocol': 186, 'rtm-scope': 0, 'rtm-type': 'unicast', 'rtm-flags': 0x14, attrs: { table: 254, dst: '203.0.113.128', priority: 20, gateway: '198.18.0.3', oif: 7 } }),
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 2, 'rtm-dst-len': 32, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': 10, 'rtm-protocol': 77, 'rtm-scope': 0, 'rtm-type': 'unicast', 'rtm-flags': 0, attrs: { dst: '203.0.113.1', gateway: '198.18.0.3', oif: 7 } }),
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 10, 'rtm-dst-len': 64, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': 254, 'rtm-protocol': 3, 'rtm-scope': 0, 'rtm-type': 'unicast', 'rtm-flags': 0, attrs: { table: 254, dst: '2001:db8:1::', priority: 1024, gateway: 'fe80::1', oif: 2 } }),
  built({ header: hdr('RTM_NEWADDR'), 'ifa-family': 2, 'ifa-prefixlen': 32, 'ifa-flags': ['secondary', 'permanent'], 'ifa-scope': 17, 'ifa-index': 0xfffffff0, attrs: { local: '192.0.2.1', address: '198.51.100.9', label: 'v0:peer', broadcast: '4.3.2.1', 'rt-priority': 5, flags: ['nodad', 'stable-privacy', 0x4000], cacheinfo: { 'ifa-prefered': 10, 'ifa-valid': 0xffffffff, cstamp: 1, tstamp: 2 } } }),
  // The kernel's common IPv4 shape (address, local, label, flags, cacheinfo), which the lifter
  // builds without its attribute loop: same address and local, a peer, a label of each padding.
  built({ header: hdr('RTM_NEWADDR'), 'ifa-family': 2, 'ifa-prefixlen': 32, 'ifa-flags': ['permanent'], 'ifa-scope': 0, 'ifa-index': 7, attrs: { address: '198.18.3.4', local: '198.18.3.4', label: 'va12', flags: ['permanent'], cacheinfo: { 'ifa-prefered': 0xffffffff, 'ifa-valid': 0xffffffff, cstamp: 100, tstamp: 100 } } }),
  built({ header: hdr('RTM_NEWADDR'), 'ifa-family': 2, 'ifa-prefixlen': 24, 'ifa-flags': [], 'ifa-scope': 253, 'ifa-index': 8, attrs: { address: '203.0.113.9', local: '192.0.2.1', label: 'eth0:1', flags: ['noprefixroute', 0x4000], cacheinfo: { 'ifa-prefered': 30, 'ifa-valid': 60, cstamp: 1, tstamp: 2 } } }),
  built({ header: hdr('RTM_NEWADDR'), 'ifa-family': 2, 'ifa-prefixlen': 8, 'ifa-flags': [], 'ifa-scope': 254, 'ifa-index': 1, attrs: { address: '127.0.0.1', local: '127.0.0.1', label: 'lo', flags: [], cacheinfo: { 'ifa-prefered': 0xffffffff, 'ifa-valid': 0xffffffff, cstamp: 1, tstamp: 2 } } }),
  built({ header: hdr('RTM_NEWADDR'), 'ifa-family': 10, 'ifa-prefixlen': 64, 'ifa-flags': [], 'ifa-scope': 253, 'ifa-index': 5, attrs: { address: 'fe80::1:0:0:0', cacheinfo: { 'ifa-prefered': 0xffffffff, 'ifa-valid': 0xffffffff, cstamp: 1, tstamp: 2 } } }),
  built({ header: hdr('RTM_NEWNEIGH'), 'ndm-family': 7, 'ndm-ifindex': 9, 'ndm-state': ['noarp', 0x100], 'ndm-flags': ['self', 'ext-learned'], 'ndm-type': 30, attrs: { lladdr: Uint8Array.from([1, 2, 3, 4]), dst: '2001:db8::1', vlan: 10, port: 4789, vni: 100, ifindex: 2, master: 3, 'link-netnsid': -1, 'src-vni': 5, probes: 1, protocol: 4, 'nh-id': 6, 'flags-ext': ['managed', 'ext-validated', 16], cacheinfo: { confirmed: 1, used: 2, updated: 3, refcnt: 4 } } }),
  // AF_MPLS: the codec keeps "address" attributes as bytes.
  built({ header: hdr('RTM_NEWADDR'), 'ifa-family': 28, 'ifa-prefixlen': 24, 'ifa-flags': [], 'ifa-scope': 0, 'ifa-index': 2, attrs: { address: Uint8Array.of(10, 0, 0, 1), local: Uint8Array.of(10, 0, 0, 1) } }),
  built({ header: hdr('RTM_NEWROUTE'), 'rtm-family': 28, 'rtm-dst-len': 20, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': 254, 'rtm-protocol': 3, 'rtm-scope': 0, 'rtm-type': 'unicast', 'rtm-flags': 0, attrs: { dst: Uint8Array.of(0, 1, 0x41, 0), oif: 2 } }),
  built({ header: hdr('RTM_NEWNEIGH'), 'ndm-family': 28, 'ndm-ifindex': 9, 'ndm-state': ['reachable'], 'ndm-flags': [], 'ndm-type': 'unicast', attrs: { dst: Uint8Array.of(10, 0, 0, 1) } }),
  built({ header: hdr('RTM_NEWNEIGH'), 'ndm-family': 2, 'ndm-ifindex': 9, 'ndm-state': ['reachable'], 'ndm-flags': [], 'ndm-type': 'unicast', attrs: { dst: '192.0.2.7', lladdr: Uint8Array.of() } }),
];

describe('raw lifters agree with decode + xxxFromMessage', () => {
  it('the vectors hold address, route and neighbour messages to compare', () => {
    const types = new Set(VECTORS.map(typeOf));
    expect(types.has(20) && types.has(24) && types.has(28)).toBe(true);
    expect(VECTORS.length).toBeGreaterThan(20);
  });

  it('lifts every kernel reply of the iproute2 vectors exactly as the generic path does', () => {
    for (const b of VECTORS) sameObject(RAW[typeOf(b)]!(b), generic(b));
  });

  it('lifts built messages with every lifted attribute (and ones left to the codec) exactly as the generic path does', () => {
    for (const b of SYNTHETIC) sameObject(RAW[typeOf(b)]!(b), generic(b));
  });

  it('lifts a message inside a larger buffer by its nlmsg_len, ignoring what follows', () => {
    const b = VECTORS.find((m) => typeOf(m) === 24)!;
    const big = new Uint8Array(b.length + 64);
    big.set(b);
    big.fill(0xff, b.length);
    expect(routeFromBytes(big)).toStrictEqual(generic(b));
  });

  it('lifts an address message where it lies in a datagram (the dump path: no view per message)', () => {
    const addrs = [...VECTORS, ...SYNTHETIC].filter((b) => typeOf(b) === 20 || typeOf(b) === 21);
    expect(addrs.length).toBeGreaterThan(5);
    // All of them back to back, after 12 bytes of something else, as one datagram.
    const total = addrs.reduce((n, b) => n + ((b.length + 3) & ~3), 12);
    const datagram = new Uint8Array(total).fill(0xee);
    let o = 12;
    for (const b of addrs) {
      datagram.set(b, o);
      expect(liftAddr(datagram, o, b.length)).toEqual(addrFromBytes(b));
      o += (b.length + 3) & ~3;
    }
    o = 12;
    for (const b of addrs) {
      sameObject(liftAddr(datagram, o, b.length), generic(b));
      o += (b.length + 3) & ~3;
    }
  });

  it('rejects input that is not a message with a typed error', () => {
    expect(() => addrFromBytes('x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => routeFromBytes(new Uint8Array(8))).toThrow(/at least 16 bytes/);
    const b = VECTORS.find((m) => typeOf(m) === 28)!.slice();
    new DataView(b.buffer).setUint32(0, b.length + 4, true);
    expect(() => neighFromBytes(b)).toThrow(RangeError);
  });

  it('formats IPv4 like formatIP for any 4 bytes, at any offset, from its caches too', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.nat(5), (arr, at) => {
        const b = new Uint8Array(at + 4);
        b.set(arr, at);
        const want = formatIP(Uint8Array.from(arr));
        expect(ipv4At(b, at)).toBe(want);
        expect(ipv4At(b, at)).toBe(want); // second time from the caches
      }),
      { numRuns: 5000 },
    );
  });

  it('formats IPv6 like formatIP for any 16 bytes (zero runs, ties, IPv4-mapped)', () => {
    const byte = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xff), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(byte, { minLength: 16, maxLength: 16 }), (arr) => {
        const b = Uint8Array.from(arr);
        expect(ipv6At(b, 0)).toBe(formatIP(b));
        const shifted = new Uint8Array(19);
        shifted.set(b, 3);
        expect(ipv6At(shifted, 3)).toBe(formatIP(b));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('raw lifters on damaged messages', () => {
  const samples = [...VECTORS, ...SYNTHETIC];
  /** A message mutated at random: flipped bytes (header, attribute headers, payloads), shortened, or with a repeated tail. */
  const mutated = fc
    .record({
      i: fc.nat(samples.length - 1),
      flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
      cut: fc.nat(),
      mode: fc.constantFrom('flip', 'cut', 'dup', 'flip+cut'),
    })
    .map(({ i, flips, cut, mode }) => {
      let b = samples[i]!.slice();
      if (mode === 'dup' && b.length > 32) {
        // Repeat the last few attribute bytes: repeated attributes and odd lengths.
        const tail = b.subarray(Math.max(28, b.length - 1 - (cut % 24)));
        const nb = new Uint8Array(b.length + tail.length);
        nb.set(b);
        nb.set(tail, b.length);
        b = nb;
      }
      if (mode === 'cut' || mode === 'flip+cut') b = b.slice(0, 16 + (cut % Math.max(1, b.length - 15)));
      if (mode !== 'cut' && mode !== 'dup') for (const f of flips) b[16 + (f.at % Math.max(1, b.length - 16))] = f.value;
      // Keep the netlink header consistent with the bytes, so the message itself is found.
      new DataView(b.buffer).setUint32(0, b.length, true);
      return b;
    });

  it('never throw anything but a clear error, and agree whenever the generic path succeeds', () => {
    fc.assert(
      fc.property(mutated, (b) => {
        if (b.length < 16) return;
        const t = typeOf(b);
        let want: unknown;
        let genericOk = true;
        try {
          want = generic(b);
        } catch {
          genericOk = false;
        }
        let got: unknown;
        try {
          got = RAW[t]!(b);
        } catch (e) {
          expect(e instanceof NetlinkDecodeError || e instanceof RangeError || e instanceof TypeError).toBe(true);
          expect(genericOk).toBe(false);
          return;
        }
        if (genericOk) sameObject(got, want);
      }),
      { numRuns: 20000 },
    );
  });
});

describe('a repeated attribute', () => {
  /** `m` encoded with one more attribute of `type` carrying `value` (u32, or 4 address bytes) at the end. */
  function withRepeat(m: Message, type: number, value: number | number[]): Uint8Array {
    const b = encode(m);
    const out = new Uint8Array(b.length + 8);
    out.set(b);
    const v = new DataView(out.buffer);
    v.setUint32(0, out.length, true);
    v.setUint16(b.length, 8, true);
    v.setUint16(b.length + 2, type, true);
    if (typeof value === 'number') v.setUint32(b.length + 4, value, true);
    else out.set(value, b.length + 4);
    return out;
  }

  it('counts as its last occurrence, as the kernel reads it, on the byte and the message path alike', () => {
    const route = withRepeat({ header: { type: 'RTM_NEWROUTE', flags: [], seq: 0, pid: 0 }, 'rtm-family': 2, 'rtm-dst-len': 24, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': 254, 'rtm-protocol': 3, 'rtm-scope': 0, 'rtm-type': 1, 'rtm-flags': 0, attrs: { table: 254, dst: '10.0.0.0', gateway: '10.1.1.1', oif: 2, priority: 5 } } as Message, 4, 7);
    for (const r of [routeFromBytes(route), routeFromMessage(decode(route)[0]!)]) expect(r).toMatchObject({ linkIndex: 7, priority: 5, gw: '10.1.1.1' });

    const addr = withRepeat({ header: { type: 'RTM_NEWADDR', flags: [], seq: 0, pid: 0 }, 'ifa-family': 2, 'ifa-prefixlen': 24, 'ifa-flags': 0, 'ifa-scope': 0, 'ifa-index': 2, attrs: { address: '10.0.0.1', local: '10.0.0.1', label: 'eth0' } } as Message, 2, [10, 0, 0, 2]);
    for (const a of [addrFromBytes(addr), addrFromMessage(decode(addr)[0]!)]) expect(a).toMatchObject({ local: '10.0.0.2', address: '10.0.0.2/24', peer: '10.0.0.1/24' });

    const neigh = withRepeat({ header: { type: 'RTM_NEWNEIGH', flags: [], seq: 0, pid: 0 }, 'ndm-family': 2, 'ndm-ifindex': 2, 'ndm-state': 128, 'ndm-flags': 0, 'ndm-type': 1, attrs: { dst: '10.0.0.9', lladdr: '02:00:00:00:00:09' } } as Message, 1, [10, 0, 0, 10]);
    for (const n of [neighFromBytes(neigh), neighFromMessage(decode(neigh)[0]!)]) expect(n).toMatchObject({ ip: '10.0.0.10', hardwareAddr: '02:00:00:00:00:09' });

    const link = withRepeat({ header: { type: 'RTM_NEWLINK', flags: [], seq: 0, pid: 0 }, 'ifi-family': 0, 'ifi-type': 1, 'ifi-index': 3, 'ifi-flags': [], 'ifi-change': 0, attrs: { ifname: 'x0', mtu: 1500, txqlen: 1000 } } as Message, 13, 500);
    for (const l of [linkFromBytes(link), decodeLinks(link)[0]!, linkFromMessage(decode(link)[0]!)]) {
      expect(l).toMatchObject({ name: 'x0', mtu: 1500, txQLen: 500 });
    }
    // The decoded attributes themselves stay lossless: both occurrences.
    expect(linkFromMessage(decode(link)[0]!).attrs.txqlen).toEqual([1000, 500]);
  });
});

describe('lifted fields on arbitrary attributes', () => {
  type Check = (v: unknown) => boolean;
  const num: Check = (v) => typeof v === 'number';
  const str: Check = (v) => typeof v === 'string';
  const strs: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number');
  const opt = (c: Check): Check => (v) => v === undefined || c(v);
  const or = (...cs: Check[]): Check => (v) => cs.some((c) => c(v));
  const via: Check = (v) => v !== null && typeof v === 'object' && str((v as { address?: unknown }).address);
  const nextHop: Check = (v) => {
    const h = v as Record<string, unknown>;
    return num(h.linkIndex) && num(h.weight) && strs(h.flags) && opt(str)(h.gw) && opt(via)(h.via) && opt(num)(h.realm);
  };
  const metrics: Check = (v) => v !== null && typeof v === 'object' && Object.values(v as object).every((x) => num(x) || str(x));
  /** Every field of each object type, with its declared type (`undefined` only where optional). */
  const SHAPES: Record<string, Record<string, Check>> = {
    route: {
      dst: opt(str), src: opt(str), srcPrefix: opt(str), gw: opt(str), via: opt(via), linkIndex: opt(num), iifIndex: opt(num),
      priority: opt(num), table: num, protocol: or(str, num), scope: or(str, num), type: or(str, num), flags: strs, tos: num,
      metrics: opt(metrics), multipath: opt((v) => Array.isArray(v) && v.every(nextHop)), family: or(str, num),
      pref: opt(or(str, num)), expires: opt(num), mark: opt(num), uid: opt(num), nhId: opt(num), realm: opt(num),
    },
    addr: {
      address: str, local: opt(str), peer: opt(str), broadcast: opt(str), label: opt(str), scope: or(str, num), flags: strs,
      validLft: num, preferredLft: num, linkIndex: num, family: or(str, num), priority: opt(num),
    },
    neigh: {
      linkIndex: num, family: or(str, num), state: strs, flags: strs, type: or(str, num), ip: opt(str), hardwareAddr: opt(str),
      vlan: opt(num), vni: opt(num), port: opt(num), masterIndex: opt(num), vxlanLinkIndex: opt(num), srcVni: opt(num),
      linkNetnsId: opt(num), probes: opt(num), protocol: opt(num), nhId: opt(num), flagsExt: opt(strs),
      cacheinfo: opt((v) => ['confirmed', 'used', 'updated', 'refcnt'].every((k) => num((v as Record<string, unknown>)[k]))),
    },
    link: {
      index: num, name: str, kind: opt(str), flags: strs, operState: str, mtu: num, hardwareAddr: opt(str), broadcast: opt(str),
      masterIndex: opt(num), parentIndex: opt(num), parentNetnsId: opt(num), txQLen: num, alias: opt(str), group: num,
      hardwareType: num, slaveKind: opt(str),
    },
  };
  const KINDS = [
    { name: 'route', type: 24, header: 12, families: [2, 10, 7, 128], lift: [routeFromBytes, (b: Uint8Array) => routeFromMessage(decode(b)[0]!)] },
    { name: 'addr', type: 20, header: 8, families: [2, 10], lift: [addrFromBytes, (b: Uint8Array) => addrFromMessage(decode(b)[0]!)] },
    { name: 'neigh', type: 28, header: 12, families: [2, 10, 7], lift: [neighFromBytes, (b: Uint8Array) => neighFromMessage(decode(b)[0]!)] },
    { name: 'link', type: 16, header: 16, families: [0], lift: [linkFromBytes, (b: Uint8Array) => decodeLinks(b)[0]!, (b: Uint8Array) => linkFromMessage(decode(b)[0]!)] },
  ] as const;
  /** A message of `kind` with a random fixed header (family from the valid ones) and random attributes. */
  const message = fc
    .record({
      k: fc.nat(KINDS.length - 1),
      header: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      family: fc.nat(),
      attrs: fc.array(fc.record({ type: fc.integer({ min: 0, max: 45 }), len: fc.constantFrom(0, 1, 2, 4, 5, 6, 8, 12, 16, 20, 36), bytes: fc.uint8Array({ minLength: 36, maxLength: 36 }) }), { maxLength: 10 }),
    })
    .map(({ k, header, family, attrs }) => {
      const kind = KINDS[k]!;
      let size = 16 + kind.header;
      for (const a of attrs) size += (4 + a.len + 3) & ~3;
      const b = new Uint8Array(size);
      const v = new DataView(b.buffer);
      v.setUint32(0, size, true);
      v.setUint16(4, kind.type, true);
      b.set(header.subarray(0, kind.header), 16);
      b[16] = kind.families[family % kind.families.length]!;
      let at = 16 + kind.header;
      for (const a of attrs) {
        v.setUint16(at, 4 + a.len, true);
        v.setUint16(at + 2, a.type, true);
        b.set(a.bytes.subarray(0, a.len), at + 4);
        at += (4 + a.len + 3) & ~3;
      }
      return { kind, b };
    });

  it('hold their declared types on every path, or the lifter throws its own error', () => {
    let lifted = 0;
    fc.assert(
      fc.property(message, ({ kind, b }) => {
        for (const lift of kind.lift) {
          let o: Record<string, unknown>;
          try {
            o = lift(b) as unknown as Record<string, unknown>;
          } catch (e) {
            expect(e instanceof NetlinkDecodeError || e instanceof RangeError || e instanceof TypeError, String(e)).toBe(true);
            continue;
          }
          lifted++;
          for (const [field, check] of Object.entries(SHAPES[kind.name]!)) expect(check(o[field]), `${kind.name}.${field}: ${String(o[field])}`).toBe(true);
        }
      }),
      { numRuns: 10000 },
    );
    expect(lifted).toBeGreaterThan(10000);
  });
});

describe('asciiStringAtCached', () => {
  it('gives what asciiStringAt gives, whatever was kept in the slot before', () => {
    // Few slots, keys and letters: hits, misses and same-length strings that differ all happen.
    const text = fc.array(fc.constantFrom(0, 0x61, 0x62, 0x80), { maxLength: 5 }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(7), text, fc.nat(3)), { minLength: 1, maxLength: 30 }), (calls) => {
        const slots: (string | undefined)[] = [undefined, undefined];
        for (const [key, bytes, pad] of calls) {
          const b = new Uint8Array(pad + bytes.length + 2).fill(0x63);
          b.set(bytes, pad);
          expect(asciiStringAtCached(slots, key, b, pad, bytes.length)).toBe(asciiStringAt(b, pad, bytes.length));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
