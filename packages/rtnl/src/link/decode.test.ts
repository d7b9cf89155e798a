import { readFileSync } from 'node:fs';
import { decode, NetlinkDecodeError } from '@nlkit/nl-codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLinks, linkDumpMapper, linkFromBytes } from './decode.js';
import { linkFromMessage, type Link } from './link.js';

const dump = new Uint8Array(readFileSync(new URL('../../../../../shared/peers/linkdump-2001.bin', import.meta.url)));

describe('decodeLinks', () => {
  const links = decodeLinks(dump);

  it('finds the 2001 links of linkdump-2001.bin: lo and 1000 veth pairs', () => {
    expect(links).toHaveLength(2001);
    expect(links[0]!.name).toBe('lo');
    expect(links[0]!.kind).toBeUndefined();
    expect(links.filter((l) => l.kind === 'veth')).toHaveLength(2000);
    const names = new Set(links.map((l) => l.name));
    for (let i = 0; i < 1000; i += 97) expect(names.has(`va${i}`) && names.has(`vb${i}`)).toBe(true);
  });

  it('pairs every veth with its peer through parentIndex', () => {
    const byIndex = new Map(links.map((l) => [l.index, l]));
    for (const l of links.slice(1)) {
      const peer = byIndex.get(l.parentIndex!)!;
      expect(peer.parentIndex).toBe(l.index);
      expect(peer.name.slice(2)).toBe(l.name.slice(2));
    }
  });

  it('lifts the same values as linkFromMessage over the codec, lazy fields included', () => {
    // Cut at a message boundary: the first ~200 kB of whole messages.
    const view = new DataView(dump.buffer, dump.byteOffset, dump.byteLength);
    let cut = 0;
    while (cut < 200_000) cut += (view.getUint32(cut, true) + 3) & ~3;
    const messages = decode(dump.subarray(0, cut)).filter((m) => m.header.type === 'RTM_NEWLINK');
    expect(messages.length).toBeGreaterThan(100);
    for (let i = 0; i < messages.length; i++) {
      const eager = linkFromMessage(messages[i]!);
      const lazy = links[i]!;
      for (const k of ['index', 'name', 'kind', 'flags', 'operState', 'mtu', 'hardwareAddr', 'broadcast', 'masterIndex', 'parentIndex', 'parentNetnsId', 'txQLen', 'alias', 'group', 'hardwareType', 'slaveKind'] as const) {
        expect(lazy[k], `${eager.name}.${k}`).toEqual(eager[k]);
      }
      expect(lazy.statistics).toEqual(eager.statistics);
      expect(lazy.data).toEqual(eager.data);
      expect(lazy.attrs).toEqual(eager.attrs);
    }
  });

  it('reports the state of freshly created veths: down, MTU 1500, no master, lowercase flags', () => {
    const v = links.find((l) => l.name === 'va0')!;
    expect(v.operState).toBe('down');
    expect(v.mtu).toBe(1500);
    expect(v.masterIndex).toBeUndefined();
    expect(v.flags).toEqual(['broadcast', 'multicast']);
    expect(v.hardwareAddr).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(v.statistics?.rxPackets).toBe(0n);
  });

  it('gives every link its own flags and data, which the caller may change', () => {
    const [a, b] = links.filter((l) => l.name === 'va1' || l.name === 'va2');
    expect(a!.flags).toEqual(b!.flags);
    expect(a!.flags).not.toBe(b!.flags);
    const i = links.indexOf(a!);
    const again = decodeLinks(dump)[i]!;
    again.flags.push('up');
    (again.data as Record<string, unknown>).note = 1;
    expect(a!.flags).toEqual(['broadcast', 'multicast']);
    expect(decodeLinks(dump)[i]!.flags).toEqual(['broadcast', 'multicast']);
    expect(a!.data).toEqual({});
    expect(Object.getPrototypeOf(a!.data)).toBe(Object.prototype);
  });

  it('lifts a dump datagram by datagram through linkDumpMapper, as decodeLinks does', () => {
    // The first ~64 kB of whole messages, fed as two "datagrams" with a DONE after the last.
    const view = new DataView(dump.buffer, dump.byteOffset, dump.byteLength);
    const cuts = [0];
    for (const limit of [32_000, 64_000]) {
      let c = cuts[cuts.length - 1]!;
      while (c < limit) c += (view.getUint32(c, true) + 3) & ~3;
      cuts.push(c);
    }
    const map = linkDumpMapper();
    const lifted: Link[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const d = dump.slice(cuts[k], cuts[k + 1]);
      for (let o = 0; o < d.length; o += (new DataView(d.buffer).getUint32(o, true) + 3) & ~3) {
        const l = map(d, o, new DataView(d.buffer).getUint32(o, true));
        if (l) lifted.push(l);
      }
    }
    expect(map(Uint8Array.from([20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 20)).toBeUndefined();
    expect(lifted.length).toBeGreaterThan(20);
    const expected = decodeLinks(dump.subarray(0, cuts[2]));
    const plain = (l: Link) => JSON.parse(JSON.stringify(l, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))) as unknown;
    expect(lifted.map(plain)).toEqual(expected.map(plain));
    expect(lifted.map((l) => l.statistics)).toEqual(expected.map((l) => l.statistics));
  });

  it('stops at NLMSG_DONE and skips non-link messages', () => {
    const done = Uint8Array.from([20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const first = dump.subarray(0, new DataView(dump.buffer, dump.byteOffset).getUint32(0, true));
    const joined = new Uint8Array([...first, ...done, ...first]);
    expect(decodeLinks(joined)).toHaveLength(1);
  });

  it('rejects a message that claims more bytes than there are', () => {
    const cut = dump.subarray(0, 1000);
    expect(() => decodeLinks(cut)).toThrow(RangeError);
  });

  const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? [...v] : v));
  /** The first ~100 KB of the dump (whole messages), in a buffer of its own. */
  const ownPrefix = () => {
    const copy = dump.slice(0, 100_000);
    const view = new DataView(copy.buffer);
    let cut = 0;
    while (cut + 16 <= copy.length && cut + view.getUint32(cut, true) <= copy.length) cut += (view.getUint32(cut, true) + 3) & ~3;
    return copy.subarray(0, cut);
  };

  it('with { copy: true }, keeps working when the caller reuses its buffer', () => {
    const mine = ownPrefix();
    const ls = decodeLinks(mine, { copy: true });
    mine.fill(0); // the caller reuses its buffer before touching the lazy fields
    expect(json(ls[5]!.attrs)).toBe(json(links[5]!.attrs));
    expect(ls[5]!.statistics).toEqual(links[5]!.statistics);
    expect(ls[5]!.data).toEqual(links[5]!.data);
    expect(ls.map((l) => l.name)).toEqual(links.slice(0, ls.length).map((l) => l.name));
  });

  it('without copy, reads the lazy fields from the caller\'s bytes (the documented contract)', () => {
    const mine = ownPrefix();
    const ls = decodeLinks(mine);
    const view = new DataView(mine.buffer, mine.byteOffset);
    // Find link 6's IFLA_MTU (type 4) and change it in the caller's buffer before attrs are read.
    let p = 0;
    for (let k = 0; k < 6; k++) p += (view.getUint32(p, true) + 3) & ~3;
    const end = p + view.getUint32(p, true);
    let a = p + 32;
    while (a < end && view.getUint16(a + 2, true) !== 4) a += (view.getUint16(a, true) + 3) & ~3;
    expect(a).toBeLessThan(end);
    view.setUint32(a + 4, 1234, true);
    expect(ls[6]!.mtu).toBe(links[6]!.mtu); // lifted while scanning
    expect(ls[6]!.attrs.mtu).toBe(1234); // decoded on access, from the changed bytes
    expect(json(ls[5]!.attrs)).toBe(json(links[5]!.attrs));
  });

  it('keeps one attrs object per link (assignable), reads statistics before or after attrs alike, and serializes with toJSON', () => {
    const [a, b] = decodeLinks(dump).slice(3, 5) as [Link & { toJSON(): Link }, Link & { toJSON(): Link }];
    expect(a.attrs).toBe(a.attrs);
    const before = b.statistics; // from the bytes
    void b.attrs;
    const json = b.toJSON();
    expect(json.attrs).toBe(b.attrs);
    expect(json.statistics).toEqual(before);
    expect(json.name).toBe(b.name);
    const mine = { ifname: 'x' };
    a.attrs = mine;
    expect(a.attrs).toBe(mine);
    expect(a.toJSON().attrs).toBe(mine);
  });

  it('decodes messages larger than its copy chunk, between ordinary ones', () => {
    const first = dump.subarray(0, new DataView(dump.buffer, dump.byteOffset).getUint32(0, true));
    // The first link message plus two 60 KB unknown attributes (type 1000): 120 KB in all.
    const extra = 2 * (4 + 60_000);
    const big = new Uint8Array(first.length + extra);
    big.set(first);
    const bv = new DataView(big.buffer);
    bv.setUint32(0, big.length, true);
    for (let k = 0; k < 2; k++) {
      const at = first.length + k * (4 + 60_000);
      bv.setUint16(at, 4 + 60_000, true);
      bv.setUint16(at + 2, 1000, true);
      big.fill(k + 1, at + 4, at + 4 + 60_000);
    }
    const joined = new Uint8Array([...first, ...big, ...first]);
    for (const copy of [true, false]) {
      const ls = decodeLinks(joined, { copy });
      expect(ls.map((l) => l.name)).toEqual(['lo', 'lo', 'lo']);
      const u = ls[1]!.attrs['unknown-1000'] as Array<{ bytes: Uint8Array }>;
      expect(u).toHaveLength(2);
      expect(u[1]!.bytes.length).toBe(60_000);
      expect(u[1]!.bytes[59_999]).toBe(2);
      expect(ls[2]!.attrs).toEqual(ls[0]!.attrs);
    }
  });

  it('lifts a single message with linkFromBytes', () => {
    const len = new DataView(dump.buffer, dump.byteOffset).getUint32(0, true);
    const lo = linkFromBytes(dump.subarray(0, len));
    expect(lo.name).toBe('lo');
    expect(lo.index).toBe(1);
    expect(() => linkFromBytes(dump.subarray(0, 20))).toThrow(TypeError);
  });

  it('rejects input that is not a Uint8Array', () => {
    expect(() => decodeLinks('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('decodeLinks on damaged input', () => {
  /** Whole messages of the real dump: lo, and veths with every kind of attribute the kernel sends. */
  const view = new DataView(dump.buffer, dump.byteOffset, dump.byteLength);
  const samples: Uint8Array[] = [];
  for (let off = 0; samples.length < 6; ) {
    const len = view.getUint32(off, true);
    samples.push(dump.slice(off, off + len));
    off += (len + 3) & ~3;
  }

  /** Read every field, the lazy ones included, as a consumer printing the link would. */
  function readAll(l: Link): void {
    JSON.stringify(l, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? v.length : v));
    void l.attrs;
    void l.data;
    void l.statistics;
  }

  /** decodeLinks and the lazy fields may fail only with the errors decodeLinks documents. */
  function expectOnlyOwnErrors(bytes: Uint8Array): Link[] | undefined {
    try {
      const links = decodeLinks(bytes);
      for (const l of links) readAll(l);
      return links;
    } catch (e) {
      expect(e instanceof NetlinkDecodeError || e instanceof RangeError, String(e)).toBe(true);
      return undefined;
    }
  }

  it('returns links or throws its own errors for arbitrary bytes, lazy fields included, and never hangs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => {
        expectOnlyOwnErrors(b);
      }),
      { numRuns: 3000 },
    );
  });

  it('on real messages with flipped or cut bytes, fails only with its own errors, and agrees with the codec whenever that decodes them', () => {
    const damaged = fc
      .record({
        picks: fc.array(fc.nat(samples.length - 1), { minLength: 1, maxLength: 3 }),
        flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
        cut: fc.option(fc.nat(), { nil: undefined }),
        keepLength: fc.boolean(),
      })
      .map(({ picks, flips, cut, keepLength }) => {
        const parts = picks.map((i) => samples[i]!);
        const b = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          b.set(p, at);
          at += p.length;
        }
        // Past the first header unless asked otherwise: mostly attribute headers and payloads.
        for (const f of flips) b[(keepLength ? 16 : 0) + (f.at % (b.length - (keepLength ? 16 : 0)))] = f.value;
        return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
      });
    let compared = 0;
    fc.assert(
      fc.property(damaged, (b) => {
        const links = expectOnlyOwnErrors(b);
        if (links === undefined) return;
        let messages;
        try {
          messages = decode(b).filter((m) => m.header.type === 'RTM_NEWLINK');
        } catch {
          return; // the codec refuses it: nothing to compare with
        }
        if (messages.length !== links.length) return; // the codec read past a DONE or error the lifter stopped at
        messages.forEach((m, i) => {
          let eager: Link;
          try {
            eager = linkFromMessage(m);
          } catch {
            return;
          }
          const lazy = links[i]!;
          compared++;
          for (const k of ['index', 'name', 'kind', 'slaveKind', 'flags', 'operState', 'mtu', 'hardwareAddr', 'broadcast', 'masterIndex', 'parentIndex', 'parentNetnsId', 'txQLen', 'alias', 'group', 'hardwareType'] as const) {
            expect(lazy[k], k).toEqual(eager[k]);
          }
          expect(lazy.statistics, 'statistics').toEqual(eager.statistics);
          expect(lazy.attrs).toEqual(eager.attrs);
        });
      }),
      { numRuns: 3000 },
    );
    // Most damaged messages still decode: the comparison really ran.
    expect(compared).toBeGreaterThan(300);
  });
});
