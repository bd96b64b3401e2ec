/**
 * Issue 19 item 1: reading a 1,000,000-event log does not hold the decisions. The service (in this
 * process, STORE_KIND=memory, sqlite (a fresh database file in a temp folder) or redis) holds experiment `big` with LOG_EVENTS events (half decisions,
 * half their rewards) and serves /select on experiment `live`. Two windows of SECONDS each, the
 * callers in a child process (bench/serving/log-load/clients.ts): /select alone, then /select during 20
 * concurrent exports, 20 one-line filtered pages (type=reward&limit=1) and 2 evaluates. For each,
 * this process's event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution: a value is the time between two 1 ms timer ticks, so 1 ms means no delay) and /select's
 * latency percentiles.
 *
 * The log is filled through the store's own steps (fill.ts), not HTTP. On Redis the windows start
 * once the per-type index has caught up with the log (passes of the background indexer,
 * service/log-indexer.ts): the steady state that job keeps in production, where a filtered page
 * indexes only the tail written since the last tick. Ends with one summary line
 * per run, with the targets and whether they are met.
 *
 *   npm run bench:serving -- log-load                      (STORE_KIND=sqlite|redis, REDIS_URL=... for Redis; LOG_EVENTS, SECONDS)
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { deleteKeys, uniquePrefix } from '../../test/helpers/redis.js';
import { fillLog } from './log-load/fill.js';
import { LogIndexer } from '../../src/jobs/log-indexer.js';

const KIND = process.env.STORE_KIND ?? 'memory';
const EVENTS = Number(process.env.LOG_EVENTS ?? 1_000_000);
const SECONDS = Number(process.env.SECONDS ?? 20);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = uniquePrefix();
const dir = KIND === 'sqlite' ? mkdtempSync(join(tmpdir(), 'log-load-')) : null;
const store: Store = KIND === 'redis' ? await connectRedisStore(REDIS_URL, { prefix, commandTimeoutMs: 5000 })
  : dir ? SqliteStore.open(join(dir, 'bandit.db')) : new MemoryStore();
const app = await buildApp({ store, secret: 'log-load-secret-0123456789abcdef' });
const base = await app.listen({ host: '127.0.0.1', port: 0 });
const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
for (const id of ['big', 'live']) {
  const res = await post('/experiments', { id, arms: [{ id: 'control' }, { id: 'structured' }, { id: 'large' }], rewardModel: 'bernoulli', holdbackPercent: 0 });
  if (res.statusCode !== 201) throw new Error(`create ${id}: ${res.body}`);
}
const t0 = Date.now();
await fillLog(store, 'big', EVENTS / 2, EVENTS / 2);
console.error(`filled ${EVENTS} events on ${KIND} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (LogIndexer.needed(store)) {
  const t1 = Date.now();
  const indexer = new LogIndexer(store, (err) => { throw err; });
  while (!(await indexer.pass()));
  console.error(`type index caught up in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
}

/** One window: the callers' child process (spawned asynchronously: this loop serves them meanwhile) and this loop's delay. */
async function windowAsync(reads: boolean) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['--import', 'tsx', 'bench/serving/log-load/clients.ts'], {
    env: { ...process.env, BASE: base, SECONDS: String(SECONDS), READS: reads ? '1' : '0' }, encoding: 'utf8', maxBuffer: 1 << 20,
  }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
  delay.disable();
  return { ...JSON.parse(out.trim().split('\n').at(-1)!), loopDelayMs: { p50: +(delay.percentile(50) / 1e6).toFixed(1), p99: +(delay.percentile(99) / 1e6).toFixed(1), max: +(delay.max / 1e6).toFixed(1) } };
}
const alone = await windowAsync(false);
const withReads = await windowAsync(true);
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const ratio = +(withReads.p99 / alone.p99).toFixed(2);
console.log(JSON.stringify({ date: new Date().toISOString(), commit, store: KIND, logEvents: EVENTS, seconds: SECONDS, selectAlone: alone, selectDuringReads: withReads, p99Ratio: ratio }, null, 1));
const loop = withReads.loopDelayMs;
const met = loop.p99 < 50 && loop.max < 100 && ratio <= 2;
console.log(`${KIND}: ${EVENTS} events; during reads loop delay p99 ${loop.p99} ms / max ${loop.max} ms (targets < 50 / < 100), `
  + `/select p99 ${alone.p99} ms alone, ${withReads.p99} ms during reads = ${ratio}x (target <= 2x): ${met ? 'met' : 'NOT met'}; `
  + `filtered pages ${withReads.filteredPagesMs.filter((x: number | null) => x !== null).length}/20, exports finished ${withReads.exportsFinished}/20, evaluates ${withReads.evaluatesMs.filter((x: number | null) => x !== null).length}/2`);
await app.close();
await store.close();
if (dir) rmSync(dir, { recursive: true, force: true });
if (KIND === 'redis') {
  const admin = new Redis(REDIS_URL);
  await deleteKeys(admin, prefix);
  admin.disconnect();
}
