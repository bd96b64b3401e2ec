/**
 * `npm run migrate -- --to <REDIS_URL>` (issue 18, item 6): a SQLite store with live experiments
 * (holdback, guardrails, discounted and cost sums, default rewards, a disabled arm), sticky users,
 * run-time API keys, events and history is copied into an empty Redis prefix; the service on Redis
 * then holds the same store state, answers the same reports and event log, serves the same sticky
 * arms, and accepts the old decision ids exactly once. A second run into the same prefix is refused.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, uniquePrefix, waitFor } from './helpers/redis.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bandit-migrate-'));
const prefix = uniquePrefix();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const admin = new Redis(REDIS_URL);
  await deleteKeys(admin, prefix);
  await admin.quit();
});

function migrate(): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/tools/migrate.ts', '--to', REDIS_URL], { cwd: root, env: { ...process.env, DATA_DIR: dir, REDIS_PREFIX: prefix } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

/** The service on `store` (its own decision secret), and a caller with `key`. */
async function service(store: Store): Promise<{ app: FastifyInstance; call: (method: string, url: string, body?: unknown, key?: string) => Promise<{ status: number; body: any }> }> {
  const app = await buildApp({ store, logger: false });
  const call = async (method: string, url: string, body?: unknown, key?: string) => {
    const res = await app.inject({ method: method as 'GET', url, headers: { ...(key && { authorization: `Bearer ${key}` }), ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { payload: JSON.stringify(body) }) });
    return { status: res.statusCode, body: String(res.headers['content-type']).startsWith('application/json') ? JSON.parse(res.body) : res.body };
  };
  await waitFor(async () => (await call('GET', '/ready')).status === 200, 10_000, 'the service to be ready');
  return { app, call };
}

/** What must be the same on both stores, read through the store and through the API. */
async function snapshot(store: Store, call: Awaited<ReturnType<typeof service>>['call'], key: string) {
  const ids = ['e1', 'e2', 'e3', 'e4'];
  const counts = (r: any) => ({ totals: r.totals, arms: r.arms.map((a: any) => [a.armId, a.decisions, a.rewards, a.rewardSum, a.status, a.disabled]), holdback: r.holdback && [r.holdback.decisions, r.holdback.meanReward] });
  return {
    experiments: await store.listExperiments(),
    stats: await Promise.all(ids.map((id) => store.getStats(id))),
    windows: await Promise.all(ids.map((id) => store.getGuardrailWindows(id))),
    due: await store.dueDefaultRewards('e2', 4_000_000_000, 1000),
    history: await store.readHistory('e1', 0, 4_000_000_000),
    keys: await store.listApiKeys(),
    events: await Promise.all(ids.map(async (id) => (await store.readEvents(id, null, 10_000))!.map(({ eventId: _, ...e }) => e))),
    reports: await Promise.all(ids.map(async (id) => counts((await call('GET', `/arms?experimentId=${id}`, undefined, key)).body))),
    exported: await Promise.all(ids.map(async (id) => String((await call('GET', `/experiments/${id}/events`, undefined, key)).body).trim().split('\n')
      .map((l) => { const { eventId: _, ...e } = JSON.parse(l); return e; }))),
  };
}

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'migrate to Redis', () => {
  it('copies a live SQLite store into an empty Redis: the same state, reports, sticky arms, and old decision ids accepted once', async () => {
    const sqlite = SqliteStore.open(join(dir, 'bandit.db'));
    const a = await service(sqlite);
    const admin = (await a.call('POST', '/keys', { scope: 'admin', name: 'root' })).body.key as string;
    const reader = (await a.call('POST', '/keys', { scope: 'read', name: 'dashboards' }, admin)).body.key as string;
    const arms = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect((await a.call('POST', '/experiments', { id: 'e1', arms, rewardModel: 'bernoulli', holdbackPercent: 20, guardrails: { errorRate: 0.9, minSamples: 50 }, policy: 'linear-thompson', features: { i: { type: 'numeric' } } }, admin)).status).toBe(201);
    expect((await a.call('POST', '/experiments', { id: 'e2', arms, rewardModel: 'gaussian', discount: { halfLifeSeconds: 3600 }, objective: { costWeight: 1 }, defaultReward: { afterSeconds: 3000, value: 0 } }, admin)).status).toBe(201);
    expect((await a.call('POST', '/experiments/e2/arms/c/disable', { reason: 'before the move' }, admin)).status).toBe(200);
    // Change detection (issue 24): every arm rewarded 1, then 0: changes detected, evidence restarted.
    expect((await a.call('POST', '/experiments', { id: 'e3', arms, rewardModel: 'bernoulli', stickiness: false, changeDetection: { method: 'glr', falseAlarmRate: 0.01 } }, admin)).status).toBe(201);
    for (let i = 0; i < 180; i++) {
      const d = (await a.call('POST', '/select', { experimentId: 'e3' }, admin)).body;
      expect((await a.call('POST', '/reward', { decisionId: d.decisionId, reward: i < 90 ? 1 : 0 }, admin)).status).toBe(200);
    }
    const e3 = (await a.call('GET', '/arms?experimentId=e3', undefined, reader)).body;
    expect(e3.arms.some((x: { changes: unknown[] }) => x.changes.length > 0), JSON.stringify(e3.arms)).toBe(true);
    const sticky = new Map<string, string>();
    const unrewarded: string[] = [];
    const rewarded: string[] = [];
    for (let i = 0; i < 300; i++) {
      const experimentId = i % 3 === 0 ? 'e2' : 'e1';
      const userId = i % 5 === 0 ? undefined : `user-${i % 40}`;
      const d = (await a.call('POST', '/select', { experimentId, ...(userId && { userId }), context: { i } }, admin)).body;
      if (userId && d.population === 'bandit') sticky.set(`${experimentId}/${userId}`, d.armId);
      if (i % 4 === 0) { unrewarded.push(d.decisionId); continue; }
      const r = await a.call('POST', '/reward', { decisionId: d.decisionId, reward: i % 2, latencyMs: i, cost: 0.01 * (i % 7), error: i % 11 === 0, metadata: { i } }, admin);
      expect(r.body).toEqual({ accepted: true, duplicate: false });
      rewarded.push(d.decisionId);
    }
    // The hurdle model's sums (rewardShape hurdle-lognormal) move with the tallies.
    expect((await a.call('POST', '/experiments', { id: 'e4', arms, rewardModel: 'gaussian', rewardShape: 'hurdle-lognormal' }, admin)).status).toBe(201);
    for (let i = 0; i < 30; i++) {
      const d = (await a.call('POST', '/select', { experimentId: 'e4' }, admin)).body;
      expect((await a.call('POST', '/reward', { decisionId: d.decisionId, reward: i % 3 === 0 ? 7.25 * (i + 1) : 0 }, admin)).status).toBe(200);
    }
    await sqlite.writeHistoryPoint('e1', { ts: 1_750_000_000, arms: [], holdback: { users: null, decisions: 0, rewards: 0, meanReward: null } }, 86400 * 365 * 10);
    const before = await snapshot(sqlite, a.call, reader);
    expect(before.stats[0]!.arms.some((arm) => arm.linear !== undefined)).toBe(true); // e1 is contextual (issue 23): its linear sums are copied too
    await a.app.close();
    before.keys = await sqlite.listApiKeys(); // with the lastUsedAt the close flushed
    expect(before.keys.every((k) => k.lastUsedAt !== null)).toBe(true);
    await sqlite.close();

    const first = await migrate();
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/4 experiments, \d+ events, 1 history points, 2 API keys, secret copied/);
    const again = await migrate();
    expect(again).toMatchObject({ code: 1, out: expect.stringContaining(`Redis already holds keys under the prefix '${prefix}'`) });

    const redis = await connectRedisStore(REDIS_URL, { prefix, commandTimeoutMs: 2000 });
    const b = await service(redis);
    try {
      expect(await snapshot(redis, b.call, reader)).toEqual(before);
      for (const [user, armId] of sticky) {
        const [experimentId, userId] = user.split('/');
        expect((await b.call('POST', '/select', { experimentId, userId }, admin)).body).toMatchObject({ armId, sticky: true });
      }
      for (const decisionId of unrewarded) {
        expect((await b.call('POST', '/reward', { decisionId, reward: 1 }, admin)).body).toEqual({ accepted: true, duplicate: false });
        expect((await b.call('POST', '/reward', { decisionId, reward: 1 }, admin)).body).toEqual({ accepted: true, duplicate: true });
      }
      for (const decisionId of rewarded) expect((await b.call('POST', '/reward', { decisionId, reward: 0 }, admin)).body).toEqual({ accepted: true, duplicate: true });
    } finally {
      await b.app.close();
      await redis.close();
    }
  }, 90_000);
});
