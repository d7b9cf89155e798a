import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_NETLINK, F_GETFL, MSG_DONTWAIT, NETLINK_ROUTE, O_NONBLOCK, SOCK_RAW, SyscallError, bind, fcntl,
  recvmsg, sendto, socket, watchReadable, type OwnedFd,
} from './index.js';
import { compiledDir, compiledIndex } from './test-support/build.js';
import { createTestNetns, kernelTestsEnabled, type TestNetns } from './test-support/netns.js';

function getlinkLo(seq: number): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setUint32(0, 32, true);
  v.setUint16(4, 18, true); // RTM_GETLINK
  v.setUint16(6, 1, true); // NLM_F_REQUEST
  v.setUint32(8, seq, true);
  v.setInt32(20, 1, true); // lo
  return b;
}

const PENDING = Symbol('pending');
function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | typeof PENDING> {
  return Promise.race([p, new Promise<typeof PENDING>((r) => setTimeout(() => r(PENDING), ms))]);
}

describe.skipIf(!kernelTestsEnabled)('readiness watcher', () => {
  let ns: TestNetns;
  let sock: OwnedFd;
  const buf = new Uint8Array(8192);
  beforeAll(() => {
    ns = createTestNetns();
    sock = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    bind(sock);
  });
  afterAll(() => {
    sock?.close();
    ns?.close();
    const d = compiledDir();
    if (d !== undefined) rmSync(d, { recursive: true, force: true });
  });

  it('resolves wait() when a datagram is queued, and not before', async () => {
    using w = watchReadable(sock);
    expect(fcntl(sock, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK); // libuv made it non-blocking
    const p = w.wait();
    expect(await settledWithin(p, 50)).toBe(PENDING);
    sendto(sock, getlinkLo(1));
    await expect(settledWithin(p, 2000)).resolves.toBeUndefined();
    expect(recvmsg(sock, buf, MSG_DONTWAIT)?.pid).toBe(0);
    expect(recvmsg(sock, buf, MSG_DONTWAIT)).toBeNull();
  });

  it('shares one promise between concurrent waits and can wait again', async () => {
    using w = watchReadable(sock);
    const a = w.wait();
    const b = w.wait();
    expect(a).toBe(b);
    sendto(sock, getlinkLo(2));
    await a;
    recvmsg(sock, buf, MSG_DONTWAIT);
    const c = w.wait();
    expect(c).not.toBe(a);
    sendto(sock, getlinkLo(3));
    await c;
    expect(recvmsg(sock, buf, MSG_DONTWAIT)).not.toBeNull();
  });

  it('rejects a pending wait with ECANCELED when the watcher is closed', async () => {
    const w = watchReadable(sock);
    const p = w.wait();
    w.close();
    w.close();
    await expect(p).rejects.toMatchObject({ code: 'ECANCELED', syscall: 'poll' });
    await expect(w.wait()).rejects.toBeInstanceOf(SyscallError);
    expect(w.closed).toBe(true);
  });

  it('allows one watcher per descriptor, and closing the OwnedFd closes its watcher first', async () => {
    const s = ns.run(() => socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    const w = watchReadable(s);
    expect(() => watchReadable(s)).toThrow(/EEXIST/);
    const p = w.wait();
    s.close();
    expect(w.closed).toBe(true);
    await expect(p).rejects.toMatchObject({ code: 'ECANCELED' });
  });

  function runChild(script: string): Promise<{ code: number | null; timedOut: boolean; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, timedOut: signal === 'SIGKILL', stderr });
      });
    });
  }

  function childScript(unref: boolean): string {
    const url = pathToFileURL(compiledIndex()).href;
    // The child makes its own namespace first: it must never touch the host's.
    return `
      import * as s from ${JSON.stringify(url)};
      s.unshare(s.CLONE_NEWNET);
      if (s.isInitialNetns()) process.exit(3);
      const sock = s.socket(s.AF_NETLINK, s.SOCK_RAW, s.NETLINK_ROUTE);
      const w = s.watchReadable(sock);
      ${unref ? 'w.unref();' : ''}
      w.wait().then(() => process.exit(4));
    `;
  }

  it('an unref\'d watcher with a pending wait lets a child process exit within a second', async () => {
    const r = await runChild(childScript(true));
    expect(r.stderr).toBe('');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
  });

  it('a ref\'d watcher with a pending wait keeps the child process alive', async () => {
    const r = await runChild(childScript(false));
    expect(r.stderr).toBe('');
    expect(r.timedOut).toBe(true);
  });
});
