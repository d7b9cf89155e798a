/**
 * Compile the package's sources for child processes spawned by tests (plain node cannot load
 * the TypeScript that vitest runs). Output goes to node_modules/.cache under this package, so
 * `koffi` resolves as it does for dist/; dist/ itself is left alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let built: string | undefined;

/** Path of the compiled index.js (compiled once per test process). */
export function compiledIndex(): string {
  if (built !== undefined) return built;
  const out = join(pkgDir, 'node_modules', '.cache', `syscall-shim-test-${process.pid}`);
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(pkgDir, 'tsconfig.build.json'), '--outDir', out,
    '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'], { stdio: 'pipe' });
  built = join(out, 'index.js');
  if (!existsSync(built)) throw new Error(`compiling for the child process produced no ${built}`);
  return built;
}

/** Remove what {@link compiledIndex} made. */
export function compiledDir(): string | undefined {
  return built === undefined ? undefined : dirname(built);
}
