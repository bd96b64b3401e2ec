/**
 * The event log under concurrent load: 20,000 decisions and their rewards, 10% of the rewards sent
 * twice and 5% of the decisions and rewards first sent with a 1 ms timeout (the answer lost, the
 * script maybe run) and then retried, from 4 processes on Redis and on a three-master Redis
 * Cluster, and with as many in flight in one process on the embedded store. Afterwards the log
 * holds each counted decision and each accepted reward exactly once, and replays to the tallies.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { allEvents, replayStats } from '../src/service/replay.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { connectRedisStore } from '../src/store/redis-connect.js';
import type { Store } from '../src/store/store.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, redisBinariesAvailable, uniquePrefix } from './helpers/redis.js';
import { startCluster, type LocalCluster } from './helpers/redis-cluster.js';
import { runWorkerProcesses } from './helpers/worker-processes.js';
import { LOG_ARMS, LOG_EXPERIMENT, LOG_NOW, runOps, type Op, type OpsResult } from './workers/event-log-ops.js';
import type { LogJob } from './workers/event-log-worker.js';

const WORKERS = 4;
const TOTAL = 20_000;
const WORKER = fileURLToPath(new URL('./workers/event-log-worker.ts', import.meta.url));

function plan(): Op[] {
  let seed = 99;
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  return Array.from({ length: TOTAL }, (_, i): Op => {
    const m = rand(100);
    return [`n${i}`, LOG_ARMS[rand(3)], rand(10) === 0 ? `u${rand(500)}` : '', rand(10), m < 10 ? 'twice' : m < 15 ? 'timeout' : 'once'];
  });
}

const iso = new Date(LOG_NOW * 1000).toISOString();
const config: ExperimentConfig = {
  id: LOG_EXPERIMENT, arms: LOG_ARMS.map((id) => ({ id })), baselineArmId: 'a0', rewardModel: 'gaussian',
  prior: { mu: 0, lambda: 1, alpha: 1, beta: 1 }, policy: 'thompson', holdbackPercent: 0, trafficPercent: 100,
  stickiness: true, stickyTtlSeconds: 3600, rewardWindowSeconds: 3600, guardrails: null, endsAt: null, seed: null,
  status: 'active', createdAt: iso, updatedAt: iso,
};

/** What is wrong with the log after `ops` (empty when it is exactly right). */
async function problems(store: Store, ops: Op[], answers: OpsResult): Promise<string[]> {
  const out: string[] = [];
  if (answers.other.length) out.push(`unexpected answers: ${answers.other.slice(0, 3).join(', ')}`);
  const decisions = new Map<string, number>(), rewards = new Map<string, number>();
  for await (const ev of allEvents(store, LOG_EXPERIMENT)) {
    const m = ev.type === 'decision' ? decisions : rewards;
    m.set(ev.nonce, (m.get(ev.nonce) ?? 0) + 1);
  }
  const twice = (m: Map<string, number>) => [...m].filter(([, n]) => n > 1).length;
  if (twice(decisions)) out.push(`${twice(decisions)} decisions logged more than once`);
  if (twice(rewards)) out.push(`${twice(rewards)} rewards logged more than once`);
  const unlogged = answers.served.filter((n) => !decisions.has(n));
  if (unlogged.length) out.push(`${unlogged.length} served decisions not logged, e.g. ${unlogged[0]}`);
  const missing = ops.filter(([n]) => !rewards.has(n));
  if (missing.length) out.push(`${missing.length} rewards answered but not logged, e.g. ${missing[0][0]}`);
  if (rewards.size !== ops.length) out.push(`${rewards.size} rewards logged for ${ops.length} distinct ones`);
  const stats = await store.getStats(LOG_EXPERIMENT);
  const replayed = await replayStats(store, LOG_EXPERIMENT);
  if (JSON.stringify(replayed) !== JSON.stringify(stats)) out.push(`replay ${JSON.stringify(replayed)} != stored ${JSON.stringify(stats)}`);
  return out;
}

const merge = (rs: OpsResult[]): OpsResult => ({
  served: rs.flatMap((r) => r.served), lostDecisions: rs.reduce((n, r) => n + r.lostDecisions, 0),
  accepted: rs.reduce((n, r) => n + r.accepted, 0), duplicate: rs.reduce((n, r) => n + r.duplicate, 0), other: rs.flatMap((r) => r.other),
});

/** Runs the workers together (all connected before any starts) and merges their answers. */
async function runWorkers(url: string, prefix: string, ops: Op[]): Promise<OpsResult> {
  const jobs = Array.from({ length: WORKERS }, (_, i): LogJob => ({ url, prefix, ops: ops.filter((_, j) => j % WORKERS === i), inFlight: 64 }));
  return merge(await runWorkerProcesses<LogJob, OpsResult>(WORKER, jobs));
}

const ops = plan();

describe('event log under concurrency: embedded store', () => {
  it(`logs ${TOTAL} concurrent decisions and rewards exactly once and replays to the tallies`, async () => {
    const store = new MemoryStore();
    await store.createExperiment(config);
    const answers = await runOps(store, null, ops, 256);
    expect(await problems(store, ops, answers)).toEqual([]);
    expect(answers.duplicate).toBe(ops.filter((o) => o[4] === 'twice').length);
  });
});

async function onRedis(url: string, admin: Redis | Cluster, prefixes: string[]): Promise<void> {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  const store = await connectRedisStore(url, { prefix, commandTimeoutMs: 5000 });
  try {
    await store.createExperiment(config);
    const answers = await runWorkers(url, prefix, ops);
    console.log(`${url}: ${answers.served.length} decisions answered, ${answers.lostDecisions} lost to the 1 ms timeout; ${answers.accepted} rewards accepted, ${answers.duplicate} duplicates`);
    expect(await problems(store, ops, answers)).toEqual([]);
    expect(answers.lostDecisions).toBeGreaterThan(0); // the timeout path was taken
  } finally {
    await store.close();
  }
}

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'event log under concurrency: redis', () => {
  const admin = new Redis(REDIS_URL);
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeys(admin, p);
    await admin.quit();
  });
  it(`logs ${TOTAL} decisions and rewards from ${WORKERS} processes exactly once and replays to the tallies`, () => onRedis(REDIS_URL, admin, prefixes), 120_000);
});

describeIf(redisBinariesAvailable(), 'redis-server and redis-cli (for a local cluster)', 'event log under concurrency: redis cluster', () => {
  let local: LocalCluster | null = null;
  let admin: Cluster | null = null;
  const prefixes: string[] = [];
  afterAll(async () => {
    if (admin) { for (const p of prefixes) await deleteKeys(admin, p); await admin.quit(); }
    await local?.stop();
  });
  it(`logs ${TOTAL} decisions and rewards from ${WORKERS} processes on a three-master cluster exactly once`, async () => {
    local = await startCluster();
    admin = new Cluster(local.ports.map((port) => ({ host: '127.0.0.1', port })));
    await onRedis(local.url, admin, prefixes);
  }, 180_000);
});
