import { armBest, sampleArmMean } from '../../src/bandit/arm-posterior.js';
import { describe, expect, it } from 'vitest';
import { costEstimates, netValuePosterior } from '../../src/bandit/cost.js';
import { withoutCost, type ArmEvidence } from '../../src/bandit/policy.js';
import { meanSd } from '../../src/bandit/mean-marginal.js';
import { posteriorMean, type Posterior } from '../../src/bandit/posterior.js';
import { makeRng } from '../../src/bandit/random.js';
import { samplingPosteriors } from '../../src/bandit/thompson.js';
import { DEFAULT_BETA_PRIOR } from '../../src/bandit/posterior.js';

const withCost = (rewards: number, sum: number, costs: number[]): ArmEvidence => ({
  ...withoutCost({ rewards, sum, sumSq: sum }),
  costs: costs.length, costSum: costs.reduce((a, b) => a + b, 0), costSumSq: costs.reduce((a, b) => a + b * b, 0),
});

describe('cost estimates', () => {
  it('shrink each arm towards the pooled mean with the weight of one observation', () => {
    const ev = [withCost(10, 3, [0.01, 0.03]), withCost(10, 3, [0.002, 0.004, 0.003]), withCost(10, 3, [])];
    const pooled = (0.01 + 0.03 + 0.002 + 0.004 + 0.003) / 5;
    const est = costEstimates(ev);
    expect(est[0].mean).toBeCloseTo((0.04 + pooled) / 3, 12);
    expect(est[1].mean).toBeCloseTo((0.009 + pooled) / 4, 12);
    expect(est[2].mean).toBeCloseTo(pooled, 12);
    // within-arm SS: arm 0 = 2e-4, arm 1 = 2e-6 over 1 + 2 dof
    const pooledVar = (2e-4 + 2e-6) / 3;
    expect(est[0].variance).toBeCloseTo((2e-4 + 2 * pooledVar) / 3 / 3, 12);
    expect(est[2].variance).toBeCloseTo(pooledVar, 12);
    expect(est[2].variance).toBeGreaterThan(est[1].variance);
  });

  it('is zero and certain when no cost was ever reported (the objective is then the reward)', () => {
    expect(costEstimates([withCost(5, 1, []), withCost(5, 2, [])])).toEqual([{ mean: 0, variance: 0 }, { mean: 0, variance: 0 }]);
  });
});

describe('the net value reward - lambda * cost', () => {
  const reward: Posterior = { kind: 'beta', alpha: 13, beta: 88 };
  it('has the mean and variance of the difference', () => {
    const net = netValuePosterior(reward, { mean: 0.01, variance: 4e-6 }, 5);
    expect(posteriorMean(net)).toBeCloseTo(13 / 101 - 0.05, 12);
    expect(meanSd(net) ** 2).toBeCloseTo(meanSd(reward) ** 2 + 25 * 4e-6, 9);
  });

  it('makes the cheap arm best when lambda outweighs the reward gap, and P(best) is the draw frequency', () => {
    const ev = [withCost(4000, 480, Array(4000).fill(0.01)), withCost(4000, 400, Array(4000).fill(0.002)), withCost(4000, 320, Array(4000).fill(0.002))];
    const plain = samplingPosteriors(ev, { rewardModel: 'bernoulli', prior: DEFAULT_BETA_PRIOR, weights: [1, 1, 1], costWeight: 0 });
    const net = samplingPosteriors(ev, { rewardModel: 'bernoulli', prior: DEFAULT_BETA_PRIOR, weights: [1, 1, 1], costWeight: 5 });
    expect(armBest(plain).probabilityBest[0]).toBeGreaterThan(0.9);
    const pb = armBest(net).probabilityBest;
    expect(pb[1]).toBeGreaterThan(0.9);
    const rng = makeRng('net-draws');
    const n = 100_000;
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const d = net.map((p) => sampleArmMean(p, rng));
      counts[d.indexOf(Math.max(...d))]++;
    }
    counts.forEach((c, i) => expect(Math.abs(c / n - pb[i])).toBeLessThanOrEqual(5 * Math.sqrt((pb[i] * (1 - pb[i])) / n) + 1e-9));
  });
});
