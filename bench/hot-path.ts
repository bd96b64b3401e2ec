/**
 * The service's own work per /select and per /reward, without HTTP: `select()` and `reward()` on
 * the embedded store, in this process, timed in CPU microseconds per call (process.cpuUsage, so
 * time the VM lost to other tenants is not counted). The HTTP benchmark cannot resolve changes of
 * a few microseconds on a shared two-core machine (its per-round ratios spread by ±20%); this one
 * can, and runs an earlier build in the same process, alternating, for an A/B:
 *
 *   npm run bench:hot-path
 *   COMPARE_DIST=node_modules/.cache/dist-before npm run bench:hot-path
 *
 * (a copy of an earlier `npm run build` output). The workload is bench:http's: 10 arms, Thompson
 * Sampling, holdback 10%, guardrails on, users drawn from 100,000 ids; then a reward for every
 * decision plus 10% repeats, each with a latency and a cost.
 */
import { cpus, release } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

const N = Number(process.env.CALLS ?? 100_000);
const REPS = Number(process.env.REPS ?? 7);
const USERS = 100_000;
const COMPARE = process.env.COMPARE_DIST ? process.env.COMPARE_DIST.split(',').map((d) => d.trim()) : [];

interface Build {
  name: string;
  select: (userId: string) => Promise<{ decisionId: string }>;
  reward: (decisionId: string, i: number) => Promise<unknown>;
}

/** The service of one build directory (dist/ or a copy), on a fresh embedded store. */
async function load(dir: string): Promise<Build> {
  const mod = async (path: string) => import(pathToFileURL(resolve(dir, path)).href);
  const [{ MemoryStore }, { ServiceContext }, { select }, { reward }, { createExperiment }, { CreateExperimentSchema }] = await Promise.all(
    ['store/memory-store.js', 'service/context.js', 'service/select.js', 'service/reward.js', 'service/experiments.js', 'api/schemas.js'].map(mod));
  const ctx = new ServiceContext(new MemoryStore(), 'hot-path-benchmark-secret-0123456789');
  await createExperiment(ctx, CreateExperimentSchema.parse({
    id: 'bench', rewardModel: 'bernoulli', policy: 'thompson', holdbackPercent: 10,
    arms: Array.from({ length: 10 }, (_, i) => ({ id: `arm-${i}`, payload: { model: i < 5 ? 'small' : 'large', prompt: `v${i}` } })),
    guardrails: { latencyP95Ms: 5000, errorRate: 0.5, minSamples: 50 },
  }));
  return {
    name: dir,
    select: (userId) => select(ctx, 'bench', userId),
    reward: (decisionId, i) => reward(ctx, { decisionId, reward: i % 3 === 0 ? 1 : 0, latencyMs: 100 + (i % 1400), cost: 0.001 }),
  };
}

/** CPU microseconds per call of `f` over `n` calls. */
async function cpuPerCall(n: number, f: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await f(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
let seed = 42;
const nextUser = (): string => users[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % USERS];

spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
const builds = [await load('dist'), ...(await Promise.all(COMPARE.map(load)))];
const times = builds.map(() => ({ select: [] as number[], reward: [] as number[] }));
for (let rep = 0; rep < REPS; rep++) {
  for (const [b, build] of builds.entries()) {
    const ids: string[] = [];
    times[b].select.push(await cpuPerCall(N, async () => ids.push((await build.select(nextUser())).decisionId)));
    // Every id once, and after every tenth a repeat of an earlier one (a duplicate).
    const sent = ids.flatMap((id, i) => (i % 10 === 9 ? [id, ids[i - 5]] : [id]));
    times[b].reward.push(await cpuPerCall(sent.length, (i) => build.reward(sent[i], i)));
  }
}

const git = (...args: string[]): string => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();
console.log(`\n## Hot path (bench:hot-path)\n\ncommit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' (uncommitted changes)' : ''}; `
  + `${cpus().length} cores (${cpus()[0]?.model}), Linux ${release()}, Node ${process.version}`);
console.log(`Command: CALLS=${N} REPS=${REPS}${COMPARE.length ? ` COMPARE_DIST=${COMPARE.join(',')}` : ''} npm run bench:hot-path`);
console.log(`${REPS} repetitions of ${N} selects then ${Math.round(N * 1.1)} rewards per build, builds alternating; CPU µs per call, median (min-max)\n`);
console.log('| build | select() µs | reward() µs | select ratio to dist | reward ratio to dist |');
console.log('|---|--:|--:|--:|--:|');
const fmt = (xs: number[]): string => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
for (const [b, build] of builds.entries()) {
  const t = times[b];
  console.log(`| ${build.name} | ${fmt(t.select)} | ${fmt(t.reward)} | ${(median(t.select) / median(times[0].select)).toFixed(2)} | ${(median(t.reward) / median(times[0].reward)).toFixed(2)} |`);
}
