/**
 * What the event log costs, on a private redis-server (nothing else runs commands on it, so INFO
 * commandstats is this benchmark's alone):
 *
 *   1. Redis time per assign.lua and reward.lua call, with and without the event log's block (the
 *      contiguous "-- Event log:" block cut out of each script), alternating, REPS rounds of CALLS
 *      calls each (CONFIG RESETSTAT before each, usec_per_call of evalsha after).
 *   2. Export: EXPORT_EVENTS events written through the real RedisStore, then streamed by
 *      GET /experiments/:id/events to curl, sampling this process's RSS every 100 ms.
 *   3. The embedded store's heap per event (MemoryEventLog, node --expose-gc).
 *
 *   flock /tmp/heavy.lock npm run bench:serving -- event-log
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { newNonce } from '../../src/assignment/decision-token.js';
import { MemoryEventLog } from '../../src/store/memory-event-log.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import { rewardScript, script } from '../../src/store/redis-scripts.js';
import type { AssignInput, RewardInput } from '../../src/store/store.js';
import type { ExperimentConfig } from '../../src/contract/domain.js';
import { startRedisServer } from '../../test/helpers/redis.js';

const CALLS = Number(process.env.CALLS ?? 20_000);
const REPS = Number(process.env.REPS ?? 5);
const EXPORT_EVENTS = Number(process.env.EXPORT_EVENTS ?? 1_000_000);
const NOW = Math.floor(Date.now() / 1000);
const iso = new Date(NOW * 1000).toISOString();
const config = (id: string): ExperimentConfig => ({
  id, arms: ['control', 'structured', 'large'].map((a) => ({ id: a })), baselineArmId: 'control', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 },
  policy: 'thompson', holdbackPercent: 10, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 30 * 86400, rewardWindowSeconds: 7 * 86400,
  guardrails: { latencyP95Ms: 5000, minSamples: 50, windowSize: 1000 }, endsAt: null, seed: null, status: 'active', createdAt: iso, updatedAt: iso,
});
/** FRESH_USERS=1: every assign is a new user's first exposure (which keeps the propensity vector); default: 50,000 users, mostly sticky repeats after the first round. */
const FRESH_USERS = process.env.FRESH_USERS === '1';
let round = 0;
const assignInput = (experimentId: string, i: number): AssignInput => ({
  experimentId, version: 1, population: 'b', armId: ['structured', 'large'][i % 2], propensity: 0.4123456789,
  userId: FRESH_USERS ? `user-${round}-${i}` : `user-${i % 50_000}`,
  sticky: true, stickyTtlSeconds: 30 * 86400, now: NOW, withStats: false,
  // The propensity vector of the three arms (issue 9), kept on first exposures (a sticky repeat has none).
  log: { nonce: newNonce(), nowMs: NOW * 1000, disabledArms: '', retentionSeconds: 30 * 86400, propensities: '.176,.412,.412' },
});
const rewardInput = (experimentId: string, i: number): RewardInput => ({
  experimentId, armId: ['structured', 'large'][i % 2], population: 'b', decisionKey: randomBytes(12).toString('base64url'), issuedAt: NOW,
  rewardWindowSeconds: 7 * 86400, reward: i % 3 === 0 ? 1 : 0, event: { latencyMs: 100 + (i % 1400), cost: 0.001, error: false },
  guardrails: { latencyP95Ms: 5000, minSamples: 50, windowSize: 1000 }, windowSize: 1000, baseline: false, nowMs: NOW * 1000,
  log: { propensity: 0.4123456789, retentionSeconds: 30 * 86400 },
});

/**
 * A script with its event log block cut out: from the "-- Event log:" comment to the next blank line
 * or return. reward.lua's block defines `logReward` (issue 11: a default reward logs too), whose
 * calls stay: it is replaced by a function that does nothing.
 */
function withoutLog(lua: string): string {
  const start = lua.indexOf('\n-- Event log:');
  const rest = lua.slice(start + 1);
  const end = rest.search(/\n\n|\nif A.stats then/);
  const stub = rest.slice(0, end).includes('local function logReward()') ? 'local function logReward() end\n' : '';
  return lua.slice(0, start + 1) + stub + rest.slice(end + 1);
}

const server = await startRedisServer();
const admin = new Redis(server.url);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  // 1. Redis time per call.
  const withLog = await connectRedisStore(server.url, { prefix: 'with:', commandTimeoutMs: 10_000 });
  const noLog = await connectRedisStore(server.url, { prefix: 'without:', commandTimeoutMs: 10_000 });
  const bare = (noLog as unknown as { client: Redis }).client;
  bare.defineCommand('banditAssign', { numberOfKeys: 7, lua: withoutLog(script('assign')) });
  bare.defineCommand('banditReward', { numberOfKeys: 12, lua: withoutLog(rewardScript()) }); // the store's KEYS count (redis-store.ts recordReward)
  for (const s of [withLog, noLog]) await s.createExperiment(config('cost'));
  const usecPerCall = async (f: (i: number) => Promise<unknown>): Promise<number> => {
    await admin.config('RESETSTAT');
    round += 1;
    for (let i = 0; i < CALLS; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => f(i + j)));
    const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await admin.info('commandstats'))!;
    return Number(m[2]) / Number(m[1]);
  };
  const t = { assignWith: [] as number[], assignWithout: [] as number[], assignNoVector: [] as number[], rewardWith: [] as number[], rewardWithout: [] as number[] };
  const noVector = (i: number): AssignInput => { const input = assignInput('cost', i); return { ...input, log: { ...input.log, propensities: undefined } }; };
  for (let rep = 0; rep < REPS; rep++) {
    t.assignWithout.push(await usecPerCall((i) => noLog.assign(assignInput('cost', i))));
    t.assignWith.push(await usecPerCall((i) => withLog.assign(assignInput('cost', i))));
    t.assignNoVector.push(await usecPerCall((i) => withLog.assign(noVector(i)))); // the log without the propensity vector (issue 9)
    t.rewardWithout.push(await usecPerCall((i) => noLog.recordReward(rewardInput('cost', i))));
    t.rewardWith.push(await usecPerCall((i) => withLog.recordReward(rewardInput('cost', i))));
  }
  await withLog.close();
  await noLog.close();

  // 2. Export of EXPORT_EVENTS events, RSS sampled while it streams.
  const store = await connectRedisStore(server.url, { prefix: 'export:', commandTimeoutMs: 30_000 });
  await store.createExperiment(config('big'));
  for (let i = 0; i < EXPORT_EVENTS; i += 2000) {
    await Promise.all(Array.from({ length: Math.min(2000, EXPORT_EVENTS - i) }, (_, j) => ((i + j) % 2 ? store.recordReward(rewardInput('big', i + j)) : store.assign(assignInput('big', i + j)))));
  }
  const app = await buildApp({ store, secret: 'export-benchmark-secret-0123456789', logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  global.gc?.();
  const rss: number[] = [process.memoryUsage().rss];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 100);
  const started = Date.now();
  const lines = await new Promise<number>((resolve, reject) => {
    const curl = spawn('sh', ['-c', `curl -sf 'http://127.0.0.1:${port}/experiments/big/events' | wc -l`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    curl.stdout.on('data', (d) => { out += d; });
    curl.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`curl exited ${code}`))));
  });
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  await app.close();
  await store.close();

  // 3. The embedded log's heap per event.
  const gc = (globalThis as { gc?: () => void }).gc;
  let heapPerDecision = NaN, heapPerReward = NaN;
  if (gc) {
    const n = 200_000;
    const log = new MemoryEventLog(['control', 'structured', 'large'], n * 2);
    gc(); const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) log.appendDecision(assignInput('mem', i), 'structured', 0.4123456789, true);
    gc(); const h1 = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) log.appendReward(rewardInput('mem', i));
    gc(); const h2 = process.memoryUsage().heapUsed;
    heapPerDecision = (h1 - h0) / n;
    heapPerReward = (h2 - h1) / n;
    if (log.read(null, 1).length !== 1) throw new Error('log lost its events');
  }

  const git = (...args: string[]): string => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();
  const mb = (b: number): string => (b / 2 ** 20).toFixed(0);
  const fmt = (xs: number[]): string => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
  console.log(`\n## Event log cost (bench:serving -- event-log)\n\ncommit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' (uncommitted changes)' : ''}; `
    + `Redis ${/redis_version:(\S+)/.exec(await admin.info('server'))![1]} (private server), Node ${process.version}`);
  console.log(`Command: ${FRESH_USERS ? 'FRESH_USERS=1 ' : ''}CALLS=${CALLS} REPS=${REPS} EXPORT_EVENTS=${EXPORT_EVENTS} npm run bench:serving -- event-log\n`);
  console.log(`Redis µs per call (INFO commandstats usec_per_call of evalsha), median (min-max) of ${REPS} alternating rounds of ${CALLS} calls, 50 in flight:\n`);
  console.log('| script | without the event log block | with it | change |');
  console.log('|---|--:|--:|--:|');
  console.log(`| assign.lua | ${fmt(t.assignWithout)} | ${fmt(t.assignWith)} | ${(100 * (median(t.assignWith) / median(t.assignWithout) - 1)).toFixed(0)}% |`);
  console.log(`| assign.lua, log without the propensity vector | ${fmt(t.assignWithout)} | ${fmt(t.assignNoVector)} | ${(100 * (median(t.assignNoVector) / median(t.assignWithout) - 1)).toFixed(0)}% |`);
  console.log(`| reward.lua | ${fmt(t.rewardWithout)} | ${fmt(t.rewardWith)} | ${(100 * (median(t.rewardWith) / median(t.rewardWithout) - 1)).toFixed(0)}% |`);
  console.log(`\nEmbedded store (MemoryEventLog), heap per event after gc: decision ${heapPerDecision.toFixed(0)} bytes (a 10-character userId, no context), reward ${heapPerReward.toFixed(0)} bytes (latency and cost, no metadata)${gc ? '' : ' (run with --expose-gc)'}`);
  console.log(`\nExport: ${lines.toLocaleString('en')} NDJSON lines streamed to curl in ${seconds.toFixed(1)} s; this process's RSS before ${mb(rss[0])} MiB, `
    + `max ${mb(Math.max(...rss))} MiB, last ${mb(rss[rss.length - 1])} MiB over ${rss.length} samples (100 ms apart)`);
} finally {
  await admin.quit();
  await server.destroy();
}
// Exit even if a client was left open: this runs under the shared CPU lock.
process.exit(0);
