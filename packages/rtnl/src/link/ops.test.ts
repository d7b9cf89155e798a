/** Link operations against a scripted kernel: what is sent, and how replies become results. */
import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { Handle } from '../handle.js';
import { FakeKernel } from '../test-support/fake-kernel.js';
import './index.js';

type Responder = (req: Message, k: FakeKernel) => void;

function ack(req: Message, k: FakeKernel, error = 0): void {
  k.push({ bytes: encode({ header: { type: 'NLMSG_ERROR', flags: ['capped'], seq: req.header.seq, pid: req.header.pid }, error, request: { header: req.header } } as Message) });
}

function newlink(seq: number, index: number, name: string, extra: Record<string, unknown> = {}, flags: string[] = []): Uint8Array {
  return encode({
    header: { type: 'RTM_NEWLINK', flags, seq, pid: 4242 },
    'ifi-family': 0, 'ifi-type': 1, 'ifi-index': index, 'ifi-flags': ['broadcast', 'multicast'], 'ifi-change': 0,
    attrs: { ifname: name, mtu: 1500, group: 0, ...extra },
  } as Message);
}

function open(respond: Responder): { h: Handle; sent: Message[] } {
  const sent: Message[] = [];
  const k = new FakeKernel((bytes, kernel) => {
    const [req] = decode(bytes);
    sent.push(req!);
    respond(req!, kernel);
  });
  return { h: Handle.open({ transport: k }), sent };
}

describe('linkAdd', () => {
  it('returns the echoed link and sends nothing else', async () => {
    const { h, sent } = open((req, k) => {
      k.push({ bytes: newlink(req.header.seq, 7, 'br0', { linkinfo: { kind: 'bridge' } }) });
      ack(req, k);
    });
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0' });
    expect(br).toMatchObject({ index: 7, name: 'br0', kind: 'bridge' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.header.flags).toEqual(expect.arrayContaining(['request', 'ack', 'echo', 'create', 'excl']));
  });

  it('falls back to one GET by name when the kernel does not echo', async () => {
    const { h, sent } = open((req, k) => {
      if (req.header.type === 'RTM_GETLINK') k.push({ bytes: newlink(req.header.seq, 9, 'br0') });
      ack(req, k);
    });
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0' });
    expect(br.index).toBe(9);
    expect(sent.map((m) => m.header.type)).toEqual(['RTM_NEWLINK', 'RTM_GETLINK']);
    expect((sent[1] as unknown as { attrs: { ifname: string } }).attrs.ifname).toBe('br0');
  });

  it('sets the alias after creation (the kernel ignores IFLA_IFALIAS on create) and reads the link back by index', async () => {
    const { h, sent } = open((req, k) => {
      if (req.header.type === 'RTM_NEWLINK' && (req.header.flags as string[]).includes('create')) k.push({ bytes: newlink(req.header.seq, 3, 'br0') });
      if (req.header.type === 'RTM_GETLINK') k.push({ bytes: newlink(req.header.seq, 3, 'br0', { ifalias: 'up' }) });
      ack(req, k);
    });
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0', alias: 'up' });
    expect(br.alias).toBe('up');
    expect(sent.map((m) => [m.header.type, m['ifi-index']])).toEqual([['RTM_NEWLINK', 0], ['RTM_NEWLINK', 3], ['RTM_GETLINK', 3]]);
  });
});

describe('linkAdd rollback and linkDelAll restore', () => {
  it('deletes the new link when a step after creation fails', async () => {
    const { h, sent } = open((req, k) => {
      if (req.header.type === 'RTM_NEWLINK' && (req.header.flags as string[]).includes('create')) k.push({ bytes: newlink(req.header.seq, 3, 'br0') });
      ack(req, k, req.header.type === 'RTM_NEWLINK' && !(req.header.flags as string[]).includes('create') ? -22 : 0);
    });
    await expect(h.linkAdd({ kind: 'bridge', name: 'br0', alias: 'x' })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(sent.map((m) => [m.header.type, m['ifi-index']])).toEqual([['RTM_NEWLINK', 0], ['RTM_NEWLINK', 3], ['RTM_DELLINK', 3]]);
  });

  it('puts every link back in its group when the group deletion fails', async () => {
    const { h, sent } = open((req, k) => {
      if (req.header.type === 'RTM_GETLINK') {
        k.push({ bytes: new Uint8Array([...newlink(req.header.seq, 2, 'eth0', { group: 4 }, ['multi']), ...newlink(req.header.seq, 3, 'a1', {}, ['multi'])]) });
        k.push({ bytes: encode({ header: { type: 'NLMSG_DONE', flags: ['multi'], seq: req.header.seq, pid: 4242 }, error: 0 } as Message) });
        return;
      }
      ack(req, k, req.header.type === 'RTM_DELLINK' ? -95 : 0);
    });
    await expect(h.linkDelAll([2, 3])).rejects.toMatchObject({ name: 'LinkDelAllError', notRestored: [] });
    expect(sent.map((m) => m.header.type)).toEqual(['RTM_GETLINK', 'RTM_NEWLINK', 'RTM_NEWLINK', 'RTM_DELLINK', 'RTM_NEWLINK', 'RTM_NEWLINK']);
    expect(sent.slice(4).map((m) => [m['ifi-index'], (m as unknown as { attrs: { group: number } }).attrs.group])).toEqual([[2, 4], [3, 0]]);
  });
});

describe('set-ops', () => {
  it('sends linkSetUp by name as one RTM_NEWLINK with index 0, IFLA_IFNAME and IFF_UP in flags and change', async () => {
    const { h, sent } = open((req, k) => ack(req, k));
    await h.linkSetUp('eth0');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ header: { type: 'RTM_NEWLINK' }, 'ifi-index': 0, 'ifi-flags': ['up'], 'ifi-change': 1, attrs: { ifname: 'eth0' } });
    await h.linkSetDown(5);
    expect(sent[1]).toMatchObject({ 'ifi-index': 5, 'ifi-flags': [], 'ifi-change': 1, attrs: {} });
  });

  it('resolves a name with one GET before a rename', async () => {
    const { h, sent } = open((req, k) => {
      if (req.header.type === 'RTM_GETLINK') k.push({ bytes: newlink(req.header.seq, 4, 'eth0') });
      ack(req, k);
    });
    await h.linkSetName('eth0', 'lan0');
    expect(sent.map((m) => m.header.type)).toEqual(['RTM_GETLINK', 'RTM_NEWLINK']);
    expect(sent[1]).toMatchObject({ 'ifi-index': 4, attrs: { ifname: 'lan0' } });
  });

  it('rejects with the kernel error', async () => {
    const { h } = open((req, k) => ack(req, k, -19));
    await expect(h.linkSetMTU('nosuch0', 1400)).rejects.toMatchObject({ name: 'NetlinkError', code: 'ENODEV' });
  });
});

describe('linkList and linkDelAll', () => {
  it('puts the kind and master filters into the dump request', async () => {
    const { h, sent } = open((req, k) => {
      k.push({ bytes: encode({ header: { type: 'NLMSG_DONE', flags: ['multi'], seq: req.header.seq, pid: 4242 }, error: 0 } as Message) });
    });
    await h.linkList({ kind: 'veth', master: 2 });
    expect(sent[0]).toMatchObject({ header: { type: 'RTM_GETLINK' }, attrs: { linkinfo: { kind: 'veth' }, master: 2 } });
    expect(sent[0]!.header.flags).toEqual(expect.arrayContaining(['dump']));
  });

  it('moves the links into an unused group and deletes the group in one request', async () => {
    const { h, sent } = open((req, k) => {
      if (req.header.type === 'RTM_GETLINK') {
        k.push({ bytes: new Uint8Array([...newlink(req.header.seq, 1, 'lo', {}, ['multi']), ...newlink(req.header.seq, 2, 'a0', {}, ['multi']), ...newlink(req.header.seq, 3, 'a1', { group: 9 }, ['multi'])]) });
        k.push({ bytes: encode({ header: { type: 'NLMSG_DONE', flags: ['multi'], seq: req.header.seq, pid: 4242 }, error: 0 } as Message) });
        return;
      }
      ack(req, k);
    });
    await h.linkDelAll(['a0', 3]);
    expect(sent.map((m) => m.header.type)).toEqual(['RTM_GETLINK', 'RTM_NEWLINK', 'RTM_NEWLINK', 'RTM_DELLINK']);
    const group = (sent[1] as unknown as { attrs: { group: number } }).attrs.group;
    expect([0, 9]).not.toContain(group);
    expect(sent.slice(1, 3).map((m) => m['ifi-index'])).toEqual([2, 3]);
    expect(sent[3]).toMatchObject({ 'ifi-index': 0, attrs: { group } });
  });
});
