/**
 * Redis data written by the release before issue 26 stays readable and counted:
 * - the due set of default rewards (its members' propensity was decimal text as JavaScript wrote it,
 *   now the 16 hex digits of the double): old entries are listed with their propensity, and a
 *   reward or an applied default takes them off; lua/lib.lua's hexDouble writes what redis-keys.ts
 *   hexDouble writes, for every kind of double;
 * - the metric sums (two fields per metric, arm and population, now one C| field): read as they
 *   are, and folded into the new field by the next step that counts the metric.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { ExperimentKeys, hexDouble, legacyDueMember } from '../src/store/redis-keys.js';
import { prelude } from '../src/store/redis-scripts.js';
import type { RewardInput } from '../src/store/store.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, uniquePrefix } from './helpers/redis.js';

const NOW = 1_750_000_000;
const ISO = new Date(NOW * 1000).toISOString();
const experiment = (id: string): ExperimentConfig => ({
  id, arms: [{ id: 'a' }, { id: 'b' }], baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 },
  policy: 'thompson', holdbackPercent: 0, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 600, rewardWindowSeconds: 600,
  guardrails: null, endsAt: null, seed: null, status: 'active', createdAt: ISO, updatedAt: ISO,
});

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'redis data written by an earlier release', () => {
  const admin = new Redis(REDIS_URL);
  afterAll(() => admin.quit());

  it('hexDouble: Lua and TypeScript write the same digits', async () => {
    const xs = [0.1, 1 / 3, 1e-7, 1.5e-7, 5e-324, 1, 0, 0.30000000000000004, 123456.789, Number.MAX_VALUE];
    const lua = `${prelude()}
local out = {}
for i, x in ipairs(ARGV) do out[i] = hexDouble(tonumber(x)) end
return out`;
    expect(await admin.eval(lua, 1, 'unused', ...xs.map(String))).toEqual(xs.map(hexDouble));
  });

  it('lists a legacy entry with its propensity; a reward, or its applied default, takes it off', async () => {
    const prefix = uniquePrefix();
    const store = await connectRedisStore(REDIS_URL, { prefix });
    try {
      await store.createExperiment(experiment('e'));
      const k = new ExperimentKeys(prefix, 'e');
      const entries = [
        { decisionKey: 'legacy1', population: 'b' as const, issuedAt: NOW, armId: 'b', propensity: 1.5e-7, userKey: 'user-key-12c' },
        { decisionKey: 'legacy2', population: 'b' as const, issuedAt: NOW, armId: 'b', propensity: 1 / 3 },
      ];
      // As the release before issue 26 wrote them (its assign.lua formatted the propensity as String() does).
      for (const d of entries) await admin.zadd(k.due(), NOW + 60, legacyDueMember(d));
      expect(await admin.zrange(k.due(), 0, -1)).toContain('legacy1|b|1750000000|b|1.5e-7|user-key-12c');
      expect(await store.dueDefaultRewards('e', NOW + 60, 10)).toEqual(entries.map((d) => ({ ...d, dueAt: NOW + 60 })));
      const reward = (d: (typeof entries)[number], apply: boolean): RewardInput => ({
        experimentId: 'e', armId: d.armId, population: d.population, decisionKey: d.decisionKey, issuedAt: d.issuedAt, rewardWindowSeconds: 600,
        reward: apply ? 0 : 1, event: { error: false }, guardrails: null, windowSize: 100, baseline: false, nowMs: (NOW + 100) * 1000, version: 1,
        userKey: d.userKey, log: { propensity: d.propensity, retentionSeconds: 600 }, defaults: { apply },
      });
      expect(await store.recordReward(reward(entries[0], false))).toEqual({ kind: 'accepted' });
      expect(await store.recordReward(reward(entries[1], true))).toEqual({ kind: 'accepted' });
      expect(await store.dueDefaultRewards('e', NOW + 10_000, 10)).toEqual([]);
      expect(await admin.zcard(k.due())).toBe(0);
    } finally {
      await store.close();
      await deleteKeys(admin, prefix);
    }
  });

  it('reads the metric sums in their old two fields, and the next reward folds them into one', async () => {
    const prefix = uniquePrefix();
    const store = await connectRedisStore(REDIS_URL, { prefix });
    const pack = (xs: number[]) => { const b = Buffer.alloc(8 * xs.length); xs.forEach((x, i) => b.writeDoubleLE(x, 8 * i)); return b; };
    try {
      await store.createExperiment(experiment('m'));
      const k = new ExperimentKeys(prefix, 'm');
      // As the release before issue 26 wrote them: count, sum, sum of squares; then units, S, N, sum S^2, sum N^2, sum S N.
      await admin.hset(k.metricSums(), 'b|judge|b', pack([2, 1, 0.5]), 'U|b|judge|b', pack([2, 1, 2, 0.5, 2, 1]));
      const before = (await store.getMetricStats('m', ['judge']))!.judge[1];
      expect(before.bandit).toEqual({ n: 2, sum: 1, sumSq: 0.5 });
      expect(before.users.bandit).toEqual({ units: 2, sum: 1, count: 2, sumSq: 0.5, countSq: 2, cross: 1 });
      expect(await store.recordReward({
        experimentId: 'm', armId: 'b', population: 'b', decisionKey: 'd1', issuedAt: NOW, rewardWindowSeconds: 600, reward: 1,
        event: { error: false }, guardrails: null, windowSize: 100, baseline: false, nowMs: NOW * 1000, version: 1,
        log: { propensity: 0.5, retentionSeconds: 600 }, metrics: [{ name: 'judge', value: 0.25 }],
      })).toEqual({ kind: 'accepted' });
      const after = (await store.getMetricStats('m', ['judge']))!.judge[1];
      expect(after.bandit).toEqual({ n: 3, sum: 1.25, sumSq: 0.5625 });
      expect(after.users.bandit).toEqual({ units: 3, sum: 1.25, count: 3, sumSq: 0.5625, countSq: 3, cross: 1.25 });
      expect((await admin.hkeys(k.metricSums())).sort()).toEqual(['C|b|judge|b']);
    } finally {
      await store.close();
      await deleteKeys(admin, prefix);
    }
  });
});
