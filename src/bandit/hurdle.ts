/**
 * Zero-inflated, skewed rewards (`rewardShape: "hurdle-lognormal"` on a gaussian experiment):
 * revenue, tokens saved, time on task. A reward is 0 with probability 1 - p, else a positive value
 * whose logarithm is normal; the arm's mean reward is
 *
 *   M = p * exp(m + s^2 / 2)          (conversion times value)
 *
 * and its posterior is built from two conjugate parts, combined by simulation:
 * - p ~ Beta(1 + k, 1 + n - k), k of n rewards nonzero;
 * - (m, 1/s^2) ~ Normal-Gamma over the k log values (Murphy 2007, eq. 85-89), from a weak prior
 *   centred on the log values of all arms (empirical Bayes: an arm with a handful of zeros draws
 *   its value from what the other arms have shown, so Thompson Sampling does not starve it).
 *
 * This is the generalized-pivot / Bayesian interval for the mean of zero-inflated lognormal data
 * (Tian 2005, "Inferences on the mean of zero-inflated lognormal data: the generalized variable
 * approach", Statistics in Medicine 24(20):3223-3232; for the positive part Krishnamoorthy &
 * Mathew 2003, "Inferences on the means of lognormal distributions using generalized p-values and
 * generalized confidence intervals", J. Stat. Plan. Inference 115:103-121), whose coverage is
 * close to nominal where the normal-theory interval of the raw rewards is not. The posterior of
 * exp(s^2 / 2) has no mean under any Gamma prior on the precision (Fabrizi & Trivisano 2012,
 * Bayesian Analysis 7(4)), so s is capped at MAX_LOG_SD (a stated cap: a lognormal with s = 4 has
 * a coefficient of variation near 3000); the point estimate is the posterior median.
 *
 * The store keeps, per arm, k and the sum and sum of squares of the k log values
 * (EngineSums.hurdle). Figures need HURDLE_MIN_NONZERO nonzero rewards (support).
 */
import type { HurdlePosterior } from './posterior-types.js';
import { normalGammaPosterior } from './posterior.js';
import { makeRng, sampleBeta, sampleGamma, sampleNormal, type Rng } from './random.js';

export type { HurdlePosterior };

/** The per-arm sums the model needs besides the reward count: nonzero rewards, sum and sum of squares of their logs. */
export interface HurdleSums {
  nonzero: number;
  logSum: number;
  logSumSq: number;
}

export const EMPTY_HURDLE: HurdleSums = { nonzero: 0, logSum: 0, logSumSq: 0 };
/** The cap on the log-scale sd s (see the header). */
export const MAX_LOG_SD = 4;
/** Fewer nonzero rewards than this: no interval (the value's spread is not seen yet). */
export const HURDLE_MIN_NONZERO = 3;
/** Draws per arm behind the report's interval, P(best) and expected loss (seeded: the same sums give the same figures). */
export const HURDLE_DRAWS = 8000;
/**
 * Draws in all behind Thompson's logged propensities, recomputed at each refresh of the cached
 * tallies (about once a second) on the decision path: HURDLE_DRAWS per arm up to 3 arms, fewer
 * per arm above (at least 1000), so a refresh costs about the same for 10 arms as for 3
 * (bench/serving/hurdle-cost.ts). The report, off the decision path, keeps HURDLE_DRAWS per arm.
 */
export const PROPENSITY_DRAW_BUDGET = 24_000;
export const propensityDraws = (arms: number): number => Math.max(1000, Math.min(HURDLE_DRAWS, Math.floor(PROPENSITY_DRAW_BUDGET / Math.max(1, arms))));

/** The sums after one reward (rewards <= 0 are zeros of the hurdle). */
export function addHurdle(s: HurdleSums, reward: number): HurdleSums {
  if (!(reward > 0)) return s;
  const l = Math.log(reward);
  return { nonzero: s.nonzero + 1, logSum: s.logSum + l, logSumSq: s.logSumSq + l * l };
}

/**
 * Each arm's posterior. The value prior: mean at the pooled log mean, worth 1 observation, and a
 * precision prior worth one observation at the pooled log variance (unit variance before two
 * nonzero rewards are seen anywhere).
 */
export function hurdlePosteriors(arms: readonly { rewards: number; hurdle: HurdleSums }[]): HurdlePosterior[] {
  const k = arms.reduce((a, x) => a + x.hurdle.nonzero, 0);
  const l = arms.reduce((a, x) => a + x.hurdle.logSum, 0);
  const q = arms.reduce((a, x) => a + x.hurdle.logSumSq, 0);
  const mu = k > 0 ? l / k : 0;
  const variance = k > 1 ? Math.max(1e-6, (q - k * mu * mu) / (k - 1)) : 1;
  const prior = { mu, lambda: 1, alpha: 0.5, beta: 0.5 * variance };
  return arms.map(({ rewards, hurdle: h }) => {
    const nonzero = Math.min(h.nonzero, rewards);
    const { mu: m, lambda, alpha, beta } = normalGammaPosterior(prior, { rewards: nonzero, sum: h.logSum, sumSq: h.logSumSq });
    return { kind: 'hurdle-lognormal', conversion: { alpha: 1 + nonzero, beta: 1 + rewards - nonzero }, value: { mu: m, lambda, alpha, beta } };
  });
}

const MIN_PRECISION = 1 / (MAX_LOG_SD * MAX_LOG_SD);

/** One draw of the arm's mean reward M. */
export function sampleHurdleMean(p: HurdlePosterior, rng: Rng): number {
  const conversion = sampleBeta(p.conversion.alpha, p.conversion.beta, rng);
  const v = p.value;
  const precision = Math.max(MIN_PRECISION, sampleGamma(v.alpha, rng) / v.beta);
  const m = v.mu + sampleNormal(rng) / Math.sqrt(v.lambda * precision);
  return conversion * Math.exp(m + 0.5 / precision);
}

/** HURDLE_DRAWS draws of each arm's mean (in draw order), from one fixed seed. */
export function hurdleDraws(ps: readonly HurdlePosterior[], draws = HURDLE_DRAWS): Float64Array[] {
  const rng = makeRng('hurdle-lognormal');
  return ps.map((p) => {
    const out = new Float64Array(draws);
    for (let d = 0; d < draws; d++) out[d] = sampleHurdleMean(p, rng);
    return out;
  });
}

const quantile = (sorted: Float64Array, q: number): number => {
  const x = q * (sorted.length - 1);
  const i = Math.floor(x);
  return i + 1 < sorted.length ? sorted[i] + (x - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
};

/** The equal-tailed interval and the median of one arm's mean. */
export function hurdleSummary(p: HurdlePosterior, level = 0.95): { median: number; interval: [number, number] } {
  const d = hurdleDraws([p])[0].sort();
  return { median: quantile(d, 0.5), interval: [quantile(d, (1 - level) / 2), quantile(d, (1 + level) / 2)] };
}

/**
 * P(best) and expected loss E[max_j M_j - M_i] over the same draws (joint draws: arm j's d-th with
 * arm i's d-th). P(best) is the share of draws an arm wins, plus one draw shared among the arms
 * ((wins + 1/k) / (D + 1)): it still sums to 1, and is never 0, since it is also the propensity
 * Thompson logs for a decision (an arm a draw did pick cannot have had probability 0).
 */
export function hurdleBestArm(ps: readonly HurdlePosterior[], drawsPerArm = HURDLE_DRAWS): { probabilityBest: number[]; expectedLoss: number[] } {
  const k = ps.length;
  if (k === 0) return { probabilityBest: [], expectedLoss: [] };
  const draws = hurdleDraws(ps, drawsPerArm);
  const wins = new Float64Array(k);
  const loss = new Float64Array(k);
  const D = draws[0].length;
  for (let d = 0; d < D; d++) {
    let best = 0;
    for (let i = 1; i < k; i++) if (draws[i][d] > draws[best][d]) best = i;
    wins[best] += 1;
    const max = draws[best][d];
    for (let i = 0; i < k; i++) loss[i] += max - draws[i][d];
  }
  return { probabilityBest: Array.from(wins, (w) => (w + 1 / k) / (D + 1)), expectedLoss: Array.from(loss, (l) => l / D) };
}

/** Whether the arm's figures can be shown: enough nonzero rewards to see the value's spread. */
export function hurdleSupport(rewards: number, h: HurdleSums): { supported: boolean; neededRewards: number | null; reason: string | null } {
  if (h.nonzero >= HURDLE_MIN_NONZERO) return { supported: true, neededRewards: null, reason: null };
  const rate = h.nonzero > 0 ? h.nonzero / rewards : null;
  return {
    supported: false,
    neededRewards: rate === null ? null : Math.ceil(HURDLE_MIN_NONZERO / rate),
    reason: `${h.nonzero} nonzero of ${rewards} rewards; the hurdle-lognormal interval needs at least ${HURDLE_MIN_NONZERO} nonzero rewards to see the values' spread`,
  };
}

/**
 * Cochran's rule (support.ts) with the skewness the model implies, for a normal-theory figure of the
 * raw rewards' mean (the holdback lift): E[X^j] = p exp(j m + j^2 s^2 / 2) from the plug-in p, m, s.
 * Revenue (p 0.1, lognormal(3, 1.5)) is skewed by about 93, so the rule asks for about 220,000 rewards
 * where the two-moment bound of support.ts, blind to the unseen tail, asked for about 2,300.
 */
export function hurdleNormalSupport(rewards: number, h: HurdleSums): { supported: boolean; neededRewards: number | null; reason: string | null } {
  if (h.nonzero < HURDLE_MIN_NONZERO) return hurdleSupport(rewards, h);
  const p = h.nonzero / rewards;
  const m = h.logSum / h.nonzero;
  const s2 = Math.min(MAX_LOG_SD * MAX_LOG_SD, Math.max(0, (h.logSumSq - h.nonzero * m * m) / (h.nonzero - 1)));
  // Moments of X / exp(m) (the skewness does not depend on the scale).
  const raw = (j: number) => p * Math.exp((j * j * s2) / 2);
  const mean = raw(1);
  const variance = raw(2) - mean * mean;
  const third = raw(3) - 3 * mean * raw(2) + 2 * mean ** 3;
  const skew = variance > 0 ? third / variance ** 1.5 : 0;
  const needed = Math.max(10, Math.ceil(25 * skew * skew));
  if (rewards >= needed) return { supported: true, neededRewards: needed, reason: null };
  return {
    supported: false, neededRewards: needed,
    reason: `${rewards} rewards of a hurdle-lognormal reward skewed by about ${skew.toFixed(1)} (from its fit); a normal interval of the mean needs about ${needed} (Cochran's rule n > 25 skew^2)`,
  };
}
