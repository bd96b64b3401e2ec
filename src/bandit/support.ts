/**
 * Whether an arm's data can support a normal-theory figure yet (a gaussian experiment without
 * rewardBounds, whose Student-t interval rests on the central limit theorem).
 *
 * Cochran's rule (Cochran 1977, "Sampling Techniques", 3rd ed., section 2.15): a 95% normal
 * interval for a mean is adequate once n > 25 G1^2, G1 the population's skewness. The store keeps
 * only n, sum x and sum x^2, so G1 is bounded from below: for a reward that is never negative,
 * G1 >= cv - 1/cv, cv = sd / mean (from E[X^3] E[X] >= E[X^2]^2, Cauchy-Schwarz). With a
 * positive mean the rule is applied with that bound: a necessary condition, so a zero-inflated,
 * heavy-tailed reward (revenue: cv near 10) is flagged until thousands of rewards, and a reward
 * with a modest spread (cv <= 1) needs only MIN_REWARDS. Rewards that can be negative get no
 * bound (the rule cannot be checked from two moments). Experiments with rewardBounds use the
 * bounded-reward posterior instead (bounded.ts), whose intervals need no such check.
 */
import type { SufficientStats } from './posterior.js';

/** Below this, no normal-theory figure for any reward shape. */
export const MIN_REWARDS = 10;

export interface Support {
  supported: boolean;
  /** The rewards the rule asks for, at the spread seen so far (null when no bound applies). */
  neededRewards: number | null;
  reason: string | null;
}

export function normalSupport(s: SufficientStats): Support {
  const n = s.rewards;
  if (n < MIN_REWARDS) return { supported: false, neededRewards: MIN_REWARDS, reason: `${n} rewards; a normal interval needs at least ${MIN_REWARDS}` };
  const mean = s.sum / n;
  const variance = Math.max(0, (s.sumSq - n * mean * mean) / (n - 1));
  if (variance === 0) return { supported: false, neededRewards: null, reason: `${n} rewards, all equal: no spread seen yet, so the interval would have width 0` };
  if (!(mean > 0)) return { supported: true, neededRewards: null, reason: null };
  const cv = Math.sqrt(variance) / mean;
  const skew = Math.max(0, cv - 1 / cv);
  const needed = Math.max(MIN_REWARDS, Math.ceil(25 * skew * skew));
  if (n >= needed) return { supported: true, neededRewards: needed, reason: null };
  return {
    supported: false, neededRewards: needed,
    reason: `${n} rewards with a coefficient of variation of ${cv.toFixed(2)}: a non-negative reward this spread is skewed by at least ${skew.toFixed(2)}, `
      + `and a 95% normal interval needs about ${needed} rewards (Cochran's rule n > 25 skew^2) (rewardBounds gives the arms intervals that hold now)`,
  };
}
