/** tun/tap devices: ioctl creation, queues, ownership, and cleanup after injected failures. */
import * as shim from '@nlkit/syscall-shim';
import { clearFaults, injectFault, startCounting, stopCounting } from '@nlkit/syscall-shim/testing';
import { afterEach, expect, it } from 'vitest';
import { createTestNetns, describeKernel, openFdCount, useTestNetns } from './fixtures/netns.js';

describeKernel('tuntap', () => {
  const t = useTestNetns();
  afterEach(() => clearFaults());

  it('creates a 4-queue tap with non-blocking close-on-exec fds, as ip reports it', async () => {
    const { h } = t();
    const tap = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'tap0', queues: 4, vnetHdr: true });
    try {
      expect(tap.fds).toHaveLength(4);
      for (const fd of tap.fds!) {
        expect(shim.fcntl(fd, shim.F_GETFL) & shim.O_NONBLOCK).toBe(shim.O_NONBLOCK);
        expect(shim.fcntl(fd, shim.F_GETFD) & shim.FD_CLOEXEC).toBe(shim.FD_CLOEXEC);
      }
      expect(tap.kind).toBe('tun');
      expect(tap.data).toMatchObject({ mode: 'tap', pi: false, vnetHdr: true, multiQueue: true, persist: true, numQueues: 4 });
      const ip = t().ipJson('-d', 'link', 'show', 'dev', 'tap0')[0];
      expect(ip.ifindex).toBe(tap.index);
      expect(ip.linkinfo.info_data).toMatchObject({ type: 'tap', pi: false, vnet_hdr: true, multi_queue: true, numqueues: 4, persist: true });
    } finally {
      for (const fd of tap.fds ?? []) fd.close();
    }
    // Persistent by default: it outlives its fds.
    expect(t().ipJson('-d', 'link', 'show', 'dev', 'tap0')[0].linkinfo.info_data.numqueues).toBe(0);
  });

  it('creates a tun with owner and group, a %d template name, and netlink settings', async () => {
    const { h } = t();
    const br = await h.linkAdd({ kind: 'bridge', name: 'br0' });
    const tun = await h.linkAdd({ kind: 'tuntap', mode: 'tun', name: 'tun%d', owner: 1, group: 2, mtu: 1400, txQLen: 100, alias: 'vm0' });
    const tap = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'vmtap', masterIndex: br.index, up: true, noPi: false, hardwareAddr: '02:00:00:00:00:09' });
    try {
      expect(tun.name).toBe('tun0');
      expect(tun.data).toMatchObject({ mode: 'tun', owner: 1, group: 2 });
      expect([tun.mtu, tun.txQLen, tun.alias]).toEqual([1400, 100, 'vm0']);
      const ip = t().ipJson('-d', 'link', 'show', 'dev', 'tun0')[0];
      expect(ip.linkinfo.info_data).toMatchObject({ type: 'tun', user: 'daemon', group: 'bin' });
      expect(tap.masterIndex).toBe(br.index);
      expect(tap.flags).toContain('up');
      expect(tap.hardwareAddr).toBe('02:00:00:00:00:09');
      expect(tap.data).toMatchObject({ pi: true });
    } finally {
      for (const fd of [...(tun.fds ?? []), ...(tap.fds ?? [])]) fd.close();
    }
  });

  it('removes a non-persistent device when its fds close', async () => {
    const tap = await t().h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'tmp0', persist: false });
    expect(t().ipJson('link', 'show', 'dev', 'tmp0')[0].ifname).toBe('tmp0');
    for (const fd of tap.fds!) fd.close();
    expect(t().exec('ip', ['link', 'show', 'dev', 'tmp0']).status).not.toBe(0);
  });

  it('adds and removes queues of a multi-queue device', async () => {
    const { h } = t();
    const tap = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'mq0', multiQueue: true });
    try {
      const more = await h.tuntapAddQueues(tap, 2);
      expect(more).toHaveLength(2);
      expect(tap.fds).toHaveLength(3);
      expect((await h.linkByName('mq0')).data).toMatchObject({ numQueues: 3 });
      const byName = await h.tuntapAddQueues('mq0', 1);
      expect((await h.linkByName('mq0')).data).toMatchObject({ numQueues: 4 });
      await h.tuntapRemoveQueues(tap, ...more);
      expect(tap.fds).toHaveLength(1);
      expect((await h.linkByName('mq0')).data).toMatchObject({ numQueues: 2 });
      await h.tuntapRemoveQueues('mq0', ...byName);
      expect((await h.linkByName('mq0')).data).toMatchObject({ numQueues: 1 });
    } finally {
      for (const fd of tap.fds ?? []) fd.close();
    }
    const single = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'sq0' });
    try {
      await expect(h.tuntapAddQueues(single, 1)).rejects.toThrow(/not a multi-queue device/);
    } finally {
      for (const fd of single.fds ?? []) fd.close();
    }
  });

  it('creates the device inside the handle namespace and inside spec.netns', async () => {
    const other = createTestNetns();
    try {
      const tap = await t().h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'nst0', netns: other.ns, mtu: 1300 });
      for (const fd of tap.fds!) fd.close();
      expect(other.ipJson('link', 'show', 'dev', 'nst0')[0].mtu).toBe(1300);
      expect(t().exec('ip', ['link', 'show', 'dev', 'nst0']).status).not.toBe(0);
    } finally {
      other.close();
    }
  });

  it('closes every fd and removes the device when any ioctl of the creation fails', async () => {
    const { h } = t();
    const spec = { kind: 'tuntap', mode: 'tap', name: 'ft0', queues: 4, owner: 1, group: 2 } as const;
    startCounting();
    const ok = await h.linkAdd(spec);
    const ioctls = stopCounting().bySyscall.ioctl!;
    for (const fd of ok.fds!) fd.close();
    await h.linkDel('ft0');
    expect(ioctls).toBe(7); // TUNSETIFF, OWNER, GROUP, PERSIST, then TUNSETIFF x3
    const before = openFdCount();
    for (let n = 1; n <= ioctls; n++) {
      injectFault({ syscall: 'ioctl', nth: n, errno: 'EPERM' });
      await expect(h.linkAdd(spec)).rejects.toMatchObject({ code: 'EPERM', syscall: expect.stringMatching(/ioctl/) });
      clearFaults();
      expect(openFdCount(), `fds after failing ioctl #${n}`).toBe(before);
      expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname), `links after failing ioctl #${n}`).toEqual(['lo']);
    }
  });

  it('cleans up when opening a later queue fails, and when the netlink step fails', async () => {
    const { h } = t();
    const before = openFdCount();
    injectFault({ syscall: 'open', nth: 3, errno: 'EMFILE' });
    await expect(h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'fo0', queues: 4 })).rejects.toMatchObject({ code: 'EMFILE' });
    expect(openFdCount()).toBe(before);
    // masterIndex of a link that does not exist: the kernel refuses the netlink step.
    await expect(h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'fo1', queues: 2, masterIndex: 9999 })).rejects.toMatchObject({ name: 'NetlinkError' });
    expect(openFdCount()).toBe(before);
    expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
  });

  it('refuses to take over an existing device', async () => {
    const { h } = t();
    const a = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'dup0' });
    for (const fd of a.fds!) fd.close();
    await expect(h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'dup0' })).rejects.toMatchObject({ code: 'EBUSY' });
    // The existing device is left alone.
    expect(t().ipJson('link', 'show', 'dev', 'dup0')[0].ifname).toBe('dup0');
  });
});
