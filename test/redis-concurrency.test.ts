/**
 * Four worker processes, each with its own store client on one Redis, send 20,000 rewards at once,
 * 10% of them copies of others. Afterwards each arm's count and sum must equal the distinct
 * rewards exactly, and exactly one answer per distinct key must be `accepted`. The same run
 * against a naive read-modify-write store must fail that check, so the check can fail.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedisStore } from '../src/store/redis-connect.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, uniquePrefix } from './helpers/redis.js';
import { runWorkerProcesses } from './helpers/worker-processes.js';
import type { RewardJob, RewardJobResult } from './workers/reward-worker.js';

const WORKERS = 4;
const TOTAL = 20_000;
const COPIES = TOTAL / 10;
const ARMS = ['a0', 'a1', 'a2'];
const ISSUED_AT = 1_750_000_000;
const WORKER = fileURLToPath(new URL('./workers/reward-worker.ts', import.meta.url));

/** A deterministic shuffle of TOTAL rewards: TOTAL - COPIES distinct keys, plus COPIES repeats of them. */
function rewards(): [string, string, number][] {
  let seed = 12345;
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const distinct = Array.from({ length: TOTAL - COPIES }, (_, i): [string, string, number] => [`k${i}`, ARMS[rand(3)], rand(10)]);
  const all = [...distinct, ...Array.from({ length: COPIES }, () => distinct[rand(distinct.length)])];
  for (let i = all.length - 1; i > 0; i--) { const j = rand(i + 1); [all[i], all[j]] = [all[j], all[i]]; }
  return all;
}

/** Runs the workers together (all connected before any starts) and adds up their answers. */
async function runWorkers(store: RewardJob['store'], prefix: string, all: [string, string, number][]): Promise<RewardJobResult> {
  const jobs = Array.from({ length: WORKERS }, (_, i): RewardJob => ({ url: REDIS_URL, prefix, experimentId: 'race', store, rewards: all.filter((_, j) => j % WORKERS === i), issuedAt: ISSUED_AT, inFlight: 64 }));
  const done = await runWorkerProcesses<RewardJob, RewardJobResult>(WORKER, jobs);
  return { accepted: done.reduce((n, r) => n + r.accepted, 0), duplicate: done.reduce((n, r) => n + r.duplicate, 0), other: done.flatMap((r) => r.other) };
}

/** What is wrong with the outcome of `all` (empty when it is exactly right). */
async function problems(prefix: string, all: [string, string, number][], answers: RewardJobResult): Promise<string[]> {
  const distinct = new Map(all.map(([key, arm, reward]) => [key, { arm, reward }]));
  const out: string[] = [];
  if (answers.other.length) out.push(`unexpected answers: ${answers.other.slice(0, 3).join(', ')}`);
  if (answers.accepted !== distinct.size) out.push(`${answers.accepted} accepted for ${distinct.size} distinct keys`);
  if (answers.accepted + answers.duplicate !== all.length) out.push(`${answers.accepted + answers.duplicate} answers for ${all.length} rewards`);
  const store = await connectRedisStore(REDIS_URL, { prefix });
  const stats = (await store.getStats('race'))!;
  await store.close();
  for (const arm of ARMS) {
    const mine = [...distinct.values()].filter((d) => d.arm === arm);
    const expected = { rewards: mine.length, sum: mine.reduce((s, d) => s + d.reward, 0), sumSq: mine.reduce((s, d) => s + d.reward ** 2, 0) };
    const got = stats.arms.find((a) => a.armId === arm)!.bandit;
    const { rewards: n, sum, sumSq } = got;
    if (n !== expected.rewards || sum !== expected.sum || sumSq !== expected.sumSq) {
      out.push(`${arm}: got ${JSON.stringify({ n, sum, sumSq })}, want ${JSON.stringify(expected)}`);
    }
  }
  return out;
}

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'redis concurrency', () => {
  const admin = new Redis(REDIS_URL);
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeys(admin, p);
    await admin.quit();
  });

  async function experiment(): Promise<string> {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const iso = new Date(ISSUED_AT * 1000).toISOString();
    const config: ExperimentConfig = {
      id: 'race', arms: ARMS.map((id) => ({ id })), baselineArmId: 'a0', rewardModel: 'gaussian',
      prior: { mu: 0, lambda: 1, alpha: 1, beta: 1 }, policy: 'thompson', holdbackPercent: 0, trafficPercent: 100,
      stickiness: false, stickyTtlSeconds: 60, rewardWindowSeconds: 3600, guardrails: null, endsAt: null, seed: null,
      status: 'active', createdAt: iso, updatedAt: iso,
    };
    const store = await connectRedisStore(REDIS_URL, { prefix });
    await store.createExperiment(config);
    await store.close();
    return prefix;
  }

  const all = rewards();

  it(`counts ${TOTAL} concurrent rewards from ${WORKERS} processes, ${COPIES} of them copies, exactly once`, async () => {
    const prefix = await experiment();
    const answers = await runWorkers('atomic', prefix, all);
    expect(await problems(prefix, all, answers)).toEqual([]);
    expect(answers.duplicate).toBe(COPIES);
  });

  it('catches a naive read-modify-write store losing updates (the check can fail)', async () => {
    const prefix = await experiment();
    const answers = await runWorkers('naive', prefix, all);
    const found = await problems(prefix, all, answers);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((p) => /^a\d: got/.test(p))).toBe(true); // lost tally updates, not only extra accepts
  });
});
