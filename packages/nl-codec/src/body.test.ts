/// <reference types="node" />
import { describe, expect, it } from 'vitest';
import { bodyCodecForType, extAckCodec, NetlinkDecodeError } from './body.js';
import { codec, decodeBody, encodeBody, linkDump, splitMessages, toHexString, vectorMessages, viewOf } from './attrs/test-support/fixtures.js';

const vectors = vectorMessages();

/** Lists `$` metadata keys found anywhere in a decoded value. */
function metadataKeys(v: unknown, path = '', out: string[] = []): string[] {
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('$')) out.push(`${path}.${k}`);
      metadataKeys(x, `${path}.${k}`, out);
    }
  }
  return out;
}

describe('iproute2 vectors', () => {
  const bodies = vectors.filter((m) => m.type > 15 && bodyCodecForType(m.type) !== undefined);

  it('covers every rtnetlink message type in the vectors', () => {
    const missing = [...new Set(vectors.filter((m) => m.type > 15 && bodyCodecForType(m.type) === undefined).map((m) => m.type))];
    expect(missing).toEqual([]);
    expect(bodies.length).toBeGreaterThan(300);
  });

  it('decodes every message body and re-encodes it byte-exact', () => {
    for (const m of bodies) {
      const c = codec(m.type);
      const body = decodeBody(c, m.bytes);
      expect(toHexString(encodeBody(c, body)), `${m.op} ${m.dir} type ${m.type}`).toBe(toHexString(m.bytes.subarray(16)));
    }
  });

  it('decodes the request echoed in NLMSG_ERROR and re-encodes it byte-exact', () => {
    let n = 0;
    for (const m of vectors.filter((x) => x.type === 2 && x.bytes.length >= 36)) {
      const v = viewOf(m.bytes);
      const inner = m.bytes.subarray(20);
      const innerLen = v.getUint32(20, true);
      const c = bodyCodecForType(v.getUint16(24, true));
      if (c === undefined || innerLen > inner.length || innerLen < 16) continue; // capped: header only
      const req = inner.subarray(0, innerLen);
      expect(toHexString(encodeBody(c, decodeBody(c, req))), m.op).toBe(toHexString(req.subarray(16)));
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });

  it('matches ip -j for the link name, index, mtu, address and kind', () => {
    let checked = 0;
    // Only `show` operations: the others read a link before changing it.
    for (const m of vectors.filter((x) => x.type === 16 && x.dir === 'recv' && / show\b/.test(x.command))) {
      const body = decodeBody(codec(16), m.bytes);
      const attrs = body.attrs as Record<string, unknown>;
      const shown = (Array.isArray(m.ipJson) ? m.ipJson : []) as Array<Record<string, unknown>>;
      const ip = shown.find((l) => l.ifindex === body['ifi-index'] && l.ifname === attrs.ifname);
      if (ip === undefined) continue;
      expect(attrs.mtu, m.op).toBe(ip.mtu);
      if (typeof ip.address === 'string' && ip.link_type !== 'none') expect(attrs.address, m.op).toBe(ip.address);
      const kind = (ip.linkinfo as { info_kind?: string } | undefined)?.info_kind;
      if (kind !== undefined) expect((attrs.linkinfo as Record<string, unknown>).kind, m.op).toBe(kind);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('decodes kernel replies without any metadata keys', () => {
    for (const m of bodies.filter((x) => x.dir === 'recv')) {
      expect(metadataKeys(decodeBody(codec(m.type), m.bytes)), `${m.op} type ${m.type}`).toEqual([]);
    }
  });

  it('decodes the veth peer of a create request as an ifinfomsg with link attributes', () => {
    const m = vectors.find(
      (x) => x.type === 16 && x.dir === 'send' && x.command === 'ip link add v0 type veth peer name v1' && x.bytes.length > 40,
    );
    expect(m).toBeDefined();
    const body = decodeBody(codec(16), m!.bytes);
    const li = (body.attrs as Record<string, any>).linkinfo;
    expect(li.data.peer.attrs.ifname).toBe('v1');
    expect(li.kind).toBe('veth');
    expect(li.data.peer).toMatchObject({ 'ifi-family': 0, attrs: { ifname: expect.any(String) } });
  });
});

describe('link dump of 2001 links', () => {
  const msgs = splitMessages(linkDump()).filter((m) => viewOf(m).getUint16(4, true) === 16);

  it('decodes every message fully and re-encodes it byte-exact', () => {
    expect(msgs.length).toBe(2001);
    const c = codec(16);
    for (const m of msgs) {
      const body = decodeBody(c, m);
      const out = encodeBody(c, body);
      expect(out.length).toBe(m.length - 16);
      expect(Buffer.compare(Buffer.from(out), Buffer.from(m.subarray(16)))).toBe(0);
    }
  });

  it('gives typed values: names, MACs, bigint counters, nested af-spec arrays', () => {
    const body = decodeBody(codec(16), msgs[1]!);
    const a = body.attrs as Record<string, any>;
    expect(a.ifname).toMatch(/^v[ab]\d+$/);
    expect(a.address).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(a.linkinfo).toEqual({ kind: 'veth' });
    expect(typeof a.stats64['rx-packets']).toBe('bigint');
    expect(Array.isArray(a['af-spec'].inet.conf)).toBe(true);
    expect(body['ifi-flags']).toEqual(expect.arrayContaining(['broadcast', 'multicast']));
    expect(metadataKeys(body)).toEqual([]);
  });
});

describe('ext-ack codec', () => {
  it('decodes msg/offs TLVs from a real NLMSG_ERROR and re-encodes them', () => {
    const m = vectors.find((x) => x.type === 2 && x.op.length > 0 && (viewOf(x.bytes).getUint16(6, true) & 0x200) !== 0);
    expect(m).toBeDefined();
    const v = viewOf(m!.bytes);
    const capped = (v.getUint16(6, true) & 0x100) !== 0;
    const start = 20 + (capped ? 16 : v.getUint32(20, true));
    const out: Record<string, unknown> = {};
    extAckCodec.decode(m!.bytes, v, start, m!.bytes.length, out);
    expect(Object.keys(out)).toEqual(['attrs']);
    expect(typeof (out.attrs as Record<string, unknown>).msg).toBe('string');
    expect(toHexString(encodeBody(extAckCodec, out))).toBe(toHexString(m!.bytes.subarray(start)));
  });
});

describe('bodyCodecForType', () => {
  it('returns undefined for control and unknown message types', () => {
    expect(bodyCodecForType(2)).toBeUndefined();
    expect(bodyCodecForType(3)).toBeUndefined();
    expect(bodyCodecForType(999)).toBeUndefined();
    expect(bodyCodecForType(-1)).toBeUndefined();
    expect(bodyCodecForType(1.5)).toBeUndefined();
  });

  it('names the family of each rtnetlink type', () => {
    expect(bodyCodecForType(16)?.family).toBe('rt-link');
    expect(bodyCodecForType(20)?.family).toBe('rt-addr');
    expect(bodyCodecForType(24)?.family).toBe('rt-route');
    expect(bodyCodecForType(28)?.family).toBe('rt-neigh');
  });

  it('rejects a body range outside the buffer with NetlinkDecodeError', () => {
    const b = new Uint8Array(8);
    expect(() => codec(16).decode(b, viewOf(b), 0, 20, {})).toThrow(NetlinkDecodeError);
  });
});

describe('decodeMessage (a body built as one object)', () => {
  /** decodeMessage must equal `{ header }` filled by decode, keys in the same order. */
  const same = (type: number, msg: Uint8Array) => {
    const c = codec(type);
    const header = { type, tag: 'h' };
    const want: Record<string, unknown> = { header };
    let err: unknown;
    try {
      c.decode(msg, viewOf(msg), 16, msg.length, want);
    } catch (e) {
      err = e;
    }
    if (err !== undefined) {
      expect(() => c.decodeMessage(header, msg, viewOf(msg), 16, msg.length)).toThrow(NetlinkDecodeError);
      return;
    }
    const got = c.decodeMessage(header, msg, viewOf(msg), 16, msg.length);
    expect(got).toEqual(want);
    expect(JSON.stringify(Object.keys(got))).toBe(JSON.stringify(Object.keys(want)));
    expect(got.header).toBe(header);
  };

  it('agrees with decode for every vector body and the first links of the dump', () => {
    for (const m of vectors) if (m.type > 15 && bodyCodecForType(m.type) !== undefined) same(m.type, m.bytes);
    for (const m of splitMessages(linkDump()).slice(0, 50)) same(16, m);
  });

  it('agrees with decode when the header has a nonzero pad, a nonzero gap, or is cut short', () => {
    const link = splitMessages(linkDump())[5]!;
    const padded = Uint8Array.from(link);
    padded[17] = 7; // ifinfomsg's pad byte
    same(16, padded);
    const route = vectors.find((m) => m.type === 24 && m.bytes.length > 40)!.bytes; // rtmsg is 12 bytes: no gap
    same(24, route);
    const addr = vectors.find((m) => m.type === 20 && m.bytes.length > 40)!.bytes; // ifaddrmsg is 8 bytes
    same(20, addr);
    const nd = vectors.find((m) => m.type === 28 && m.bytes.length > 40)?.bytes; // ndmsg: 12 bytes
    if (nd) same(28, nd);
    same(16, link.subarray(0, 16 + 10)); // shorter than ifinfomsg: $raw
    // RTM_NEWNSID: rtgenmsg (1 byte) + a 3-byte gap, then NETNSA_NSID (u32); the gap zero and not
    const nsid = Uint8Array.from([...new Uint8Array(16), 0, 0, 0, 0, 8, 0, 1, 0, 5, 0, 0, 0]);
    expect(codec(88).decodeMessage(null, nsid, viewOf(nsid), 16, nsid.length)).toEqual({ header: null, 'rtgen-family': 0, attrs: { nsid: 5 } });
    same(88, nsid);
    nsid[18] = 9;
    same(88, nsid);
    expect((codec(88).decodeMessage(null, nsid, viewOf(nsid), 16, nsid.length) as { $headerPad?: Uint8Array }).$headerPad).toEqual(Uint8Array.from([0, 9, 0]));
    const neightbl = vectors.find((m) => m.type === 64)?.bytes; // rtgenmsg-like 1-byte header + 3-byte gap
    if (neightbl) {
      same(64, neightbl);
      const gap = Uint8Array.from(neightbl);
      gap[17] = 1;
      same(64, gap);
    }
  });
});

describe('decodeAttributes (the attributes alone)', () => {
  /** decodeAttributes must be exactly decode's `.attrs` (or throw as decode does). */
  const same = (type: number, msg: Uint8Array) => {
    const c = codec(type);
    const want: Record<string, unknown> = {};
    let err: unknown;
    try {
      c.decode(msg, viewOf(msg), 16, msg.length, want);
    } catch (e) {
      err = e;
    }
    if (err !== undefined) {
      expect(() => c.decodeAttributes(msg, viewOf(msg), 16, msg.length)).toThrow(NetlinkDecodeError);
      return;
    }
    const got = c.decodeAttributes(msg, viewOf(msg), 16, msg.length);
    expect(got).toEqual(want.attrs);
    if (got !== undefined) expect(JSON.stringify(Object.keys(got))).toBe(JSON.stringify(Object.keys(want.attrs as object)));
  };

  it('agrees with decode for every vector body and every link of the dump', () => {
    for (const m of vectors) if (m.type > 15 && bodyCodecForType(m.type) !== undefined) same(m.type, m.bytes);
    for (const m of splitMessages(linkDump())) same(16, m);
  });

  it('agrees with decode for a nonzero header pad, a body cut inside the header, and no header at all', () => {
    const link = splitMessages(linkDump())[5]!;
    const padded = Uint8Array.from(link);
    padded[17] = 7;
    same(16, padded);
    expect(codec(16).decodeAttributes(link, viewOf(link), 16, 16 + 10)).toBeUndefined(); // decode keeps it as $raw
    same(16, link.subarray(0, 26));
    const nsid = Uint8Array.from([...new Uint8Array(16), 0, 9, 0, 0, 8, 0, 1, 0, 5, 0, 0, 0]);
    expect(codec(88).decodeAttributes(nsid, viewOf(nsid), 16, nsid.length)).toEqual({ nsid: 5 });
    same(88, nsid);
    // A decode error inside the attributes surfaces as NetlinkDecodeError with the same offset.
    const broken = Uint8Array.from(link);
    new DataView(broken.buffer).setUint16(32, 0xfff0, true); // the first attribute claims too much
    same(16, broken);
  });

  it('rejects a range outside the buffer with NetlinkDecodeError', () => {
    const b = new Uint8Array(8);
    expect(() => codec(16).decodeAttributes(b, viewOf(b), 0, 20)).toThrow(NetlinkDecodeError);
  });
});
