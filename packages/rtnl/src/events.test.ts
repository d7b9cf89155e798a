import { encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { HandleClosedError } from './errors.js';
import { Handle } from './handle.js';
import { FakeKernel } from './test-support/fake-kernel.js';
import { RTNLGRP, resolveGroups } from './events/groups.js';
import { eventFromMessage, type RtnlEvent } from './events.js';

const linkMsg = (type: 'RTM_NEWLINK' | 'RTM_DELLINK', index: number, name: string): Message => ({
  header: { type, flags: [], seq: 0, pid: 0 },
  'ifi-family': 0,
  'ifi-type': 1,
  'ifi-index': index,
  'ifi-flags': [],
  'ifi-change': 0,
  attrs: { ifname: name, mtu: 1500, linkinfo: { kind: 'bridge' } },
});

const addrMsg = (type: 'RTM_NEWADDR' | 'RTM_DELADDR'): Message => ({
  header: { type, flags: [], seq: 0, pid: 0 },
  'ifa-family': 2,
  'ifa-prefixlen': 24,
  'ifa-flags': [],
  'ifa-scope': 0,
  'ifa-index': 3,
  attrs: { address: '192.0.2.1', local: '192.0.2.1', label: 'br0' },
});

const routeMsg = (type: 'RTM_NEWROUTE' | 'RTM_DELROUTE'): Message => ({
  header: { type, flags: [], seq: 0, pid: 0 },
  'rtm-family': 2,
  'rtm-dst-len': 24,
  'rtm-src-len': 0,
  'rtm-tos': 0,
  'rtm-table': 254,
  'rtm-protocol': 3,
  'rtm-scope': 0,
  'rtm-type': 1,
  'rtm-flags': 0,
  attrs: { table: 254, dst: '198.51.100.0', gateway: '192.0.2.2', oif: 3 },
});

const neighMsg = (type: 'RTM_NEWNEIGH' | 'RTM_DELNEIGH'): Message => ({
  header: { type, flags: [], seq: 0, pid: 0 },
  'ndm-family': 2,
  'ndm-pad': 0,
  'ndm-ifindex': 3,
  'ndm-state': ['permanent'],
  'ndm-flags': [],
  'ndm-type': 1,
  attrs: { dst: '192.0.2.5', lladdr: '02:00:00:00:00:05' },
});

describe('eventFromMessage', () => {
  it('lifts link notifications into newlink/dellink events carrying the Link and the message', () => {
    const m = linkMsg('RTM_NEWLINK', 7, 'br7');
    const ev = eventFromMessage(m);
    expect(ev).toMatchObject({ type: 'newlink', link: { index: 7, name: 'br7', kind: 'bridge', mtu: 1500 } });
    expect((ev as { message: Message }).message).toBe(m);
    expect(eventFromMessage(linkMsg('RTM_DELLINK', 7, 'br7'))).toMatchObject({ type: 'dellink', link: { index: 7 } });
  });

  it('lifts address, route and neighbour notifications', () => {
    expect(eventFromMessage(addrMsg('RTM_NEWADDR'))).toMatchObject({ type: 'newaddr', addr: { address: '192.0.2.1/24', linkIndex: 3, family: 'inet' } });
    expect(eventFromMessage(addrMsg('RTM_DELADDR'))).toMatchObject({ type: 'deladdr' });
    expect(eventFromMessage(routeMsg('RTM_NEWROUTE'))).toMatchObject({ type: 'newroute', route: { dst: '198.51.100.0/24', gw: '192.0.2.2', linkIndex: 3 } });
    expect(eventFromMessage(routeMsg('RTM_DELROUTE'))).toMatchObject({ type: 'delroute' });
    expect(eventFromMessage(neighMsg('RTM_NEWNEIGH'))).toMatchObject({ type: 'newneigh', neigh: { ip: '192.0.2.5', hardwareAddr: '02:00:00:00:00:05' } });
    expect(eventFromMessage(neighMsg('RTM_DELNEIGH'))).toMatchObject({ type: 'delneigh' });
  });

  it('passes other notifications through as other events and skips control messages', () => {
    const unknown: Message = { header: { type: 80, flags: [], seq: 0, pid: 0 }, payload: new Uint8Array(4) };
    expect(eventFromMessage(unknown)).toEqual({ type: 'other', message: unknown });
    expect(eventFromMessage({ header: { type: 'NLMSG_NOOP', flags: [], seq: 0, pid: 0 } })).toBeUndefined();
    expect(eventFromMessage({ header: { type: 'NLMSG_DONE', flags: [], seq: 0, pid: 0 }, error: 0 })).toBeUndefined();
  });
});

describe('resolveGroups', () => {
  it('maps names to RTNLGRP numbers, keeps numbers, and drops duplicates in order', () => {
    expect(resolveGroups(['link', 'ipv4-ifaddr', 'ipv6-ifaddr', 'ipv4-route', 'ipv6-route', 'neigh'])).toEqual([1, 5, 9, 7, 11, 3]);
    expect(resolveGroups(['ipv4-mroute', 'ipv6-mroute', 'ipv4-rule', 'ipv6-rule', 'nsid', 'ipv4-netconf', 'ipv6-netconf'])).toEqual([6, 10, 8, 19, 28, 24, 25]);
    expect(resolveGroups(['link', 1, 40])).toEqual([1, 40]);
    expect(RTNLGRP['ipv6-acaddr']).toBe(39);
  });

  it('rejects unknown names, bad numbers and empty lists with an error naming the entry', () => {
    expect(() => resolveGroups(['links' as never])).toThrow(TypeError);
    expect(() => resolveGroups(['links' as never])).toThrow(/groups\[0\]: unknown multicast group "links"/);
    expect(() => resolveGroups(['toString' as never])).toThrow(TypeError);
    expect(() => resolveGroups(['link', -1])).toThrow(/groups\[1\]/);
    expect(() => resolveGroups([0])).toThrow(RangeError);
    expect(() => resolveGroups([Number.NaN])).toThrow(RangeError);
    expect(() => resolveGroups([null as never])).toThrow(TypeError);
    expect(() => resolveGroups([])).toThrow(RangeError);
    expect(() => resolveGroups('link' as never)).toThrow(TypeError);
  });
});

describe('Handle.prototype.subscribe', () => {
  const open = () => Handle.open({ transport: new FakeKernel(() => {}) });

  it('yields lifted events from its own transport', async () => {
    const h = open();
    const k = new FakeKernel(() => {});
    const sub = h.subscribe({ transport: k });
    k.push({ bytes: encode([linkMsg('RTM_NEWLINK', 4, 'br4'), routeMsg('RTM_NEWROUTE')]) });
    const a = await sub.next();
    const b = await sub.next();
    expect((a.value as RtnlEvent).type).toBe('newlink');
    expect((b.value as RtnlEvent).type).toBe('newroute');
    h.close();
  });

  it('ends every subscription of a handle when the handle closes', async () => {
    const h = open();
    const k1 = new FakeKernel(() => {});
    const k2 = new FakeKernel(() => {});
    const s1 = h.subscribe({ transport: k1 });
    const s2 = h.subscribe({ transport: k2 });
    const pending = s1.next();
    s2.close(); // already ended: closing the handle must not trip over it
    h.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(k1.closed && k2.closed).toBe(true);
    expect(() => h.subscribe({ transport: new FakeKernel(() => {}) })).toThrow(HandleClosedError);
  });

  it('validates its options before opening anything', () => {
    const h = open();
    expect(() => h.subscribe({ groups: ['bogus' as never] })).toThrow(TypeError);
    expect(() => h.subscribe({ recvBufferSize: 0 })).toThrow(RangeError);
    expect(() => h.subscribe({ recvBufferSize: 1.5 })).toThrow(/recvBufferSize/);
    expect(() => h.subscribe({ queueSize: -3 })).toThrow(/queueSize/);
    expect(() => h.subscribe({ signal: 'x' as never })).toThrow(/signal/);
    expect(() => h.subscribe(42 as never)).toThrow(TypeError);
    const ac = new AbortController();
    ac.abort(new Error('already'));
    expect(() => h.subscribe({ signal: ac.signal, transport: new FakeKernel(() => {}) })).toThrow('already');
    h.close();
  });

  it('removes the abort listener when it ends, so a long-lived signal does not hold it', () => {
    const h = open();
    const ac = new AbortController();
    let listeners = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    ac.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof remove;
    const sub = h.subscribe({ signal: ac.signal, transport: new FakeKernel(() => {}) });
    expect(listeners).toBe(1);
    sub.close();
    expect(listeners).toBe(0);
    h.close();
  });
});

describe('one-kind subscriptions (linkSubscribe, addrSubscribe, routeSubscribe, neighSubscribe)', () => {
  const open = () => Handle.open({ transport: new FakeKernel(() => {}) });
  const all = () => encode([addrMsg('RTM_NEWADDR'), linkMsg('RTM_NEWLINK', 4, 'br4'), routeMsg('RTM_DELROUTE'), neighMsg('RTM_NEWNEIGH')]);

  it('each yields only its own kind of event', async () => {
    const h = open();
    const cases = [
      [h.linkSubscribe.bind(h), 'newlink'],
      [h.addrSubscribe.bind(h), 'newaddr'],
      [h.routeSubscribe.bind(h), 'delroute'],
      [h.neighSubscribe.bind(h), 'newneigh'],
    ] as const;
    for (const [subscribe, type] of cases) {
      const k = new FakeKernel(() => {});
      const sub = subscribe({ transport: k });
      k.push({ bytes: all() });
      k.push({ bytes: all() });
      expect((await sub.next()).value).toMatchObject({ type });
      expect((await sub.next()).value).toMatchObject({ type });
      expect(sub.pending).toBe(0);
      sub.close();
    }
    h.close();
  });

  it('refuses groups (they are fixed) and bad families before opening anything', () => {
    const h = open();
    expect(() => h.linkSubscribe({ groups: ['neigh'] } as never)).toThrow(/groups cannot be given/);
    expect(() => h.addrSubscribe({ family: 'ipx' as never })).toThrow(/family/);
    expect(() => h.routeSubscribe({ family: 5 as never })).toThrow(/family/);
    expect(() => h.neighSubscribe(null as never)).toThrow(TypeError);
    h.close();
  });
});
