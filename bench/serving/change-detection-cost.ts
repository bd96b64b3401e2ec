/**
 * Issue 24, what change detection costs per reward: the reward step of an experiment with
 * `changeDetection` against one without, on every store.
 *
 * - Redis: reward.lua's `usec_per_call` (INFO commandstats, EVALSHA) on a private redis-server
 *   (REDIS_PORT, default 6392) so no other client's calls are in the stats, and the bytes of an
 *   arm's detector state (HSTRLEN).
 * - SQLite (a temp file) and memory: the process CPU time per recordReward.
 *
 * Store level (recordReward with the same inputs apart from `changes`), 3 arms, Bernoulli rewards
 * of mean 0.1 (stationary: no detection, so the cost measured is the test's steady state). Each arm
 * first gets WARM rewards, past the 2,000 after which its state holds its full 200 segments; then
 * REPS rounds of N rewards alternate the two variants; medians printed.
 *
 *   flock /tmp/heavy.lock npx tsx bench/serving/change-detection-cost.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { makeRng } from '../../src/bandit/random.js';
import type { ExperimentConfig } from '../../src/contract/domain.js';
import { changeSpecOf } from '../../src/service/engine-config.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { RewardInput, Store } from '../../src/store/store.js';

const N = Number(process.env.N ?? 3000);
const REPS = Number(process.env.REPS ?? 5);
const WARM = Number(process.env.WARM ?? 3000);
const PORT = Number(process.env.REDIS_PORT ?? 6392);
const ARMS = ['a', 'b', 'c'];
const T0 = 1_800_000_000;

const config = (id: string, on: boolean): ExperimentConfig => ({
  id, arms: ARMS.map((a) => ({ id: a })), baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 }, policy: 'thompson',
  holdbackPercent: 0, trafficPercent: 100, stickiness: false, stickyTtlSeconds: 86400, rewardWindowSeconds: 86400 * 30, guardrails: null,
  endsAt: null, seed: null, status: 'active', createdAt: new Date(T0 * 1000).toISOString(), updatedAt: new Date(T0 * 1000).toISOString(),
  ...(on && { changeDetection: { method: 'glr' as const, falseAlarmRate: 0.001 } }),
});

let seq = 0;
const rng = makeRng('change-detection-cost');
function input(c: ExperimentConfig, i: number): RewardInput {
  const armId = ARMS[i % ARMS.length];
  const reward = rng() < 0.1 ? 1 : 0;
  const t = T0 + Math.floor(seq / 10);
  return {
    experimentId: c.id, armId, population: 'b', decisionKey: `k${++seq}`, issuedAt: t, rewardWindowSeconds: c.rewardWindowSeconds, reward,
    event: { error: false }, guardrails: null, windowSize: 100, baseline: armId === 'a', nowMs: (t + 1) * 1000,
    log: { propensity: 1 / 3, retentionSeconds: 3600 }, changes: changeSpecOf(c, 'b', reward),
  };
}

async function feed(store: Store, c: ExperimentConfig, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await store.recordReward(input(c, i));
    if (r.kind !== 'accepted') throw new Error(JSON.stringify(r));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuUs = (): number => { const c = process.cpuUsage(); return c.user + c.system; };

/** Alternating rounds of both variants: `measure` returns one round's cost per reward. */
async function compare(store: Store, measure: (c: ExperimentConfig) => Promise<number>): Promise<{ off: number; on: number }> {
  const off = config('off', false);
  const on = config('on', true);
  for (const c of [off, on]) {
    await store.createExperiment(c);
    await feed(store, c, WARM * ARMS.length);
  }
  const out = { off: [] as number[], on: [] as number[] };
  for (let r = 0; r < REPS; r++) {
    out.off.push(await measure(off));
    out.on.push(await measure(on));
  }
  return { off: median(out.off), on: median(out.on) };
}

const cpuRound = (store: Store) => async (c: ExperimentConfig): Promise<number> => {
  const c0 = cpuUs();
  await feed(store, c, N);
  return (cpuUs() - c0) / N;
};

const lines: string[] = [];
const row = (name: string, unit: string, r: { off: number; on: number }) => lines.push(
  `| ${name} | ${unit} | ${r.off.toFixed(1)} | ${r.on.toFixed(1)} | +${(r.on - r.off).toFixed(1)} | ${(r.on / r.off).toFixed(2)} |`);

// Redis: a private server.
const server = spawn('redis-server', ['--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
try {
  const url = `redis://127.0.0.1:${PORT}`;
  const admin = new Redis(url);
  const store = await connectRedisStore(url, { prefix: 'cost:', commandTimeoutMs: 5000 });
  const evalsha = async (): Promise<{ calls: number; usec: number }> => {
    const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await admin.info('commandstats'));
    return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
  };
  const redis = await compare(store, async (c) => {
    await admin.config('RESETSTAT');
    const s0 = await evalsha();
    await feed(store, c, N);
    const s1 = await evalsha();
    return (s1.usec - s0.usec) / (s1.calls - s0.calls);
  });
  const bytes = await admin.hstrlen('cost:{exp:on}:g', 'g:b');
  row('Redis: reward.lua usec_per_call', 'µs', redis);
  lines.push('', `Redis: one arm's detector state after ${WARM + REPS * N / ARMS.length} rewards: ${bytes} bytes (field g:<arm> of {exp:<id>}:g).`, '');
  await store.close();
  admin.disconnect();
} finally {
  server.kill();
}

const dir = mkdtempSync(join(tmpdir(), 'change-cost-'));
try {
  const sqlite = SqliteStore.open(join(dir, 'bandit.db'));
  row('SQLite: recordReward, process CPU', 'µs', await compare(sqlite, cpuRound(sqlite)));
  await sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const memory = new MemoryStore();
row('memory: recordReward, process CPU', 'µs', await compare(memory, cpuRound(memory)));
await memory.close();

console.log([
  `Change detection's cost per reward (N = ${N} rewards per round, ${REPS} rounds alternating, medians; ${WARM} warm-up rewards per arm):`, '',
  '| store: quantity | unit | without | with changeDetection | difference | ratio |', '| --- | --- | ---: | ---: | ---: | ---: |',
  ...lines.filter((l) => l.startsWith('|')), '', ...lines.filter((l) => !l.startsWith('|') && l !== ''),
].join('\n'));
