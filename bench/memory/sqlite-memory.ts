/**
 * The SQLite store's memory and disk per logged event (issue 18, item 4): the process's RSS at 10
 * thousand logged events and at EVENTS (default 10 million), and the bytes on disk per decision
 * event and per reward event, all through the store's own ledger steps (assign, recordReward).
 *
 *   npm run bench:memory -- sqlite                 # 10,000,000 events (about 1.5 GB in a temp dir)
 *   EVENTS=1000000 npm run bench:memory -- sqlite
 *
 * Each step: one decision (no userId: no user record) and its reward (a dedupe entry and a window
 * event besides the log row), so the log holds decisions and rewards half and half. The bytes per
 * event are measured on their own first: 100,000 decisions, then 100,000 rewards, the database
 * checkpointed (WAL folded in) before and after each.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { AssignInput, RewardInput } from '../../src/store/store.js';
import type { ExperimentConfig } from '../../src/contract/domain.js';

const EVENTS = Number(process.env.EVENTS ?? 10_000_000);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'bandit-sqlite-memory-'));
const file = join(dir, 'bandit.db');
const store = SqliteStore.open(file);
const MiB = 1024 * 1024;
const now = Math.floor(Date.now() / 1000);
const arms = ['control', 'treat', 'other'];

const config: ExperimentConfig = {
  id: 'mem', arms: arms.map((id) => ({ id })), baselineArmId: 'control', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 }, policy: 'thompson',
  holdbackPercent: 0, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 86400, rewardWindowSeconds: 86400, guardrails: null, endsAt: null,
  seed: null, status: 'active', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), eventRetentionSeconds: 365 * 86400,
} as ExperimentConfig;
await store.createExperiment(config);

let seq = 0;
const nonce = (): string => `n${(seq++).toString(36).padStart(15, '0')}`; // 16 characters, as a token's nonce (base64url of 12 bytes)
const decision = (key: string, arm: string): AssignInput => ({
  experimentId: 'mem', version: 1, population: 'b', armId: arm, propensity: 0.3333, sticky: true, stickyTtlSeconds: 86400, now, withStats: false,
  log: { nonce: key, nowMs: Date.now(), disabledArms: '', retentionSeconds: 365 * 86400, propensities: '.333,.333,.334' },
});
const reward = (key: string, arm: string, i: number): RewardInput => ({
  experimentId: 'mem', armId: arm, population: 'b', decisionKey: key, issuedAt: now, rewardWindowSeconds: 86400, reward: i % 2,
  event: { error: false, latencyMs: 100 + (i % 50) }, guardrails: null, windowSize: 1000, baseline: arm === 'control', nowMs: Date.now(),
  log: { propensity: 0.3333, retentionSeconds: 365 * 86400 },
});

const diskBytes = (): number => {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(file).size;
};
const rssMiB = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / MiB;
};

let logged = 0;
const step = async (i: number): Promise<void> => {
  const key = nonce();
  await store.assign(decision(key, arms[i % 3]));
  await store.recordReward(reward(key, arms[i % 3], i));
  logged += 2;
};
// The baseline: RSS at 10,000 logged events.
for (let i = 0; logged < 10_000; i++) await step(i);
const rss10k = rssMiB();
console.log(`${logged.toLocaleString('en')} events: RSS ${rss10k.toFixed(1)} MiB`);

// Bytes on disk per event, each kind on its own.
const N = 100_000;
const keys = Array.from({ length: N }, nonce);
const d0 = diskBytes();
for (let i = 0; i < N; i++) await store.assign(decision(keys[i], arms[i % 3]));
const d1 = diskBytes();
for (let i = 0; i < N; i++) await store.recordReward(reward(keys[i], arms[i % 3], i));
const d2 = diskBytes();
logged += 2 * N;
console.log(`disk: ${((d1 - d0) / N).toFixed(1)} B per decision event, ${((d2 - d1) / N).toFixed(1)} B per reward event (with its dedupe entry), page size ${store.db.pragma('page_size', { simple: true })}`);

const started = Date.now();
const report = (): void => {
  console.log(`${logged.toLocaleString('en')} events: RSS ${rssMiB().toFixed(1)} MiB, heap ${(process.memoryUsage().heapUsed / MiB).toFixed(1)} MiB, ${((Date.now() - started) / 1000).toFixed(0)} s`);
};
for (let i = 0; logged < EVENTS; i++) {
  await step(i);
  if (logged % 1_000_000 === 0) report();
}
const rssEnd = rssMiB();
const bytes = diskBytes();
console.log(`RESULT events=${logged} rss_start=${rss10k.toFixed(1)}MiB rss_end=${rssEnd.toFixed(1)}MiB growth=${(rssEnd - rss10k).toFixed(1)}MiB disk=${(bytes / MiB).toFixed(0)}MiB (${(bytes / logged).toFixed(1)} B/event incl. dedupe) elapsed=${((Date.now() - started) / 1000).toFixed(0)}s`);
// A page of the log read through the store at the end of a long log: the reads are paged, the RSS stays.
const t0 = performance.now();
const page = await store.readEvents('mem', `${Date.now() - 1000}-0`, 1000);
console.log(`read a page of ${page!.length} events near the end in ${(performance.now() - t0).toFixed(1)} ms; RSS ${rssMiB().toFixed(1)} MiB`);
await store.close();
rmSync(dir, { recursive: true, force: true });
