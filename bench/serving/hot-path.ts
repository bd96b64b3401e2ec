/**
 * The service's own work per /select and per /reward, without HTTP: `select()` and `reward()` on
 * the embedded store (or, with STORE=redis, on Redis at REDIS_URL: this process's side of each
 * call, plus Redis's time per script call from INFO commandstats), in this process, timed in CPU
 * microseconds per call (process.cpuUsage, so time the VM lost to other tenants is not counted).
 * The HTTP benchmark cannot resolve changes of a few microseconds on a shared two-core machine (its
 * per-round ratios spread by ±20%); this one can, and runs an earlier build in the same process,
 * alternating, for an A/B:
 *
 *   npm run bench:serving -- hot-path
 *   COMPARE_DIST=node_modules/.cache/dist-before npm run bench:serving -- hot-path
 *   STORE=redis REDIS_URL=redis://127.0.0.1:6379 npm run bench:serving -- hot-path
 *
 * (a copy of an earlier `npm run build` output). The workload is bench:serving -- http's (bench/serving/workload.ts):
 * selects for users drawn from its ids, then a reward for every decision plus its share of repeats,
 * each with a latency and a cost. Calls go 50 at a time (as 50 connections would), each batch awaited.
 */
import { cpus, release } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeys } from '../../test/helpers/redis.js';
import { DUPLICATE_SHARE, experimentBody, USERS } from './workload.js';

const STORE = process.env.STORE === 'redis' ? 'redis' : 'memory';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bench-hot:${randomBytes(3).toString('hex')}:`;
const N = Number(process.env.CALLS ?? (STORE === 'redis' ? 20_000 : 100_000));
const CONCURRENCY = 50;
const REPS = Number(process.env.REPS ?? 7);
/** After every this many fresh rewards, a repeat of an earlier one. */
const REPEAT_EVERY = Math.round(1 / DUPLICATE_SHARE);
const COMPARE = process.env.COMPARE_DIST ? process.env.COMPARE_DIST.split(',').map((d) => d.trim()) : [];

interface Build {
  name: string;
  select: (userId: string) => Promise<{ decisionId: string }>;
  reward: (decisionId: string, i: number) => Promise<unknown>;
}

const admin = STORE === 'redis' ? new Redis(REDIS_URL) : null;
/** Every store the builds opened, closed at the end. */
const stores: { close(): Promise<void> }[] = [];

/** The service of one build directory (dist/ or a copy), on a fresh store of its own. */
async function load(dir: string): Promise<Build> {
  const mod = async (path: string) => import(pathToFileURL(resolve(dir, path)).href);
  const [{ MemoryStore }, { connectRedisStore }, { ServiceContext }, { select }, { reward }, { createExperiment }] = await Promise.all(
    ['store/memory-store.js', 'store/redis-connect.js', 'service/context.js', 'service/select.js', 'service/reward.js', 'service/experiments.js'].map(mod));
  // The schema moved to contract/ (builds before that kept it in api/schemas.js).
  const { CreateExperimentSchema } = await mod('contract/experiment.js').catch(() => mod('api/schemas.js'));
  const store = STORE === 'redis' ? await connectRedisStore(REDIS_URL, { prefix: `${PREFIX}${stores.length}:`, commandTimeoutMs: 10_000 }) : new MemoryStore();
  stores.push(store);
  const ctx = new ServiceContext(store, 'hot-path-benchmark-secret-0123456789');
  await createExperiment(ctx, CreateExperimentSchema.parse(experimentBody('bench')));
  return {
    name: dir,
    select: (userId) => select(ctx, 'bench', userId),
    reward: (decisionId, i) => reward(ctx, { decisionId, reward: i % 3 === 0 ? 1 : 0, latencyMs: 100 + (i % 1400), cost: 0.001 }),
  };
}

/** Redis's own time in script calls so far (µs), from INFO commandstats; 0 on the embedded store. */
async function redisScriptUs(): Promise<number> {
  if (!admin) return 0;
  const stats = await admin.info('commandstats');
  return [...stats.matchAll(/cmdstat_eval(?:sha)?:calls=\d+,usec=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
}

/** CPU microseconds per call of `f` over `n` calls, CONCURRENCY at a time; and Redis's script time per call. */
async function perCall(n: number, f: (i: number) => Promise<unknown>): Promise<{ cpu: number; redis: number }> {
  const redisBefore = await redisScriptUs();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i += CONCURRENCY) {
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(n, i + CONCURRENCY); j++) batch.push(f(j));
    await Promise.all(batch);
  }
  const used = process.cpuUsage(start);
  return { cpu: (used.user + used.system) / n, redis: ((await redisScriptUs()) - redisBefore) / n };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
let seed = 42;
const nextUser = (): string => users[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % USERS];

spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
const builds: Build[] = [];
for (const dir of ['dist', ...COMPARE]) builds.push(await load(dir));
const times = builds.map(() => ({ select: [] as number[], reward: [] as number[], selectRedis: [] as number[], rewardRedis: [] as number[] }));
try {
  for (let rep = 0; rep < REPS; rep++) {
    for (const [b, build] of builds.entries()) {
      const ids: string[] = [];
      const sel = await perCall(N, async () => ids.push((await build.select(nextUser())).decisionId));
      // Every id once, and after every REPEAT_EVERY-th a repeat of an earlier one (a duplicate).
      const sent = ids.flatMap((id, i) => (i % REPEAT_EVERY === REPEAT_EVERY - 1 ? [id, ids[i - 5]] : [id]));
      const rew = await perCall(sent.length, (i) => build.reward(sent[i], i));
      times[b].select.push(sel.cpu);
      times[b].reward.push(rew.cpu);
      times[b].selectRedis.push(sel.redis);
      times[b].rewardRedis.push(rew.redis);
    }
  }
} finally {
  for (const s of stores) await s.close();
  if (admin) {
    await deleteKeys(admin, PREFIX);
    admin.disconnect();
  }
}

const git = (...args: string[]): string => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();
console.log(`\n## Hot path (bench:serving -- hot-path)\n\ncommit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' (uncommitted changes)' : ''}; `
  + `${cpus().length} cores (${cpus()[0]?.model}), Linux ${release()}, Node ${process.version}`);
console.log(`Command: STORE=${STORE}${STORE === 'redis' ? ` REDIS_URL=${REDIS_URL}` : ''} CALLS=${N} REPS=${REPS}`
  + `${COMPARE.length ? ` COMPARE_DIST=${COMPARE.join(',')}` : ''} npm run bench:serving -- hot-path`);
console.log(`${STORE} store; ${REPS} repetitions of ${N} selects then ${Math.round(N * (1 + DUPLICATE_SHARE))} rewards per build, ${CONCURRENCY} calls at a time, `
  + `builds alternating; CPU µs per call in this process${STORE === 'redis' ? ' and Redis µs per call in scripts' : ''}, median (min-max)\n`);
const fmt = (xs: number[]): string => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
const redisCols = STORE === 'redis';
console.log(`| build | select() µs | reward() µs | select ratio to dist | reward ratio to dist |${redisCols ? ' Redis µs per select | Redis µs per reward |' : ''}`);
console.log(`|---|--:|--:|--:|--:|${redisCols ? '--:|--:|' : ''}`);
for (const [b, build] of builds.entries()) {
  const t = times[b];
  console.log(`| ${build.name} | ${fmt(t.select)} | ${fmt(t.reward)} | ${(median(t.select) / median(times[0].select)).toFixed(2)} `
    + `| ${(median(t.reward) / median(times[0].reward)).toFixed(2)} |${redisCols ? ` ${fmt(t.selectRedis)} | ${fmt(t.rewardRedis)} |` : ''}`);
}
