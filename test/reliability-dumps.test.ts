/**
 * Dumps while the table changes, and receive-buffer overruns.
 *
 * Interrupted dumps: a second handle, on its own thread (a worker), adds and deletes links
 * without pause while this thread lists them. Each list must end in one of two ways: a complete,
 * consistent result (after at most 3 attempts), or `DumpInterruptedError` with `partial`; never
 * a silent mix. Streams make one attempt. The tests count how often each outcome happened and
 * require that interruptions really occurred, so the retry path is exercised, not assumed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { encode, type Message } from '@nlkit/nl-codec';
import { DumpInterruptedError, Handle, type Link, type RtnlEvent } from '@nlkit/rtnl';
import { describe, expect, it } from 'vitest';
import { datagram, nextEventMatching, withTimeout, failOnFdLeakWarnings } from './fixtures/faults.js';
import { describeKernel, useTestNetns } from './fixtures/netns.js';

const rtnlUrl = new URL('../packages/rtnl/dist/index.js', import.meta.url).href;

/**
 * A worker thread with its own handle in the namespace at `nsPath`, adding and deleting
 * bridges (or, with `addrs`, addresses on the link `churn0`, which must exist) until `stop()`.
 * Resolves with how many changes it made.
 */
function startChurn(nsPath: string, what: 'links' | 'addrs' = 'links'): { ready: Promise<void>; stop: () => Promise<number> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    import { workerData, parentPort } from 'node:worker_threads';
    const { Handle } = await import(workerData.rtnl);
    const h = Handle.open({ netns: workerData.nsPath });
    let n = 0;
    try {
      while (Atomics.load(workerData.flag, 0) === 0) {
        if (workerData.what === 'addrs') {
          const a = '203.0.113.' + (1 + (n % 200)) + '/32';
          await h.addrAdd('churn0', a);
          await h.addrDel('churn0', a);
        } else {
          const name = 'churn' + (n % 8);
          await h.linkAdd({ kind: 'bridge', name });
          await h.linkDel(name);
        }
        n += 2;
        // Tell the test the table is changing now: loading the module and opening the handle
        // take a while on a busy machine, and a test that ran before the first change saw none.
        if (n === 2) parentPort.postMessage('ready');
      }
    } finally {
      h.close();
    }
    parentPort.postMessage(n);
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { rtnl: rtnlUrl, nsPath, flag, what } });
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<number>((resolve, reject) => {
    worker.on('message', (m: unknown) => (m === 'ready' ? started() : resolve(m as number)));
    worker.once('error', reject);
    worker.once('exit', (c) => reject(new Error(`churn worker exited with ${c} before reporting`)));
  });
  // Never wait forever for the first change: a failing worker rejects `done` instead.
  void done.then(started, started);
  return {
    ready: withTimeout(ready, 20_000, 'churn worker start'),
    stop: () => {
      Atomics.store(flag, 0, 1);
      return withTimeout(done, 20_000, 'churn worker');
    },
  };
}

/** No index or name twice, every stable link present with its own index: a consistent view. */
function expectConsistent(links: Link[], stable: Link[], where: string): void {
  expect(new Set(links.map((l) => l.index)).size, `${where}: duplicate ifindex`).toBe(links.length);
  expect(new Set(links.map((l) => l.name)).size, `${where}: duplicate name`).toBe(links.length);
  const byIndex = new Map(links.map((l) => [l.index, l.name]));
  for (const s of stable) expect(byIndex.get(s.index), `${where}: ${s.name}`).toBe(s.name);
  expect(byIndex.get(1), `${where}: lo`).toBe('lo');
}


failOnFdLeakWarnings();
describeKernel('dumps under concurrent changes', () => {
  const t = useTestNetns();

  it('lists links while another thread adds and deletes them: each list is complete and consistent, or DumpInterruptedError with partial', async () => {
    const { h, nsPath } = t();
    // Enough links that a dump spans several datagrams (the kernel checks consistency per datagram).
    const stable: Link[] = [];
    for (let k = 0; k < 200; k++) stable.push(await h.linkAdd({ kind: 'bridge', name: `s${k}` }));
    const churn = startChurn(nsPath);
    const outcomes = { complete: 0, interrupted: 0 };
    const retriesBefore = h.stats.dumpRetries;
    let runs = 0;
    try {
      await churn.ready;
      // At least 60 lists, and on until the kernel has flagged one: how many changes land
      // inside a dump depends on the machine's timing (one CI run saw none in 60 lists, with
      // only ~25 changes made meanwhile), so the count is open and the time is bounded.
      const deadline = Date.now() + 60_000;
      for (let run = 0; run < 60 || (h.stats.dumpRetries === retriesBefore && Date.now() < deadline); run++) {
        runs++;
        try {
          const links = await withTimeout(h.linkList(), 30_000, `linkList #${run}`);
          expectConsistent(links, stable, `list #${run}`);
          outcomes.complete++;
        } catch (e) {
          expect(e, `list #${run}`).toBeInstanceOf(DumpInterruptedError);
          const err = e as DumpInterruptedError<Link>;
          expect(err.attempts).toBe(3);
          expect(err.request).toBe('RTM_GETLINK');
          expect(Array.isArray(err.partial)).toBe(true);
          expect(err.partial.length).toBeGreaterThan(0);
          expect(err.partial.every((l) => typeof l.index === 'number' && typeof l.name === 'string')).toBe(true);
          outcomes.interrupted++;
        }
      }
    } finally {
      const changes = await churn.stop();
      console.log(`interrupted-dump outcomes over ${runs} lists: ${JSON.stringify(outcomes)}, retries ${h.stats.dumpRetries - retriesBefore}, concurrent changes ${changes}`);
    }
    expect(outcomes.complete + outcomes.interrupted).toBe(runs);
    // The kernel really flagged dumps as interrupted: the retry path ran.
    expect(h.stats.dumpRetries - retriesBefore).toBeGreaterThan(0);
    expect(h.engine.inFlight).toBe(0);
    // Quiet again: a list is complete at the first attempt.
    const retries = h.stats.dumpRetries;
    expectConsistent(await h.linkList(), stable, 'after the churn');
    expect(h.stats.dumpRetries).toBe(retries);
  });

  it('lists addresses while another thread adds and deletes them: complete and consistent, or DumpInterruptedError with partial', async () => {
    const { h, nsPath, exec } = t();
    await h.linkAdd({ kind: 'bridge', name: 'churn0' });
    await h.linkAdd({ kind: 'bridge', name: 'st0' });
    // 1,500 stable addresses: the dump spans many datagrams, each a chance to see a change.
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-addrs-'));
    const stable: string[] = [];
    try {
      const lines: string[] = [];
      for (let i = 0; i < 1500; i++) {
        const a = `10.${Math.floor(i / 250)}.${i % 250}.1/32`;
        stable.push(a);
        lines.push(`addr add ${a} dev st0\n`);
      }
      writeFileSync(join(dir, 'batch'), lines.join(''));
      const r = exec('ip', ['-batch', join(dir, 'batch')]);
      expect(r.status, r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const churn = startChurn(nsPath, 'addrs');
    const outcomes = { complete: 0, interrupted: 0 };
    const retriesBefore = h.stats.dumpRetries;
    try {
      await churn.ready;
      for (let run = 0; run < 60; run++) {
        try {
          const addrs = await withTimeout(h.addrList(undefined, { family: 'inet' }), 30_000, `addrList #${run}`);
          const keys = addrs.map((a) => `${a.linkIndex} ${a.address}`);
          expect(new Set(keys).size, `list #${run}: an address twice`).toBe(keys.length);
          const mine = new Set(addrs.filter((a) => a.label === 'st0').map((a) => a.address));
          for (const a of stable) expect(mine.has(a), `list #${run}: ${a}`).toBe(true);
          outcomes.complete++;
        } catch (e) {
          expect(e, `list #${run}`).toBeInstanceOf(DumpInterruptedError);
          expect((e as DumpInterruptedError).attempts).toBe(3);
          outcomes.interrupted++;
        }
      }
    } finally {
      const changes = await churn.stop();
      console.log(`address dumps under churn: ${JSON.stringify(outcomes)}, retries ${h.stats.dumpRetries - retriesBefore}, concurrent changes ${changes}`);
    }
    expect(outcomes.complete + outcomes.interrupted).toBe(60);
    // Whether the kernel flags any of these (short) address dumps depends on timing, so the
    // retry count is only reported above; the retry path itself is proven deterministically
    // with a scripted kernel (engine.test.ts, and the NLM_F_DUMP_INTR tests below).
  });

  it('makes one attempt in a stream: a slow consumer during changes gets every item once, then either the end or DumpInterruptedError', async () => {
    const { h, nsPath } = t();
    const stable: Link[] = [];
    for (let k = 0; k < 200; k++) stable.push(await h.linkAdd({ kind: 'bridge', name: `s${k}` }));
    const churn = startChurn(nsPath);
    const outcomes = { complete: 0, interrupted: 0 };
    let runs = 0;
    try {
      await churn.ready;
      // At least 6 streams, and on until one was interrupted (bounded in time, as above).
      const deadline = Date.now() + 60_000;
      for (let run = 0; run < 6 || (outcomes.interrupted === 0 && Date.now() < deadline); run++) {
        runs++;
        const got: Link[] = [];
        try {
          for await (const l of h.linkListStream()) {
            got.push(l);
            // A slow consumer: the dump stays open while the other thread changes the table.
            if (got.length % 20 === 0) await new Promise((r) => setTimeout(r, 2));
          }
          expectConsistent(got, stable, `stream #${run}`);
          outcomes.complete++;
        } catch (e) {
          expect(e, `stream #${run}`).toBeInstanceOf(DumpInterruptedError);
          expect((e as DumpInterruptedError).attempts).toBe(1);
          outcomes.interrupted++;
        }
        // Whatever the outcome, items were never repeated (no silent retry mixed into the stream).
        expect(new Set(got.map((l) => l.index)).size, `stream #${run}`).toBe(got.length);
      }
    } finally {
      const changes = await churn.stop();
      console.log(`stream outcomes over ${runs} streams: ${JSON.stringify(outcomes)}, concurrent changes ${changes}`);
    }
    expect(outcomes.interrupted).toBeGreaterThan(0);
    // The handle itself is untouched by its streams.
    expect(h.engine.inFlight).toBe(0);
    expectConsistent(await h.linkList(), stable, 'after the streams');
  });
});

describeKernel('a cache kept from listExisting and events', () => {
  const t = useTestNetns();

  it('converges to the kernel’s link table while another thread adds and deletes links', async () => {
    const { h, nsPath } = t();
    for (let k = 0; k < 100; k++) await h.linkAdd({ kind: 'bridge', name: `s${k}` });
    const churn = startChurn(nsPath);
    // The consumer a container engine would write: a map kept from the listing and the events,
    // rebuilt from a fresh list after an overrun.
    const cache = new Map<number, string>();
    let listed = false;
    let relists = 0;
    const sub = h.subscribe({ groups: ['link'], listExisting: true, recvBufferSize: 8 << 20 });
    let seenEnd = false;
    const consumer = (async () => {
      for await (const ev of sub) {
        if (ev.type === 'listed') listed = true;
        else if (ev.type === 'newlink') {
          cache.set(ev.link.index, ev.link.name);
          if (ev.link.name === 'end0' && listed) {
            seenEnd = true;
            return;
          }
        } else if (ev.type === 'dellink') cache.delete(ev.link.index);
        else if (ev.type === 'overrun') {
          relists++;
          cache.clear();
          for (const l of await h.linkList()) cache.set(l.index, l.name);
        }
      }
    })();
    try {
      await churn.ready;
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      const changes = await churn.stop();
      console.log(`cache consumer: ${changes} concurrent changes, ${relists} re-lists after overruns`);
    }
    await h.linkAdd({ kind: 'bridge', name: 'end0' });
    await withTimeout(consumer, 20_000, 'the consumer reaching end0');
    sub.close();
    expect(seenEnd).toBe(true);
    const truth = new Map<number, string>(t().ipJson('link', 'show').map((l: { ifindex: number; ifname: string }) => [l.ifindex, l.ifname]));
    expect([...cache].sort((a, b) => a[0] - b[0])).toEqual([...truth].sort((a, b) => a[0] - b[0]));
  });
});

describeKernel('overruns', () => {
  const t = useTestNetns();

  it('delivers an overrun event for each of 6 bursts into a tiny buffer and keeps delivering events after every one', async () => {
    const { h, exec, ip } = t();
    const sub = h.subscribe({ groups: ['link'], recvBufferSize: 4096 });
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-overrun-'));
    try {
      for (let burst = 0; burst < 6; burst++) {
        // 100 new links while this thread is blocked in spawnSync: nothing is read during the
        // burst. (Adds only: deletions wait for RCU and would only make the test slower.)
        const batch = join(dir, `batch${burst}`);
        writeFileSync(batch, Array.from({ length: 100 }, (_, i) => `link add o${burst}x${i} type bridge\n`).join(''));
        const r = exec('ip', ['-batch', batch]);
        expect(r.status, r.stderr).toBe(0);
        const over = await nextEventMatching<RtnlEvent>(sub, (e) => e.type === 'overrun', `overrun after burst ${burst}`);
        expect(over.event).toMatchObject({ type: 'overrun', reason: 'enobufs' });
        // Still working: a change made now arrives as its own event.
        ip('link', 'add', `mark${burst}`, 'type', 'bridge');
        const mark = await nextEventMatching<RtnlEvent>(sub, (e) => e.type === 'newlink' && e.link.name === `mark${burst}`, `newlink mark${burst}`);
        expect(mark.event.type).toBe('newlink');
        expect(sub.closed).toBe(false);
      }
      expect(sub.stats.overruns).toBeGreaterThanOrEqual(6);
      // The handle's own requests were never affected by the subscription's overruns.
      expect(h.stats.overruns).toBe(0);
      expect((await h.linkList()).length).toBeGreaterThan(75);
    } finally {
      sub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeKernel('a subscription nobody reads', () => {
  const t = useTestNetns();

  // The kernel reports ENOBUFS once per congestion episode and drops later notifications
  // silently until the socket is read empty; the contract that matters to a consumer is that a
  // change made after it has seen an overrun (and re-listed) still reaches it, as its own event or
  // behind another overrun.
  it('holds at most its queueSize events in memory while 300 links are created, reports the loss as an overrun, and loses nothing silently afterwards', async () => {
    const { h, ns } = t();
    const sub = h.subscribe({ groups: ['link'], queueSize: 64, recvBufferSize: 1 });
    const h2 = Handle.open({ netns: ns });
    try {
      let most = 0;
      // 300: well past the 64-event queue and the tiny kernel buffer, and cheap to tear down.
      for (let i = 0; i < 300; i++) {
        await h2.linkAdd({ kind: 'bridge', name: `q${i}` });
        // Let the subscription read whatever it wants to between changes.
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
        most = Math.max(most, sub.pending);
      }
      // Bounded by the queue (one overrun event may sit on top of it).
      expect(most).toBeLessThanOrEqual(65);
      expect(most).toBeGreaterThan(0);
      const { event } = await nextEventMatching<RtnlEvent>(sub, (e) => e.type === 'overrun', 'overrun after the unread burst');
      expect(event).toMatchObject({ type: 'overrun', reason: 'enobufs' });
      // The consumer now re-lists (its view is stale); a change made after that must reach it,
      // as its own event or, if it was lost too, behind another overrun. Silence is the bug.
      await h2.linkAdd({ kind: 'bridge', name: 'qlast' });
      const after = await nextEventMatching<RtnlEvent>(sub, (e) => (e.type === 'newlink' && e.link.name === 'qlast') || e.type === 'overrun', 'newlink qlast or another overrun');
      expect(after.event.type === 'overrun' || (after.event.type === 'newlink' && after.event.link.name === 'qlast')).toBe(true);
    } finally {
      h2.close();
      sub.close();
    }
  });
});

describeKernel('ENOBUFS on requests is never silent', () => {
  const t = useTestNetns();

  // The kernel reports ENOBUFS once per congestion episode (NETLINK_S_CONGESTED stays set until
  // the queue is read empty), so the engine must empty the queue after failing what was pending;
  // before 4741f45 it stopped reading and the next window's replies vanished silently (a hang).
  it('rejects with OverrunError the requests whose replies overflowed a tiny receive buffer, and the handle keeps working', async () => {
    const { ns } = t();
    // The kernel raises a tiny SO_RCVBUF to its minimum: a window of 128 ACKs (the default) cannot fit.
    const h = Handle.open({ netns: ns, recvBufferSize: 1 });
    try {
      const b = h.batch();
      for (let i = 0; i < 2000; i++) b.linkSetMTU(1, 1280 + (i % 1000));
      const results = await withTimeout(b.commit(), 60_000, 'batch into a tiny buffer');
      expect(results).toHaveLength(2000);
      const ok = results.filter((r) => r.ok).length;
      const overrun = results.filter((r) => !r.ok && (r.error as Error).name === 'OverrunError');
      const other = results.filter((r) => !r.ok && (r.error as Error).name !== 'OverrunError');
      console.log(`2,000 pipelined requests into a tiny buffer: ${ok} acknowledged, ${overrun.length} OverrunError`);
      expect(other.map((r) => String((r as { error: unknown }).error))).toEqual([]);
      // The overflow happened and was reported: not one lost ACK turned into silence or success.
      expect(overrun.length).toBeGreaterThan(0);
      expect(overrun[0]).toMatchObject({ ok: false, error: { code: 'ENOBUFS', errno: -105 } });
      expect(h.stats.overruns).toBeGreaterThan(0);
      expect(h.engine.inFlight).toBe(0);
      // Still usable afterwards, with a window that fits (late ACKs of the lost round are ignored).
      await h.linkSetMTU(1, 1500);
      // Checked through the fixture's handle: with a ~2.3 KB buffer even one link reply plus its
      // ACK does not fit, so a GET on `h` would (rightly) reject with OverrunError.
      expect((await t().h.linkByIndex(1)).mtu).toBe(1500);
      const again = await h.batch().linkSetMTU(1, 1400).linkSetMTU(1, 1450).commit({ window: 2 });
      expect(again.map((r) => r.ok)).toEqual([true, true]);
    } finally {
      h.close();
    }
  });
});

/**
 * A transport that answers every dump with one link and an NLMSG_DONE, NLM_F_DUMP_INTR set on
 * the link (`'data'`) or on the DONE (`'done'`): the kernel does the latter when the table
 * changed between the last part it sent and the end of the dump (`netlink_dump_done` calls
 * `nl_dump_check_consistent` on the DONE).
 */
function intrTransport(flagged: 'data' | 'done') {
  const queue: Uint8Array[] = [];
  let sends = 0;
  let wake: (() => void) | undefined;
  const portId = 4242;
  return {
    get sends() {
      return sends;
    },
    transport: {
      portId,
      receiveBufferSize: 1 << 16,
      closed: false,
      send(d: Uint8Array) {
        sends++;
        const seq = new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(8, true);
        const link = encode({ header: { type: 'RTM_NEWLINK', flags: flagged === 'data' ? ['multi', 'dump_intr'] : ['multi'], seq, pid: portId }, 'ifi-family': 0, 'ifi-type': 772, 'ifi-index': 1, 'ifi-flags': ['up', 'loopback'], 'ifi-change': 0, attrs: { ifname: 'lo', mtu: 65536 } } as Message);
        const done = encode({ header: { type: 'NLMSG_DONE', flags: flagged === 'done' ? ['multi', 'dump_intr'] : ['multi'], seq, pid: portId }, error: 0 } as Message);
        queue.push(link, datagram(done));
        wake?.();
      },
      receive() {
        const bytes = queue.shift();
        return bytes === undefined ? null : { bytes, senderPid: 0, groups: 0, truncated: false, size: bytes.length };
      },
      waitReadable() {
        return queue.length > 0 ? Promise.resolve() : new Promise<void>((r) => (wake = r));
      },
      ref() {},
      unref() {},
      close() {},
    },
  };
}

describe('the dump-interrupted flag, through a fake kernel', () => {
  it('retries a dump whose data parts carry NLM_F_DUMP_INTR, then rejects with DumpInterruptedError and partial', async () => {
    const fake = intrTransport('data');
    const h = Handle.open({ transport: fake.transport as never });
    try {
      const err = await h.linkList().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(fake.sends).toBe(3);
      expect(err).toBeInstanceOf(DumpInterruptedError);
      expect((err as DumpInterruptedError<Link>).partial.map((l) => l.name)).toEqual(['lo']);
      expect(h.stats.dumpRetries).toBe(2);
    } finally {
      h.close();
    }
  });

  // The kernel also sets NLM_F_DUMP_INTR on the final DONE (netlink_dump_done ->
  // nl_dump_check_consistent), and iproute2 checks it there; the engine used to read it on data
  // messages only (fixed in 4741f45).
  it('treats NLM_F_DUMP_INTR on the final NLMSG_DONE as an interrupted dump (retries, then DumpInterruptedError)', async () => {
    const fake = intrTransport('done');
    const h = Handle.open({ transport: fake.transport as never });
    try {
      const err = await h.linkList().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(fake.sends).toBe(3);
      expect(err).toBeInstanceOf(DumpInterruptedError);
      expect((err as DumpInterruptedError<Link>).partial.map((l) => l.name)).toEqual(['lo']);
    } finally {
      h.close();
    }
  });
});
