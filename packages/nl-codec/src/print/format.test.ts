import { describe, expect, it } from 'vitest';
import { decode } from '../message/decode.js';
import type { Message } from '../message/message.js';
import { datagrams, loadVectors } from '../test-support/vectors.js';
import { format } from './format.js';

const decodedOf = (name: string): Message[] =>
  datagrams(loadVectors().filter((o) => o.name === name)).flatMap((d) => decode(d.bytes));

describe('format', () => {
  it('prints the header line, family header fields and nested attributes by name', () => {
    const text = format(decodedOf('link_show_dump'));
    expect(text).toMatch(/^RTM_GETLINK flags=\[request,dump\] seq=\d+ pid=0$/m);
    expect(text).toMatch(/^RTM_NEWLINK flags=\[multi\] seq=\d+ pid=\d+$/m);
    expect(text).toMatch(/^ {2}ifi-index: 1$/m);
    expect(text).toMatch(/^ {4}ifname: "lo"$/m);
    expect(text).toMatch(/^ {4}linkinfo:\n {6}kind: "(bridge|veth|tun)"$/m);
    expect(text).toMatch(/^NLMSG_DONE flags=\[multi\] seq=\d+ pid=\d+ status 0$/m);
  });

  it('shows errno name, ext-ack message and attribute path of an error', () => {
    const text = format(decodedOf('link_err_gso_max_size_range'));
    expect(text).toMatch(/^NLMSG_ERROR flags=\[ack_tlvs\] .* ERANGE \(-34: .*\)$/m);
    expect(text).toContain('  message: "integer out of range"');
    expect(text).toContain('  attribute: .gso-max-size (offset 32)');
    expect(text).toMatch(/^ {2}request: RTM_NEWLINK flags=\[request,ack\]/m);
  });

  it('shows an ACK and the capped request header with its length', () => {
    const text = format(decodedOf('link_add_bridge'));
    expect(text).toMatch(/^NLMSG_ERROR flags=\[capped\] seq=\d+ pid=\d+ ACK\n {2}request: RTM_NEWLINK flags=\[request,ack,excl,create\] seq=\d+ pid=0 len=56$/m);
  });

  it('cuts long byte strings unless verbose, and shows the echoed request body when verbose', () => {
    const msg: Message = { header: { type: 999, flags: [0x4000], seq: 1, pid: 2 }, payload: new Uint8Array(100) };
    expect(format(msg)).toBe(`999 flags=[0x4000] seq=1 pid=2\n  payload: ${'00'.repeat(32)}… (100 bytes)\n`);
    expect(format(msg, { verbose: true })).toContain(`${'00'.repeat(100)} (100 bytes)`);
    const err = decodedOf('link_err_gso_max_size_range').filter((m) => m.header.type === 'NLMSG_ERROR')[1]!;
    expect(format(err, { verbose: true })).toMatch(/request: RTM_NEWLINK flags=\[request,ack\].*\n {4}ifi-family: 0/);
  });

  it('prints unknown attributes, trailing bytes and arrays of objects', () => {
    const msg = {
      header: { type: 'RTM_NEWLINK', flags: [], seq: 0, pid: 0 },
      attrs: { 'unknown-99': { type: 99, flags: 0, bytes: Uint8Array.of(1, 2) }, list: [{ a: 1 }, { a: 2 }] },
      trailing: new Uint8Array(4),
    } as Message;
    expect(format(msg)).toBe(
      [
        'RTM_NEWLINK flags=[] seq=0 pid=0',
        '  attrs:',
        '    unknown-99: 0102 (2 bytes)',
        '    list: (2)',
        '      [0]:',
        '        a: 1',
        '      [1]:',
        '        a: 2',
        '  trailing: 00000000 (4 bytes)',
        '',
      ].join('\n'),
    );
  });

  it('shows attributes kept raw by the body codec and hides its bookkeeping keys unless verbose', () => {
    const msg = {
      header: { type: 'RTM_NEWLINK', flags: [], seq: 0, pid: 0 },
      attrs: { mtu: { $raw: Uint8Array.of(1, 2) }, linkinfo: { kind: 'veth', $unterminated: { kind: true } } },
    } as Message;
    expect(format(msg)).toBe(
      ['RTM_NEWLINK flags=[] seq=0 pid=0', '  attrs:', '    mtu: (raw) 0102 (2 bytes)', '    linkinfo:', '      kind: "veth"', ''].join('\n'),
    );
    expect(format(msg, { verbose: true })).toContain('      $unterminated:\n        kind: true');
  });

  it('prints nothing for no messages', () => {
    expect(format([])).toBe('');
  });
});
