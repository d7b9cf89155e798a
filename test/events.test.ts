/**
 * Real-kernel tests of `handle.subscribe()`: every change is made inside a namespace created
 * by the fixture (never the host's), by a second handle or by `ip` run inside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Handle, type AddrEvent, type LinkEvent, type NeighEvent, type OtherEvent, type OverrunEvent, type RouteEvent, type RtnlEvent, type Subscription } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { createTestNetns, describeKernel, openFdCount, useTestNetns } from './fixtures/netns.js';
import { runChild, startChild } from './fixtures/child.js';

const here = dirname(fileURLToPath(import.meta.url));
const rtnlDist = resolve(here, '../packages/rtnl/dist/index.js');

/**
 * Read events until one matches; fail with what was seen if none does in time (a hang guard,
 * not a speed assertion).
 */
async function waitFor<E extends RtnlEvent>(
  sub: Subscription<RtnlEvent>,
  match: (e: RtnlEvent) => e is E,
  what: string,
  timeoutMs = 15_000,
): Promise<E> {
  const seen: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} event within ${timeoutMs} ms; saw: ${seen.join(', ') || 'nothing'}`)), timeoutMs);
  });
  try {
    for (;;) {
      const r = await Promise.race([sub.next(), timeout]);
      if (r.done) throw new Error(`subscription ended before a ${what} event; saw: ${seen.join(', ')}`);
      if (match(r.value)) return r.value;
      seen.push(describeEvent(r.value));
    }
  } finally {
    clearTimeout(timer);
  }
}

function describeEvent(e: RtnlEvent): string {
  switch (e.type) {
    case 'newlink':
    case 'dellink':
      return `${e.type} ${e.link.name}`;
    case 'newaddr':
    case 'deladdr':
      return `${e.type} ${e.addr.address}`;
    case 'newroute':
    case 'delroute':
      return `${e.type} ${e.route.dst ?? 'default'}`;
    case 'newneigh':
    case 'delneigh':
      return `${e.type} ${String(e.neigh.ip ?? e.neigh.hardwareAddr)}`;
    case 'other':
      return `other ${String(e.message.header.type)}`;
    case 'overrun':
      return `overrun ${e.reason}`;
    case 'listed':
      return 'listed';
  }
}

const isLink = (type: 'newlink' | 'dellink', name: string) => (e: RtnlEvent): e is LinkEvent =>
  e.type === type && e.link.name === name;
const isAddr = (type: 'newaddr' | 'deladdr', address: string) => (e: RtnlEvent): e is AddrEvent =>
  e.type === type && e.addr.address === address;
const isRoute = (type: 'newroute' | 'delroute', dst: string) => (e: RtnlEvent): e is RouteEvent =>
  e.type === type && e.route.dst === dst;
const isNeigh = (type: 'newneigh' | 'delneigh', ip: string) => (e: RtnlEvent): e is NeighEvent =>
  e.type === type && e.neigh.ip === ip;
const isOverrun = (e: RtnlEvent): e is OverrunEvent => e.type === 'overrun';

describeKernel('subscribe: events from the kernel', () => {
  const t = useTestNetns();

  it('reports a link created, changed and deleted by a second handle as newlink/newlink/dellink', async () => {
    const { h, ns } = t();
    const sub = h.subscribe({ groups: ['link'] });
    const h2 = Handle.open({ netns: ns });
    try {
      const br = await h2.linkAdd({ kind: 'bridge', name: 'evbr0' });
      const added = await waitFor(sub, isLink('newlink', 'evbr0'), 'newlink evbr0');
      expect(added.link.index).toBe(br.index);
      expect(added.link.kind).toBe('bridge');
      expect(added.message.header.type).toBe('RTM_NEWLINK');

      await h2.linkSetMTU(br, 1400);
      const changed = await waitFor(sub, (e): e is LinkEvent => e.type === 'newlink' && e.link.mtu === 1400, 'newlink mtu 1400');
      expect(changed.link.name).toBe('evbr0');

      await h2.linkDel(br);
      const deleted = await waitFor(sub, isLink('dellink', 'evbr0'), 'dellink evbr0');
      expect(deleted.link.index).toBe(br.index);
      expect(deleted.message.header.type).toBe('RTM_DELLINK');
    } finally {
      sub.close();
      h2.close();
    }
  });

  it('reports links, addresses, routes and neighbours changed by ip in the same namespace', async () => {
    const { h, ip } = t();
    const sub = h.subscribe(); // default groups: link, addresses, routes, neighbours
    try {
      ip('link', 'add', 'ipbr0', 'type', 'bridge');
      const link = (await waitFor(sub, isLink('newlink', 'ipbr0'), 'newlink ipbr0')).link;
      ip('link', 'set', 'ipbr0', 'up');
      ip('addr', 'add', '192.0.2.1/24', 'dev', 'ipbr0');
      const a4 = await waitFor(sub, isAddr('newaddr', '192.0.2.1/24'), 'newaddr 192.0.2.1/24');
      expect(a4.addr.linkIndex).toBe(link.index);
      expect(a4.addr.family).toBe('inet');
      ip('-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'ipbr0', 'nodad');
      const a6 = await waitFor(sub, isAddr('newaddr', '2001:db8::1/64'), 'newaddr 2001:db8::1/64');
      expect(a6.addr.family).toBe('inet6');

      ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.2');
      const r4 = await waitFor(sub, isRoute('newroute', '198.51.100.0/24'), 'newroute 198.51.100.0/24');
      expect(r4.route.gw).toBe('192.0.2.2');
      expect(r4.route.linkIndex).toBe(link.index);
      ip('-6', 'route', 'add', '2001:db8:1::/64', 'via', '2001:db8::2');
      const r6 = await waitFor(sub, isRoute('newroute', '2001:db8:1::/64'), 'newroute 2001:db8:1::/64');
      expect(r6.route.gw).toBe('2001:db8::2');

      ip('neigh', 'add', '192.0.2.5', 'lladdr', '02:00:00:00:00:05', 'dev', 'ipbr0', 'nud', 'permanent');
      const n = await waitFor(sub, isNeigh('newneigh', '192.0.2.5'), 'newneigh 192.0.2.5');
      expect(n.neigh.hardwareAddr).toBe('02:00:00:00:00:05');
      expect(n.neigh.linkIndex).toBe(link.index);

      ip('neigh', 'del', '192.0.2.5', 'dev', 'ipbr0');
      await waitFor(sub, isNeigh('delneigh', '192.0.2.5'), 'delneigh 192.0.2.5');
      ip('route', 'del', '198.51.100.0/24');
      await waitFor(sub, isRoute('delroute', '198.51.100.0/24'), 'delroute 198.51.100.0/24');
      ip('addr', 'del', '192.0.2.1/24', 'dev', 'ipbr0');
      await waitFor(sub, isAddr('deladdr', '192.0.2.1/24'), 'deladdr 192.0.2.1/24');
      ip('link', 'del', 'ipbr0');
      await waitFor(sub, isLink('dellink', 'ipbr0'), 'dellink ipbr0');
      expect(sub.stats.foreignDropped).toBe(0);
      expect(sub.stats.overruns).toBe(0);
    } finally {
      sub.close();
    }
  });

  it('reports addresses, routes and neighbours changed by a second handle', async () => {
    const { h, ns } = t();
    const h2 = Handle.open({ netns: ns });
    const sub = h.subscribe({ groups: ['ipv4-ifaddr', 'ipv4-route', 'neigh'] });
    try {
      const br = await h2.linkAdd({ kind: 'bridge', name: 'hbr0' });
      await h2.linkSetUp(br);
      await h2.addrAdd(br, '203.0.113.1/24');
      const a = await waitFor(sub, isAddr('newaddr', '203.0.113.1/24'), 'newaddr 203.0.113.1/24');
      expect(a.addr.linkIndex).toBe(br.index);
      await h2.routeAdd({ dst: '198.51.100.0/25', gw: '203.0.113.254' });
      const r = await waitFor(sub, isRoute('newroute', '198.51.100.0/25'), 'newroute 198.51.100.0/25');
      expect(r.route.gw).toBe('203.0.113.254');
      await h2.neighAdd({ linkIndex: br.index, ip: '203.0.113.7', hardwareAddr: '02:00:00:00:00:07', state: ['permanent'] });
      const n = await waitFor(sub, isNeigh('newneigh', '203.0.113.7'), 'newneigh 203.0.113.7');
      expect(n.neigh.hardwareAddr).toBe('02:00:00:00:00:07');
      await h2.routeDel({ dst: '198.51.100.0/25', gw: '203.0.113.254' });
      await waitFor(sub, isRoute('delroute', '198.51.100.0/25'), 'delroute 198.51.100.0/25');
      await h2.addrDel(br, '203.0.113.1/24');
      await waitFor(sub, isAddr('deladdr', '203.0.113.1/24'), 'deladdr 203.0.113.1/24');
    } finally {
      sub.close();
      h2.close();
    }
  });

  it('with listExisting, delivers what exists, then listed, then changes', async () => {
    const { h, ip } = t();
    ip('link', 'add', 'exbr0', 'type', 'bridge');
    ip('link', 'set', 'exbr0', 'up');
    ip('addr', 'add', '192.0.2.1/24', 'dev', 'exbr0');
    ip('-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'exbr0', 'nodad');
    ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.2');
    ip('neigh', 'add', '192.0.2.5', 'lladdr', '02:00:00:00:00:05', 'dev', 'exbr0', 'nud', 'permanent');
    const sub = h.subscribe({ listExisting: true });
    try {
      const before: RtnlEvent[] = [];
      for (;;) {
        const r = await sub.next();
        if (r.done) throw new Error('ended');
        if (r.value.type === 'listed') break;
        before.push(r.value);
      }
      const seen = before.map(describeEvent);
      expect(seen).toEqual(expect.arrayContaining(['newlink lo', 'newlink exbr0', 'newaddr 192.0.2.1/24', 'newaddr 2001:db8::1/64', 'newroute 198.51.100.0/24', 'newneigh 192.0.2.5']));
      // Routes of every table, as ip monitor would show them: the local table's too.
      expect(before.some((e) => e.type === 'newroute' && e.route.table === 255)).toBe(true);
      expect(before.every((e) => e.type.startsWith('new'))).toBe(true);
      ip('addr', 'add', '203.0.113.9/24', 'dev', 'exbr0');
      await waitFor(sub, isAddr('newaddr', '203.0.113.9/24'), 'newaddr 203.0.113.9/24');
    } finally {
      sub.close();
    }
  });

  it('with listExisting and only IPv4 address groups, lists only IPv4 addresses', async () => {
    const { h, ip } = t();
    ip('link', 'add', 'exbr1', 'type', 'bridge');
    ip('addr', 'add', '192.0.2.1/24', 'dev', 'exbr1');
    ip('-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'exbr1', 'nodad');
    const sub = h.subscribe({ groups: ['ipv4-ifaddr'], listExisting: true });
    try {
      const seen: string[] = [];
      for (;;) {
        const r = await sub.next();
        if (r.done || r.value.type === 'listed') break;
        seen.push(describeEvent(r.value));
      }
      // lo is down in a fresh namespace, so it has no 127.0.0.1 yet.
      expect(seen).toEqual(['newaddr 192.0.2.1/24']);
    } finally {
      sub.close();
    }
  });

  it('addrSubscribe({ family }) joins only that family, and linkSubscribe only links', async () => {
    const { h, ip } = t();
    ip('link', 'add', 'kbr0', 'type', 'bridge');
    const v6 = h.addrSubscribe({ family: 'inet6' });
    const links = h.linkSubscribe();
    try {
      ip('addr', 'add', '192.0.2.1/24', 'dev', 'kbr0');
      ip('-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'kbr0', 'nodad');
      const first = await v6.next();
      expect(first.value).toMatchObject({ type: 'newaddr', addr: { address: '2001:db8::1/64', family: 'inet6' } });
      ip('link', 'set', 'kbr0', 'mtu', '1400');
      const types = new Set<string>();
      for (;;) {
        const r = await links.next();
        if (r.done) throw new Error('ended');
        types.add(r.value.type);
        if (r.value.type === 'newlink' && r.value.link.mtu === 1400) break;
      }
      expect([...types]).toEqual(['newlink']); // the address changes never reached it
    } finally {
      v6.close();
      links.close();
    }
  });

  it("records its notifications in the handle's capture file", async () => {
    const { ns, ip } = t();
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-ev-pcap-'));
    const file = join(dir, 'cap.pcap');
    const h2 = Handle.open({ netns: ns, record: file });
    try {
      const sub = h2.subscribe({ groups: ['link'] });
      const empty = statSync(file).size; // the pcap header only: the handle sent nothing
      ip('link', 'add', 'capbr0', 'type', 'bridge');
      await waitFor(sub, isLink('newlink', 'capbr0'), 'newlink capbr0');
      sub.close();
      h2.close();
      const bytes = readFileSync(file);
      expect(bytes.length).toBeGreaterThan(empty);
      // The interface name travels in the recorded RTM_NEWLINK.
      expect(bytes.includes(Buffer.from('capbr0\0'))).toBe(true);
    } finally {
      h2.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('listens in the namespace of its handle, not in the current one or another', async () => {
    const { h, ip } = t();
    const other = createTestNetns();
    const sub = h.subscribe({ groups: ['link'] });
    try {
      other.ip('link', 'add', 'elsewhere0', 'type', 'bridge');
      ip('link', 'add', 'here0', 'type', 'bridge');
      const first = await waitFor(sub, (e): e is LinkEvent => e.type === 'newlink', 'newlink');
      expect(first.link.name).toBe('here0');
    } finally {
      sub.close();
      other.close();
    }
  });

  it('accepts other groups by name and number and yields their notifications as other events', async () => {
    const { h, ip } = t();
    // Creating a link makes the kernel announce its IPv4 netconf (RTM_NEWNETCONF).
    const sub = h.subscribe({ groups: ['ipv4-netconf', 28 /* nsid */, 'ipv4-rule'] });
    try {
      ip('link', 'add', 'ncbr0', 'type', 'bridge');
      const ev = await waitFor(sub, (e): e is OtherEvent => e.type === 'other', 'other');
      expect(ev.message.header).toBeDefined();
    } finally {
      sub.close();
    }
  });

  it('delivers an overrun when the receive buffer overflows, then keeps delivering events', async () => {
    const { h, exec, ip } = t();
    // A tiny buffer (the kernel doubles it and applies its minimum) and a burst of ~200 links
    // while this process is blocked in spawnSync, so nothing is read during the burst. ifb
    // links, because a namespace full of bridges takes seconds to tear down.
    const sub = h.subscribe({ groups: ['link'], recvBufferSize: 4096 });
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-ev-'));
    try {
      const batch = join(dir, 'batch');
      writeFileSync(batch, Array.from({ length: 200 }, (_, i) => `link add burst${i} type ifb\n`).join(''));
      const r = exec('ip', ['-batch', batch]);
      expect(r.status, r.stderr).toBe(0);
      const over = await waitFor(sub, isOverrun, 'overrun');
      expect(over.reason).toBe('enobufs');
      expect(sub.stats.overruns).toBeGreaterThanOrEqual(1);
      // Still alive: a change made now arrives.
      ip('link', 'add', 'after0', 'type', 'bridge');
      const after = await waitFor(sub, isLink('newlink', 'after0'), 'newlink after0');
      expect(after.link.kind).toBe('bridge');
      expect(sub.closed).toBe(false);
    } finally {
      sub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops reading at queueSize, so a slow consumer gets an overrun from the kernel instead of unbounded memory', async () => {
    const { h, ns } = t();
    const h2 = Handle.open({ netns: ns });
    const br = await h2.linkAdd({ kind: 'bridge', name: 'slow0' });
    const sub = h.subscribe({ groups: ['link'], recvBufferSize: 4096, queueSize: 4 });
    try {
      // The event loop turns between these changes (unlike a spawnSync burst), so only the
      // queue bound keeps the subscription from reading everything into memory.
      for (let i = 0; i < 150; i++) {
        await h2.linkSetMTU(br, 1000 + i);
        await new Promise((r) => setTimeout(r, 1));
      }
      expect(sub.pending).toBe(4);
      expect(sub.stats.datagrams).toBe(4);
      const types: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await sub.next();
        types.push(r.done ? 'done' : r.value.type);
      }
      expect(types).toEqual(['newlink', 'newlink', 'newlink', 'newlink', 'overrun']);
      // And it goes on: the newest state arrives after the overrun.
      await h2.linkSetMTU(br, 1400);
      const last = await waitFor(sub, (e): e is LinkEvent => e.type === 'newlink' && e.link.mtu === 1400, 'newlink mtu 1400');
      expect(last.link.index).toBe(br.index);
    } finally {
      sub.close();
      h2.close();
    }
  });

  it('reports an overflow that happens while it waits for readiness as an overrun, not a socket error', async () => {
    const { h, ns } = t();
    const h2 = Handle.open({ netns: ns });
    const br = await h2.linkAdd({ kind: 'bridge', name: 'poll0' });
    const sub = h.subscribe({ groups: ['link'], recvBufferSize: 4096 });
    try {
      // Each request completes without a turn of the event loop, so the burst overflows the
      // socket while its readiness wait is armed: epoll then reports an error (EPOLLERR),
      // which libuv passes on as a failed poll.
      for (let i = 0; i < 150; i++) await h2.linkSetMTU(br, 1000 + i);
      await new Promise((r) => setTimeout(r, 50));
      expect(sub.closed).toBe(false);
      const over = await waitFor(sub, isOverrun, 'overrun');
      expect(over.reason).toBe('enobufs');
      await h2.linkSetMTU(br, 1400);
      await waitFor(sub, (e): e is LinkEvent => e.type === 'newlink' && e.link.mtu === 1400, 'newlink mtu 1400');
    } finally {
      sub.close();
      h2.close();
    }
  });

  it('closes its socket when a for-await loop breaks, and the handle stays usable', async () => {
    const { h, ip } = t();
    const before = openFdCount();
    const sub = h.subscribe({ groups: ['link'] });
    expect(openFdCount()).toBe(before + 1);
    ip('link', 'add', 'brk0', 'type', 'bridge');
    let got: string | undefined;
    for await (const ev of sub) {
      if (ev.type === 'newlink') {
        got = ev.link.name;
        break;
      }
    }
    expect(got).toBe('brk0');
    expect(sub.closed).toBe(true);
    expect(openFdCount()).toBe(before);
    const links = await h.linkList();
    expect(links.map((l) => l.name)).toContain('brk0');
  });

  it('ends its subscriptions when the handle is closed, and refuses new ones', async () => {
    const { ns } = t();
    const h2 = Handle.open({ netns: ns });
    const before = openFdCount();
    const sub = h2.subscribe({ groups: ['link'] });
    const pending = sub.next();
    h2.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(sub.closed).toBe(true);
    expect(openFdCount()).toBe(before - 1); // the handle's own socket went too
    expect(() => h2.subscribe()).toThrow(/closed/);
  });

  it('ends on abort: the waiting next() rejects with the reason and the socket is closed', async () => {
    const { h } = t();
    const before = openFdCount();
    const ac = new AbortController();
    const sub = h.subscribe({ groups: ['link'], signal: ac.signal });
    const pending = sub.next();
    ac.abort(new Error('enough'));
    await expect(pending).rejects.toThrow('enough');
    expect(openFdCount()).toBe(before);
    const ac2 = new AbortController();
    ac2.abort();
    expect(() => h.subscribe({ signal: ac2.signal })).toThrow();
    expect(openFdCount()).toBe(before);
  });

  it('rejects bad options with a TypeError or RangeError naming the field, before any system call', () => {
    const { h } = t();
    const before = openFdCount();
    expect(() => h.subscribe({ groups: ['lnk' as never] })).toThrow(TypeError);
    expect(() => h.subscribe({ groups: ['lnk' as never] })).toThrow(/groups\[0\].*"lnk"/);
    expect(() => h.subscribe({ groups: [] })).toThrow(RangeError);
    expect(() => h.subscribe({ groups: [0] })).toThrow(/groups\[0\]/);
    expect(() => h.subscribe({ groups: [1.5] })).toThrow(RangeError);
    expect(() => h.subscribe({ recvBufferSize: -1 })).toThrow(/recvBufferSize/);
    expect(() => h.subscribe({ queueSize: 0 })).toThrow(/queueSize/);
    expect(() => h.subscribe({ signal: {} as AbortSignal })).toThrow(/signal/);
    expect(() => h.subscribe({ listExisting: 'yes' as never })).toThrow(/listExisting/);
    expect(openFdCount()).toBe(before);
  });

  it('lets a child process that subscribes and then finishes exit at once', () => {
    const r = runChild(`
      const h = Handle.open();
      // 1: a subscription nobody reads.
      const idle = h.subscribe();
      // 2: one that was read from, then left idle without close().
      const used = h.subscribe({ groups: ['link'] });
      await h.linkAdd({ kind: 'bridge', name: 'child0' });
      const ev = await used.next();
      // Reachable on purpose: the point is that idle subscriptions do not hold the process, not the
      // fd leak net (which warns when an unclosed fd object is garbage-collected).
      globalThis.keep = { h, idle, used };
      console.log('got', ev.value.type, ev.value.link.name);
    `);
    expect(r.error, 'the child did not exit by itself').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('got newlink child0');
  });

  it('keeps a child process alive while a next() is pending, and lets it exit after the event', async () => {
    const child = startChild(`
      const sub = Handle.open().subscribe({ groups: ['link'] });
      // Nothing but this pending next() holds the process: no timer, no request.
      sub.next().then((r) => console.log('got', r.value.type, r.value.link.name));
      console.log('ready');
    `);
    try {
      const ours = readlinkSync('/proc/self/ns/net');
      let out = '';
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await new Promise<void>((r) => child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), out.includes('ready') && r())));
      // Give it time to exit if the pending next() did not hold it (it must not).
      await new Promise((r) => setTimeout(r, 500));
      expect(child.exitCode, err).toBeNull();
      const target = `/proc/${child.pid}/ns/net`;
      expect(readlinkSync(target)).not.toBe(ours); // unshare exec'd node: its namespace, not ours
      const r = spawnSync('nsenter', [`--net=${target}`, 'ip', 'link', 'add', 'late0', 'type', 'bridge'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(await exited).toBe(0);
      expect(out).toContain('got newlink late0');
      expect(err).toBe('');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
