/**
 * Link operations against the kernel, each in a namespace the test made; results are compared
 * with what `ip -j -d link show` reports in the same namespace.
 */
import { spawn } from 'node:child_process';
import { Handle, NetlinkError, LinkDelAllError, type Link } from '@nlkit/rtnl';
import { injectFault, clearFaults, startCounting, stopCounting } from '@nlkit/syscall-shim/testing';
import { afterEach, expect, it } from 'vitest';
import { createTestNetns, describeKernel, useTestNetns } from './fixtures/netns.js';

const ipLink = (t: ReturnType<ReturnType<typeof useTestNetns>>, name: string) => t.ipJson('-d', 'link', 'show', 'dev', name)[0];

describeKernel('links', () => {
  const t = useTestNetns();
  afterEach(() => clearFaults());

  it('adds a bridge with options and returns the kernel view from the echo, as ip shows it', async () => {
    const { h } = t();
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0', mtu: 1400, stpState: 1, forwardDelay: 400, helloTime: 300, priority: 4096, mcastSnooping: false, ageingTime: 20000, groupFwdMask: 8, hardwareAddr: '02:11:22:33:44:55', txQLen: 100, linkGroup: 3, alias: 'uplink' });
    const ip = ipLink(t(), 'br0');
    expect(br.index).toBe(ip.ifindex);
    expect(br.kind).toBe('bridge');
    expect(br.mtu).toBe(1400);
    expect(br.hardwareAddr).toBe('02:11:22:33:44:55');
    expect(br.txQLen).toBe(100);
    expect(br.group).toBe(3);
    expect(br.alias).toBe('uplink');
    expect(ip.ifalias).toBe('uplink');
    expect(br.data).toMatchObject({ stpState: 1, forwardDelay: 400, helloTime: 300, priority: 4096, mcastSnooping: 0, ageingTime: 20000, groupFwdMask: 8 });
    expect(ip.linkinfo.info_data).toMatchObject({ stp_state: 1, forward_delay: 400, hello_time: 300, priority: 4096, mcast_snooping: 0, ageing_time: 20000, group_fwd_mask: '0x8' });
  });

  it('costs one request per linkAdd (the echo is the reply) and per set-op, whether given an index, a Link or a name', async () => {
    const { h } = t();
    let before = h.stats.requests;
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0', up: true });
    expect(h.stats.requests - before).toBe(1);
    expect(br.flags).toContain('up');
    expect(br.index).toBe(t().ipJson('link', 'show', 'dev', 'br0')[0].ifindex);
    for (const ref of [br.index, br, 'br0'] as const) {
      before = h.stats.requests;
      await h.linkSetMTU(ref, 1400);
      await h.linkSetDown(ref);
      await h.linkSetTxQLen(ref, 10);
      expect(h.stats.requests - before, `ref ${typeof ref}`).toBe(3);
    }
  });

  it('moves a link given by index without renaming it', async () => {
    const other = createTestNetns();
    try {
      const v = await t().h.linkAdd({ kind: 'veth', name: 'mv0', peer: { name: 'mv1' } });
      const moved = await t().h.linkMoveToNetns(v.index, other.nsPath);
      expect(moved.name).toBe('mv0');
      expect(other.ipJson('link', 'show', 'dev', 'mv0')[0].ifindex).toBe(moved.index);
    } finally {
      other.close();
    }
  });

  it('adds a veth pair whose peer is created straight into another namespace (GET fallback there)', async () => {
    const other = createTestNetns();
    try {
      const v = await t().h.linkAdd({ kind: 'veth', name: 'v0', mtu: 1450, peer: { name: 'eth0', netns: other.ns, mtu: 1450, hardwareAddr: '02:00:00:00:00:02' } });
      expect(v.name).toBe('v0');
      expect(v.kind).toBe('veth');
      const peer = other.ipJson('-d', 'link', 'show', 'dev', 'eth0')[0];
      expect(peer.address).toBe('02:00:00:00:00:02');
      expect(peer.mtu).toBe(1450);
      expect(v.parentIndex).toBe(peer.ifindex);
      expect(v.parentNetnsId).toBeDefined();
      // A link created into another namespace is read back there.
      const w = await t().h.linkAdd({ kind: 'veth', name: 'w0', netns: other.ns, peer: { name: 'w1' } });
      expect(w.name).toBe('w0');
      expect(w.index).toBe(other.ipJson('link', 'show', 'dev', 'w0')[0].ifindex);
    } finally {
      other.close();
    }
  });

  it('adds vxlan, macvlan, macvtap and ifb links matching ip', async () => {
    const { h } = t();
    const v0 = await h.linkAdd({ kind: 'veth', name: 'v0', peer: { name: 'v1' } });
    const vx = await h.linkAdd({ kind: 'vxlan', name: 'vx0', id: 42, remote: '192.0.2.1', local: '198.51.100.1', dstport: 4789, ttl: 64, learning: false, parentIndex: v0.index });
    const mv = await h.linkAdd({ kind: 'macvlan', name: 'mv0', parentIndex: v0.index, mode: 'private' });
    const mt = await h.linkAdd({ kind: 'macvtap', name: 'mt0', parentIndex: v0.index, mode: 'vepa' });
    const ifb = await h.linkAdd({ kind: 'ifb', name: 'ifb0' });
    const vxip = ipLink(t(), 'vx0');
    expect(vxip.linkinfo.info_data).toMatchObject({ id: 42, remote: '192.0.2.1', local: '198.51.100.1', port: 4789, ttl: 64, learning: false, link: 'v0' });
    expect(vx.data).toMatchObject({ id: 42, port: 4789, ttl: 64, learning: 0, link: v0.index });
    expect(ipLink(t(), 'mv0').linkinfo.info_data.mode).toBe('private');
    expect(mv.data).toMatchObject({ mode: 'private' });
    expect(mv.parentIndex).toBe(v0.index);
    expect(ipLink(t(), 'mt0').linkinfo.info_kind).toBe('macvtap');
    expect(mt.data).toMatchObject({ mode: 'vepa' });
    expect(ifb.kind).toBe('ifb');
    expect(ipLink(t(), 'ifb0').ifindex).toBe(ifb.index);
  });

  for (const spec of [
    { kind: 'dummy', name: 'd0' },
    { kind: 'vlan', name: 'vl0', parentIndex: 1, id: 10 },
    { kind: 'bond', name: 'bo0', mode: 'active-backup' },
    { kind: 'geneve', name: 'ge0', id: 5, remote: '192.0.2.9' },
    { kind: 'ipvlan', name: 'iv0', parentIndex: 1, mode: 'l3' },
  ] as const) {
    it(`reports this kernel's refusal of ${spec.kind} as NetlinkError with the ext-ack "Unknown device type"`, async () => {
      const err = await t().h.linkAdd(spec as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).extAck).toBe('Unknown device type');
      expect((err as NetlinkError).errno).toBe(-95); // EOPNOTSUPP (Node names it ENOTSUP)
    });
  }

  it('names the attribute the kernel points at (ext-ack offset) as attributePath, nested ones included', async () => {
    const { h } = t();
    // Raw requests (the escape hatch): the typed linkAdd refuses these values itself.
    const vxlan = (data: Record<string, unknown>) => ({
      header: { type: 'RTM_NEWLINK', flags: ['create', 'excl'] },
      'ifi-family': 0,
      'ifi-type': 0,
      'ifi-index': 0,
      'ifi-flags': [],
      'ifi-change': 0,
      attrs: { ifname: 'vx0', linkinfo: { kind: 'vxlan', data } },
    });
    const cases = [
      [{ id: 0x1000000 }, 'ERANGE', '.linkinfo.data.id'],
      [{ id: 5, df: 9 }, 'EINVAL', '.linkinfo.data.df'],
      [{ id: 5, 'port-range': { low: 2000, high: 1000 } }, 'EINVAL', '.linkinfo.data.port-range'],
    ] as const;
    for (const [data, code, path] of cases) {
      const err = await h.request(vxlan(data) as never).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(NetlinkError);
      expect(err, path).toMatchObject({ code, request: 'RTM_NEWLINK', attributePath: path });
      expect((err as NetlinkError).extAck, path).toMatch(/./);
    }
    // A message without an offset has no path.
    const noOffset = await h.linkAdd({ kind: 'vxlan', name: 'vx1', id: 5, port: 4789, group: '239.1.1.1' } as never).catch((e: unknown) => e);
    expect(noOffset).toMatchObject({ code: 'EINVAL', extAck: 'Local interface required for multicast remote destination' });
    expect((noOffset as NetlinkError).attributePath).toBeUndefined();
  });

  it('rejects an existing name with EEXIST and a missing link with ENODEV', async () => {
    const { h } = t();
    await h.linkAdd({ kind: 'bridge', name: 'br0' });
    await expect(h.linkAdd({ kind: 'bridge', name: 'br0' })).rejects.toMatchObject({ code: 'EEXIST', errno: -17 });
    await expect(h.linkByName('nosuch0')).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(h.linkSetUp('nosuch0')).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(h.linkDel(999)).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('reads links by name and index with a kernel-side GET, and lists them with kernel-side kind and master filters', async () => {
    const { h } = t();
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0' });
    await h.linkAdd({ kind: 'veth', name: 'a0', peer: { name: 'a1' }, masterIndex: br.index });
    await h.linkAdd({ kind: 'veth', name: 'b0', peer: { name: 'b1' } });
    expect((await h.linkByName('br0')).index).toBe(br.index);
    expect((await h.linkByIndex(br.index)).name).toBe('br0');
    const all = await h.linkList();
    expect(all.map((l) => l.name).sort()).toEqual(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname).sort());
    expect((await h.linkList({ kind: 'veth' })).map((l) => l.name).sort()).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect((await h.linkList({ kind: 'bridge' })).map((l) => l.name)).toEqual(['br0']);
    // This kernel has no dummy driver, so it ignores the kind filter: nothing may leak through.
    expect(await h.linkList({ kind: 'dummy' })).toEqual([]);
    const ports = await h.linkList({ master: 'br0' });
    expect(ports.map((l) => l.name)).toEqual(['a0']);
    expect(ports[0]!.masterIndex).toBe(br.index);
    expect(ports[0]!.slaveKind).toBe('bridge');
  });

  it('sets up, down, MTU, name, alias, MAC, txqueuelen and group, each visible to ip', async () => {
    const { h } = t();
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0' });
    await h.linkSetUp(br);
    expect(ipLink(t(), 'br0').flags).toContain('UP');
    expect((await h.linkByIndex(br.index)).flags).toContain('up');
    await h.linkSetDown('br0');
    expect(ipLink(t(), 'br0').flags).not.toContain('UP');
    await h.linkSetMTU(br.index, 9000);
    await h.linkSetAlias('br0', 'uplink bridge');
    await h.linkSetHardwareAddr(br, '02:aa:bb:cc:dd:ee');
    await h.linkSetTxQLen('br0', 500);
    await h.linkSetGroup('br0', 7);
    let ip = ipLink(t(), 'br0');
    expect([ip.mtu, ip.ifalias, ip.address, ip.txqlen, ip.group]).toEqual([9000, 'uplink bridge', '02:aa:bb:cc:dd:ee', 500, '7']);
    await h.linkSetName(br, 'br1');
    ip = ipLink(t(), 'br1');
    expect(ip.ifindex).toBe(br.index);
    const l = await h.linkByName('br1');
    expect([l.mtu, l.alias, l.hardwareAddr, l.txQLen, l.group]).toEqual([9000, 'uplink bridge', '02:aa:bb:cc:dd:ee', 500, 7]);
  });

  it('enslaves by LinkRef and by index, and releases with linkSetNoMaster', async () => {
    const { h } = t();
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0' });
    await h.linkAdd({ kind: 'veth', name: 'v0', peer: { name: 'v1' } });
    await h.linkSetMaster('v0', 'br0');
    expect(ipLink(t(), 'v0').master).toBe('br0');
    await h.linkSetNoMaster('v0');
    expect(ipLink(t(), 'v0').master).toBeUndefined();
    await h.linkSetMasterByIndex('v1', br.index);
    expect(ipLink(t(), 'v1').master).toBe('br0');
    expect((await h.linkByName('v1')).masterIndex).toBe(br.index);
  });

  it('moves a link by namespace fd and by pid', async () => {
    const other = createTestNetns();
    // A process inside the other namespace: it says so once nsenter has joined it.
    const sleeper = spawn('nsenter', [`--net=${other.nsPath}`, 'sh', '-c', 'echo ready; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const ready = new Promise<void>((resolve) => sleeper.stdout!.once('data', () => resolve()));
    try {
      const { h } = t();
      await h.linkAdd({ kind: 'veth', name: 'v0', peer: { name: 'v1' } });
      await h.linkSetNsFd('v0', other.ns.fd);
      expect(other.ipJson('link', 'show', 'dev', 'v0')[0].ifname).toBe('v0');
      await ready;
      await h.linkSetNsPid('v1', sleeper.pid!);
      expect(other.ipJson('link', 'show', 'dev', 'v1')[0].ifname).toBe('v1');
      expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
    } finally {
      sleeper.kill();
      other.close();
    }
  });

  it('moves and renames in one request, keeping global addresses; link-local ones are not copied', async () => {
    const other = createTestNetns();
    try {
      const { h } = t();
      await h.linkAdd({ kind: 'veth', name: 'v0', peer: { name: 'v1' } });
      // A clashing name in the target: the rename in the same request avoids it.
      other.ip('link', 'add', 'v0', 'type', 'bridge');
      t().ip('addr', 'add', '192.0.2.10/24', 'dev', 'v0');
      t().ip('addr', 'add', '198.51.100.7/32', 'dev', 'v0', 'label', 'v0:svc');
      t().ip('addr', 'add', '2001:db8::10/64', 'dev', 'v0', 'nodad');
      t().ip('addr', 'add', '169.254.1.1/16', 'dev', 'v0', 'scope', 'link');
      const moved = await h.linkMoveToNetns('v0', other.ns, { name: 'eth0' });
      expect(moved.name).toBe('eth0');
      const addrs = other.ipJson('addr', 'show', 'dev', 'eth0')[0].addr_info.map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`);
      expect(addrs).toEqual(expect.arrayContaining(['192.0.2.10/24', '198.51.100.7/32', '2001:db8::10/64']));
      expect(addrs).not.toContain('169.254.1.1/16');
      expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo', 'v1']);
    } finally {
      other.close();
    }
  });

  it('deletes many links by group in one request, leaving the others', async () => {
    const { h } = t();
    for (let i = 0; i < 20; i++) await h.linkAdd({ kind: 'veth', name: `va${i}`, peer: { name: `vb${i}` } });
    const keep = await h.linkAdd({ kind: 'bridge', name: 'keep0', linkGroup: 5 });
    const victims = await h.linkList({ kind: 'veth' });
    await h.linkDelAll([...victims.filter((l) => l.name.startsWith('va')).map((l) => l.index), 'vb3']);
    expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo', 'keep0']);
    expect((await h.linkByIndex(keep.index)).group).toBe(5);
  });

  it('restores the groups already changed when moving a link into the deletion group fails midway', async () => {
    const { h } = t();
    for (let i = 0; i < 4; i++) await h.linkAdd({ kind: 'bridge', name: `br${i}`, linkGroup: i });
    // sendto #1 is the dump, #2-#5 the moves: the third move fails.
    injectFault({ syscall: 'sendto', nth: 4, errno: 'EIO' });
    const err = await h.linkDelAll(['br0', 'br1', 'br2', 'br3']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkDelAllError);
    expect((err as LinkDelAllError).message).toMatch(/nothing was deleted/);
    const links = await h.linkList({ kind: 'bridge' });
    expect(links.map((l: Link) => [l.name, l.group])).toEqual([['br0', 0], ['br1', 1], ['br2', 2], ['br3', 3]]);
  });

  it('puts links back in their groups when the kernel refuses the group deletion (lo has no rtnetlink ops)', async () => {
    const { h } = t();
    await h.linkAdd({ kind: 'bridge', name: 'br0', linkGroup: 2 });
    const err = await h.linkDelAll(['lo', 'br0']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkDelAllError);
    expect((err as LinkDelAllError).notRestored).toEqual([]);
    expect(t().ipJson('link', 'show').map((l: { ifname: string; group: string }) => [l.ifname, l.group])).toEqual([['lo', 'default'], ['br0', '2']]);
  });

  it('rejects bad input with TypeError/RangeError before any system call', async () => {
    const { h } = t();
    startCounting();
    const errs = await Promise.all([
      h.linkAdd({ kind: 'bridge', name: 'abcdefghijklmnop' }).catch((e: unknown) => e),
      h.linkAdd({ kind: 'bridge', name: 'a b' }).catch((e: unknown) => e),
      h.linkAdd({ kind: 'nope', name: 'x' } as never).catch((e: unknown) => e),
      h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 't0', queues: 0 }).catch((e: unknown) => e),
      h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 't0', owner: -1 }).catch((e: unknown) => e),
      h.linkSetMTU('br0', 10).catch((e: unknown) => e),
      h.linkSetHardwareAddr('br0', 'zz').catch((e: unknown) => e),
      h.linkSetName('br0', 'a/b').catch((e: unknown) => e),
      h.linkSetUp('a:b').catch((e: unknown) => e),
      h.linkDelAll([0]).catch((e: unknown) => e),
    ]);
    const { total } = stopCounting();
    expect(total).toBe(0);
    for (const e of errs) expect(e instanceof TypeError || e instanceof RangeError, String(e)).toBe(true);
    expect((errs[0] as Error).message).toMatch(/name/);
    expect((errs[3] as Error).message).toMatch(/queues/);
    expect((errs[4] as Error).message).toMatch(/owner/);
    expect((errs[6] as Error).message).toMatch(/invalid MAC address "zz"/);
  });

  it('works through a handle opened by namespace path', async () => {
    const h = Handle.open({ netns: t().nsPath });
    try {
      const br = await h.linkAdd({ kind: 'bridge', name: 'brp' });
      expect(ipLink(t(), 'brp').ifindex).toBe(br.index);
    } finally {
      h.close();
    }
  });
});
