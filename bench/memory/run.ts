/**
 * bench:memory, what the stores hold: Redis bytes per record, the SQLite store's RSS and disk per
 * logged event, the embedded store's bytes per sticky user. `npm run bench:memory -- --help`.
 */
import { main, type Part } from '../runner.js';

export const PARTS: Part[] = [
  { name: 'redis', script: 'memory/redis-memory.ts', about: 'Redis bytes per sticky user, dedupe entry, user reward sums, guardrail window, logged event',
    settings: 'N; REDIS_URL (default: a private redis-server on a free port)', smoke: { env: { N: '200' } } },
  { name: 'history', script: 'memory/history-memory.ts', about: 'Redis bytes per history point (3 and 10 arms) and per experiment at the default retention',
    settings: 'REDIS_URL', env: { REDIS_URL: 'redis://127.0.0.1:6379' }, smoke: {} },
  { name: 'sqlite', script: 'memory/sqlite-memory.ts', node: ['--expose-gc'], heavy: true, about: 'SQLite store: RSS and disk bytes per logged event (issue 18 item 4)',
    settings: 'EVENTS (default 10,000,000, about 1.5 GB on disk), BENCH_DIR', smoke: { env: { EVENTS: '20000' } } },
  { name: 'sticky', script: 'memory/sticky-memory.ts', node: ['--expose-gc'], about: 'heap bytes per sticky user on the embedded store, and STICKY_MAX_USERS bounding them',
    settings: 'USERS, CAP, ID_LENGTH', smoke: { env: { USERS: '2000', CAP: '1000' } } },
];

if (import.meta.url === `file://${process.argv[1]}`) main('memory', PARTS);
