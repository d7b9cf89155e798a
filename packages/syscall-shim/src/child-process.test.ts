/**
 * Behaviour only visible from outside a process: whether it exits, what it warns. Each case
 * runs a small plain-node script against the compiled sources.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledDir, compiledIndex } from './test-support/build.js';
import { kernelTestsEnabled } from './test-support/netns.js';

interface ChildResult { code: number | null; timedOut: boolean; stdout: string; stderr: string }

function runChild(script: string, args: string[] = [], timeoutMs = 1000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, timedOut: signal === 'SIGKILL', stdout, stderr });
    });
  });
}

/** Script prologue: import the shim and move into a fresh namespace (never touch the host's). */
function prologue(): string {
  const url = pathToFileURL(compiledIndex()).href;
  return `
    import * as s from ${JSON.stringify(url)};
    s.unshare(s.CLONE_NEWNET);
    if (s.isInitialNetns()) process.exit(3);
  `;
}

describe.skipIf(!kernelTestsEnabled)('seen from a child process', () => {
  afterAll(() => {
    const d = compiledDir();
    if (d !== undefined) rmSync(d, { recursive: true, force: true });
  });

  function watcherScript(unref: boolean): string {
    return `${prologue()}
      const sock = s.socket(s.AF_NETLINK, s.SOCK_RAW, s.NETLINK_ROUTE);
      const w = s.watchReadable(sock);
      ${unref ? 'w.unref();' : ''}
      w.wait().then(() => process.exit(4));
    `;
  }

  it('an unref\'d watcher with a pending wait lets the process exit by itself', async () => {
    const script = watcherScript(true); // compiles before the clock starts
    // It exits in ~0.1 s; the generous kill timeout only keeps a loaded machine from failing it.
    const r = await runChild(script, [], 10_000);
    expect(r.stderr).toBe('');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
  });

  it('a ref\'d watcher with a pending wait keeps the process alive', async () => {
    const r = await runChild(watcherScript(false));
    expect(r.stderr).toBe('');
    expect(r.timedOut).toBe(true);
  });

  it('an OwnedFd collected while open is closed by the safety net, with a warning', async () => {
    // Count descriptors by what they point at: Node itself opens descriptors lazily (for
    // stderr, when the warning is printed), which would upset a plain count.
    const script = `${prologue()}
      import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
      import { join } from 'node:path';
      const dir = mkdtempSync('/tmp/nlkit-leak-');
      const file = join(dir, 'target');
      writeFileSync(file, '');
      const count = () => readdirSync('/proc/self/fd').filter((n) => {
        try { return readlinkSync('/proc/self/fd/' + n) === file; } catch { return false; }
      }).length;
      (() => { for (let i = 0; i < 10; i++) s.open(file, s.O_RDONLY); })();
      const opened = count();
      for (let i = 0; i < 10 && count() > 0; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      const after = count();
      rmSync(dir, { recursive: true });
      console.log(JSON.stringify({ opened, after }));
    `;
    const r = await runChild(script, ['--expose-gc'], 10_000);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ opened: 10, after: 0 });
    expect(r.stderr).toContain('NLKIT_FD_LEAK');
  });
});
