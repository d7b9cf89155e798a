/**
 * `examples/container-interface.mjs`: run as a program (as a user would), and imported to
 * inject a failure at each configuration step and check the rollback.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeKernel, openFdCount } from './fixtures/netns.js';

const EXAMPLE = fileURLToPath(new URL('../examples/container-interface.mjs', import.meta.url));

interface Report {
  bridge: { mtu: number; flags: string[] };
  hostEnd: { master: string; flags: string[] };
  eth0: { ifname: string; address: string; flags: string[]; addr_info: Array<{ local: string; prefixlen: number; scope: string; nodad?: boolean }> };
  routes: Array<{ dst: string; scope: string }>;
  acceptRa: string;
}
type Example = {
  runContainerExample(options?: { failAt?: string; log?: (l: string) => void }): Promise<Report>;
  STEPS: string[];
};

describeKernel('example: container interface', () => {
  it('runs as a program: builds, checks with ip -j, tears down, exits 0', () => {
    const r = spawnSync(process.execPath, [EXAMPLE], { encoding: 'utf8', env: { ...process.env, NLKIT_EXAMPLE_FAIL_AT: '' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('moved veth-ctr into the sandbox as eth0');
    expect(r.stdout).toContain('ok: the sandbox network was built');
  });

  it('reports what ip -j sees in the sandbox and leaks no fds', async () => {
    const { runContainerExample } = (await import(EXAMPLE)) as Example;
    const before = openFdCount();
    const report = await runContainerExample();
    expect(report.bridge.mtu).toBe(9001);
    expect(report.hostEnd.master).toBe('br0');
    expect(report.eth0).toMatchObject({ ifname: 'eth0', address: '02:42:c0:00:02:02' });
    expect(report.eth0.flags).toContain('UP');
    const global = report.eth0.addr_info.filter((a) => a.scope === 'global');
    expect(global.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(['192.0.2.2/24', '2001:db8::2/64']);
    expect(global[1]!.nodad).toBe(true);
    expect(report.routes).toContainEqual(expect.objectContaining({ dst: '198.51.100.0/24', scope: 'link' }));
    expect(report.acceptRa).toBe('0');
    expect(openFdCount()).toBe(before);
  });

  it('exits 1 and rolls back when the kernel refuses a step (program form)', () => {
    const r = spawnSync(process.execPath, [EXAMPLE], { encoding: 'utf8', env: { ...process.env, NLKIT_EXAMPLE_FAIL_AT: 'route' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/rolled back: ENETUNREACH/);
    expect(r.stderr).toContain('"sandboxLinks":["lo"]');
  });

  it.each(['mac', 'address', 'up', 'route', 'sysctl'])('returns the interface home under its original name when step "%s" fails', async (step) => {
    const { runContainerExample, STEPS } = (await import(EXAMPLE)) as Example;
    expect(STEPS).toContain(step);
    const err = (await runContainerExample({ failAt: step }).catch((e: unknown) => e)) as Error & { state?: { hostLinks: string[]; sandboxLinks: string[] }; cause?: unknown };
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/rolled back/);
    expect(err.state!.sandboxLinks).toEqual(['lo']);
    expect(err.state!.hostLinks).toEqual(expect.arrayContaining(['br0', 'veth-host', 'veth-ctr']));
    expect(err.state!.hostLinks).not.toContain('eth0');
    if (step === 'route') expect(err.cause).toMatchObject({ code: 'ENETUNREACH' });
  });
});
