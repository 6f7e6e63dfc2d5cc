import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so a change is tested without rebuilding the packages. The
    // testkit imports @harness/harness: aliased too, so tests and testkit share one copy of it.
    alias: {
      '@harness/protocol': src('protocol'),
      '@harness/starlark': src('starlark'),
      '@harness/harness': src('harness'),
      '@harness/testkit': src('testkit'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Stops the run at once, with one line, on a machine that lacks git, bubblewrap or the SQLite binding.
    globalSetup: ['test/setup/requirements.ts'],
    // CI reads the JSON report to print its closing "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'vitest.json' },
  },
});
