/**
 * `rtnl addr|route|neigh` run as a process against a test namespace; `-j` output compared with
 * `ip -j` of the same namespace, key for key.
 */
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

/** Bridge timers tick between the two commands. */
const TIMERS = new Set(['hello_timer', 'tcn_timer', 'topology_change_timer', 'gc_timer']);
const strip = (o: unknown): unknown =>
  Array.isArray(o) ? o.map(strip) : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([k]) => !TIMERS.has(k)).map(([k, v]) => [k, strip(v)])) : o;

describeKernel('rtnl addr, route and neigh CLI', () => {
  const t = useTestNetns();
  const rtnl = (...args: string[]) => t().rtnl(...args);
  const ok = (...args: string[]) => {
    const r = rtnl(...args);
    expect(r.stderr, `rtnl ${args.join(' ')}`).toBe('');
    expect(r.status, `rtnl ${args.join(' ')}`).toBe(0);
    return r.stdout;
  };
  /** Same JSON from `rtnl -j ARGS` and `ip -j ARGS`, keys in the same order. */
  const same = (...args: string[]) => {
    const ours = strip(JSON.parse(ok('-j', ...args)));
    const theirs = strip(t().ipJson(...args));
    expect(ours, args.join(' ')).toEqual(theirs);
    const keys = (x: unknown): unknown => (Array.isArray(x) ? x.map(keys) : x && typeof x === 'object' ? Object.entries(x).map(([k, v]) => [k, keys(v)]) : null);
    expect(keys(ours), `key order of ${args.join(' ')}`).toEqual(keys(theirs));
  };
  const setup = () => {
    t().ip('link', 'set', 'lo', 'up');
    t().ip('link', 'add', 'br0', 'type', 'bridge');
    t().ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    t().ip('link', 'set', 'v0', 'master', 'br0');
    for (const l of ['br0', 'v0', 'v1']) t().ip('link', 'set', l, 'up');
  };

  it('configures addresses with ip syntax and shows them exactly as ip -j addr does', () => {
    setup();
    ok('addr', 'add', '192.0.2.2/24', 'dev', 'v1');
    ok('addr', 'add', '192.0.2.3/24', 'brd', '+', 'dev', 'v1', 'label', 'v1:two');
    ok('address', 'add', '198.51.100.1', 'peer', '198.51.100.2/32', 'dev', 'v1');
    ok('a', 'add', '2001:db8::2/64', 'dev', 'v1', 'nodad', 'noprefixroute');
    ok('addr', 'add', '203.0.113.9/24', 'dev', 'br0', 'scope', 'link', 'valid_lft', 'forever', 'preferred_lft', 'forever');
    same('addr', 'show', 'dev', 'v1');
    same('addr', 'show');
    same('-d', 'addr', 'show', 'dev', 'br0');
    ok('addr', 'del', '192.0.2.3/24', 'dev', 'v1');
    same('addr', 'show', 'dev', 'v1');
    const text = ok('addr', 'show', 'dev', 'v1');
    expect(text).toContain('inet 192.0.2.2/24 scope global v1');
    expect(text).toContain('inet 198.51.100.1 peer 198.51.100.2/32 scope global v1');
  });

  it('configures routes with ip syntax and shows them exactly as ip -j route does', () => {
    setup();
    t().ip('addr', 'add', '192.0.2.2/24', 'dev', 'v1');
    t().ip('-6', 'addr', 'add', '2001:db8::2/64', 'dev', 'v1', 'nodad');
    ok('route', 'add', '198.51.100.0/24', 'dev', 'v1', 'mtu', '1400', 'advmss', '1300', 'proto', 'static', 'metric', '7');
    ok('route', 'add', '203.0.113.0/24', 'via', '192.0.2.1', 'onlink', 'dev', 'v1', 'table', '1000');
    ok('route', 'add', '203.0.113.128/25', 'nexthop', 'via', '192.0.2.1', 'dev', 'v1', 'weight', '2', 'nexthop', 'via', '192.0.2.3', 'dev', 'v1');
    ok('route', 'add', 'blackhole', '198.51.100.128/25');
    ok('route', 'add', 'unreachable', '198.51.100.64/26', 'metric', '5');
    ok('r', 'add', '2001:db8:1::/64', 'via', '2001:db8::1', 'dev', 'v1');
    ok('route', 'add', 'default', 'via', '192.0.2.1');
    same('route', 'show');
    same('-d', 'route', 'show');
    same('route', 'show', 'table', '1000');
    same('route', 'show', 'table', 'all');
    same('route', 'show', 'dev', 'v1');
    same('route', 'show', 'proto', 'static');
    same('route', 'get', '198.51.100.7');
    same('route', 'get', '203.0.113.200');
    ok('route', 'replace', '198.51.100.0/24', 'via', '192.0.2.1');
    ok('route', 'del', 'default');
    same('route', 'show');
  });

  it('configures neighbours with ip syntax and shows them exactly as ip -j neigh does', () => {
    setup();
    ok('neigh', 'add', '192.0.2.77', 'lladdr', '02:00:00:00:00:02', 'dev', 'v1');
    ok('neigh', 'add', '2001:db8::77', 'lladdr', '02:00:00:00:00:03', 'dev', 'v1', 'nud', 'stale', 'router');
    ok('n', 'add', '192.0.2.78', 'lladdr', '02:00:00:00:00:04', 'dev', 'br0', 'nud', 'reachable');
    same('neigh', 'show');
    same('neigh', 'show', 'dev', 'v1');
    ok('neigh', 'replace', '192.0.2.77', 'lladdr', '02:00:00:00:00:09', 'dev', 'v1', 'nud', 'stale');
    ok('neigh', 'del', '192.0.2.78', 'dev', 'br0');
    same('neigh', 'show');
    expect(ok('neigh', 'show', 'dev', 'v1')).toContain('192.0.2.77 lladdr 02:00:00:00:00:09 STALE');
  });

  it('exits 1 with one line naming a bad argument, 2 with the kernel error', () => {
    setup();
    const cases: Array<[string[], RegExp]> = [
      [['addr', 'add', '192.0.2.300/24', 'dev', 'v1'], /^rtnl: address: invalid IPv4 address "192\.0\.2\.300"/],
      [['addr', 'add', '192.0.2.3/33', 'dev', 'v1'], /prefix length 33/],
      [['addr', 'add', '192.0.2.3/24'], /missing "dev DEV"/],
      [['neigh', 'add', '192.0.2.1', 'lladdr', 'zz', 'dev', 'v1'], /^rtnl: lladdr: invalid MAC address "zz"/],
      [['route', 'add', '198.51.100.0/24', 'via', '192.0.2.1', 'metric', 'x'], /invalid metric "x"/],
      [['route', 'frobnicate'], /unknown route command "frobnicate"/],
    ];
    for (const [args, message] of cases) {
      const r = rtnl(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    ok('addr', 'add', '192.0.2.2/24', 'dev', 'v1');
    const dup = rtnl('addr', 'add', '192.0.2.2/24', 'dev', 'v1');
    expect(dup.status).toBe(2);
    expect(dup.stderr).toMatch(/Address already assigned/);
    const unreach = rtnl('route', 'add', '10.0.0.0/8', 'via', '203.0.113.99');
    expect(unreach.status).toBe(2);
    expect(unreach.stderr).toMatch(/ENETUNREACH/);
  });
});
