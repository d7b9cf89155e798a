/**
 * The `rtnl addr|route|neigh` commands, given the very argv iproute2 ran in each vector, must
 * send the same request bytes `ip` sent (sequence number and port id aside).
 */
import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import '../addr.js';
import '../neigh.js';
import '../route.js';
import { Handle } from '../handle.js';
import { FakeKernel } from '../test-support/fake-kernel.js';
import { ackFor, normalHex, sentOfType, vector } from '../test-support/iproute2-vectors.js';
import type { CliContext } from './args.js';
import { run as runAddr } from './addr.js';
import { run as runNeigh } from './neigh.js';
import { run as runRoute } from './route.js';

const INDEX: Record<string, number> = { lo: 1, br0: 2 };

/** A kernel that knows the links `lo` and `br0` by name and ACKs everything else. */
function linkAwareHandle(): { h: Handle; kernel: FakeKernel } {
  const kernel = new FakeKernel((req, k) => {
    const [m] = decode(req);
    const seq = m!.header.seq;
    if (m!.header.type === 'RTM_GETLINK') {
      const name = (m!.attrs as { ifname?: string }).ifname ?? '';
      const link: Message = {
        header: { type: 'RTM_NEWLINK', flags: [], seq, pid: 0 },
        'ifi-family': 0,
        'ifi-type': 1,
        'ifi-index': INDEX[name] ?? 0,
        'ifi-flags': [],
        'ifi-change': 0,
        attrs: { ifname: name },
      };
      k.push({ bytes: encode(link) });
    }
    k.push({ bytes: ackFor(req) });
  });
  return { h: Handle.open({ transport: kernel }), kernel };
}

const RUNNERS: Record<string, (ctx: CliContext, args: string[]) => Promise<void>> = { addr: runAddr, route: runRoute, neigh: runNeigh };

async function runVector(name: string, type: string): Promise<[string, string]> {
  const v = vector(name);
  const argv = (v as unknown as { argv: string[] }).argv.slice(1); // drop "ip"
  let family: string | undefined;
  while (argv[0]!.startsWith('-')) {
    const opt = argv.shift()!;
    if (opt === '-6') family = 'inet6';
    else if (opt === '-4') family = 'inet';
  }
  const object = argv.shift()!;
  const { h, kernel } = linkAwareHandle();
  const ctx = {
    json: false,
    details: false,
    netns: undefined,
    record: undefined,
    family,
    handle: () => h,
    print: () => undefined,
    printJson: () => undefined,
  } as unknown as CliContext;
  try {
    await RUNNERS[object]!(ctx, argv);
  } finally {
    h.close();
  }
  const ours = kernel.sent.find((b) => decode(b)[0]!.header.type === type);
  expect(ours, `${name}: rtnl sent a ${type}`).toBeDefined();
  return [normalHex(ours!), normalHex(sentOfType(v, type)[0]!)];
}

describe('rtnl addr/route/neigh send what ip sent for the same argv', () => {
  it.each([
    ['addr_add_v4_brd_label', 'RTM_NEWADDR'],
    ['addr_add_v4_brd_plus', 'RTM_NEWADDR'],
    ['addr_add_v6_nodad', 'RTM_NEWADDR'],
    ['addr_del', 'RTM_DELADDR'],
    ['addr_err_eexist', 'RTM_NEWADDR'],
    ['route_add_dev', 'RTM_NEWROUTE'],
    ['route_add_gw', 'RTM_NEWROUTE'],
    ['route_add_metric_table_proto', 'RTM_NEWROUTE'],
    ['route_add_scope_link', 'RTM_NEWROUTE'],
    ['route_add_src', 'RTM_NEWROUTE'],
    ['route_add_unreachable', 'RTM_NEWROUTE'],
    ['route_replace', 'RTM_NEWROUTE'],
    ['route_del', 'RTM_DELROUTE'],
    ['route_err_eexist', 'RTM_NEWROUTE'],
    ['route_err_esrch', 'RTM_DELROUTE'],
    ['neigh_add', 'RTM_NEWNEIGH'],
    ['neigh_replace', 'RTM_NEWNEIGH'],
    ['neigh_del', 'RTM_DELNEIGH'],
    ['neigh_err_enoent', 'RTM_DELNEIGH'],
  ])('%s', async (name, type) => {
    const [ours, theirs] = await runVector(name, type);
    expect(ours).toBe(theirs);
  });
});

describe('ip argument forms the vectors do not cover', () => {
  it('"brd -" sends the network address as broadcast, none for /31 and /32, and is IPv4 only', async () => {
    const { parseAddrArgs } = await import('./addr.js');
    expect(parseAddrArgs(['192.0.2.9/24', 'brd', '-', 'dev', 'v1'], false).spec.broadcast).toBe('192.0.2.0');
    expect(parseAddrArgs(['198.51.100.1', 'peer', '198.51.100.130/25', 'brd', '-', 'dev', 'v1'], false).spec.broadcast).toBe('198.51.100.128');
    expect(parseAddrArgs(['192.0.2.9/31', 'brd', '-', 'dev', 'v1'], false).spec.broadcast).toBeNull();
    expect(() => parseAddrArgs(['2001:db8::1/64', 'brd', '-', 'dev', 'v1'], false)).toThrow(/only for IPv4/);
  });

  it('"brd +" with a peer takes the broadcast of the peer prefix, as ip computes it', async () => {
    const { parseAddrArgs } = await import('./addr.js');
    expect(parseAddrArgs(['192.0.2.140', 'peer', '192.0.2.236/28', 'brd', '+', 'dev', 'v1'], false).spec.broadcast).toBe('192.0.2.239');
    expect(parseAddrArgs(['192.0.2.140', 'peer', '192.0.2.236/31', 'brd', '+', 'dev', 'v1'], false).spec.broadcast).toBeNull();
  });

  it('locks a metric by its RTAX bit and reads rtt/rttvar/rto_min with time units as ip does', async () => {
    const { parseRouteArgs } = await import('./route.js');
    const m = (...args: string[]) => (parseRouteArgs(['198.51.100.0/24', 'dev', 'v1', ...args]) as { metrics?: Record<string, unknown> }).metrics;
    // RTAX_ADVMSS = 8, RTAX_CC_ALGO = 16, RTAX_MTU = 2.
    expect(m('advmss', 'lock', '1000')).toEqual({ lock: 1 << 8, advmss: 1000 });
    expect(m('mtu', 'lock', '1300', 'congctl', 'lock', 'cubic')).toEqual({ lock: (1 << 2) | (1 << 16), mtu: 1300, congctl: 'cubic' });
    // rtt in 1/8 ms, rttvar in 1/4 ms, unless raw (no unit); rto_min in ms.
    expect(m('rtt', '30ms', 'rttvar', '2s', 'rto_min', '200ms')).toEqual({ rtt: 240, rttvar: 8000, rtoMin: 200 });
    expect(m('rtt', '30')).toEqual({ rtt: 30 });
    expect(m('features', 'ecn')).toEqual({ features: 1 });
    expect(() => m('rtt', '3x')).toThrow(/invalid rtt "3x"/);
  });

  it('"nud none" asks for no state bit at all', async () => {
    const { parseNeighArgs } = await import('./neigh.js');
    expect(parseNeighArgs(['192.0.2.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'v1', 'nud', 'none']).state).toEqual([]);
  });
});

describe('route realms, expiry and nexthop ids; neighbour protocols (CLI words)', () => {
  it('parses realms as ip does and refuses what it refuses', async () => {
    const { parseRouteArgs, realmArg } = await import('./route.js');
    const { parseNeighArgs } = await import('./neigh.js');
    expect(realmArg('7')).toBe(7);
    expect(realmArg('3/5')).toBe((3 << 16) | 5);
    expect(realmArg('cosmos/65535')).toBe(65535);
    expect(realmArg('65535/0')).toBe(0xffff0000);
    for (const bad of ['x', '65536', '1/2/3', '-1', '']) expect(() => realmArg(bad), bad).toThrow(/invalid realm/);
    expect(parseRouteArgs(['198.51.100.0/24', 'via', '192.0.2.2', 'realms', '1/2', 'expires', '60'])).toMatchObject({ realm: 0x10002, expires: 60 });
    expect(parseRouteArgs(['198.51.100.0/24', 'nhid', '9'])).toMatchObject({ nhId: 9 });
    expect(parseRouteArgs(['198.51.100.0/24', 'nexthop', 'via', '192.0.2.2', 'realm', '4']).multipath).toEqual([{ gw: '192.0.2.2', realm: 4 }]);
    expect(parseNeighArgs(['192.0.2.1', 'lladdr', '02:00:00:00:00:01', 'dev', 'v0', 'proto', 'static'])).toMatchObject({ protocol: 4 });
    expect(parseNeighArgs(['192.0.2.1', 'dev', 'v0', 'proto', '99'])).toMatchObject({ protocol: 99 });
    expect(() => parseNeighArgs(['192.0.2.1', 'dev', 'v0', 'proto', 'constructor'])).toThrow(/invalid protocol/);
    expect(() => parseNeighArgs(['192.0.2.1', 'dev', 'v0', 'proto', '256'])).toThrow(/invalid proto/);
    expect(parseNeighArgs(['192.0.2.1', 'dev', 'v0', 'proto', '0x10'])).toMatchObject({ protocol: 16 }); // as ip's strtoul(.., 0)
  });

  it('takes only its own words: a name an object inherits is no metric and no protocol', async () => {
    const { parseNeighArgs } = await import('./neigh.js');
    const { parseRouteArgs } = await import('./route.js');
    const { parseRouteSpec } = await import('../route.js');
    for (const w of ['toString', 'constructor', '__proto__']) {
      expect(() => parseRouteArgs(['198.51.100.0/24', 'dev', 'v1', w, '5']), w).toThrow(`unknown route argument "${w}"`);
      // The route CLI passes protocol names on; the library's check refuses inherited ones.
      expect(() => parseRouteSpec(parseRouteArgs(['198.51.100.0/24', 'dev', 'v1', 'proto', w])), w).toThrow(/protocol: unknown name/);
      expect(() => parseNeighArgs(['192.0.2.1', 'dev', 'v0', 'proto', w]), w).toThrow(/invalid protocol/);
      expect(() => parseRouteArgs(['198.51.100.0/24', 'dev', 'v1', 'type', w]), w).toThrow(`invalid route type "${w}"`);
      const { parseAddrArgs } = await import('./addr.js');
      expect(() => parseAddrArgs(['192.0.2.9/24', w, 'dev', 'v1'], false), w).toThrow(`unknown addr argument "${w}"`);
    }
  });
});
