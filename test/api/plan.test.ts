/**
 * POST /plan against statsmodels 0.13.5 (NormalIndPower with proportion_effectsize for bernoulli,
 * TTestIndPower for gaussian; alpha 0.05 two-sided, power 0.8; `ratio` = bandit / holdback users),
 * computed with Debian's python3-statsmodels:
 *   p 0.10 -> 0.12, ratio 1:  3834.596 per group      p 0.10 -> 0.12, ratio 9: 2130.331 / 19172.979
 *   p 0.05 -> 0.06, ratio 9:  4523.664 / 40712.977    p 0.20 -> 0.25, ratio 4: 682.435 / 2729.740
 *   d 0.5, ratio 1: 63.766 (Cohen 1988 table 2.4.1: 64)   d 0.2, ratio 1: 393.406 (Cohen: 393)   d 0.1, ratio 9: 872.288 / 7850.590
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../helpers/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const t = await makeTestApp(new MemoryStore());
const plan = (body: Record<string, unknown>) => t.post('/plan', { arms: 2, dailyUsers: 1000, ...body });

describe('POST /plan', () => {
  it.each([
    [0.10, 0.12, 50, 3834.596, 3834.596],
    [0.10, 0.12, 10, 2130.331, 19172.979],
    [0.05, 0.06, 10, 4523.664, 40712.977],
    [0.20, 0.25, 20, 682.435, 2729.740],
  ])('bernoulli %s -> %s with a %s%% holdback matches statsmodels', async (p1, p2, holdbackPercent, hold, bandit) => {
    const res = await plan({ rewardModel: 'bernoulli', baselineMean: p1, minDetectableEffect: p2 - p1, effectType: 'absolute', holdbackPercent });
    expect(res.status).toBe(200);
    expect(res.body.fixedHorizon.holdbackUsers).toBe(Math.ceil(hold));
    // ceil(total * share) of a total that already rounds the holdback: within one user of statsmodels.
    expect(Math.abs(res.body.fixedHorizon.banditUsers - Math.ceil(bandit))).toBeLessThanOrEqual(1);
    expect(res.body.fixedHorizon.days).toBeCloseTo(res.body.fixedHorizon.totalUsers / 1000, 2);
    expect(res.body.alwaysValid.totalUsers).toBeGreaterThan(res.body.fixedHorizon.totalUsers);
  });

  it.each([[0.5, 50, 63.766, 63.766], [0.2, 50, 393.406, 393.406], [0.1, 10, 872.288, 7850.590]])(
    'gaussian d = %s with a %s%% holdback is within one user of statsmodels\' noncentral t', async (d, holdbackPercent, hold, bandit) => {
      const res = await plan({ rewardModel: 'gaussian', baselineMean: 10, standardDeviation: 2, minDetectableEffect: 2 * d, effectType: 'absolute', holdbackPercent });
      expect(res.status).toBe(200);
      expect(Math.abs(res.body.fixedHorizon.holdbackUsers - Math.ceil(hold))).toBeLessThanOrEqual(1);
      expect(Math.abs(res.body.fixedHorizon.banditUsers - Math.ceil(bandit))).toBeLessThanOrEqual(9);
    });

  it('returning users: visitsPerUser and designEffect scale each user\'s variance; `sizes` says what is sized', async () => {
    const body = { rewardModel: 'bernoulli', baselineMean: 0.1, minDetectableEffect: 0.02, effectType: 'absolute', holdbackPercent: 10 };
    const one = (await plan(body)).body;
    const three = (await plan({ ...body, visitsPerUser: 3 })).body;
    const deff = (await plan({ ...body, visitsPerUser: 3, designEffect: 1.5 })).body;
    expect(one.varianceFactor).toBe(1);
    expect(three.varianceFactor).toBeCloseTo(1 / 3, 12);
    expect(three.fixedHorizon.holdbackUsers).toBe(Math.ceil(2130.331 / 3));
    expect(deff.fixedHorizon.holdbackUsers).toBe(Math.ceil(2130.331 / 2));
    expect(three.alwaysValid.totalUsers).toBeLessThan(one.alwaysValid.totalUsers / 2.5);
    expect(three.sizes).toMatch(/lift of the bandit population over the holdback .*3 rewarded visits per user/);
    expect(one.sizes).toMatch(/not the best arm's own/);
    expect((await plan({ ...body, visitsPerUser: 0.5 })).status).toBe(400);
  });

  it('takes a relative effect by default and says what it planned for', async () => {
    const res = await plan({ rewardModel: 'bernoulli', baselineMean: 0.1, minDetectableEffect: 0.2, holdbackPercent: 10, arms: 3 });
    expect(res.body.effect).toEqual({ baselineMean: 0.1, treatmentMean: 0.12, absolute: 0.02 });
    expect(res.body.fixedHorizon).toMatchObject({ holdbackUsers: 2131, usersPerArm: Math.ceil(res.body.fixedHorizon.banditUsers / 3) });
  });

  it.each([
    [{ rewardModel: 'bernoulli', baselineMean: 1.5, minDetectableEffect: 0.1, holdbackPercent: 10 }, /rate/],
    [{ rewardModel: 'bernoulli', baselineMean: 0.9, minDetectableEffect: 0.2, holdbackPercent: 10 }, /not a rate/],
    [{ rewardModel: 'gaussian', baselineMean: 1, minDetectableEffect: 0.1, holdbackPercent: 10 }, /standardDeviation/],
    [{ rewardModel: 'bernoulli', baselineMean: 0.1, minDetectableEffect: 0.1, holdbackPercent: 0 }, /holdbackPercent/],
    [{ rewardModel: 'bernoulli', baselineMean: 0.1, minDetectableEffect: 0, holdbackPercent: 10 }, /minDetectableEffect/],
    [{ rewardModel: 'bernoulli', baselineMean: 0.5, minDetectableEffect: 1e-9, holdbackPercent: 10 }, /too small/],
    [{ rewardModel: 'bernoulli', baselineMean: 0.5, minDetectableEffect: 0.1, holdbackPercent: 10, dailyUsers: 1e-320 }, /beyond what can be computed/],
  ])('400 with a clear message for %j', async (body, message) => {
    const res = await plan(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/invalid_request/);
    expect(res.body.message).toMatch(message);
  });
});
