/**
 * Exit and cleanup: a program that opens handles, subscriptions and streams and then simply
 * ends must exit at once (nothing keeps the event loop alive), and `using` must release
 * everything it declared, also when the block throws.
 */
import { Handle, netns } from '@nlkit/rtnl';
import { expect, it } from 'vitest';
import { describeKernel, openFdCount, useTestNetns } from './fixtures/netns.js';
import { failOnFdLeakWarnings } from './fixtures/faults.js';
import { runChild } from './fixtures/child.js';

failOnFdLeakWarnings();
describeKernel('exit and cleanup', () => {
  const t = useTestNetns();

  it('lets a program that leaves handles, subscriptions, a broken-off stream, namespaces and the default handle open simply end', () => {
    const r = runChild(`
      const h = Handle.open();
      const ns = netns.create();
      const inner = Handle.open({ netns: ns });
      await inner.linkAdd({ kind: 'bridge', name: 'in0' });
      const idle = h.subscribe();                      // never read
      const used = inner.subscribe({ groups: ['link'] });
      await inner.linkAdd({ kind: 'bridge', name: 'in1' });
      const ev = await used.next();                    // read once, then left alone
      for (let i = 0; i < 30; i++) await h.linkAdd({ kind: 'bridge', name: 'b' + i });
      let n = 0;
      if (typeof h.linkListStream === 'function') {
        for await (const l of h.linkListStream()) if (++n === 3) break;   // a stream left early
      }
      await rtnl.linkList();                           // the default handle, opened lazily
      const tap = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'tap0', queues: 2 }); // fds left open
      // Kept reachable to the end: an OwnedFd collected while open is closed by the shim's leak
      // net with an NLKIT_FD_LEAK warning, which is about GC timing, not about exiting.
      globalThis.keep = [h, ns, inner, idle, used, tap];
      console.log('done', ev.value.type, n, tap.fds.length);
    `);
    expect(r.error, `the child did not exit by itself: ${r.stderr}`).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^done newlink \d+ 2$/);
    expect(r.status).toBe(0);
  });

  it('lets a program whose last request failed, and one whose subscription was aborted, end', () => {
    const r = runChild(`
      const h = Handle.open();
      const err = await h.linkByName('nosuch0').catch((e) => e.code);
      const ac = new AbortController();
      const sub = h.subscribe({ signal: ac.signal });
      const pending = sub.next().catch((e) => 'aborted');
      ac.abort();
      globalThis.keep = [h, sub];
      console.log(err, await pending);
    `);
    expect(r.error, `the child did not exit by itself: ${r.stderr}`).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ENODEV aborted');
    expect(r.status).toBe(0);
  });

  it('disposes a handle, its subscription, a namespace and tap fds declared with `using` at the end of the block', async () => {
    const { ns } = t();
    const before = openFdCount();
    let closedHandle: Handle | undefined;
    {
      using h = Handle.open({ netns: ns });
      using sub = h.subscribe({ groups: ['link'] });
      using other = netns.create();
      const tap = await h.linkAdd({ kind: 'tuntap', mode: 'tap', name: 'ut0', queues: 2, persist: false });
      using q0 = tap.fds![0]!;
      using q1 = tap.fds![1]!;
      expect(openFdCount()).toBe(before + 5); // socket, subscription socket, namespace, 2 queues
      expect([sub.closed, other.closed, q0.closed, q1.closed]).toEqual([false, false, false, false]);
      closedHandle = h;
    }
    expect(openFdCount()).toBe(before);
    expect(closedHandle!.closed).toBe(true);
    // The non-persistent tap went away with its last queue fd.
    expect(t().exec('ip', ['link', 'show', 'dev', 'ut0']).status).not.toBe(0);
  });

  it('disposes everything declared with `using` when the block throws', async () => {
    const { ns } = t();
    const before = openFdCount();
    let h: Handle | undefined;
    const run = async () => {
      using handle = Handle.open({ netns: ns });
      h = handle;
      using sub = handle.subscribe();
      expect(sub.closed).toBe(false);
      await handle.linkByName('nosuch0'); // rejects: ENODEV
    };
    await expect(run()).rejects.toMatchObject({ code: 'ENODEV' });
    expect(h!.closed).toBe(true);
    expect(openFdCount()).toBe(before);
  });

  // A stream abandoned mid-way (no break, no return()) ends with its handle, as subscriptions do
  // (before 4741f45 its socket stayed open until a GC found the generator).
  it('closes the socket of a stream left open (neither read to the end nor broken off) when its handle closes', async () => {
    const { ns } = t();
    const h = Handle.open({ netns: ns });
    for (let k = 0; k < 40; k++) await h.linkAdd({ kind: 'bridge', name: `s${k}` });
    const before = openFdCount();
    const it = h.linkListStream()[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false); // the stream's own socket is open now
    expect(openFdCount()).toBe(before + 1);
    h.close();
    expect(openFdCount()).toBe(before - 1); // the handle's socket and the stream's
  });

  it('disposes a subscription with `await using` (async dispose) and closes its socket', async () => {
    const { h } = t();
    const before = openFdCount();
    {
      await using sub = h.subscribe({ groups: ['link'] });
      expect(openFdCount()).toBe(before + 1);
      expect(sub.closed).toBe(false);
    }
    expect(openFdCount()).toBe(before);
    // The handle itself is untouched.
    expect((await h.linkList()).map((l) => l.name)).toEqual(['lo']);
  });
});
