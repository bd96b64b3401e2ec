/**
 * Revenue-like rewards (docs/statistics.md, "Rewards that are not 0/1"): zero-inflated lognormal
 * draws, and the coverage of an arm's 95% interval of its mean, with and without rewardBounds,
 * computed with the report's own posteriors (bandit/posterior.ts, bandit/bounded.ts, bandit/support.ts).
 */
import { credibleInterval } from '../../src/bandit/mean-marginal.js';
import { posteriorFor, posteriorMean } from '../../src/bandit/posterior.js';
import { clip, toUnits, type RewardBounds } from '../../src/bandit/bounded.js';
import { DEFAULT_NORMAL_GAMMA_PRIOR } from '../../src/bandit/posterior.js';
import { makeRng, sampleNormal, type Rng } from '../../src/bandit/random.js';
import { normalSupport } from '../../src/bandit/support.js';
import { addHurdle, EMPTY_HURDLE, hurdlePosteriors, hurdleSummary, hurdleSupport } from '../../src/bandit/hurdle.js';

/** With paretoAlpha, the nonzero values are Pareto(scale exp(logMu), paretoAlpha) instead (logSigma unused): a tail the hurdle model does not assume. */
export interface Revenue { zeroShare: number; logMu: number; logSigma: number; paretoAlpha?: number }

/** 0 nine times in ten, else lognormal: mean 6.19, sd 60 (the revenue). */
export const REVENUE: Revenue = { zeroShare: 0.9, logMu: 3, logSigma: 1.5 };
/** Heavier: 0 in 95%, else lognormal(2.6, 2): mean 4.97, sd about 164. */
export const HEAVIER: Revenue = { zeroShare: 0.95, logMu: 2.6, logSigma: 2 };

/** Misspecified for the hurdle model: 0 in 90%, else Pareto(20, 2.5): mean 3.33, a power-law tail. */
export const PARETO_TAIL: Revenue = { zeroShare: 0.9, logMu: Math.log(20), logSigma: 0, paretoAlpha: 2.5 };

export const draw = (d: Revenue, rng: Rng): number => (rng() < d.zeroShare ? 0
  : d.paretoAlpha ? Math.exp(d.logMu) * (1 - rng()) ** (-1 / d.paretoAlpha) : Math.exp(d.logMu + d.logSigma * sampleNormal(rng)));
export const trueMean = (d: Revenue): number => (1 - d.zeroShare) * (d.paretoAlpha
  ? (d.paretoAlpha * Math.exp(d.logMu)) / (d.paretoAlpha - 1) : Math.exp(d.logMu + (d.logSigma * d.logSigma) / 2));

export interface Coverage { covered: number; shown: number; runs: number; meanWidth: number }

/**
 * `runs` seeded samples of n rewards; the share whose 95% interval covers the true (uncapped) mean,
 * counting an interval the report withholds (support false) as shown separately.
 */
export function coverage(d: Revenue, n: number, runs: number, bounds: RewardBounds | null, seed: string): Coverage {
  const rng = makeRng(seed);
  const mu = trueMean(d);
  let covered = 0, shown = 0, width = 0;
  for (let r = 0; r < runs; r++) {
    let sum = 0, sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = bounds ? clip(draw(d, rng), bounds) : draw(d, rng);
      sum += x; sumSq += x * x;
    }
    const s = { rewards: n, sum, sumSq };
    if (!bounds && !normalSupport(s).supported) continue;
    shown++;
    const p = posteriorFor('gaussian', DEFAULT_NORMAL_GAMMA_PRIOR, s, bounds);
    const [lo, hi] = credibleInterval(p, 0.95).map((y) => (bounds ? toUnits(y, bounds) : y));
    if (lo <= mu && mu <= hi) covered++;
    width += hi - lo;
  }
  return { covered, shown, runs, meanWidth: shown > 0 ? width / shown : NaN };
}

/** The mean of the clipped reward (what an experiment with these bounds estimates), by simulation. */
export function cappedMean(d: Revenue, bounds: RewardBounds, draws = 2_000_000): number {
  const rng = makeRng('capped-mean');
  let s = 0;
  for (let i = 0; i < draws; i++) s += clip(draw(d, rng), bounds);
  return s / draws;
}

export { posteriorMean };

/**
 * The same coverage under rewardShape hurdle-lognormal (bandit/hurdle.ts): `runs` seeded samples of
 * 3 arms alike (the model's prior pools the arms' logs), arm 0's interval, when its support holds.
 */
export function hurdleCoverage(d: Revenue, n: number, runs: number, seed: string): Coverage {
  const rng = makeRng(seed);
  const mu = trueMean(d);
  let covered = 0, shown = 0, width = 0;
  for (let r = 0; r < runs; r++) {
    const arms = [0, 1, 2].map(() => {
      let h = EMPTY_HURDLE;
      for (let i = 0; i < n; i++) h = addHurdle(h, draw(d, rng));
      return { rewards: n, hurdle: h };
    });
    if (!hurdleSupport(n, arms[0].hurdle).supported) continue;
    shown++;
    const [lo, hi] = hurdleSummary(hurdlePosteriors(arms)[0]).interval;
    if (lo <= mu && mu <= hi) covered++;
    width += hi - lo;
  }
  return { covered, shown, runs, meanWidth: shown > 0 ? width / shown : NaN };
}
