import { decode, encode } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { HandleClosedError, type NetlinkError } from './errors.js';
import { Handle } from './handle.js';
import type { RouteSpec } from './route.js';
import './batch.js';
import './link/index.js';
import { AsyncFakeKernel, routeAnswers, sysError, type FakeKernel } from './test-support/fake-kernel.js';

const dstOf = (i: number): string => `10.${(i >> 8) & 255}.${i & 255}.0/24`;

/** Route specs with failures spread over many datagrams: which fail, and with what. */
function mixedSpecs(n: number): { specs: RouteSpec[]; bad: Map<number, string> } {
  const specs: RouteSpec[] = [];
  const bad = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    if (i % 97 === 5) {
      specs.push({ dst: `198.99.${i & 255}.0/24`, gw: '192.0.2.1', linkIndex: 2 });
      bad.set(i, 'EEXIST');
    } else if (i % 131 === 7) {
      specs.push({ dst: dstOf(i), gw: '203.0.113.9', linkIndex: 2 });
      bad.set(i, 'ENETUNREACH');
    } else if (i % 500 === 250) {
      specs.push({ dst: '198.51.100.5/24', gw: '192.0.2.1' }); // host bits: refused before sending
      bad.set(i, 'TypeError');
    } else {
      specs.push({ dst: dstOf(i), gw: '192.0.2.1', linkIndex: 2, ...(i % 7 === 0 ? { metrics: { mtu: 1400 } } : {}) });
    }
  }
  return { specs, bad };
}

function expectExact(results: { ok: boolean }[], bad: Map<number, string>): void {
  results.forEach((r, i) => {
    const want = bad.get(i);
    if (want === undefined) {
      expect(r, `op ${i}`).toEqual({ ok: true, value: undefined });
      return;
    }
    expect(r.ok, `op ${i}`).toBe(false);
    const error = (r as unknown as { error: Error & { code?: string } }).error;
    if (want === 'TypeError') expect(error, `op ${i}`).toBeInstanceOf(TypeError);
    else expect(error.code, `op ${i}`).toBe(want);
  });
}

describe('batches of route changes over a transport that sends on a worker thread', () => {
  it('reports exactly the failing changes, one datagram in flight, never changing one while the kernel reads it', async () => {
    const kernel = new AsyncFakeKernel(routeAnswers);
    const h = Handle.open({ transport: kernel });
    try {
      const n = 5000;
      const { specs, bad } = mixedSpecs(n);
      const b = h.batch();
      for (const s of specs) b.routeAdd(s);
      const results = await b.commit({ window: 256 });
      expect(results).toHaveLength(n);
      expectExact(results, bad);
      // Errors resolved their ext-ack offset against the bytes sent: the buffer was not reused under them.
      const unreach = results.find((r, i) => bad.get(i) === 'ENETUNREACH') as { error: NetlinkError };
      expect(unreach.error).toMatchObject({ extAck: 'Nexthop has invalid gateway', attributePath: '.gateway' });
      expect(kernel.maxInFlight).toBe(1);
      expect(kernel.mutatedInFlight).toBe(0);
      expect(kernel.asyncSends).toBe(kernel.sent.length);
      // Each datagram holds at most a window of messages, in order, only the last asking for an ACK.
      const sent = kernel.sent.map((d) => decode(d));
      expect(Math.max(...sent.map((d) => d.length))).toBeLessThanOrEqual(256);
      expect(sent.every((d) => d.slice(0, -1).every((m) => !m.header.flags.includes('ack')) && d.at(-1)!.header.flags.includes('ack'))).toBe(true);
      const dsts = sent.flatMap((d) => d.map((m) => (m as unknown as { attrs: { dst: string } }).attrs.dst));
      const expected = specs.filter((_, i) => bad.get(i) !== 'TypeError').map((s) => s.dst!.replace(/\/24$/, ''));
      expect(dsts).toEqual(expected);
      expect(h.engine.inFlight).toBe(0);
    } finally {
      h.close();
    }
  });

  it('sends each route change as it was when queued, and reports a refused one at commit', async () => {
    const kernel = new AsyncFakeKernel(routeAnswers);
    const h = Handle.open({ transport: kernel });
    try {
      const b = h.batch();
      const spec: RouteSpec = { dst: '10.0.1.0/24', gw: '192.0.2.1', linkIndex: 2 };
      b.routeAdd(spec);
      spec.dst = '10.0.2.0/24'; // the caller reuses its object: the batch took a copy (as bytes)
      b.routeAdd(spec);
      b.routeAdd({ dst: '10.0.3.0/24', gw: 'not-an-address', linkIndex: 2 }); // refused when queued
      const hops = Array.from({ length: 3000 }, (_, k) => ({ gw: `192.0.${(k >> 8) & 255}.${k & 255}`, linkIndex: 2 }));
      b.routeAdd({ dst: '10.0.4.0/24', multipath: hops }); // 48 KB: starts a chunk of its own
      b.routeAdd({ dst: '10.0.5.0/24', gw: '192.0.2.1', linkIndex: 2 });
      // Queued with a link name (it needs a lookup, so it runs as the handle's method at commit),
      // then changed to an index: the batch goes by how it was queued, and sends the change.
      const named: RouteSpec = { dst: '10.0.6.0/24', gw: '192.0.2.1', link: 'eth0' };
      b.routeAdd(named);
      delete named.link;
      named.linkIndex = 2;
      expect(kernel.sent).toHaveLength(0); // nothing is sent before commit
      const results = await b.commit({ window: 256 });
      expect(results.map((r) => r.ok)).toEqual([true, true, false, true, true, true]);
      expect((results[2] as { error: unknown }).error).toBeInstanceOf(TypeError);
      const sent = kernel.sent.flatMap((d) => decode(d)) as unknown as { attrs: { dst: string; multipath?: unknown[] } }[];
      expect(sent.map((m) => m.attrs.dst)).toEqual(['10.0.1.0', '10.0.2.0', '10.0.4.0', '10.0.5.0', '10.0.6.0']);
      expect(sent[2]!.attrs.multipath).toHaveLength(3000);
    } finally {
      h.close();
    }
  });

  it('gives the same results as the synchronous send for the same batch', async () => {
    const run = async (kernel: FakeKernel) => {
      const h = Handle.open({ transport: kernel });
      try {
        const { specs } = mixedSpecs(1200);
        const b = h.batch();
        specs.forEach((s, i) => (i % 3 === 0 ? b.routeDel(s) : b.routeAdd(s)));
        const results = await b.commit({ window: 64 });
        return results.map((r) => (r.ok ? 'ok' : ((r.error as { code?: string }).code ?? (r.error as Error).name)));
      } finally {
        h.close();
      }
    };
    const { FakeKernel: SyncKernel } = await import('./test-support/fake-kernel.js');
    const viaWorker = await run(new AsyncFakeKernel(routeAnswers));
    const direct = await run(new SyncKernel(routeAnswers));
    expect(viaWorker).toEqual(direct);
    expect(viaWorker.filter((x) => x !== 'ok').length).toBeGreaterThan(10);
  });

  it('fails exactly the changes of a datagram whose send fails, and goes on with the next', async () => {
    const kernel = new AsyncFakeKernel(routeAnswers);
    kernel.failSend(sysError('ENOBUFS', -105), 2);
    const h = Handle.open({ transport: kernel });
    try {
      const b = h.batch();
      for (let i = 0; i < 40; i++) b.routeAdd({ dst: dstOf(i), gw: '192.0.2.1', linkIndex: 2 });
      const results = await b.commit({ window: 10 });
      results.forEach((r, i) => {
        if (i >= 10 && i < 20) expect(r, `op ${i}`).toMatchObject({ ok: false, error: { code: 'ENOBUFS' } });
        else expect(r, `op ${i}`).toEqual({ ok: true, value: undefined });
      });
      expect(kernel.asyncSends).toBe(4);
      expect(kernel.sent).toHaveLength(3);
    } finally {
      h.close();
    }
  });

  it('settles every change with HandleClosedError when the handle closes while a datagram is in flight', async () => {
    const kernel = new AsyncFakeKernel(routeAnswers);
    const h = Handle.open({ transport: kernel });
    const b = h.batch();
    for (let i = 0; i < 100; i++) b.routeAdd({ dst: dstOf(i), gw: '192.0.2.1', linkIndex: 2 });
    const release = kernel.hold();
    const committed = b.commit({ window: 16 });
    while (kernel.inFlight === 0) await new Promise((r) => setImmediate(r));
    h.close();
    release();
    const results = await committed;
    expect(results).toHaveLength(100);
    expect(results.every((r) => !r.ok && (r as { error: unknown }).error instanceof HandleClosedError)).toBe(true);
    expect(kernel.asyncSends).toBe(1);
    expect(kernel.inFlight).toBe(0);
  });

  it('keeps route changes in order with the operations around them', async () => {
    const kernel = new AsyncFakeKernel((req, k) => {
      const v = new DataView(req.buffer, req.byteOffset, req.byteLength);
      if (v.getUint16(4, true) === 16) {
        // RTM_NEWLINK (linkSetMTU): ACK it.
        const seq = v.getUint32(8, true);
        k.push({ bytes: encode({ header: { type: 'NLMSG_ERROR', flags: ['capped'], seq, pid: k.portId }, error: 0, request: { header: { type: 16, flags: [], seq, pid: k.portId } } } as never) });
        return;
      }
      routeAnswers(req, k);
    });
    const h = Handle.open({ transport: kernel });
    try {
      const b = h.batch();
      for (let i = 0; i < 30; i++) b.routeAdd({ dst: dstOf(i), linkIndex: 2 });
      b.linkSetMTU(2, 1400);
      for (let i = 30; i < 60; i++) b.routeAdd({ dst: dstOf(i), linkIndex: 2 });
      const results = await b.commit({ window: 8 });
      expect(results.every((r) => r.ok)).toBe(true);
      const order = kernel.sent.flatMap((d) => decode(d).map((m) => (m.header.type === 'RTM_NEWLINK' ? 'mtu' : (m as unknown as { attrs: { dst: string } }).attrs.dst)));
      expect(order).toEqual([...Array.from({ length: 30 }, (_, i) => dstOf(i).slice(0, -3)), 'mtu', ...Array.from({ length: 30 }, (_, i) => dstOf(i + 30).slice(0, -3))]);
    } finally {
      h.close();
    }
  });
});
