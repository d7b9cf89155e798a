import { describe, expect, it } from 'vitest';
import { extAckCodec } from '../body.js';
import { codec, encodeBody, vectorMessages, viewOf } from './test-support/fixtures.js';

const link = codec(16);
const route = codec(24);

/** Offset (relative to the body) of the attribute the predicate picks, found by re-walking with pathAt. */
function offsets(c: typeof link, bytes: Uint8Array): Map<string, number> {
  const m = new Map<string, number>();
  for (let off = 0; off < bytes.length; off += 4) {
    const p = c.pathAt(bytes, 0, bytes.length, off);
    if (p !== undefined && !m.has(p)) m.set(p, off);
  }
  return m;
}

describe('pathAt', () => {
  it('resolves the ext-ack offset of a real kernel error to the attribute', () => {
    const msgs = vectorMessages().filter((m) => m.op === 'link_err_gso_max_size_range');
    const req = msgs.filter((m) => m.dir === 'send').at(-1)!;
    const err = msgs.find((m) => m.type === 2 && (viewOf(m.bytes).getUint16(6, true) & 0x200) !== 0)!;
    const v = viewOf(err.bytes);
    const start = 20 + ((v.getUint16(6, true) & 0x100) !== 0 ? 16 : v.getUint32(20, true));
    const out: Record<string, any> = {};
    extAckCodec.decode(err.bytes, v, start, err.bytes.length, out);
    expect(out.attrs.msg).toBe('integer out of range');
    expect(out.attrs.$flags).toBeUndefined();
    expect(link.pathAt(req.bytes, 16, req.bytes.length, out.attrs.offs - 16)).toBe('.gso-max-size');
  });

  it('names nested, sub-message, multi-attr and veth peer attributes', () => {
    const body = encodeBody(link, {
      attrs: {
        ifname: 'v0',
        linkinfo: { kind: 'veth', data: { peer: { attrs: { ifname: 'v1', mtu: 1400 } } } },
        'prop-list': { 'alt-ifname': ['a', 'b'] },
      },
    });
    const paths = [...offsets(link, body).keys()];
    expect(paths).toEqual([
      '.ifname', '.linkinfo', '.linkinfo.kind', '.linkinfo.data', '.linkinfo.data.peer', '.linkinfo.data.peer.ifname',
      '.linkinfo.data.peer.mtu', '.prop-list', '.prop-list.alt-ifname[0]', '.prop-list.alt-ifname[1]',
    ]);
    const vx = encodeBody(link, { attrs: { linkinfo: { kind: 'vxlan', data: { id: 5, port: 4789 } } } });
    expect(link.pathAt(vx, 0, vx.length, 16 + 4 + 12 + 4)).toBe('.linkinfo.data.id');
  });

  it('indexes multipath next hops and repeated attributes', () => {
    const body = encodeBody(route, { 'rtm-family': 2, attrs: { multipath: [{ attrs: { gateway: '192.0.2.1' } }, { attrs: { gateway: '192.0.2.2' } }] } });
    const paths = [...offsets(route, body).keys()];
    expect(paths).toEqual(['.multipath', '.multipath[0]', '.multipath[0].gateway', '.multipath[1]', '.multipath[1].gateway']);
    const rep = encodeBody(link, { attrs: { mtu: [1, 2], $repeated: ['mtu'] } });
    expect([...offsets(link, rep).keys()]).toEqual(['.mtu[0]', '.mtu[1]']);
  });

  it('returns the containing attribute for an offset inside a payload and undefined elsewhere', () => {
    const body = encodeBody(link, { attrs: { ifname: 'eth0', mtu: 1500 } });
    expect(link.pathAt(body, 0, body.length, 16 + 5)).toBe('.ifname');
    expect(link.pathAt(body, 0, body.length, 3)).toBeUndefined(); // fixed header
    expect(link.pathAt(body, 0, body.length, body.length)).toBeUndefined();
    expect(link.pathAt(body, 0, body.length, -1)).toBeUndefined();
    expect(link.pathAt(body, 0, body.length + 100, 20)).toBeUndefined();
  });

  it('never throws on garbage', () => {
    const junk = new Uint8Array(64).fill(0xff);
    for (let i = 0; i < 64; i++) expect(() => link.pathAt(junk, 0, 64, i)).not.toThrow();
  });
});
