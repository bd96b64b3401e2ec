import { configDefaults, defineConfig } from 'vitest/config';

/** Files whose modules hold no state between files: they share one module graph per worker (isolate: false). */
const UNIT = ['test/bandit/**/*.test.ts', 'test/assignment/**/*.test.ts', 'test/service/**/*.test.ts', 'test/architecture.test.ts'];
/** In-process app tests (app.inject): each builds its own app and store, so they too share the module graph. */
const APP = ['test/api/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Redis-backed files share one server; each uses its own key prefix, so files may run in parallel.
    pool: 'forks',
    // vitest's default on a 2-core machine is one worker (cores - 1), and most files wait on Redis,
    // SQLite or a child process: three keep both cores busy (the suite's wall time, bench in RESULTS).
    maxWorkers: 3,
    // Fails a test whose app answered outside openapi/openapi.json (test/helpers/contract-check.ts).
    setupFiles: ['test/helpers/contract-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      { extends: true, test: { name: 'app', include: APP, isolate: false } },
      // Processes, private Redis servers, clusters, SQLite files: one fresh module graph per file.
      { extends: true, test: { name: 'system', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...UNIT, ...APP] } },
    ],
  },
});
