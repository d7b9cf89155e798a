/** Neighbours (ARP, NDP, bridge FDB) against the real kernel, checked against `ip -j`/`bridge -j`. */
import { NetlinkError } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

describeKernel('neighbours', () => {
  const t = useTestNetns();
  const setup = (): number => {
    t().ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    t().ip('link', 'set', 'v1', 'up');
    return Number(t().ipJson('link', 'show', 'v1')[0].ifindex);
  };

  it('adds ARP and NDP entries that ip -j neigh reports the same way', async () => {
    const index = setup();
    const { h } = t();
    await h.neighAdd({ link: 'v1', ip: '192.0.2.77', hardwareAddr: '02:00:00:00:00:02' });
    await h.neighAdd({ link: index, ip: '2001:db8::77', hardwareAddr: '02:00:00:00:00:03', state: 'stale', flags: ['router'] });
    const ours = await h.neighList({ link: 'v1' });
    const theirs = t().ipJson('neigh', 'show', 'dev', 'v1') as Array<Record<string, unknown>>;
    for (const row of theirs) {
      const n = ours.find((x) => x.ip === row.dst)!;
      expect(n, String(row.dst)).toBeDefined();
      expect(n.hardwareAddr).toBe(row.lladdr);
      expect(n.state.map((s) => s.toUpperCase())).toEqual(row.state);
      expect(n.flags.includes('router')).toBe('router' in row);
      expect(n.linkIndex).toBe(index);
    }
    expect(ours.find((n) => n.ip === '192.0.2.77')).toMatchObject({ family: 'inet', state: ['permanent'] });
    expect(ours.find((n) => n.ip === '2001:db8::77')).toMatchObject({ family: 'inet6', state: ['stale'], flags: ['router'] });
    const v6 = await h.neighList({ family: 'inet6', link: 'v1' });
    expect(v6.every((n) => n.family === 'inet6')).toBe(true);
  });

  it('replaces and deletes an entry, and reports ENOENT for a missing one', async () => {
    setup();
    const { h } = t();
    await h.neighAdd({ link: 'v1', ip: '192.0.2.77', hardwareAddr: '02:00:00:00:00:02' });
    await expect(h.neighAdd({ link: 'v1', ip: '192.0.2.77', hardwareAddr: '02:00:00:00:00:02' })).rejects.toMatchObject({ code: 'EEXIST' });
    await h.neighSet({ link: 'v1', ip: '192.0.2.77', hardwareAddr: '02:00:00:00:00:09', state: 'reachable' });
    expect(t().ipJson('neigh', 'show', 'dev', 'v1')[0]).toMatchObject({ dst: '192.0.2.77', lladdr: '02:00:00:00:00:09', state: ['REACHABLE'] });
    await h.neighDel({ link: 'v1', ip: '192.0.2.77' });
    expect(t().ipJson('neigh', 'show', 'dev', 'v1')).toEqual([]);
    const err = await h.neighDel({ link: 'v1', ip: '192.0.2.77' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ code: 'ENOENT', errno: -2 });
    await expect(h.neighAdd({ linkIndex: 99999, ip: '192.0.2.1', hardwareAddr: '02:00:00:00:00:01' })).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('adds and lists bridge FDB entries with family bridge, filtered by master in the kernel', async () => {
    setup();
    const { h, ip } = t();
    ip('link', 'add', 'br0', 'type', 'bridge');
    ip('link', 'set', 'v0', 'master', 'br0');
    const br = Number(t().ipJson('link', 'show', 'br0')[0].ifindex);
    const v0 = Number(t().ipJson('link', 'show', 'v0')[0].ifindex);
    await h.neighAdd({ link: 'v0', family: 'bridge', hardwareAddr: '02:00:00:00:00:aa', flags: ['master'], state: 'noarp' });
    const fdb = await h.neighList({ family: 'bridge', master: 'br0' });
    const entry = fdb.find((n) => n.hardwareAddr === '02:00:00:00:00:aa');
    expect(entry).toMatchObject({ family: 'bridge', linkIndex: v0, masterIndex: br, state: ['noarp'] });
    const r = t().exec('bridge', ['-j', 'fdb', 'show', 'br', 'br0']);
    expect(r.status).toBe(0);
    const theirs = JSON.parse(r.stdout) as Array<{ mac: string }>;
    expect(fdb.map((n) => n.hardwareAddr).sort()).toEqual(theirs.map((x) => x.mac).sort());
    await h.neighDel({ link: 'v0', family: 'bridge', hardwareAddr: '02:00:00:00:00:aa', flags: ['master'] });
    expect((await h.neighList({ family: 'bridge', master: 'br0' })).some((n) => n.hardwareAddr === '02:00:00:00:00:aa')).toBe(false);
  });

  it('deletes entries given back exactly as neighList returned them', async () => {
    setup();
    const { h } = t();
    await h.neighAdd({ link: 'v1', ip: '192.0.2.77', hardwareAddr: '02:00:00:00:00:02' });
    await h.neighAdd({ link: 'v1', ip: '2001:db8::77', hardwareAddr: '02:00:00:00:00:03', state: 'stale' });
    const listed = (await h.neighList({ link: 'v1' })).filter((n) => n.ip === '192.0.2.77' || n.ip === '2001:db8::77');
    expect(listed).toHaveLength(2);
    for (const n of listed) await h.neighDel(n);
    expect((await h.neighList({ link: 'v1' })).filter((n) => n.ip === '192.0.2.77' || n.ip === '2001:db8::77')).toEqual([]);
  });

  it('rejects bad input before any system call', async () => {
    const { h } = t();
    const before = h.stats.requests;
    await expect(h.neighAdd({ link: 1, ip: '192.0.2.1', hardwareAddr: 'zz' })).rejects.toThrow(/invalid MAC address "zz"/);
    await expect(h.neighAdd({ link: 1, ip: '192.0.2.300', hardwareAddr: '02:00:00:00:00:01' })).rejects.toThrow(RangeError);
    expect(h.stats.requests).toBe(before);
  });
});
