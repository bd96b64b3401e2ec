import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { credibleInterval, meanCdf, meanPdf, meanSd } from '../../src/bandit/mean-marginal.js';
import {
  betaPosterior, DEFAULT_BETA_PRIOR, DEFAULT_NORMAL_GAMMA_PRIOR, normalGammaPosterior, posteriorMean, sampleMean, type NormalGammaPosterior, type SufficientStats,
} from '../../src/bandit/posterior.js';
import { makeRng } from '../../src/bandit/random.js';
import { draws, meanAndVariance } from './helpers.js';

const statsOf = (xs: number[]): SufficientStats => ({
  rewards: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSq: xs.reduce((a, b) => a + b * b, 0),
});
const add = (a: SufficientStats, b: SufficientStats): SufficientStats => ({
  rewards: a.rewards + b.rewards, sum: a.sum + b.sum, sumSq: a.sumSq + b.sumSq,
});
const ng = (mu: number, lambda: number, alpha: number, beta: number): NormalGammaPosterior => ({ kind: 'normal-gamma', mu, lambda, alpha, beta });

describe('Beta update', () => {
  it('adds successes to alpha and failures to beta', () => {
    expect(betaPosterior({ alpha: 1, beta: 1 }, { rewards: 10, sum: 3, sumSq: 3 })).toEqual({ kind: 'beta', alpha: 4, beta: 8 });
    expect(betaPosterior({ alpha: 0.5, beta: 2 }, { rewards: 0, sum: 0, sumSq: 0 })).toEqual({ kind: 'beta', alpha: 0.5, beta: 2 });
  });
  it('default prior is uniform', () => expect(DEFAULT_BETA_PRIOR).toEqual({ alpha: 1, beta: 1 }));
});

describe('Normal-Gamma update', () => {
  it('matches a hand computation: prior (0, 1, 1, 1), data 1, 2, 3', () => {
    // n 3, mean 2, SS 2: lambda 4, mu 6/4, alpha 1 + 3/2, beta 1 + 2/2 + 1*3*(2-0)^2/(2*4) = 3.5
    expect(normalGammaPosterior({ mu: 0, lambda: 1, alpha: 1, beta: 1 }, statsOf([1, 2, 3]))).toEqual(ng(1.5, 4, 2.5, 3.5));
  });
  it('matches a hand computation with a non-zero prior mean', () => {
    // prior (10, 2, 3, 4), data 4, 8: n 2, mean 6, SS 8; lambda 4, mu (20 + 12)/4 = 8, alpha 4,
    // beta 4 + 4 + 2*2*16/(2*4) = 16
    expect(normalGammaPosterior({ mu: 10, lambda: 2, alpha: 3, beta: 4 }, statsOf([4, 8]))).toEqual(ng(8, 4, 4, 16));
  });
  it('no data returns the prior', () => {
    expect(normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, statsOf([]))).toEqual(ng(0, 0.01, 1, 1));
  });
  it('equal rewards give SS 0, never a negative beta increment', () => {
    const p = normalGammaPosterior({ mu: 0.1, lambda: 1e-9, alpha: 1, beta: 1e-12 }, statsOf(Array(1000).fill(0.1)));
    expect(p.beta).toBeGreaterThan(0);
  });
});

describe('order independence', () => {
  const batch1 = statsOf([0.3, 1.7, -0.2, 2.5]);
  const batch2 = statsOf([1.1, 0.9, 4.0]);
  it('sums in either order give the same posterior', () => {
    expect(normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, add(batch1, batch2))).toEqual(normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, add(batch2, batch1)));
  });
  it('updating batch by batch (posterior as the next prior) equals one update with all data', () => {
    const once = normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, add(batch1, batch2));
    for (const [first, second] of [[batch1, batch2], [batch2, batch1]]) {
      const twice = normalGammaPosterior(normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, first), second);
      for (const key of ['mu', 'lambda', 'alpha', 'beta'] as const) expect(twice[key]).toBeCloseTo(once[key], 10);
    }
    const b = betaPosterior(betaPosterior(DEFAULT_BETA_PRIOR, { rewards: 5, sum: 2, sumSq: 2 }), { rewards: 7, sum: 6, sumSq: 6 });
    expect(b).toEqual(betaPosterior(DEFAULT_BETA_PRIOR, { rewards: 12, sum: 8, sumSq: 8 }));
  });
});

describe('credible intervals', () => {
  it('Beta: jstat quantiles, for wide and peaked posteriors', () => {
    for (const [a, b] of [[1, 1], [3, 17], [1429, 4523]]) {
      const [lo, hi] = credibleInterval({ kind: 'beta', alpha: a, beta: b }, 0.9);
      expect(lo).toBeCloseTo(jStat.beta.inv(0.05, a, b), 12);
      expect(hi).toBeCloseTo(jStat.beta.inv(0.95, a, b), 12);
    }
  });
  it('Normal-Gamma: mu +- t(2 alpha) quantile x sqrt(beta / (alpha lambda)), table quantiles', () => {
    // t quantiles (scipy.stats.t.ppf): 0.975 at dof 4, 10, 30; 0.95 at dof 10.
    const table: [number, number, number][] = [[4, 0.95, 2.7764451051977934], [10, 0.95, 2.228138851986274], [30, 0.95, 2.0422724563012378], [10, 0.9, 1.8124611228116756]];
    for (const [dof, level, q] of table) {
      const p = ng(1.3, 7, dof / 2, 2.2);
      const scale = Math.sqrt(2.2 / ((dof / 2) * 7));
      const [lo, hi] = credibleInterval(p, level);
      expect(lo).toBeCloseTo(1.3 - q * scale, 6);
      expect(hi).toBeCloseTo(1.3 + q * scale, 6);
    }
  });
  it('rejects a level outside (0, 1)', () => {
    expect(() => credibleInterval({ kind: 'beta', alpha: 1, beta: 1 }, 1)).toThrow(RangeError);
  });
});

describe('marginal of the mean', () => {
  it('posteriorMean and meanSd: Beta closed form; Student-t sd sqrt(dof / (dof - 2)) x scale', () => {
    expect(posteriorMean({ kind: 'beta', alpha: 2, beta: 6 })).toBe(0.25);
    expect(meanSd({ kind: 'beta', alpha: 2, beta: 6 })).toBeCloseTo(Math.sqrt(12 / (64 * 9)), 14);
    expect(posteriorMean(ng(3, 1, 2, 1))).toBe(3);
    expect(meanSd(ng(3, 2, 3, 12))).toBeCloseTo(Math.sqrt(12 / 6) * Math.sqrt(6 / 4), 12);
  });
  it('meanSd is finite and wide for dof <= 2 (the default prior)', () => {
    const sd = meanSd(normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, statsOf([])));
    const scale = Math.sqrt(1 / 0.01);
    expect(Number.isFinite(sd)).toBe(true);
    expect(sd).toBeGreaterThan(2 * scale);
    expect(meanSd(ng(0, 1, 0.5, 1))).toBeGreaterThan(meanSd(ng(0, 1, 1, 1))); // dof 1 wider than dof 2
  });
  it('meanCdf: Beta exact where jstat is off (Beta(1e5, 4e5)), and Student-t', () => {
    // scipy.stats.beta.cdf(0.2, 1e5, 4e5) and (0.24, 1429, 4523); jstat gives 0.50046 for the first.
    expect(meanCdf({ kind: 'beta', alpha: 1e5, beta: 4e5 }, 0.2)).toBeCloseTo(0.500282094883455, 8);
    expect(meanCdf({ kind: 'beta', alpha: 1429, beta: 4523 }, 0.24)).toBeCloseTo(0.49580236589811694, 8);
    expect(meanCdf({ kind: 'beta', alpha: 2, beta: 3 }, 0.3)).toBeCloseTo(0.3483, 12);
    expect(meanCdf({ kind: 'beta', alpha: 2, beta: 3 }, -1)).toBe(0);
    const p = ng(1, 4, 5, 5); // dof 10, scale sqrt(5 / 20) = 0.5
    expect(meanCdf(p, 1 + 2.228138851986274 * 0.5)).toBeCloseTo(0.975, 7);
  });
  it('meanPdf integrates to 1 and is the derivative of meanCdf', () => {
    for (const p of [{ kind: 'beta' as const, alpha: 3, beta: 9 }, ng(0.5, 3, 2, 1)]) {
      const [lo, hi] = p.kind === 'beta' ? [0, 1] : [-40, 40];
      let s = 0;
      const steps = 200_000;
      const h = (hi - lo) / steps;
      for (let i = 0; i < steps; i++) s += meanPdf(p, lo + (i + 0.5) * h) * h;
      expect(s).toBeCloseTo(1, 3);
      const x = posteriorMean(p) + 0.05;
      expect((meanCdf(p, x + 1e-5) - meanCdf(p, x - 1e-5)) / 2e-5).toBeCloseTo(meanPdf(p, x), 4);
    }
  });
  it('sampleMean draws match the marginal mean and sd', () => {
    const rng = makeRng('sample-mean');
    for (const p of [{ kind: 'beta' as const, alpha: 30, beta: 70 }, ng(2, 10, 6, 3)]) {
      const xs = draws(200_000, () => sampleMean(p, rng));
      const m = meanAndVariance(xs);
      const sd = meanSd(p);
      expect(Math.abs(m.mean - posteriorMean(p))).toBeLessThan((5 * sd) / Math.sqrt(xs.length));
      expect(Math.sqrt(m.variance) / sd).toBeCloseTo(1, 2);
    }
  });
});
