/**
 * `npm run migrate` copies declared metrics and signals (issue 22): the metric sums of every arm and
 * population, the windows of guarded metrics, the dedupe records of signals and the metrics of
 * reward and signal events. The service on Redis then answers the same /arms metrics block and event
 * log, refuses a repeated signal as a duplicate, and counts a reward's metric that a signal recorded
 * first once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { copySqliteToRedis } from '../src/store/sqlite-redis-copy.js';
import { TestClock, experimentBody, makeTestApp, type TestApp } from './helpers/app.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, uniquePrefix } from './helpers/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'bandit-migrate-metrics-'));
const prefix = uniquePrefix();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, prefix).finally(() => redis.quit());
});

const METRICS = [
  { name: 'judge', kind: 'mean', direction: 'increase' },
  { name: 'thumbs_up', kind: 'proportion', direction: 'increase', guardrail: { min: 0.01, minSamples: 5 } },
];

/** What must be the same on both stores: the metrics block of /arms, and the exported events without their ids. */
async function seen(t: TestApp) {
  const events = await t.app.inject({ method: 'GET', url: '/experiments/exp-1/events' });
  return {
    metrics: (await t.get('/arms?experimentId=exp-1')).body.metrics,
    events: events.body.trim().split('\n').map((l) => { const { eventId: _, ...e } = JSON.parse(l); return e; }),
  };
}

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'migrate with metrics', () => {
  it('copies metric sums, windows, signal dedupe records and events: Redis answers the same and refuses a repeated signal', async () => {
    const clock = new TestClock();
    const sqlite = SqliteStore.open(join(dir, 'bandit.db'));
    const a = await makeTestApp(sqlite, clock);
    expect((await a.post('/experiments', experimentBody({ metrics: METRICS, holdbackPercent: 20 }))).status).toBe(201);
    const decisions: { decisionId: string }[] = [];
    for (let i = 0; i < 40; i++) decisions.push((await a.post('/select', { experimentId: 'exp-1', userId: `u${i % 15}` })).body);
    for (const [i, d] of decisions.entries()) {
      if (i % 4 === 0) continue; // no reward: some get a signal only
      expect((await a.post('/reward', { decisionId: d.decisionId, reward: i % 3 === 0 ? 1 : 0, metrics: { judge: 0.1 * (i % 10), thumbs_up: i % 2 } })).body.duplicate).toBe(false);
    }
    for (const [i, d] of decisions.entries()) {
      if (i % 4 === 0) expect((await a.post('/signals', { decisionId: d.decisionId, name: 'judge', value: 0.05 * i })).body).toEqual({ accepted: true, duplicate: false });
    }
    const before = await seen(a);
    expect(before.events.filter((e: { type: string }) => e.type === 'signal')).toHaveLength(10);
    expect(before.metrics.judge.arms.reduce((n: number, x: { n: number }) => n + x.n, 0) + before.metrics.judge.holdback.n).toBe(40);

    const redis = new Redis(REDIS_URL);
    try {
      await copySqliteToRedis(sqlite.db, redis, prefix);
    } finally {
      await redis.quit();
    }
    const store = await connectRedisStore(REDIS_URL, { prefix });
    const b = await makeTestApp(store, clock);
    try {
      const after = await seen(b);
      expect(after).toEqual(before);
      expect(await store.getMetricStats('exp-1', ['judge', 'thumbs_up'])).toEqual(await sqlite.getMetricStats('exp-1', ['judge', 'thumbs_up']));
      // a signal recorded before the move is a duplicate after it; a reward repeated likewise
      expect((await b.post('/signals', { decisionId: decisions[0].decisionId, name: 'judge', value: 1 })).body).toEqual({ accepted: true, duplicate: true });
      expect((await b.post('/reward', { decisionId: decisions[1].decisionId, reward: 1, metrics: { judge: 1 } })).body.duplicate).toBe(true);
      expect((await b.post('/signals', { decisionId: decisions[1].decisionId, name: 'thumbs_up', value: 1 })).body.duplicate).toBe(true);
      // a reward for a decision whose judge came by signal before the move counts its thumbs_up only
      expect((await b.post('/reward', { decisionId: decisions[4].decisionId, reward: 1, metrics: { judge: 0.9, thumbs_up: 1 } })).body.duplicate).toBe(false);
      const counted = (await seen(b)).events.at(-1);
      expect(counted).toMatchObject({ type: 'reward', decisionId: decisions[4].decisionId, metrics: { thumbs_up: 1 } });
      const n = (m: any) => m.arms.reduce((s: number, x: { n: number }) => s + x.n, 0) + m.holdback.n;
      const report = (await b.get('/arms?experimentId=exp-1')).body.metrics;
      expect([n(report.judge), n(report.thumbs_up)]).toEqual([40, 31]);
    } finally {
      await b.app.close();
      await store.close();
      await a.app.close();
      await sqlite.close();
    }
  });
});
