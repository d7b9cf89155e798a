import { decode, encode } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { Handle } from './handle.js';
import { neighFromMessage, neighMessage, parseNeighSpec, type Neigh } from './neigh.js';
import { answerTo, FakeKernel, noKernelHandle } from './test-support/fake-kernel.js';
import { compareRequest, normalHex, received, replayHandle, sentOfType, vector, vectorNames } from './test-support/iproute2-vectors.js';



describe('neighbour requests match what iproute2 sends', () => {
  it.each([
    ['neigh_add', 'RTM_NEWNEIGH', (h: Handle) => h.neighAdd({ link: 2, ip: '10.0.0.2', hardwareAddr: '02:00:00:00:00:02' })],
    ['neigh_replace', 'RTM_NEWNEIGH', (h: Handle) => h.neighSet({ link: 2, ip: '10.0.0.2', hardwareAddr: '02:00:00:00:00:09', state: 'stale' })],
    ['neigh_del', 'RTM_DELNEIGH', (h: Handle) => h.neighDel({ link: 2, ip: '10.0.0.2' })],
    ['neigh_err_enoent', 'RTM_DELNEIGH', (h: Handle) => h.neighDel({ link: 2, ip: '10.0.0.77' })],
    ['neigh_show', 'RTM_GETNEIGH', (h: Handle) => h.neighList()],
    ['bridge_fdb_show', 'RTM_GETNEIGH', (h: Handle) => h.neighList({ family: 'bridge', master: 2 })],
  ])('%s', async (name, type, op) => {
    const [ours, theirs] = await compareRequest(name, type, op);
    expect(ours).toBe(theirs);
  });

  it('builds an FDB entry with family bridge, the MAC, vlan and master flag', () => {
    const m = neighMessage('RTM_NEWNEIGH', ['create'], parseNeighSpec({ link: 4, family: 'bridge', hardwareAddr: '02:00:00:00:00:AA', vlan: 10, flags: ['master'], state: 'noarp' }), 4);
    const n = neighFromMessage(decode(encode(m))[0]!);
    expect(n).toMatchObject({ family: 'bridge', hardwareAddr: '02:00:00:00:00:aa', vlan: 10, flags: ['master'], state: ['noarp'], linkIndex: 4 });
  });
});

describe('neighbour errors', () => {
  it('surfaces ENOENT deleting a missing entry', async () => {
    const { h } = replayHandle(vector('neigh_err_enoent'), 'RTM_DELNEIGH');
    try {
      await expect(h.neighDel({ link: 2, ip: '10.0.0.77' })).rejects.toMatchObject({ code: 'ENOENT', errno: -2, request: 'RTM_DELNEIGH' });
    } finally {
      h.close();
    }
  });

  it.each([
    [{ link: 2, ip: '10.0.0.2', hardwareAddr: 'zz' }, /hardwareAddr: invalid MAC address "zz"/],
    [{ link: 2, ip: '10.0.0.2', hardwareAddr: '02:00:00:00:00' + ':0' }, /invalid MAC address/],
    [{ link: 2, ip: '10.0.0.256' }, /ip: invalid IPv4 address/],
    [{ link: 2, ip: '10.0.0.2', state: 'sleepy' }, /unknown neighbour state "sleepy"/],
    [{ link: 2, ip: '10.0.0.2', flags: ['loud'] }, /unknown neighbour flag "loud"/],
    // Names a plain object inherits are no names.
    [{ link: 2, ip: '10.0.0.2', type: 'constructor' }, /type: unknown route type "constructor"/],
    [{ link: 2, ip: '10.0.0.2', type: 'toString' }, /type: unknown route type/],
    [{ link: 2, ip: '10.0.0.2', state: 'toString' }, /unknown neighbour state "toString"/],
    [{ ip: '10.0.0.2' }, /needs a link/],
    [{ link: 2, family: 'bridge' }, /needs a hardwareAddr/],
    [{ link: 2, hardwareAddr: '02:00:00:00:00:01' }, /needs an ip/],
    [{ link: 2, ip: '10.0.0.2', family: 'inet6' }, /not an IPv6 address/],
    [{ link: 2, family: 'bridge', hardwareAddr: '02:00:00:00:00:01', vlan: 4096 }, /vlan must be an integer 0-4095/],
  ])('rejects %j before any system call', async (spec, message) => {
    const { h, kernel } = noKernelHandle();
    try {
      await expect(h.neighAdd(spec as never)).rejects.toThrow(message);
      expect(kernel.sent).toHaveLength(0);
    } finally {
      h.close();
    }
  });
});

describe('neighDel with a listed Neigh', () => {
  it('deletes by a Neigh as neighList gives it, and refuses one of another family before any system call', async () => {
    const listed: Neigh = { linkIndex: 3, family: 'inet', state: ['reachable'], flags: [], type: 'unicast', ip: '192.0.2.77', hardwareAddr: '02:00:00:00:00:02' };
    const k = new FakeKernel((req, kern) => kern.push({ bytes: answerTo(req) }));
    const sent = k.sent;
    const h = Handle.open({ transport: k });
    try {
      await h.neighDel(listed);
      expect(sent).toHaveLength(1);
      const [m] = decode(sent[0]!);
      expect(m!.header.type).toBe('RTM_DELNEIGH');
      expect(m).toMatchObject({ 'ndm-ifindex': 3, attrs: { dst: '192.0.2.77' } });
      await expect(h.neighDel({ ...listed, family: 29 })).rejects.toThrow(TypeError);
      expect(sent).toHaveLength(1);
    } finally {
      h.close();
    }
  });
});

describe('neighbours lifted from the kernel', () => {
  it('lifts `ip neigh show` and agrees with ip -j', async () => {
    const v = vector('neigh_show');
    const { h } = replayHandle(v, 'RTM_GETNEIGH');
    let list: Neigh[];
    try {
      list = await h.neighList();
    } finally {
      h.close();
    }
    const json = v.ip_json as Array<{ dst: string; lladdr: string; state: string[] }>;
    expect(list).toHaveLength(json.length);
    list.forEach((n, i) => {
      expect(n.ip).toBe(json[i]!.dst);
      expect(n.hardwareAddr).toBe(json[i]!.lladdr);
      expect(n.state.map((s) => s.toUpperCase())).toEqual(json[i]!.state);
      expect(n).toMatchObject({ family: 'inet', linkIndex: 2, flags: [] });
    });
  });

  it('lifts the bridge FDB with master, flags and states as `bridge -j fdb show` reports them', async () => {
    const v = vector('bridge_fdb_show');
    const { h } = replayHandle(v, 'RTM_GETNEIGH');
    let list: Neigh[];
    try {
      list = await h.neighList({ family: 'bridge', master: 2 });
    } finally {
      h.close();
    }
    const json = v.ip_json as Array<{ mac: string; flags: string[]; master?: string; state: string }>;
    expect(list).toHaveLength(json.length);
    list.forEach((n, i) => {
      const j = json[i]!;
      expect(n.family).toBe('bridge');
      expect(n.hardwareAddr).toBe(j.mac);
      expect(n.flags).toEqual(j.flags);
      expect(n.masterIndex === 2).toBe(j.master === 'br0');
      // bridge prints NUD_NOARP as "static" for FDB entries.
      expect(n.state.map((s) => (s === 'noarp' ? 'static' : s))).toEqual([j.state]);
    });
  });
});

describe('every neighbour the kernel sent in the vectors', () => {
  it('lifts into a Neigh that re-encodes to the same entry', () => {
    let n = 0;
    for (const name of [...vectorNames('neigh'), 'bridge_fdb_show']) {
      for (const m of received(vector(name))) {
        if (m.header.type !== 'RTM_NEWNEIGH') continue;
        const e = neighFromMessage(m);
        n++;
        const back = neighFromMessage(decode(encode(neighMessage('RTM_NEWNEIGH', [], parseNeighSpec(e), e.linkIndex)))[0]!);
        expect([back.ip, back.hardwareAddr, back.state, back.flags, back.family, back.masterIndex]).toEqual([e.ip, e.hardwareAddr, e.state, e.flags, e.family, e.masterIndex]);
      }
    }
    expect(n).toBeGreaterThan(5);
  });
});
