// Rewards that are not 0/1: the bounded-reward posterior (bounded.ts) and the support check
// (support.ts). Seeded; sized to seconds.
import { describe, expect, it } from 'vitest';
import { boundedPosterior, clip, toUnits } from '../../src/bandit/bounded.js';
import { credibleInterval } from '../../src/bandit/mean-marginal.js';
import { DEFAULT_NORMAL_GAMMA_PRIOR, normalGammaPosterior } from '../../src/bandit/posterior.js';
import { probabilityBest } from '../../src/bandit/prob-best.js';
import { normalSupport } from '../../src/bandit/support.js';
import { coverage, REVENUE, HEAVIER } from '../../bench/validity/revenue.js';

const stats = (xs: number[]) => ({ rewards: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSq: xs.reduce((a, b) => a + b * b, 0) });
const B = { min: 0, max: 2000 };

describe('bounded rewards', () => {
  it('maps rewards into [0, 1] and back; clips at the stated cap', () => {
    expect(clip(5000, B)).toBe(2000);
    expect(clip(-1, B)).toBe(0);
    expect(boundedPosterior(stats([0, 2000, 1000]), B)).toEqual({ kind: 'beta', alpha: 2.5, beta: 2.5 });
    expect(toUnits(0.25, { min: 10, max: 20 })).toBe(12.5);
  });

  it('does not starve an arm on six zeros (the Normal-Gamma all but does)', () => {
    const zeros = stats([0, 0, 0, 0, 0, 0]);
    const typical = stats([3, 0, 5, 0, 8, 2]);
    const ng = probabilityBest([normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, zeros), normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, typical)]);
    const bounded = probabilityBest([boundedPosterior(zeros, B), boundedPosterior(typical, B)]);
    expect(ng[0]).toBeLessThan(0.02);
    expect(bounded[0]).toBeGreaterThan(0.4);
    // Six zeros leave the arm's mean open up to a sizeable share of the cap.
    expect(toUnits(credibleInterval(boundedPosterior(zeros, B))[1], B)).toBeGreaterThan(500);
  });

  it.each([['revenue', REVENUE, 2000], ['heavier', HEAVIER, 6500]] as const)('%s: the bounded interval covers the true mean >= 93%% at n = 100 and 1000', (_, d, cap) => {
    for (const n of [100, 1000]) {
      const c = coverage(d, n, 300, { min: 0, max: cap }, `t-${cap}-${n}`);
      expect(c.covered / c.runs).toBeGreaterThanOrEqual(0.93);
    }
  });

  it('without bounds, the support check withholds most revenue intervals at n = 100 (they would cover about 70%)', () => {
    const c = coverage(REVENUE, 100, 300, null, 't-support');
    expect(c.shown / c.runs).toBeLessThan(0.1);
  });

  it('support: modest spreads pass at once, revenue-like spreads need thousands, no spread is not support', () => {
    expect(normalSupport(stats(Array.from({ length: 20 }, (_, i) => 10 + (i % 5)))).supported).toBe(true);
    const rev = normalSupport(stats([...Array(90).fill(0), 20, 40, 5, 300, 10, 60, 25, 15, 8, 120]));
    expect(rev).toMatchObject({ supported: false });
    expect(rev.neededRewards).toBeGreaterThan(200);
    expect(normalSupport(stats(Array(50).fill(0))).supported).toBe(false);
    expect(normalSupport(stats([1, 2, 3])).supported).toBe(false);
  });
});
