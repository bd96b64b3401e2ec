/**
 * Bounded rewards (`rewardBounds: {min, max}` on a gaussian experiment): revenue, tokens saved,
 * time on task. Rewards are clipped into [min, max] when they arrive (a stated cap), and each
 * arm's mean gets the Beta posterior of the rescaled rewards y = (x - min) / (max - min) in
 * [0, 1], updated with their sum as fractional successes:
 *
 *   Beta(1 + sum y, 1 + n - sum y)
 *
 * This is the Bernoulli reduction of Thompson Sampling for rewards in [0, 1] (Agrawal & Goyal 2012,
 * "Analysis of Thompson Sampling for the multi-armed bandit problem", COLT, algorithm 2, with the
 * expected instead of a sampled Bernoulli trial). Its variance, mean (1 - mean) / (n + 3), is the
 * largest variance any reward in [0, 1] with that mean can have (Bhatia & Davis 2000, "A better bound on the
 * variance", Amer. Math. Monthly 107(4)), so the interval does not rest on the sample variance,
 * which skewed, zero-inflated rewards under-estimate: a run of zeros cannot make an arm look
 * certain (after six zeros the posterior is Beta(1, 7), mean (max - min) / 8), and large rewards
 * not seen yet are already priced in. The price: intervals as wide as the cap allows
 * (measured in bench/RESULTS.md, "Rewards that are not 0/1"). The posterior is in [0, 1] units;
 * P(best) does not depend on the units, means, intervals and losses are mapped back here.
 */
import type { BetaPosterior, SufficientStats } from './posterior-types.js';

export interface RewardBounds {
  min: number;
  max: number;
}

/** The reward clipped into the bounds. */
export const clip = (x: number, b: RewardBounds): number => Math.min(b.max, Math.max(b.min, x));

/** The posterior above (Beta(1, 1) prior on the rescaled mean). */
export function boundedPosterior(s: SufficientStats, b: RewardBounds): BetaPosterior {
  const width = b.max - b.min;
  const successes = Math.min(s.rewards, Math.max(0, (s.sum - s.rewards * b.min) / width));
  return { kind: 'beta', alpha: 1 + successes, beta: 1 + s.rewards - successes };
}

/** A value of the rescaled mean (a mean, an interval end) in reward units. */
export const toUnits = (y: number, b: RewardBounds): number => b.min + (b.max - b.min) * y;

/** A difference of rescaled means (an expected loss, a standard deviation) in reward units. */
export const spanToUnits = (d: number, b: RewardBounds): number => (b.max - b.min) * d;
