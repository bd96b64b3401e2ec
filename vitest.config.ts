import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Redis-backed files share one server; each uses its own key prefix, so files may run in parallel.
    pool: 'forks',
    // Fails a test whose app answered outside openapi/openapi.json (test/helpers/contract-check.ts).
    setupFiles: ['test/helpers/contract-setup.ts'],
  },
});
