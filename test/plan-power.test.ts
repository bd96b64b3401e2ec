// POST /plan's sizes give the power they claim, with one visit per user and with 1-5 visits
// (visitsPerUser 3), fixed-horizon and always-valid (simulated with the report's own math:
// bench/validity/plan-power.ts; seeded; 400 runs each, Monte-Carlo error about 2 points).
import { describe, expect, it } from 'vitest';
import { alwaysValidPlan, fixedHorizonPlan } from '../src/bandit/power.js';
import { power } from '../bench/validity/plan-power.js';

const planIn = (varianceFactor: number) => ({ rewardModel: 'bernoulli' as const, baselineMean: 0.1, effect: 0.02, holdbackShare: 0.1, alpha: 0.05, power: 0.8, varianceFactor });
const scenario = (users: number, visits: [number, number], looks: number) => ({ users, holdbackShare: 0.1, rates: [0.1, 0.12] as [number, number], visits, looks, alpha: 0.05 });
const RUNS = 400;

describe('plan power (0.10 -> 0.12, 10% holdback, planned 80%)', () => {
  it.each([[[1, 1], 1], [[1, 5], 3]] as const)('visits %j (visitsPerUser %s): within 5 points of 80%, fixed-horizon and always-valid', (visits, m) => {
    const fh = power(scenario(fixedHorizonPlan(planIn(1 / m)).totalUsers, [...visits], 1), RUNS, `t-fh-${m}`);
    const av = power(scenario(alwaysValidPlan(planIn(1 / m)).totalUsers, [...visits], 10), RUNS, `t-av-${m}`);
    // Within 5 points, allowing two Monte-Carlo standard errors (bench:validity measures it with 2000 runs).
    expect(Math.abs(fh.fixed.share - 0.8)).toBeLessThanOrEqual(0.05 + 2 * fh.fixed.se);
    expect(Math.abs(av.alwaysValidLast.share - 0.8)).toBeLessThanOrEqual(0.05 + 2 * av.alwaysValidLast.se);
  });

  it('planning 1-5 visits as one reward per user (the old plan) over-sizes: power far above 80%', () => {
    const fh = power(scenario(fixedHorizonPlan(planIn(1)).totalUsers, [1, 5], 1), 100, 't-old');
    expect(fh.fixed.share).toBeGreaterThan(0.9);
  });
});
