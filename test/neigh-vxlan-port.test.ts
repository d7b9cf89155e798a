/**
 * NDA_PORT is a __be16 on the wire (the kernel spec types it as a host-order u16): a VXLAN FDB
 * entry's destination port must read and write as `bridge fdb` shows it.
 */
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

describeKernel('VXLAN FDB destination port', () => {
  const t = useTestNetns();

  it('lists the port bridge fdb added, and adds a port bridge fdb shows back', async () => {
    const { h, ip, exec } = t();
    ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '192.0.2.1');
    const r = exec('bridge', ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', '203.0.113.7', 'port', '4790']);
    expect(r.status, r.stderr).toBe(0);
    const listed = (await h.neighList({ family: 'bridge' })).filter((n) => n.ip === '203.0.113.7');
    expect(listed.map((n) => n.port)).toEqual([4790]);

    await h.neighAdd({ link: 'vx0', family: 'bridge', hardwareAddr: '02:00:00:00:00:07', ip: '203.0.113.8', port: 8472, flags: ['self'], state: 'permanent' });
    const shown = JSON.parse(exec('bridge', ['-j', 'fdb', 'show', 'dev', 'vx0']).stdout) as { mac: string; dst?: string; port?: number }[];
    expect(shown.find((e) => e.dst === '203.0.113.8')?.port).toBe(8472);
  });
});
