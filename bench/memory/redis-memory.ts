/**
 * Redis memory per sticky user (the user record), per dedupe entry, per user's reward sums and per arm's guardrail window, written through
 * the real RedisStore.
 *
 *   npx tsx bench/memory/redis-memory.ts                         a private redis-server on a free port (needs the binary):
 *                                                         nothing else writes to it, so used_memory is exact
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/memory/redis-memory.ts
 *                                                         an existing server (other clients skew the figures)
 *
 * Measures INFO memory `used_memory` before and after 100,000 sticky users (assign, bandit
 * population, random UUID user ids) and 100,000 dedupe entries (recordReward with keys like the
 * service's decision tokens, issued over one hour), and cross-checks with MEMORY USAGE of the keys;
 * then fills one arm's guardrail window (1,000 events) and reports its MEMORY USAGE. Every assign
 * and reward also appends an event to the experiment's log stream: its MEMORY USAGE is reported per
 * event and taken out of the sticky and dedupe figures.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { execSync } from 'node:child_process';
import { hostname, cpus } from 'node:os';
import { Redis } from 'ioredis';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import type { ExperimentConfig } from '../../src/contract/domain.js';
import { deleteKeys, startRedisServer } from '../../test/helpers/redis.js';

const N = Number(process.env.N ?? 100_000);
const BATCH = 1000;
const NOW = 1_750_000_000;
const TTL = 30 * 86_400;
const WINDOW = 7 * 86_400;
const WINDOW_EVENTS = 1000;
const RETENTION = 30 * 86_400;

const server = process.env.REDIS_URL ? null : await startRedisServer();
const url = process.env.REDIS_URL ?? server!.url;
const prefix = `bench:${process.pid}:`;
const admin = new Redis(url);
const store = await connectRedisStore(url, { prefix, commandTimeoutMs: 10_000 });

const iso = new Date(NOW * 1000).toISOString();
const config: ExperimentConfig = {
  id: 'mem', arms: [{ id: 'control' }, { id: 'treat' }, { id: 'large' }], baselineArmId: 'control', rewardModel: 'bernoulli',
  prior: { alpha: 1, beta: 1 }, policy: 'thompson', holdbackPercent: 0, trafficPercent: 100, stickiness: true,
  stickyTtlSeconds: TTL, rewardWindowSeconds: WINDOW, guardrails: null, endsAt: null, seed: null, status: 'active',
  createdAt: iso, updatedAt: iso,
};

async function usedMemory(): Promise<number> {
  await new Promise((r) => setTimeout(r, 300)); // let the server settle its client buffers
  return Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
}

async function inBatches(n: number, one: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < n; start += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, n - start) }, (_, j) => one(start + j)));
  }
}

async function keyBytes(pattern: string): Promise<{ keys: number; bytes: number; encodings: string[] }> {
  const keys = await admin.keys(pattern);
  const bytes = (await Promise.all(keys.map((k) => admin.memory('USAGE', k, 'SAMPLES', 0)))).reduce((a: number, b) => a + (b ?? 0), 0);
  const encodings = [...new Set(await Promise.all(keys.map((k) => admin.object('ENCODING', k))))] as string[];
  return { keys: keys.length, bytes, encodings };
}

const assign = (userId: string) => store.assign({
  experimentId: 'mem', version: 1, population: 'b', armId: 'treat', propensity: 0.3333333333333333, userId, sticky: true,
  stickyTtlSeconds: TTL, now: NOW, withStats: false,
  // The logging policy's probabilities of three arms, as encodePropensities writes them (issue 9).
  log: { nonce: randomBytes(12).toString('base64url'), nowMs: NOW * 1000, disabledArms: '', retentionSeconds: RETENTION, propensities: '.0823,.333,.585' },
});
const reward = (i: number) => store.recordReward({
  experimentId: 'mem', armId: 'treat', population: 'b', decisionKey: randomBytes(12).toString('base64url'),
  issuedAt: NOW + Math.floor((i * 3600) / N), rewardWindowSeconds: WINDOW, reward: 1, event: { error: false },
  guardrails: null, windowSize: 10, baseline: false, nowMs: NOW * 1000, log: { propensity: 0.3333333333333333, retentionSeconds: RETENTION },
});

try {
  await store.createExperiment(config);
  await assign('warm-up'); // scripts loaded, experiment keys and the sticky hash exist
  await reward(0);

  const before = await usedMemory();
  const logBefore = (await keyBytes(`${prefix}{exp:mem}:l`)).bytes;
  await inBatches(N, () => assign(randomUUID()));
  const afterSticky = await usedMemory();
  // Each assign and each reward also appends to the event log: measured apart, and taken out of the others.
  const logAfterSticky = (await keyBytes(`${prefix}{exp:mem}:l`)).bytes;
  await inBatches(N, reward);
  const afterDedupe = await usedMemory();
  const logAfterDedupe = (await keyBytes(`${prefix}{exp:mem}:l`)).bytes;
  // Issue 8: a user's reward sums (S, N), one entry per user with a reward (the decision id's user key).
  await inBatches(N, (i) => store.recordReward({
    experimentId: 'mem', armId: 'treat', population: 'b', decisionKey: `user-sums-${i}`, issuedAt: NOW, rewardWindowSeconds: WINDOW,
    reward: 1, event: { error: false }, guardrails: null, windowSize: 10, baseline: false, nowMs: NOW * 1000,
    userKey: randomBytes(9).toString('base64url'), userSumsTtlSeconds: TTL + WINDOW,
    log: { propensity: 0.5, retentionSeconds: RETENTION },
  }));
  const afterUserSums = await usedMemory();
  const logAfterUserSums = (await keyBytes(`${prefix}{exp:mem}:l`)).bytes;

  // One arm's guardrail window, full (twice as many events as it keeps: the oldest were evicted).
  await inBatches(2 * WINDOW_EVENTS, (i) => store.recordReward({
    experimentId: 'mem', armId: 'large', population: 'b', decisionKey: `window-${i}`, issuedAt: NOW, rewardWindowSeconds: WINDOW,
    reward: 1, event: { latencyMs: 100 + (i % 1400), cost: 0.001, error: false },
    guardrails: { latencyP95Ms: 5000, minSamples: 50, windowSize: WINDOW_EVENTS }, windowSize: WINDOW_EVENTS, baseline: false, nowMs: NOW * 1000,
    log: { propensity: 0.5, retentionSeconds: RETENTION },
  }));
  const window = await keyBytes(`${prefix}{exp:mem}:e:large`);

  const sticky = await keyBytes(`${prefix}{exp:mem}:s:*`);
  const dedupe = await keyBytes(`${prefix}{exp:mem}:d:*`);
  const userSums = await keyBytes(`${prefix}{exp:mem}:u`);
  const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))![1];
  let commit = 'unknown';
  try { commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { /* no commit yet */ }
  const per = (bytes: number): string => (bytes / N).toFixed(1);

  console.log(`Redis memory, ${N.toLocaleString('en')} entries each (${new Date().toISOString().slice(0, 10)}, commit ${commit}, Redis ${redisVersion}, Node ${process.version}, ${cpus()[0]?.model ?? 'cpu?'} x${cpus().length}, host ${hostname()})`);
  console.log(`  sticky user:  ${per(afterSticky - before - (logAfterSticky - logBefore))} bytes (used_memory, less the event log)  ${per(sticky.bytes)} bytes (MEMORY USAGE of ${sticky.keys} key(s), ${sticky.encodings.join('/')})`);
  console.log(`  dedupe entry: ${per(afterDedupe - afterSticky - (logAfterDedupe - logAfterSticky))} bytes (used_memory, less the event log)  ${per(dedupe.bytes)} bytes (MEMORY USAGE of ${dedupe.keys} key(s), ${dedupe.encodings.join('/')})`);
  console.log(`  decision event: ${per(logAfterSticky - logBefore)} bytes (MEMORY USAGE of the event log stream; a 36-character userId, no context)`);
  console.log(`  reward event:   ${per(logAfterDedupe - logAfterSticky)} bytes (MEMORY USAGE of the event log stream; reward, no latency, cost or metadata)`);
  console.log(`  user reward sums (issue 8): ${per(afterUserSums - afterDedupe - (logAfterUserSums - logAfterDedupe))} bytes (used_memory, less the event log, with a dedupe entry each: subtract the dedupe line)  ${per(userSums.bytes)} bytes (MEMORY USAGE of ${userSums.keys} key(s), ${userSums.encodings.join('/')})`);
  console.log(`  guardrail window: ${window.bytes} bytes for one arm's ${WINDOW_EVENTS} events with a latency and a cost (MEMORY USAGE of ${window.keys} key(s), ${window.encodings.join('/')}; plus 7 small fields of the counters hash)`);
  console.log(`  reproduce: npx tsx bench/memory/redis-memory.ts${process.env.REDIS_URL ? `  (REDIS_URL=${process.env.REDIS_URL})` : ''}`);
} finally {
  await store.close();
  await deleteKeys(admin, prefix);
  await admin.quit();
  await server?.destroy();
}
