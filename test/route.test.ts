/** Routes against the real kernel, in a namespace of our own, checked against `ip -j`. */
import { NetlinkError, type Route } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

describeKernel('routes', () => {
  const t = useTestNetns();
  /** A veth end `v1` that is up, with 192.0.2.2/24 and 2001:db8::2/64. */
  const setup = async (): Promise<number> => {
    t().ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    t().ip('link', 'set', 'v0', 'up');
    t().ip('link', 'set', 'v1', 'up');
    t().ip('addr', 'add', '192.0.2.2/24', 'dev', 'v1');
    t().ip('-6', 'addr', 'add', '2001:db8::2/64', 'dev', 'v1', 'nodad');
    return Number(t().ipJson('link', 'show', 'v1')[0].ifindex);
  };
  const find = (routes: Route[], dst: string) => routes.find((r) => r.dst === dst);

  it('adds device, gateway, metric, table, metrics, blackhole and multipath routes as ip sees them', async () => {
    const index = await setup();
    const { h } = t();
    await h.routeAdd({ dst: '198.51.100.0/24', link: 'v1', priority: 7, protocol: 'static', metrics: { mtu: 1400, advmss: 1300 } });
    await h.routeAdd({ dst: '203.0.113.0/24', gw: '192.0.2.1', table: 1000 });
    await h.routeAdd({ dst: '198.51.100.128/25', type: 'blackhole' });
    await h.routeAdd({
      dst: '203.0.113.128/25',
      multipath: [
        { gw: '192.0.2.1', link: 'v1', weight: 2 },
        { gw: '192.0.2.3', linkIndex: index, weight: 1 },
      ],
    });
    await h.routeAdd({ dst: '2001:db8:1::/64', gw: '2001:db8::1', link: 'v1' });

    const main4 = await h.routeList({ family: 'inet' });
    const ip4 = t().ipJson('route', 'show') as Array<Record<string, any>>;
    expect(main4.map((r) => r.dst)).toEqual(ip4.map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`)));
    expect(find(main4, '198.51.100.0/24')).toMatchObject({ linkIndex: index, priority: 7, protocol: 'static', scope: 'link', metrics: { mtu: 1400, advmss: 1300 }, table: 254, type: 'unicast' });
    expect(find(main4, '198.51.100.128/25')).toMatchObject({ type: 'blackhole' });
    expect(find(main4, '203.0.113.128/25')!.multipath).toEqual([
      { gw: '192.0.2.1', linkIndex: index, weight: 2, flags: [] },
      { gw: '192.0.2.3', linkIndex: index, weight: 1, flags: [] },
    ]);
    // Table 1000 is not main: it shows up with table filters only.
    expect(find(main4, '203.0.113.0/24')).toBeUndefined();
    const t1000 = await h.routeList({ table: 1000 });
    expect(t1000).toHaveLength(1);
    expect(t1000[0]).toMatchObject({ dst: '203.0.113.0/24', gw: '192.0.2.1', table: 1000, linkIndex: index, family: 'inet' });
    expect(t().ipJson('route', 'show', 'table', '1000')[0]).toMatchObject({ dst: '203.0.113.0/24', gateway: '192.0.2.1', dev: 'v1' });

    const v6 = await h.routeList({ family: 'inet6' });
    const ip6 = t().ipJson('-6', 'route', 'show') as Array<Record<string, any>>;
    expect(v6.map((r) => r.dst)).toEqual(ip6.map((r) => r.dst));
    expect(find(v6, '2001:db8:1::/64')).toMatchObject({ gw: '2001:db8::1', linkIndex: index, priority: 1024, pref: 'medium', family: 'inet6' });
  });

  it('filters by link, protocol and table in the kernel; table all lists the local table too', async () => {
    const index = await setup();
    const { h } = t();
    t().ip('link', 'add', 'v2', 'type', 'veth', 'peer', 'name', 'v3');
    t().ip('link', 'set', 'v2', 'up');
    t().ip('link', 'set', 'v3', 'up');
    await h.routeAdd({ dst: '198.51.100.0/24', link: 'v1', protocol: 'static' });
    await h.routeAdd({ dst: '203.0.113.0/24', link: 'v2' });
    const onV1 = await h.routeList({ link: 'v1', family: 'inet' });
    expect(onV1.length).toBeGreaterThan(0);
    expect(onV1.every((r) => r.linkIndex === index)).toBe(true);
    const stat = await h.routeList({ protocol: 'static' });
    expect(stat.map((r) => r.dst)).toEqual(['198.51.100.0/24']);
    const all = await h.routeList({ table: 'all', family: 'inet' });
    expect(all.some((r) => r.table === 255 && r.type === 'local' && r.dst === '192.0.2.2/32')).toBe(true);
    const ipAll = t().ipJson('-4', 'route', 'show', 'table', 'all') as unknown[];
    expect(all).toHaveLength(ipAll.length);
  });

  it('replaces, appends and deletes routes', async () => {
    await setup();
    const { h } = t();
    await h.routeAdd({ dst: '198.51.100.0/24', link: 'v1' });
    await h.routeReplace({ dst: '198.51.100.0/24', gw: '192.0.2.1' });
    expect(t().ipJson('route', 'show', '198.51.100.0/24')[0]).toMatchObject({ gateway: '192.0.2.1' });
    await h.routeAdd({ dst: '2001:db8:5::/64', gw: '2001:db8::1', link: 'v1' });
    await h.routeAppend({ dst: '2001:db8:5::/64', gw: '2001:db8::3', link: 'v1' });
    const [r] = (await h.routeList({ family: 'inet6' })).filter((x) => x.dst === '2001:db8:5::/64');
    expect(r!.multipath?.map((n) => n.gw)).toEqual(['2001:db8::1', '2001:db8::3']);
    await h.routeDel({ dst: '198.51.100.0/24' });
    expect(t().ipJson('route', 'show', '198.51.100.0/24')).toEqual([]);
  });

  it('asks the kernel for its own lookup with routeGet', async () => {
    const index = await setup();
    const { h } = t();
    await h.routeAdd({ dst: '198.51.100.0/24', gw: '192.0.2.1' });
    const r = await h.routeGet('198.51.100.7');
    const ip = t().ipJson('route', 'get', '198.51.100.7')[0];
    expect(r).toMatchObject({ dst: '198.51.100.7/32', gw: ip.gateway, src: ip.prefsrc, linkIndex: index, family: 'inet', table: 254 });
    const r6 = await h.routeGet('2001:db8::77');
    expect(r6).toMatchObject({ dst: '2001:db8::77/128', linkIndex: index, family: 'inet6' });
    const viaSrc = await h.routeGet('198.51.100.8', { src: '192.0.2.2', oif: 'v1' });
    expect(viaSrc.linkIndex).toBe(index);
  });

  it('reports EEXIST, ENETUNREACH, ESRCH and ENODEV with the kernel message', async () => {
    await setup();
    const { h } = t();
    await h.routeAdd({ dst: '198.51.100.0/24', link: 'v1' });
    await expect(h.routeAdd({ dst: '198.51.100.0/24', link: 'v1' })).rejects.toMatchObject({ code: 'EEXIST', errno: -17 });
    const unreach = await h.routeAdd({ dst: '203.0.113.0/24', gw: '198.18.0.1' }).catch((e: unknown) => e);
    expect(unreach).toBeInstanceOf(NetlinkError);
    expect(unreach).toMatchObject({ code: 'ENETUNREACH', extAck: 'Nexthop has invalid gateway' });
    await expect(h.routeDel({ dst: '203.0.113.0/24' })).rejects.toMatchObject({ code: 'ESRCH' });
    await expect(h.routeAdd({ dst: '203.0.113.0/24', linkIndex: 99999 })).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('deletes routes given back exactly as routeList returned them', async () => {
    await setup();
    const { h } = t();
    await h.routeAdd({ dst: '198.51.100.0/24', link: 'v1', metrics: { mtu: 1400 }, protocol: 'static', table: 1000 });
    await h.routeAdd({ dst: '2001:db8:9::/64', gw: '2001:db8::1', link: 'v1' });
    const listed = [...(await h.routeList({ table: 1000 })), ...(await h.routeList({ family: 'inet6' })).filter((r) => r.dst === '2001:db8:9::/64')];
    expect(listed).toHaveLength(2);
    for (const r of listed) await h.routeDel(r);
    expect(await h.routeList({ table: 1000 })).toEqual([]);
    expect((await h.routeList({ family: 'inet6' })).some((r) => r.dst === '2001:db8:9::/64')).toBe(false);
  });

  it('rejects bad input before any system call', async () => {
    const { h } = t();
    const before = h.stats.requests;
    await expect(h.routeAdd({ dst: '192.0.2.300/24', linkIndex: 1 })).rejects.toThrow(RangeError);
    await expect(h.routeAdd({ dst: '192.0.2.0/33', linkIndex: 1 })).rejects.toThrow(/prefix length 33/);
    await expect(h.routeAdd({ dst: '192.0.2.1/24', linkIndex: 1 })).rejects.toThrow(/host bits/);
    await expect(h.routeGet('nonsense')).rejects.toThrow(TypeError);
    expect(h.stats.requests).toBe(before);
  });
});
