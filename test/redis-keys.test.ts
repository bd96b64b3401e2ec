/**
 * Every key of an experiment carries the hash tag {exp:<id>}, so each script's keys share a slot
 * (Redis Cluster). Checked on the key builders, and on what the store really writes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { createHash } from 'node:crypto';
import { ExperimentKeys, checkPrefix, indexKey, secretKey, stickyField } from '../src/store/redis-keys.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, uniquePrefix } from './helpers/redis.js';

/** The part of a key Redis Cluster hashes: the text between the first '{' and the next '}', if not empty. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** Every key builder of ExperimentKeys (whatever methods it grows), called with sample arguments. */
function everyKey(prefix: string, id: string): string[] {
  const keys = new ExperimentKeys(prefix, id) as unknown as Record<string, (...a: unknown[]) => string>;
  const methods = Object.getOwnPropertyNames(ExperimentKeys.prototype).filter((m) => m !== 'constructor');
  expect(methods.length).toBeGreaterThanOrEqual(6);
  return methods.flatMap((m) => [keys[m]('arm-1', 42), keys[m]('x:{y}', -1)]);
}

describe('redis keys', () => {
  it('tags every experiment key with {exp:<id>}', () => {
    for (const id of ['exp-1', 'a.b:c_d', 'ü', 'x'.repeat(64)]) {
      for (const key of everyKey('bandit:', id)) {
        expect(hashTag(key), key).toBe(`exp:${id}`);
        expect(key.startsWith('bandit:'), key).toBe(true);
      }
    }
  });

  it('keeps the index and the secret outside every experiment slot, under the prefix', () => {
    for (const key of [indexKey('p:'), secretKey('p:')]) {
      expect(key.startsWith('p:')).toBe(true);
      expect(key).not.toContain('{');
    }
  });

  it('spells a sticky field as the first 9 bytes of SHA-256(userId) in base64url (fields written before stay found)', () => {
    expect(stickyField('u-1')).toBe('okp_VfJ43Un7');
    for (const u of ['', 'u-42', 'ü-é-用户', 'x'.repeat(300)]) {
      expect(stickyField(u)).toBe(createHash('sha256').update(u, 'utf8').digest().subarray(0, 9).toString('base64url'));
    }
  });

  it('refuses a prefix with a brace (its tag would win)', () => {
    expect(() => checkPrefix('a{b}:')).toThrow(/must not contain/);
    expect(checkPrefix('test:1:')).toBe('test:1:');
  });
});

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'redis keys written by the store', () => {
  const admin = new Redis(REDIS_URL);
  afterAll(() => admin.quit());

  it('writes no experiment key without its tag', async () => {
    const prefix = uniquePrefix();
    const store = await connectRedisStore(REDIS_URL, { prefix });
    try {
      const now = 1_750_000_000;
      const iso = new Date(now * 1000).toISOString();
      await store.createExperiment({
        id: 'tagged', arms: [{ id: 'a' }, { id: 'b' }], baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 },
        policy: 'thompson', holdbackPercent: 0, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 60, rewardWindowSeconds: 600,
        guardrails: null, endsAt: null, seed: null, status: 'active', createdAt: iso, updatedAt: iso,
      });
      await store.assign({ experimentId: 'tagged', version: 1, population: 'b', armId: 'b', propensity: 0.5, userId: 'u', sticky: true, stickyTtlSeconds: 60, now, withStats: true,
        log: { nonce: 'AAAAAAAAAAAAAAAA', nowMs: now * 1000, disabledArms: '', retentionSeconds: 600 } });
      await store.recordReward({
        experimentId: 'tagged', armId: 'b', population: 'b', decisionKey: 'k', issuedAt: now, rewardWindowSeconds: 600, reward: 1,
        event: { latencyMs: 5, cost: 1, error: true }, guardrails: { errorRate: 0, minSamples: 1, windowSize: 10 }, windowSize: 10, baseline: false, nowMs: now * 1000,
        log: { propensity: 0.5, retentionSeconds: 600 },
      });
      await store.getOrCreateSecret('s');
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      const outside = [indexKey(prefix), secretKey(prefix)];
      expect(keys.length).toBeGreaterThanOrEqual(7); // meta, tallies, windows, events, sticky, dedupe + 2
      for (const key of keys) if (!outside.includes(key)) expect(hashTag(key), key).toBe('exp:tagged');
    } finally {
      await store.close();
      await deleteKeys(admin, prefix);
    }
  });
});
