// The hurdle-lognormal reward model (bandit/hurdle.ts): its conjugate parts, its draws, P(best) and
// the support check, and what it was made for: an arm with a handful of zeros is not starved.
import { describe, expect, it } from 'vitest';
import { addHurdle, EMPTY_HURDLE, hurdleBestArm, hurdleNormalSupport, hurdlePosteriors, hurdleSummary, hurdleSupport, sampleHurdleMean, type HurdleSums } from '../../src/bandit/hurdle.js';
import { normalSupport } from '../../src/bandit/support.js';
import { DEFAULT_NORMAL_GAMMA_PRIOR, posteriorFor } from '../../src/bandit/posterior.js';
import { probabilityBest } from '../../src/bandit/prob-best.js';
import { makeRng, sampleNormal } from '../../src/bandit/random.js';
import { thompsonChoose } from '../../src/bandit/thompson.js';

/** 0 with probability 0.9, else lognormal(3, 1.5): mean 6.19, sd 60 (the revenue of docs/statistics.md). */
const revenue = (rng: () => number): number => (rng() < 0.9 ? 0 : Math.exp(3 + 1.5 * sampleNormal(rng)));
const TRUE_MEAN = 0.1 * Math.exp(3 + 1.125);

function arm(rewards: number[]): { rewards: number; hurdle: HurdleSums; sum: number; sumSq: number } {
  return { rewards: rewards.length, hurdle: rewards.reduce(addHurdle, EMPTY_HURDLE), sum: rewards.reduce((a, b) => a + b, 0), sumSq: rewards.reduce((a, b) => a + b * b, 0) };
}

describe('hurdle-lognormal posterior', () => {
  it('is the Beta of the nonzero share and the Normal-Gamma of the logs, from a prior at the pooled logs', () => {
    const a = arm([0, 0, 10, 100, 0]);
    const b = arm([0, 1000]);
    const [pa] = hurdlePosteriors([a, b]);
    expect(pa.conversion).toEqual({ alpha: 3, beta: 4 });
    const logs = [Math.log(10), Math.log(100), Math.log(1000)];
    const m0 = logs.reduce((x, y) => x + y) / 3;
    // Prior: mu at the pooled log mean, lambda 1; after the arm's 2 logs, lambda 3 and mu the weighted mean.
    expect(pa.value.lambda).toBe(3);
    expect(pa.value.mu).toBeCloseTo((m0 + logs[0] + logs[1]) / 3, 12);
    expect(pa.value.alpha).toBe(1.5);
  });

  it('ignores zeros and negatives in the log sums, and the same sums give the same figures (seeded draws)', () => {
    expect(addHurdle(EMPTY_HURDLE, 0)).toBe(EMPTY_HURDLE);
    expect(addHurdle(EMPTY_HURDLE, -1)).toBe(EMPTY_HURDLE);
    const ps = hurdlePosteriors([arm([0, 5, 7, 0, 9]), arm([0, 0, 50, 3])]);
    expect(hurdleBestArm(ps)).toEqual(hurdleBestArm(ps));
    const best = hurdleBestArm(ps);
    expect(best.probabilityBest.reduce((x, y) => x + y)).toBeCloseTo(1, 12);
    best.expectedLoss.forEach((l) => expect(l).toBeGreaterThanOrEqual(0));
    // A hopeless arm still gets a propensity above 0 (Thompson logs it; off-policy weights divide by it).
    const hopeless = hurdleBestArm(hurdlePosteriors([arm(Array(2000).fill(1000)), arm([...Array(2000).fill(0), 1000, 1000, 1000])])).probabilityBest;
    expect(hopeless[1]).toBeGreaterThan(0);
    expect(hopeless[1]).toBeLessThan(1e-4);
  });

  it('withholds the interval below 3 nonzero rewards, and says how many rewards that takes at the rate seen', () => {
    expect(hurdleSupport(6, EMPTY_HURDLE)).toMatchObject({ supported: false, neededRewards: null });
    const s = hurdleSupport(40, arm([...Array(38).fill(0), 5, 6]).hurdle);
    expect(s).toMatchObject({ supported: false, neededRewards: 60 });
    expect(s.reason).toMatch(/2 nonzero of 40/);
    expect(hurdleSupport(50, arm([1, 2, 3]).hurdle).supported).toBe(true);
  });

  it('does not starve an arm after six zeros, where the Normal-Gamma of the raw rewards does', () => {
    const rng = makeRng('starve');
    const rich = arm(Array.from({ length: 300 }, () => revenue(rng)));
    const zeros = arm([0, 0, 0, 0, 0, 0]);
    const hurdle = hurdlePosteriors([rich, zeros]);
    const pHurdle = hurdleBestArm(hurdle).probabilityBest[1];
    const gaussian = [rich, zeros].map((a) => posteriorFor('gaussian', DEFAULT_NORMAL_GAMMA_PRIOR, a));
    const pGaussian = probabilityBest(gaussian)[1];
    expect(pGaussian).toBeLessThan(0.01);
    expect(pHurdle).toBeGreaterThan(0.1);
    // Thompson draws from the same posteriors: the zero arm is played about as often as its P(best) says.
    let played = 0;
    for (let i = 0; i < 4000; i++) played += thompsonChoose(hurdle, [true, true], rng) === 1 ? 1 : 0;
    expect(Math.abs(played / 4000 - pHurdle)).toBeLessThan(5 * Math.sqrt((pHurdle * (1 - pHurdle)) / 4000) + 0.02);
  });

  it('covers the true mean of revenue-like rewards about 95% of the time at n = 300 (300 seeded samples of 3 arms)', () => {
    const rng = makeRng('hurdle-coverage');
    let covered = 0;
    const runs = 300;
    for (let r = 0; r < runs; r++) {
      const arms = [0, 1, 2].map(() => arm(Array.from({ length: 300 }, () => revenue(rng))));
      const { interval } = hurdleSummary(hurdlePosteriors(arms)[0]);
      if (interval[0] <= TRUE_MEAN && TRUE_MEAN <= interval[1]) covered++;
    }
    // 95% +- 1.3 (binomial sd at 300 runs); bench:validity measures it with 1500 runs per n.
    expect(covered / runs).toBeGreaterThan(0.91);
    expect(covered / runs).toBeLessThan(0.99);
  });

  it('asks a normal interval of revenue-like rewards for the ~220,000 rewards its fitted skewness (~93) implies, where the two-moment bound asks ~2,300', () => {
    const rng = makeRng('skew');
    const a = arm(Array.from({ length: 20_000 }, () => revenue(rng)));
    const model = hurdleNormalSupport(a.rewards, a.hurdle);
    expect(model.supported).toBe(false);
    expect(model.neededRewards).toBeGreaterThan(100_000);
    expect(model.neededRewards).toBeLessThan(500_000);
    expect(model.reason).toMatch(/Cochran/);
    expect(normalSupport(a).supported).toBe(true); // the bound from n, sum and sum of squares lets it through
    // A modest spread (lognormal sd 0.3, no zeros) is supported at once.
    const mild = arm(Array.from({ length: 200 }, () => Math.exp(1 + 0.3 * sampleNormal(rng))));
    expect(hurdleNormalSupport(mild.rewards, mild.hurdle).supported).toBe(true);
  });

  it('draws a finite mean even from the prior alone (the cap on the log-scale sd)', () => {
    const [p] = hurdlePosteriors([{ rewards: 0, hurdle: EMPTY_HURDLE }]);
    const rng = makeRng('prior');
    for (let i = 0; i < 1000; i++) expect(Number.isFinite(sampleHurdleMean(p, rng))).toBe(true);
  });
});
