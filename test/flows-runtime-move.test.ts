/**
 * Flow 3: a runtime moves a configured device into another namespace and renames it in one
 * step, keeping its addresses (the kernel flushes them on a namespace move).
 */
import { AddressRestoreError } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { createTestNetns, describeKernel, useTestNetns } from './fixtures/netns.js';

const addrsOf = (j: Array<{ addr_info: Array<{ local: string; prefixlen: number; label?: string; scope: string }> }>) =>
  j[0]!.addr_info.filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}${a.label ? ` ${a.label}` : ''}`);

describeKernel('flow: runtime moves and renames a device atomically, keeping addresses', () => {
  const t = useTestNetns();

  it('moves ens5 into a target that already has an ens5, as eth1, with its IPv4 and IPv6 addresses and labels renamed', async () => {
    const target = createTestNetns();
    try {
      const { h } = t();
      await h.linkAdd({ kind: 'veth', name: 'ens5', peer: { name: 'ens5p' } });
      // The target already has an "ens5": moving without renaming in the same request would clash.
      target.ip('link', 'add', 'ens5', 'type', 'bridge');
      t().ip('addr', 'add', '192.0.2.5/24', 'dev', 'ens5');
      t().ip('addr', 'add', '192.0.2.6/24', 'dev', 'ens5', 'label', 'ens5:a');
      t().ip('addr', 'add', '2001:db8:5::5/64', 'dev', 'ens5', 'nodad');
      const before = addrsOf(t().ipJson('addr', 'show', 'dev', 'ens5'));
      const moved = await h.linkMoveToNetns('ens5', target.ns, { name: 'eth1' });
      expect(moved.name).toBe('eth1');
      const after = addrsOf(target.ipJson('addr', 'show', 'dev', 'eth1'));
      expect(before).toEqual(['192.0.2.5/24 ens5', '192.0.2.6/24 ens5:a', '2001:db8:5::5/64']);
      expect(after).toEqual(['192.0.2.5/24 eth1', '192.0.2.6/24 eth1:a', '2001:db8:5::5/64']);
      expect(t().exec('ip', ['link', 'show', 'dev', 'ens5']).status).not.toBe(0);
    } finally {
      target.close();
    }
  });

  it('names the addresses it could not restore', async () => {
    const target = createTestNetns();
    try {
      const { h } = t();
      await h.linkAdd({ kind: 'veth', name: 'ens6', peer: { name: 'ens6p' } });
      t().ip('addr', 'add', '198.51.100.6/24', 'dev', 'ens6');
      // IPv6 is off in the target: the IPv6 address cannot come back.
      target.sysctl('net.ipv6.conf.default.disable_ipv6', '1');
      target.sysctl('net.ipv6.conf.all.disable_ipv6', '1');
      t().ip('addr', 'add', '2001:db8:6::6/64', 'dev', 'ens6', 'nodad');
      const err = await h.linkMoveToNetns('ens6', target.ns).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AddressRestoreError);
      expect((err as AddressRestoreError).notRestored).toEqual(['2001:db8:6::6/64']);
      expect((err as AddressRestoreError).message).toMatch(/2001:db8:6::6\/64/);
      expect((err as AddressRestoreError).link?.name).toBe('ens6');
      expect((err as AddressRestoreError).linkName).toBe('ens6');
      expect(addrsOf(target.ipJson('addr', 'show', 'dev', 'ens6'))).toEqual(['198.51.100.6/24 ens6']);
    } finally {
      target.close();
    }
  });
});
