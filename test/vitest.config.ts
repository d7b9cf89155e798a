import { defineConfig } from 'vitest/config';

// Real-kernel tests: each file makes its own network namespaces (see fixtures/netns.ts).
// One process per file so namespace switches of one file never affect another.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    pool: 'forks',
    fileParallelism: false,
    // Fd-leak checks force a GC so a leaked OwnedFd is reclaimed (and reported by the shim's
    // NLKIT_FD_LEAK warning) inside the run that leaked it, not in a later one.
    execArgv: ['--expose-gc'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
