/**
 * `rtnl`'s output options other than -j/-d/-s, against `ip` in the same namespace: `-j -p`
 * (json_writer's pretty layout), `-br` (brief tables) and `-o` (one line per record). Compared
 * as text: these forms exist for people and scripts that read them as ip prints them.
 */
import { expect, it } from 'vitest';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

describeKernel('rtnl -p, -br and -o', () => {
  const t = useTestNetns();
  const rtnl = (...args: string[]) => {
    const r = t().rtnl(...args);
    expect(r.stderr, `rtnl ${args.join(' ')}`).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };
  const same = (...args: string[]) => expect(rtnl(...args), `rtnl ${args.join(' ')}`).toBe(t().ip(...args));

  it('prints links, addresses, routes and neighbours as ip -p, -br and -o do', () => {
    const { ip } = t();
    ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ip('link', 'add', 'br0', 'type', 'bridge');
    ip('link', 'set', 'v1', 'master', 'br0');
    ip('tuntap', 'add', 'tap0', 'mode', 'tap');
    ip('addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    ip('addr', 'add', '2001:db8::1/64', 'dev', 'v0', 'nodad');
    ip('link', 'set', 'v0', 'up');
    ip('link', 'set', 'br0', 'up');
    ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.2', 'dev', 'v0', 'onlink');
    ip('neigh', 'add', '192.0.2.7', 'lladdr', '02:00:00:00:00:07', 'dev', 'v0', 'nud', 'permanent');
    ip('addr', 'add', '192.0.2.9', 'peer', '192.0.2.10', 'dev', 'v0');
    ip('link', 'set', 'lo', 'up');

    same('-br', 'link');
    same('-br', '-j', 'link');
    same('-br', 'link', 'show', 'dev', 'v0');
    same('-br', 'link', 'show', 'up');
    same('-br', '-j', 'link', 'show', 'up');
    same('-j', '-p', 'link');
    same('-j', '-p', '-s', 'link', 'show', 'dev', 'v0');
    same('-j', '-p', 'addr');
    same('-j', '-p', 'route');
    same('-j', '-p', 'neigh');
    same('-o', 'link');
    same('-o', '-s', 'link');
    same('-o', 'route');
    same('-o', '-6', 'route');
    same('-o', 'neigh');
    same('-br', 'addr');
    same('-br', '-j', 'addr');
    same('-br', '-4', 'addr');
    same('-br', '-6', '-j', 'addr');
    same('-br', 'addr', 'show', 'dev', 'v0');
    same('-br', 'addr', 'show', 'up');
    same('-o', 'addr');
    same('-o', '-s', 'addr');
    same('-o', '-4', 'addr', 'show', 'dev', 'v0');
  });
});
