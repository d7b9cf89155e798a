import { defineConfig } from 'vitest/config';

// Real-kernel tests: each file makes its own network namespaces (see fixtures/netns.ts).
// One process per file so namespace switches of one file never affect another.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
