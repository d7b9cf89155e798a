/**
 * The request/reply engine against the real kernel: only the kernel may answer, replies are
 * matched by sequence number under concurrency, handles are isolated, and idle handles do not
 * keep the process alive.
 */
import { spawnSync } from 'node:child_process';
import { encode } from '@nlkit/nl-codec';
import { Handle, netns } from '@nlkit/rtnl';
import * as shim from '@nlkit/syscall-shim';
import { expect, it } from 'vitest';
import { describeKernel, openFdCount, useTestNetns } from './fixtures/netns.js';

const getLink = (index: number) => ({
  header: { type: 'RTM_GETLINK', flags: [] as string[], seq: 0, pid: 0 },
  'ifi-family': 0,
  'ifi-index': index,
  attrs: {},
});
const dumpLinks = () => ({ header: { type: 'RTM_GETLINK', flags: [] as string[], seq: 0, pid: 0 }, 'ifi-family': 0, attrs: {} });

describeKernel('engine on a real socket', () => {
  const t = useTestNetns();

  it('drops forged replies from another socket that knows our port id and sequence numbers', async () => {
    const { ns, h } = t();
    // The attacker: another NETLINK_ROUTE socket in the same namespace.
    const evil = shim.inNetns(ns.fd, () => shim.socket(shim.AF_NETLINK, shim.SOCK_RAW, shim.NETLINK_ROUTE));
    try {
      shim.bind(evil, { pid: 0, groups: 0 });
      const nextSeq: number = (h.engine as unknown as { nextSeq: number }).nextSeq;
      // Pre-queue, for the next few sequence numbers: an error, a DONE and a fake link.
      for (let s = nextSeq; s < nextSeq + 5; s++) {
        const forged = encode([
          { header: { type: 'NLMSG_ERROR', flags: ['capped'], seq: s, pid: h.portId }, error: -1, request: { header: { type: 'RTM_GETLINK', flags: ['request'], seq: s, pid: h.portId } } },
          { header: { type: 'NLMSG_DONE', flags: ['multi'], seq: s, pid: h.portId }, error: 0 },
        ]);
        shim.sendto(evil, forged, 0, { pid: h.portId, groups: 0 });
      }
      const before = h.stats.foreignDropped;
      const [lo] = await h.request(getLink(1));
      expect((lo as unknown as { attrs: { ifname: string } }).attrs.ifname).toBe('lo');
      const links = await h.request(dumpLinks(), { dump: true });
      expect(links).toHaveLength(1);
      expect(h.stats.foreignDropped - before).toBeGreaterThanOrEqual(2);
    } finally {
      evil.close();
    }
  });

  it('settles 1,000 concurrent requests, some failing, with a dump in the middle, each with its own result', async () => {
    const { h } = t();
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i === 500) ops.push(h.request(dumpLinks(), { dump: true }));
      // Even: lo (exists); odd: ifindex 10000+i (ENODEV).
      ops.push(h.request(getLink(i % 2 === 0 ? 1 : 10000 + i)));
    }
    const results = await Promise.allSettled(ops);
    expect(results).toHaveLength(1001);
    results.forEach((r, k) => {
      const i = k > 500 ? k - 1 : k;
      if (k === 500) {
        expect(r.status).toBe('fulfilled');
        return;
      }
      if (i % 2 === 0) {
        expect(r.status).toBe('fulfilled');
        expect(((r as PromiseFulfilledResult<{ attrs: { ifname: string } }[]>).value[0]!).attrs.ifname).toBe('lo');
      } else {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ENODEV', errno: -19 });
      }
    });
    expect(h.engine.inFlight).toBe(0);
  });

  it('keeps two handles on one namespace from seeing each other’s replies', async () => {
    const { ns, h } = t();
    const h2 = Handle.open({ netns: ns });
    try {
      const [a, b] = await Promise.all([
        Promise.all(Array.from({ length: 200 }, () => h.request(getLink(1)))),
        Promise.all(Array.from({ length: 200 }, () => h2.request(dumpLinks(), { dump: true }))),
      ]);
      expect(a.every((r) => r.length === 1)).toBe(true);
      expect(b.every((r) => r.length === 1)).toBe(true);
      expect(h.stats.unmatched + h2.stats.unmatched).toBe(0);
    } finally {
      h2.close();
    }
  });

  it('closes its socket on close(): no fd is left behind by 200 open/close cycles', () => {
    const { ns } = t();
    const before = openFdCount();
    for (let i = 0; i < 200; i++) Handle.open({ netns: ns }).close();
    expect(openFdCount()).toBe(before);
  });

  it('rejects a request on a closed handle without a system call', async () => {
    const { ns } = t();
    const h2 = Handle.open({ netns: ns });
    h2.close();
    await expect(h2.request(getLink(1))).rejects.toMatchObject({ code: 'ERR_HANDLE_CLOSED' });
  });

  it('lets a script with open idle handles simply end', () => {
    const script = `
      import { Handle, netns } from '@nlkit/rtnl';
      const ns = netns.create();
      const hs = [Handle.open({ netns: ns }), Handle.open({ netns: ns })];
      // Kept reachable on purpose: this checks that open idle handles do not hold the process,
      // not the leak net (which warns when an unclosed fd object is garbage-collected).
      globalThis.keep = { ns, hs };
      await hs[0].request({ header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-family': 0, 'ifi-index': 1, attrs: {} });
      console.log('done');
    `;
    // A child that does not end by itself is killed at the timeout: no status 0 then.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000, cwd: __dirname });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('done');
    expect(r.status).toBe(0);
  });

  it('creates a namespace without moving the caller', () => {
    const before = shim.netnsInode();
    const ns = netns.create();
    try {
      expect(shim.netnsInode()).toBe(before);
      expect(ns.inode).not.toBe(before);
      expect(ns.isInitial()).toBe(false);
    } finally {
      ns.close();
    }
  });
});
