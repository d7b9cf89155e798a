/** `rtnl link` / `rtnl tuntap` run as a process against a test namespace, compared with `ip -j`. */
import { expect, it } from 'vitest';
import { describeKernel, runRtnl, useTestNetns } from './fixtures/netns.js';

const TIMERS = new Set(['hello_timer', 'tcn_timer', 'topology_change_timer', 'gc_timer', 'hold_timer', 'message_age_timer', 'forward_delay_timer']);
const strip = (o: unknown): unknown =>
  Array.isArray(o) ? o.map(strip) : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([k]) => !TIMERS.has(k)).map(([k, v]) => [k, strip(v)])) : o;

describeKernel('rtnl link CLI', () => {
  const t = useTestNetns();
  const rtnl = (...args: string[]) => t().rtnl(...args);
  const ok = (...args: string[]) => {
    const r = rtnl(...args);
    expect(r.stderr, `rtnl ${args.join(' ')}`).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it('builds bridge, veth, vxlan, macvlan, macvtap, ifb and tap links and shows them exactly as ip -j -d does', () => {
    ok('link', 'add', 'br0', 'mtu', '1400', 'type', 'bridge', 'stp_state', '1', 'forward_delay', '400', 'priority', '4096', 'mcast_snooping', '0', 'group_fwd_mask', '0x8');
    ok('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ok('link', 'set', 'v0', 'master', 'br0', 'up');
    ok('link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'remote', '192.0.2.1', 'dstport', '4789', 'dev', 'v1', 'nolearning', 'ttl', '10');
    ok('link', 'add', 'vx1', 'type', 'vxlan', 'id', '43', 'group', '239.1.1.1', 'dev', 'v1', 'dstport', '4790');
    ok('link', 'add', 'mv0', 'link', 'v1', 'type', 'macvlan', 'mode', 'private');
    ok('link', 'add', 'mt0', 'link', 'v1', 'type', 'macvtap', 'mode', 'vepa');
    ok('link', 'add', 'ifb0', 'alias', 'mirror', 'group', '3', 'type', 'ifb');
    ok('tuntap', 'add', 'tap0', 'mode', 'tap', 'multi_queue', 'vnet_hdr', 'user', '1', 'group', '2');
    ok('tuntap', 'add', 'tun0', 'mode', 'tun', 'pi');
    ok('link', 'set', 'br0', 'up', 'alias', 'uplink bridge', 'txqueuelen', '500');
    const ours = JSON.parse(ok('-j', '-d', 'link', 'show'));
    const theirs = t().ipJson('-d', 'link', 'show');
    expect(strip(ours)).toEqual(strip(theirs));
    for (let i = 0; i < theirs.length; i++) expect(Object.keys(ours[i]), theirs[i].ifname).toEqual(Object.keys(theirs[i]));
    expect(JSON.parse(ok('-j', 'link', 'show'))).toEqual(t().ipJson('link', 'show'));
    expect(ok('link', 'show')).toBe(t().ip('link', 'show'));
    expect(ok('-s', 'link', 'show')).toBe(t().ip('-s', 'link', 'show'));
    expect(strip(JSON.parse(ok('-j', '-s', '-s', '-d', 'link', 'show')))).toEqual(strip(t().ipJson('-s', '-s', '-d', 'link', 'show')));
    expect(JSON.parse(ok('-j', '-s', 'link', 'show'))).toEqual(t().ipJson('-s', 'link', 'show'));
    expect(JSON.parse(ok('-j', 'link', 'show', 'dev', 'v0'))).toEqual(t().ipJson('link', 'show', 'dev', 'v0'));
    expect(JSON.parse(ok('-j', 'link', 'show', 'type', 'veth')).map((l: { ifname: string }) => l.ifname)).toEqual(['v1', 'v0']);
    expect(JSON.parse(ok('-j', 'link', 'show', 'master', 'br0'))).toEqual(t().ipJson('link', 'show', 'master', 'br0'));
    // ip tuntap show reads sysfs: give it one of this namespace, in a private mount namespace.
    const sys = (args: string) => t().exec('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t sysfs sysfs /sys && ip ${args} tuntap show`]);
    expect(JSON.parse(ok('-j', 'tuntap', 'show'))).toEqual(JSON.parse(sys('-j').stdout));
    expect(ok('tuntap', 'show')).toBe(sys('').stdout);
  });

  it('sets, renames, moves and deletes links', () => {
    ok('link', 'add', 'br0', 'type', 'bridge');
    ok('link', 'add', 'v0', 'type', 'veth', 'peer', 'v1');
    ok('link', 'set', 'dev', 'br0', 'mtu', '9000', 'address', '02:aa:bb:cc:dd:ee', 'group', '7', 'name', 'br1');
    const br = t().ipJson('link', 'show', 'dev', 'br1')[0];
    expect([br.mtu, br.address, br.group]).toEqual([9000, '02:aa:bb:cc:dd:ee', '7']);
    ok('link', 'set', 'v0', 'master', 'br1');
    ok('link', 'set', 'v0', 'nomaster');
    expect(t().ipJson('link', 'show', 'dev', 'v0')[0].master).toBeUndefined();
    ok('link', 'del', 'v0');
    ok('link', 'delete', 'dev', 'br1');
    ok('tuntap', 'add', 'dev', 'tap9', 'mode', 'tap');
    ok('tuntap', 'del', 'tap9', 'mode', 'tap');
    expect(t().ipJson('link', 'show').map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
  });

  it('prints ip-like text without -j', () => {
    ok('link', 'add', 'br0', 'type', 'bridge');
    const out = ok('link', 'show', 'br0');
    expect(out).toMatch(/^\d+: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n {4}link\/ether [0-9a-f:]{17} brd ff:ff:ff:ff:ff:ff\n$/);
  });

  const bad: Array<[string[], RegExp]> = [
    [['link', 'add', 'br0', 'address', 'zz', 'type', 'bridge'], /^rtnl: invalid MAC address "zz"\n$/],
    [['link', 'add', 'br0'], /^rtnl: missing "type KIND"\n$/],
    [['link', 'add', 'br0', 'type', 'wireguardx'], /^rtnl: unknown link type "wireguardx"/],
    [['link', 'add', 'br0', 'type', 'bridge', 'stp_state', 'x'], /^rtnl: invalid stp_state "x"\n$/],
    [['link', 'add', 'abcdefghijklmnop', 'type', 'bridge'], /^rtnl: name "abcdefghijklmnop" is 16 bytes/],
    [['link', 'set', 'lo', 'mtu', '10'], /^rtnl: mtu must be in 68\.\.2147483647, got 10\n$/],
    [['link', 'frobnicate'], /^rtnl: unknown link command "frobnicate"\n$/],
    [['bogus'], /^rtnl: unknown object "bogus"\n$/],
    [['-x', 'link'], /^rtnl: unknown option "-x"\n$/],
    [['tuntap', 'add', 'tap0'], /^rtnl: missing "mode tun\|tap"\n$/],
    [['link', 'show', 'dev', 'nosuch0'], /^rtnl: Device "nosuch0" does not exist \(ENODEV\)\.\n$/],
    [['link', 'set', 'nosuch0', 'up'], /^rtnl: Device "nosuch0" does not exist \(ENODEV\)\.\n$/],
    [['link', 'add', 'x0', 'type', 'veth', 'peer'], /^rtnl: missing peer name after "peer"\n$/],
  ];
  for (const [args, msg] of bad) {
    it(`exits 1 with one line for: rtnl ${args.join(' ')}`, () => {
      const r = rtnl(...args);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stdout).toBe('');
    });
  }

  it('exits 2 with the kernel message on a kernel refusal', () => {
    ok('link', 'add', 'br0', 'type', 'bridge');
    const r = rtnl('link', 'add', 'br0', 'type', 'bridge');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^rtnl: RTNETLINK answers: .*EEXIST/);
    const d = rtnl('link', 'add', 'd0', 'type', 'dummy');
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/Unknown device type/);
  });

  it('accepts -n with a name under /run/netns (and fails cleanly when it does not exist)', () => {
    const r = runRtnl(['-n', 'nlkit-no-such-ns', 'link', 'show']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^rtnl: .*\/run\/netns\/nlkit-no-such-ns/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
