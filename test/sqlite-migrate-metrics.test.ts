/**
 * `npm run migrate` cannot copy declared metrics and signals yet: a database that holds them is
 * refused with a one-line reason and nothing is written to Redis (rather than dropping them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { copySqliteToRedis } from '../src/store/sqlite-redis-copy.js';
import { experimentBody, makeTestApp } from './helpers/app.js';
import { REDIS_URL, describeIf, redisAvailable, uniquePrefix } from './helpers/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'bandit-migrate-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'migrate with metrics', () => {
  it('refuses a database with declared metrics and a signal, writing nothing', async () => {
    const store = SqliteStore.open(join(dir, 'bandit.db'));
    const t = await makeTestApp(store);
    expect((await t.post('/experiments', experimentBody({ metrics: [{ name: 'judge', kind: 'mean', direction: 'increase' }] }))).status).toBe(201);
    const { decisionId } = (await t.post('/select', { experimentId: 'exp-1' })).body;
    expect((await t.post('/signals', { decisionId, name: 'judge', value: 0.7 })).body).toEqual({ accepted: true, duplicate: false });
    const redis = new Redis(REDIS_URL);
    const prefix = uniquePrefix();
    try {
      await expect(copySqliteToRedis(store.db, redis, prefix)).rejects.toThrow(/declared metrics or signals/);
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      await redis.quit();
      await t.app.close();
      await store.close();
    }
  });
});
