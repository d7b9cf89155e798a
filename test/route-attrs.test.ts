/**
 * Route realms (RTA_FLOW), expiry (RTA_EXPIRES), nexthop objects (RTA_NH_ID) and neighbour
 * protocols (NDA_PROTOCOL), set through the library and the CLI, checked with `ip -j`.
 */
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

describeKernel('route realms, expiry, nexthop ids; neighbour protocol', () => {
  const t = useTestNetns();

  it('sends what the spec says and reads it back as ip does', async () => {
    const { h, ip, ipJson, sysctl } = t();
    sysctl('net.ipv6.conf.all.accept_dad', '0');
    sysctl('net.ipv6.conf.default.accept_dad', '0');
    ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ip('link', 'set', 'v0', 'up');
    ip('link', 'set', 'v1', 'up');
    ip('addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    ip('addr', 'add', '2001:db8::1/64', 'dev', 'v0', 'nodad');
    ip('nexthop', 'add', 'id', '5', 'via', '192.0.2.3', 'dev', 'v0');
    const v0 = (await h.linkByName('v0')).index;

    await h.routeAdd({ dst: '198.51.100.0/24', gw: '192.0.2.2', linkIndex: v0, realm: (3 << 16) | 5 });
    await h.routeAdd({ dst: '198.51.100.128/25', nhId: 5 });
    await h.routeAdd({ dst: '2001:db8:5::/48', gw: '2001:db8::2', linkIndex: v0, expires: 300 });
    await h.routeAdd({ dst: '203.0.113.0/24', multipath: [{ gw: '192.0.2.2', linkIndex: v0, realm: 7 }, { gw: '192.0.2.3', linkIndex: v0 }] });
    await h.neighAdd({ linkIndex: v0, ip: '192.0.2.44', hardwareAddr: '02:00:00:00:00:44', protocol: 4 });

    const v4 = ipJson('route', 'show');
    expect(v4.find((r: { dst: string }) => r.dst === '198.51.100.0/24')).toMatchObject({ gateway: '192.0.2.2', flow: { from: '3', to: '5' } });
    expect(v4.find((r: { dst: string }) => r.dst === '198.51.100.128/25')).toMatchObject({ nhid: 5, gateway: '192.0.2.3' });
    expect(v4.find((r: { dst: string }) => r.dst === '203.0.113.0/24').nexthops[0]).toMatchObject({ gateway: '192.0.2.2', flow: { to: '7' } });
    const v6 = ipJson('-6', 'route', 'show').find((r: { dst: string }) => r.dst === '2001:db8:5::/48');
    expect(v6.expires).toBeGreaterThan(290);
    expect(v6.expires).toBeLessThanOrEqual(300);
    expect(ipJson('neigh', 'show').find((n: { dst: string }) => n.dst === '192.0.2.44')).toMatchObject({ protocol: 'static' });

    // What the lists give back is what was set, and can be passed back to delete.
    const listed = await h.routeList({ family: 'inet' });
    const realm = listed.find((r) => r.dst === '198.51.100.0/24')!;
    expect(realm.realm).toBe((3 << 16) | 5);
    const viaNh = listed.find((r) => r.dst === '198.51.100.128/25')!;
    expect(viaNh.nhId).toBe(5);
    const expiring = (await h.routeList({ family: 'inet6' })).find((r) => r.dst === '2001:db8:5::/48')!;
    expect(expiring.expires).toBeGreaterThan(290);
    expect((await h.neighList()).find((n) => n.ip === '192.0.2.44')!.protocol).toBe(4);
    await h.routeDel(realm);
    await h.routeDel(viaNh);
    expect(ipJson('route', 'show').map((r: { dst: string }) => r.dst)).not.toContain('198.51.100.0/24');

    // The CLI takes ip's words for them.
    const rtnl = (...args: string[]) => t().rtnl(...args);
    expect(rtnl('route', 'add', '198.51.100.64/26', 'via', '192.0.2.2', 'dev', 'v0', 'realms', 'cosmos/9').status).toBe(0);
    expect(rtnl('route', 'add', '198.51.100.32/27', 'nhid', '5').status).toBe(0);
    expect(rtnl('neigh', 'add', '192.0.2.45', 'lladdr', '02:00:00:00:00:45', 'dev', 'v0', 'proto', 'static').status).toBe(0);
    expect(rtnl('-j', 'route', 'show').stdout).toBe(ip('-j', 'route', 'show'));
    expect(rtnl('-j', 'neigh', 'show').stdout).toBe(ip('-j', 'neigh', 'show'));
    expect(rtnl('route', 'show').stdout).toBe(ip('route', 'show'));
    expect(rtnl('neigh', 'show').stdout).toBe(ip('neigh', 'show'));
    const bad = rtnl('route', 'add', '198.51.100.16/28', 'via', '192.0.2.2', 'realms', 'x/1');
    expect([bad.status, bad.stderr.trim()]).toEqual([1, 'rtnl: invalid realm "x" (a number 0-65535 or cosmos)']);
  });

  it('refuses bad values before any system call', async () => {
    const { h } = t();
    await expect(h.routeAdd({ dst: '198.51.100.0/24', realm: -1 } as never)).rejects.toThrow(/realm/);
    await expect(h.routeAdd({ dst: '198.51.100.0/24', nhId: 0 })).rejects.toThrow(/nhId/);
    await expect(h.routeAdd({ dst: '198.51.100.0/24', expires: 1.5 })).rejects.toThrow(/expires/);
    await expect(h.neighAdd({ linkIndex: 1, ip: '192.0.2.9', protocol: 256 })).rejects.toThrow(/protocol/);
    expect(h.stats.requests).toBe(0);
  });
});
