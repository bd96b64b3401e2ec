/**
 * The due set of default rewards across the issue-26 change of its members' propensity (decimal
 * text as JavaScript wrote it, then the 16 hex digits of the double): entries an earlier release
 * wrote are still listed with their propensity, and a reward or an applied default takes them off.
 * Also: lua/lib.lua's hexDouble writes what redis-keys.ts hexDouble writes, for every kind of double.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { ExperimentKeys, hexDouble, legacyDueMember } from '../src/store/redis-keys.js';
import { prelude } from '../src/store/redis-scripts.js';
import type { RewardInput } from '../src/store/store.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, uniquePrefix } from './helpers/redis.js';

const NOW = 1_750_000_000;
const ISO = new Date(NOW * 1000).toISOString();

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'redis due set written by an earlier release', () => {
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
      await store.createExperiment({
        id: 'e', arms: [{ id: 'a' }, { id: 'b' }], baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 },
        policy: 'thompson', holdbackPercent: 0, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 600, rewardWindowSeconds: 600,
        guardrails: null, endsAt: null, seed: null, status: 'active', createdAt: ISO, updatedAt: ISO,
      });
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
});
