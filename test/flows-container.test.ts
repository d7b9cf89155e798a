/**
 * Flow 2: a container engine moves one end of a veth into the sandbox namespace, renames it
 * eth0, sets MTU and MAC and brings it up; on failure it rolls back so the interface is back
 * in the original namespace under its original name.
 */
import { Handle, NetlinkError, type Link, type NetNs } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { createTestNetns, describeKernel, useTestNetns } from './fixtures/netns.js';

interface IfaceConfig {
  name: string;
  mtu: number;
  mac: string;
}

/** What a container engine does; `home` is the namespace the host end lives in. */
async function attach(h: Handle, home: NetNs, hostEnd: string, sandbox: NetNs, cfg: IfaceConfig): Promise<Link> {
  const moved = await h.linkMoveToNetns(hostEnd, sandbox, { name: cfg.name });
  const sh = Handle.open({ netns: sandbox });
  try {
    await sh.linkSetMTU(moved, cfg.mtu);
    await sh.linkSetHardwareAddr(moved, cfg.mac);
    await sh.linkSetUp(moved);
    return await sh.linkByIndex(moved.index);
  } catch (e) {
    // Roll back: down, and home under the original name, in one move.
    await sh.linkSetDown(moved).catch(() => undefined);
    await sh.linkMoveToNetns(moved, home, { name: hostEnd });
    throw e;
  } finally {
    sh.close();
  }
}

describeKernel('flow: container engine moves a veth end into a sandbox', () => {
  const t = useTestNetns();

  it('moves, renames and configures the sandbox end (MTU, MAC, up)', async () => {
    const sandbox = createTestNetns();
    try {
      const { h, ns } = t();
      await h.linkAdd({ kind: 'veth', name: 'vethc0', peer: { name: 'vethc0p' } });
      const eth0 = await attach(h, ns, 'vethc0p', sandbox.ns, { name: 'eth0', mtu: 1450, mac: '02:42:ac:11:00:02' });
      expect(eth0.name).toBe('eth0');
      const ip = sandbox.ipJson('link', 'show', 'dev', 'eth0')[0];
      expect([ip.mtu, ip.address]).toEqual([1450, '02:42:ac:11:00:02']);
      expect(ip.flags).toContain('UP');
      expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo', 'vethc0']);
    } finally {
      sandbox.close();
    }
  });

  it('rolls back when a later step fails: the interface is home again under its original name', async () => {
    const sandbox = createTestNetns();
    try {
      const { h, ns } = t();
      const before = await h.linkAdd({ kind: 'veth', name: 'vethc1', peer: { name: 'vethc1p' } });
      // A multicast MAC passes the format check but the kernel refuses it (EADDRNOTAVAIL).
      const err = await attach(h, ns, 'vethc1p', sandbox.ns, { name: 'eth0', mtu: 1450, mac: '01:00:5e:00:00:01' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).code).toBe('EADDRNOTAVAIL');
      expect(sandbox.ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
      const home = t().ipJson('link', 'show', 'dev', 'vethc1p')[0];
      expect(home.ifname).toBe('vethc1p');
      expect(home.flags).not.toContain('UP');
      expect(home.link).toBe('vethc1');
      expect((await h.linkByName('vethc1')).parentIndex).toBe(before.parentIndex);
    } finally {
      sandbox.close();
    }
  });
});
