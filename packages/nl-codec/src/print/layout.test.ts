import { describe, expect, it } from 'vitest';
import { decode } from '../message/decode.js';
import { encode } from '../message/encode.js';
import type { Message } from '../message/message.js';
import { attributePath } from '../message/path.js';
import { datagrams, loadVectors } from '../test-support/vectors.js';
import { format } from './format.js';
import { locateMessages, messageLayout, type AttrLayout, type AttrsLayout, type MessageSource } from './layout.js';

const ifinfomsg = { 'ifi-family': 0, 'ifi-type': 0, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0 };

/** `ip link add v0 type veth peer name v1` and its capped ACK, in one datagram. */
function vethDatagram(): Uint8Array {
  return encode([
    {
      header: { type: 'RTM_NEWLINK', flags: ['request', 'ack', 'excl', 'create'], seq: 7, pid: 0 },
      ...ifinfomsg,
      attrs: { ifname: 'v0', linkinfo: { kind: 'veth', data: { peer: { ...ifinfomsg, 'ifi-index': 9, attrs: { ifname: 'v1' } } } } },
    },
    {
      header: { type: 'NLMSG_ERROR', flags: ['capped'], seq: 7, pid: 4242 },
      error: 0,
      request: { header: { type: 'RTM_NEWLINK', flags: ['request', 'ack', 'excl', 'create'], seq: 7, pid: 0, length: 88 } },
    },
  ]);
}

function sourcesOf(bytes: Uint8Array, messages: Message[]): Map<Message, MessageSource> {
  const offsets = locateMessages(bytes, messages);
  return new Map(messages.map((m, i) => [m, { bytes, offset: offsets[i]! }]));
}

describe('message layout (-v offsets)', () => {
  it('gives the hand-computed offsets and lengths of a veth request, nested peer included, and of its ACK', () => {
    const bytes = vethDatagram();
    expect(bytes.length).toBe(88 + 36);
    const messages = decode(bytes);
    expect(locateMessages(bytes, messages)).toEqual([0, 88]);
    // nlmsghdr 0-15, ifinfomsg 16-31; ifname "v0\0" at 32 (nla_len 7, padded to 8);
    // linkinfo at 40: kind "veth\0" at 44 (len 9, padded 12), data at 56, its peer at 60:
    // ifinfomsg 64-79 (ifi-index at 68), then ifname "v1\0" at 80 (len 7). Everything ends at 88.
    // The ACK: nlmsghdr 88-103, error 104, the capped request's header at 108.
    expect(format(messages, { verbose: true, sources: sourcesOf(bytes, messages) })).toBe(
      [
        'RTM_NEWLINK flags=[request,ack,excl,create] seq=7 pid=0 @0 len=88',
        '  ifi-family: 0 @16 len=1',
        '  ifi-type: 0 @18 len=2',
        '  ifi-index: 0 @20 len=4',
        '  ifi-flags: [] @24 len=4',
        '  ifi-change: 0 @28 len=4',
        '  attrs:',
        '    ifname: "v0" @32 len=7',
        '    linkinfo: @40 len=48',
        '      kind: "veth" @44 len=9',
        '      data: @56 len=32',
        '        peer: @60 len=28',
        '          ifi-family: 0 @64 len=1',
        '          ifi-type: 0 @66 len=2',
        '          ifi-index: 9 @68 len=4',
        '          ifi-flags: [] @72 len=4',
        '          ifi-change: 0 @76 len=4',
        '          attrs:',
        '            ifname: "v1" @80 len=7',
        'NLMSG_ERROR flags=[capped] seq=7 pid=4242 ACK @88 len=36',
        '  request: RTM_NEWLINK flags=[request,ack,excl,create] seq=7 pid=0 len=88 @108 len=88',
        '',
      ].join('\n'),
    );
  });

  it('places every occurrence of a repeated attribute and the ext-ack attributes of an error', () => {
    const bytes = encode([
      {
        header: { type: 'RTM_NEWLINK', flags: ['request', 'ack'], seq: 1, pid: 0 },
        ...ifinfomsg,
        attrs: { 'alt-ifname': ['a', 'bb'], mtu: 9000, $repeated: ['alt-ifname'] },
      },
      {
        header: { type: 'NLMSG_ERROR', flags: ['capped', 'ack_tlvs'], seq: 1, pid: 1 },
        error: -22,
        request: { header: { type: 'RTM_NEWLINK', flags: ['request', 'ack'], seq: 1, pid: 0, length: 52 } },
        attrs: { msg: 'no', offs: 44 },
      },
    ]);
    const messages = decode(bytes);
    const layout = messageLayout({ bytes, offset: 0 }, messages[0]!);
    // alt-ifname "a\0" at 32 (len 6, padded 8), "bb\0" at 40 (len 7), mtu at 48 (len 8).
    expect(layout.attrs?.get('alt-ifname')).toEqual([{ offset: 32, length: 6 }, { offset: 40, length: 7 }]);
    expect(layout.attrs?.get('mtu')).toEqual({ offset: 48, length: 8 });
    const error = messageLayout({ bytes, offset: 56 }, messages[1]!);
    // nlmsghdr 56, error 72, capped request header 76-91, then msg "no\0" at 92 and offs at 100.
    expect(error.members.get('error')).toEqual({ offset: 72, length: 4 });
    expect(error.attrs?.get('msg')).toEqual({ offset: 92, length: 7 });
    expect(error.attrs?.get('offs')).toEqual({ offset: 100, length: 8 });
    const text = format(messages, { verbose: true, sources: sourcesOf(bytes, messages) });
    expect(text).toContain('    alt-ifname: (2)\n      [0]: "a" @32 len=6\n      [1]: "bb" @40 len=7\n');
    expect(text).toContain('  message: "no" @92 len=7\n');
  });

  it('shows no offsets without verbose, and none for messages it has no source for', () => {
    const bytes = vethDatagram();
    const messages = decode(bytes);
    expect(format(messages, { sources: sourcesOf(bytes, messages) })).not.toContain('@');
    expect(format(messages, { verbose: true })).not.toContain('@');
  });

  it('agrees with the decoder\'s ext-ack path resolver on every attribute of every iproute2 vector', () => {
    let checked = 0;
    const mismatches = new Set<string>();
    for (const d of datagrams(loadVectors())) {
      const messages = decode(d.bytes);
      const offsets = locateMessages(d.bytes, messages);
      messages.forEach((m, i) => {
        const at = offsets[i];
        expect(at, `${d.op.name}: message ${i} located`).toBeDefined();
        const layout = messageLayout({ bytes: d.bytes, offset: at! }, m);
        expect(layout.length).toBe(new DataView(d.bytes.buffer, d.bytes.byteOffset).getUint32(at!, true));
        const own = d.bytes.subarray(at!, at! + layout.length);
        for (const [path, node] of paths(layout.attrs, '')) {
          // attributePath resolves an offset from the start of the message, as ext-ack does.
          if (typeof m.header.type === 'string' && m.header.type.startsWith('RTM_')) {
            const resolved = attributePath(own, node.offset - at!);
            if (resolved !== path) mismatches.add(`${d.op.name}: ${path} -> ${String(resolved)}`);
            checked++;
          }
          const view = new DataView(d.bytes.buffer, d.bytes.byteOffset);
          expect(view.getUint16(node.offset, true), `${d.op.name}: ${path} nla_len`).toBe(node.length);
        }
      });
    }
    expect([...mismatches]).toEqual([]);
    expect(checked).toBeGreaterThan(5000);
  });
});

/** Every attribute of a layout with the path the ext-ack resolver would name it by. */
function* paths(attrs: AttrsLayout | undefined, prefix: string): Generator<[string, AttrLayout]> {
  if (attrs === undefined) return;
  for (const [key, entry] of attrs) {
    const list = Array.isArray(entry) ? entry.map((n, i) => [`${prefix}.${key}[${i}]`, n] as const) : [[`${prefix}.${key}`, entry] as const];
    for (const [path, node] of list) {
      yield [path, node];
      yield* paths(node.attrs, path);
      for (const [i, item] of (node.items ?? []).entries()) {
        yield [`${path}[${i}]`, item];
        yield* paths(item.attrs, `${path}[${i}]`);
      }
    }
  }
}
