/**
 * The module-level functions (`linkAdd`, `addrAdd`, ...): they use a default handle opened at
 * first use in the namespace current at that moment (API.md). Run in a child process with a
 * namespace of its own, since in this process the current namespace is the host's; the child
 * checks what it did against `ip -j` in the same namespace.
 */
import { expect, it } from 'vitest';
import { runChild } from './fixtures/child.js';
import { describeKernel } from './fixtures/netns.js';

describeKernel('module-level functions', () => {
  it('configure and list through the default handle, in the namespace current at first use', () => {
    const r = runChild(`
      import { spawnSync } from 'node:child_process';
      import { writeFileSync } from 'node:fs';
      const ipJson = (...args) => JSON.parse(spawnSync('ip', ['-j', ...args], { encoding: 'utf8' }).stdout || '[]');
      const own = readlinkSync('/proc/thread-self/ns/net');
      writeFileSync('/proc/sys/net/ipv6/conf/default/addr_gen_mode', '1'); // links go up: no autoconfiguration
      const v0 = await rtnl.linkAdd({ kind: 'veth', name: 'v0', peer: { name: 'v1' } });
      await rtnl.linkSetMTU('v0', 1400);
      await rtnl.linkSetUp(v0);
      await rtnl.linkSetUp('v1');
      await rtnl.addrAdd('v0', '192.0.2.1/24');
      await rtnl.addrAdd(v0.index, { address: '2001:db8::1/64', flags: ['nodad'] });
      await rtnl.routeAdd({ dst: '198.51.100.0/24', gw: '192.0.2.254', linkIndex: v0.index });
      await rtnl.neighAdd({ link: 'v0', ip: '192.0.2.9', hardwareAddr: '02:00:00:00:00:09' });
      const links = await rtnl.linkList();
      const streamed = [];
      for await (const l of rtnl.linkListStream()) streamed.push(l.name);
      const out = {
        handleInOwnNs: readlinkSync('/proc/thread-self/ns/net') === own,
        names: links.map((l) => l.name).sort(),
        streamed: streamed.sort(),
        byName: (await rtnl.linkByName('v0')).mtu,
        addrs: (await rtnl.addrList('v0')).map((a) => a.address),
        routes: (await rtnl.routeList({ family: 'inet' })).filter((x) => x.gw).map((x) => x.dst + ' via ' + x.gw),
        neighs: (await rtnl.neighList({ link: 'v0' })).filter((n) => n.state.includes('permanent')).map((n) => n.ip + ' ' + n.hardwareAddr),
        ip: {
          link: ipJson('link', 'show', 'v0').map((l) => [l.ifname, l.mtu, l.flags.includes('UP')]),
          addrs: ipJson('addr', 'show', 'v0')[0].addr_info.map((a) => a.local + '/' + a.prefixlen),
          routes: ipJson('-4', 'route', 'show').filter((x) => x.gateway).map((x) => x.dst + ' via ' + x.gateway),
          neighs: ipJson('neigh', 'show', 'dev', 'v0').filter((n) => n.state.includes('PERMANENT')).map((n) => n.dst + ' ' + n.lladdr),
        },
      };

      // Another namespace for the default handle: close it, open it again inside netns.run.
      rtnl.closeDefaultHandle();
      const other = netns.create();
      rtnl.netns.run(other, () => rtnl.getDefaultHandle());
      out.otherNames = (await rtnl.linkList()).map((l) => l.name);
      await rtnl.linkAdd({ kind: 'bridge', name: 'inother0' });
      out.threadBack = readlinkSync('/proc/thread-self/ns/net') === own;
      out.ownAfter = ipJson('link', 'show').map((l) => l.ifname).sort();
      try {
        rtnl.netns.run(other, async () => 1);
        out.asyncRun = 'accepted';
      } catch (e) {
        out.asyncRun = e.constructor.name;
      }
      rtnl.closeDefaultHandle();
      other.close();
      console.log(JSON.stringify(out));
    `);
    expect(r.error, r.stderr).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.handleInOwnNs).toBe(true);
    expect(out.names).toEqual(['lo', 'v0', 'v1']);
    expect(out.streamed).toEqual(out.names);
    expect(out.byName).toBe(1400);
    expect(out.ip.link).toEqual([['v0', 1400, true]]);
    expect(out.addrs.sort()).toEqual(['192.0.2.1/24', '2001:db8::1/64']);
    expect(out.ip.addrs.sort()).toEqual(out.addrs.sort());
    expect(out.routes).toEqual(['198.51.100.0/24 via 192.0.2.254']);
    expect(out.ip.routes).toEqual(out.routes);
    expect(out.neighs).toEqual(['192.0.2.9 02:00:00:00:00:09']);
    expect(out.ip.neighs).toEqual(out.neighs);
    // After closeDefaultHandle, the next one opened where netns.run made it: only lo there,
    // and the bridge made through it is not in the child's own namespace.
    expect(out.otherNames).toEqual(['lo']);
    expect(out.threadBack).toBe(true);
    expect(out.ownAfter).toEqual(['lo', 'v0', 'v1']);
    expect(out.asyncRun).toBe('TypeError');
  });
});
