/** Addresses against the real kernel, in a namespace of our own, checked against `ip -j`. */
import { NetlinkError, type Addr } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

describeKernel('addresses', () => {
  const t = useTestNetns();
  const setup = () => {
    t().ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    t().ip('link', 'set', 'v1', 'up');
    return Number(t().ipJson('link', 'show', 'v1')[0].ifindex);
  };
  const ipInfo = (dev: string): Array<Record<string, unknown>> => t().ipJson('addr', 'show', 'dev', dev)[0].addr_info;

  it('adds IPv4 and IPv6 addresses that ip -j then reports identically', async () => {
    const index = setup();
    const { h } = t();
    await h.addrAdd('v1', '192.0.2.2/24');
    await h.addrAdd(index, { address: '2001:db8::2/64', flags: ['nodad'] });
    await h.addrAdd('v1', { address: '198.51.100.1', peer: '198.51.100.2/32', label: 'v1:ptp' });
    const ours = await h.addrList('v1');
    const theirs = ipInfo('v1').filter((i) => i.scope !== 'link');
    const mine = ours.filter((a) => a.scope !== 'link');
    expect(mine.map((a) => a.address)).toEqual(['192.0.2.2/24', '198.51.100.1/32', '2001:db8::2/64']);
    for (const a of mine) {
      const row = theirs.find((r) => r.local === a.address.split('/')[0])!;
      expect(row, a.address).toBeDefined();
      expect(a.family).toBe(row.family);
      expect(a.address.split('/')[1]).toBe(String(row.prefixlen));
      expect(a.broadcast).toBe(row.broadcast);
      expect(a.label).toBe(row.label);
      expect(a.scope).toBe(row.scope);
      expect(a.linkIndex).toBe(index);
      if (a.peer) expect(a.peer).toBe(`${row.address as string}/${row.prefixlen as number}`);
    }
    // Go's rule: the broadcast is computed for IPv4 prefixes below /31.
    expect(mine[0]!.broadcast).toBe('192.0.2.255');
    expect(mine[2]!.flags).toContain('nodad');
  });

  it('filters by link and family in the kernel', async () => {
    setup();
    const { h } = t();
    await h.addrAdd('v1', '192.0.2.2/24');
    await h.addrAdd('v1', { address: '2001:db8::2/64', flags: ['nodad'] });
    t().ip('link', 'set', 'lo', 'up');
    const v6 = await h.addrList('v1', { family: 'inet6' });
    expect(v6.every((a) => a.family === 'inet6' && a.linkIndex === v6[0]!.linkIndex)).toBe(true);
    expect(v6.map((a) => a.address)).toContain('2001:db8::2/64');
    const lo4 = await h.addrList('lo', { family: 4 });
    expect(lo4.map((a) => a.address)).toEqual(['127.0.0.1/8']);
    const all = await h.addrList();
    expect(all.map((a) => a.address)).toEqual(expect.arrayContaining(['127.0.0.1/8', '::1/128', '192.0.2.2/24', '2001:db8::2/64']));
  });

  it('sends flags above 8 bits in IFA_FLAGS and lifetimes in IFA_CACHEINFO', async () => {
    setup();
    const { h } = t();
    await h.addrAdd('v1', { address: '2001:db8::5/64', flags: ['nodad', 'noprefixroute'], validLft: 600, preferredLft: 300 });
    const row = ipInfo('v1').find((r) => r.local === '2001:db8::5')!;
    expect(row.noprefixroute).toBe(true);
    expect(row.nodad).toBe(true);
    expect(row.valid_life_time).toBeGreaterThan(590);
    expect(row.preferred_life_time).toBeLessThanOrEqual(300);
    const [a] = (await h.addrList('v1', { family: 'inet6' })).filter((x) => x.address === '2001:db8::5/64') as [Addr];
    expect(a.flags).toEqual(expect.arrayContaining(['nodad', 'noprefixroute']));
    expect(a.validLft).toBeGreaterThan(590);
    expect(a.preferredLft).toBeLessThanOrEqual(300);
  });

  it('replaces an address in place (new lifetime) and deletes it', async () => {
    setup();
    const { h } = t();
    await h.addrAdd('v1', '192.0.2.2/24');
    await h.addrReplace('v1', { address: '192.0.2.2/24', validLft: 1000, preferredLft: 1000 });
    const row = ipInfo('v1').find((r) => r.local === '192.0.2.2')!;
    expect(row.valid_life_time).toBeLessThanOrEqual(1000);
    expect(row.dynamic).toBe(true);
    await h.addrDel('v1', '192.0.2.2/24');
    expect(ipInfo('v1').find((r) => r.local === '192.0.2.2')).toBeUndefined();
  });

  it('reports EEXIST, EADDRNOTAVAIL and ENODEV with the kernel message', async () => {
    setup();
    const { h } = t();
    await h.addrAdd('v1', '192.0.2.2/24');
    const dup = await h.addrAdd('v1', '192.0.2.2/24').catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(NetlinkError);
    expect(dup).toMatchObject({ code: 'EEXIST', errno: -17, extAck: 'ipv4: Address already assigned' });
    const missing = await h.addrDel('v1', '192.0.2.99/24').catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'EADDRNOTAVAIL', extAck: 'ipv4: Address not found' });
    const nodev = await h.addrAdd(99999, '192.0.2.7/24').catch((e: unknown) => e);
    expect(nodev).toBeInstanceOf(NetlinkError);
    expect(nodev).toMatchObject({ code: 'ENODEV' });
  });

  it('deletes and re-adds addresses given back exactly as addrList returned them', async () => {
    setup();
    const { h } = t();
    await h.addrAdd('v1', { address: '192.0.2.2/24', label: 'v1:a' });
    await h.addrAdd('v1', { address: '2001:db8::2/64', flags: ['nodad'] });
    const listed = (await h.addrList('v1')).filter((a) => a.scope === 'global');
    expect(listed).toHaveLength(2);
    for (const a of listed) await h.addrDel(a.linkIndex, a);
    expect((await h.addrList('v1')).filter((a) => a.scope === 'global')).toEqual([]);
    for (const a of listed) await h.addrAdd(a.linkIndex, a);
    const again = (await h.addrList('v1')).filter((a) => a.scope === 'global');
    expect(again.map((a) => [a.address, a.label, a.broadcast])).toEqual(listed.map((a) => [a.address, a.label, a.broadcast]));
  });

  it('rejects bad input before any system call', async () => {
    const { h } = t();
    const before = h.stats.requests;
    await expect(h.addrAdd(1, '192.0.2.300/24')).rejects.toThrow(RangeError);
    await expect(h.addrAdd(1, '192.0.2.3/33')).rejects.toThrow(/prefix length 33/);
    await expect(h.addrAdd(1, { address: '192.0.2.3/24', flags: ['nope' as never] })).rejects.toThrow(TypeError);
    expect(h.stats.requests).toBe(before);
  });
});
