import type { Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { eventFromMessage, type RtnlEvent } from '../events.js';
import type { Link } from '../link/link.js';
import { CliError } from './args.js';
import { monitorIpJson, type MonitorPrintContext } from './ipjson/monitor.js';
import { monitorText, parseMonitorArgs } from './monitor.js';

const header = (type: string) => ({ type, flags: [], seq: 0, pid: 0 });

const linkEvent = (type: 'RTM_NEWLINK' | 'RTM_DELLINK', index: number, name: string, extra: Record<string, unknown> = {}): RtnlEvent =>
  eventFromMessage({
    header: header(type),
    'ifi-family': 0,
    'ifi-type': 1,
    'ifi-index': index,
    'ifi-flags': ['broadcast', 'multicast'],
    'ifi-change': 0,
    attrs: { ifname: name, txqlen: 1000, operstate: 2, mtu: 1500, group: 0, address: '02:00:00:00:00:01', broadcast: 'ff:ff:ff:ff:ff:ff', ...extra },
  } as Message)!;

const addrEvent = (type: 'RTM_NEWADDR' | 'RTM_DELADDR', index: number): RtnlEvent =>
  eventFromMessage({
    header: header(type),
    'ifa-family': 2,
    'ifa-prefixlen': 24,
    'ifa-flags': ['permanent'],
    'ifa-scope': 0,
    'ifa-index': index,
    attrs: { address: '192.0.2.1', local: '192.0.2.1', label: 'br0', flags: ['permanent'] },
  } as Message)!;

const routeEvent = (type: 'RTM_NEWROUTE' | 'RTM_DELROUTE'): RtnlEvent =>
  eventFromMessage({
    header: header(type),
    'rtm-family': 2,
    'rtm-dst-len': 24,
    'rtm-src-len': 0,
    'rtm-tos': 0,
    'rtm-table': 254,
    'rtm-protocol': 3,
    'rtm-scope': 0,
    'rtm-type': 'unicast',
    'rtm-flags': 0,
    attrs: { table: 254, dst: '198.51.100.0', gateway: '192.0.2.2', oif: 2 },
  } as Message)!;

const neighEvent = (type: 'RTM_NEWNEIGH' | 'RTM_DELNEIGH'): RtnlEvent =>
  eventFromMessage({
    header: header(type),
    'ndm-family': 2,
    'ndm-pad': 0,
    'ndm-ifindex': 2,
    'ndm-state': ['permanent'],
    'ndm-flags': [],
    'ndm-type': 1,
    attrs: { dst: '192.0.2.5', lladdr: '02:00:00:00:00:05' },
  } as Message)!;

function context(): MonitorPrintContext {
  const br = (linkEvent('RTM_NEWLINK', 2, 'br0') as { link: Link }).link;
  return { details: false, byIndex: new Map([[2, br]]) };
}

describe('parseMonitorArgs', () => {
  it('watches links, addresses, routes and neighbours without a prefix when no object is given', () => {
    const r = parseMonitorArgs([]);
    expect([...r.objects].sort()).toEqual(['address', 'link', 'neigh', 'route']);
    expect(r.label).toBe(false);
  });

  it('labels lines with "all", as ip monitor all does', () => {
    const r = parseMonitorArgs(['all']);
    expect(r.objects.size).toBe(4);
    expect(r.label).toBe(true);
  });

  it('accepts ip-style prefixes and several objects', () => {
    expect([...parseMonitorArgs(['l']).objects]).toEqual(['link']);
    expect([...parseMonitorArgs(['a', 'r']).objects]).toEqual(['address', 'route']);
    expect([...parseMonitorArgs(['neighbour']).objects]).toEqual(['neigh']);
    expect(parseMonitorArgs(['link', 'label']).label).toBe(true);
    expect(parseMonitorArgs(['help']).help).toBe(true);
  });

  it('rejects an unknown object with a CliError naming it', () => {
    expect(() => parseMonitorArgs(['link', 'rules'])).toThrow(CliError);
    expect(() => parseMonitorArgs(['rules'])).toThrow('unknown monitor object "rules"');
  });
});

describe('monitorText', () => {
  it('prints a link on one line, joined with a backslash as ip -o does', () => {
    const line = monitorText(linkEvent('RTM_NEWLINK', 2, 'br0'), context())!;
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^2: br0: <BROADCAST,MULTICAST> mtu 1500 .*\\ {4}link\/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff$/);
  });

  it('prefixes deletions with "Deleted "', () => {
    expect(monitorText(linkEvent('RTM_DELLINK', 2, 'br0'), context())).toMatch(/^Deleted 2: br0: </);
    expect(monitorText(addrEvent('RTM_DELADDR', 2), context())).toMatch(/^Deleted 2: br0 {4}inet 192\.0\.2\.1\/24/);
    // ip monitor prints routes and neighbours with print_route/print_neigh: each item ends with a space.
    expect(monitorText(routeEvent('RTM_DELROUTE'), context())).toBe('Deleted 198.51.100.0/24 via 192.0.2.2 dev br0 ');
    expect(monitorText(neighEvent('RTM_DELNEIGH'), context())).toBe('Deleted 192.0.2.5 dev br0 lladdr 02:00:00:00:00:05 PERMANENT ');
  });

  it('prints an address as ip monitor does: index, device, then the address block', () => {
    expect(monitorText(addrEvent('RTM_NEWADDR', 2), context())).toBe(
      '2: br0    inet 192.0.2.1/24 scope global br0\\       valid_lft forever preferred_lft forever',
    );
  });

  it('names a device it does not know if<N>', () => {
    expect(monitorText(addrEvent('RTM_NEWADDR', 9), context())).toMatch(/^9: if9 {4}inet /);
  });

  it('prints nothing for events of other groups', () => {
    expect(monitorText({ type: 'other', message: { header: header('RTM_NEWNSID') } }, context())).toBeUndefined();
  });
});

describe('monitorIpJson', () => {
  it('adds "event" in front of the keys link show prints', () => {
    const o = monitorIpJson(linkEvent('RTM_NEWLINK', 2, 'br0'), context())!;
    expect(Object.keys(o)[0]).toBe('event');
    expect(o).toMatchObject({ event: 'newlink', ifindex: 2, ifname: 'br0', mtu: 1500, address: '02:00:00:00:00:01' });
    expect(monitorIpJson(linkEvent('RTM_DELLINK', 2, 'br0'), context())).toMatchObject({ event: 'dellink', ifindex: 2 });
  });

  it('prints an address as its link entry of addr show holding that one address', () => {
    const o = monitorIpJson(addrEvent('RTM_NEWADDR', 2), context())!;
    expect(o).toMatchObject({ event: 'newaddr', ifindex: 2, ifname: 'br0' });
    expect(o.addr_info).toEqual([expect.objectContaining({ family: 'inet', local: '192.0.2.1', prefixlen: 24, label: 'br0' })]);
    expect(monitorIpJson(addrEvent('RTM_DELADDR', 9), context())).toMatchObject({ event: 'deladdr', ifindex: 9 });
  });

  it('prints routes and neighbours with the keys of route show and neigh show', () => {
    expect(monitorIpJson(routeEvent('RTM_NEWROUTE'), context())).toMatchObject({ event: 'newroute', dst: '198.51.100.0/24', gateway: '192.0.2.2', dev: 'br0' });
    expect(monitorIpJson(neighEvent('RTM_NEWNEIGH'), context())).toEqual({
      event: 'newneigh',
      dst: '192.0.2.5',
      dev: 'br0',
      lladdr: '02:00:00:00:00:05',
      state: ['PERMANENT'],
    });
  });

  it('prints an overrun so a JSON consumer knows to re-list', () => {
    expect(monitorIpJson({ type: 'overrun', reason: 'enobufs' }, context())).toEqual({ event: 'overrun', reason: 'enobufs' });
  });
});
