/**
 * Flow 1: a CNI/VPC plugin wiring a VM: a bridge, a 4-queue tap for the VM's virtio-net
 * attached to it, both up; the VMM takes the queue fds.
 */
import { expect, it } from 'vitest';
import { describeKernel, openFdCount, useTestNetns } from './fixtures/netns.js';

describeKernel('flow: CNI plugin builds a bridge and a multi-queue tap for a VM', () => {
  const t = useTestNetns();

  it('creates br0 and a 4-queue vnet_hdr tap enslaved to it, up, with 4 fds handed to the VMM', async () => {
    const { h } = t();
    const fdsBefore = openFdCount();
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0', mtu: 9000, stpState: 0, up: true });
    const tap = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'vm0tap', queues: 4, vnetHdr: true, mtu: 9000, masterIndex: br.index, up: true, owner: 0 });
    try {
      expect(tap.fds).toHaveLength(4);
      expect(openFdCount()).toBe(fdsBefore + 4);
      const ip = t().ipJson('-d', 'link', 'show', 'dev', 'vm0tap')[0];
      expect(ip.master).toBe('br0');
      expect(ip.mtu).toBe(9000);
      expect(ip.flags).toContain('UP');
      expect(ip.linkinfo.info_data).toMatchObject({ type: 'tap', vnet_hdr: true, multi_queue: true, numqueues: 4 });
      expect(ip.linkinfo.info_slave_kind).toBe('bridge');
      // The tap carries traffic once the VMM has its queues: carrier is up with fds attached.
      expect(tap.flags).toEqual(expect.arrayContaining(['up']));
      expect((await h.linkList({ master: br })).map((l) => l.name)).toEqual(['vm0tap']);
    } finally {
      for (const fd of tap.fds ?? []) fd.close();
    }
    expect(openFdCount()).toBe(fdsBefore);
    // Teardown as the plugin's DEL does: both links in one deletion.
    await h.linkDelAll(['vm0tap', 'br0']);
    expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
  });
});
