/**
 * A declared metric per arm and against the baseline (issue 22), always-valid: the same
 * asymptotic confidence sequence as the holdback lift (sequential.ts, Waudby-Smith et al. 2024),
 * over the signals' own sums. Where users return, the unit is the user on an arm (their values are
 * correlated): compareUsersToBaseline, the delta method over units as the holdback lift. Without
 * users each value is one unit (a decision), so the variance is the sample variance over n.
 *
 * Many comparisons are made at once (every arm but the baseline, for every metric); the report
 * controls the family-wise error with Bonferroni: a comparison is "established" when its
 * always-valid p-value is at or below alpha / count. The p-values are valid at every look, so
 * the family-wise rate holds under continuous monitoring too.
 */
import type { MetricSums, MetricUserSums } from '../contract/metrics.js';
import { alwaysValid, type AlwaysValid } from './sequential.js';
import { difference, userLevelMean } from './user-level.js';

export interface MeanEstimate {
  mean: number;
  /** Variance of `mean`. */
  variance: number;
  n: number;
}

/** The mean of the values and its variance; null with fewer than 2 values. */
export function metricMean(s: MetricSums): MeanEstimate | null {
  if (s.n < 2) return null;
  const mean = s.sum / s.n;
  // Clamp: rounding can make a zero variance a hair negative.
  const sampleVariance = Math.max(0, (s.sumSq - s.n * mean * mean) / (s.n - 1));
  return { mean, variance: sampleVariance / s.n, n: s.n };
}

/** The always-valid 95% interval of one arm's mean (and the p-value of mean = 0, unused). */
export function meanInterval(s: MetricSums, tuningUsers: number): [number, number] | null {
  const m = metricMean(s);
  return m ? alwaysValid(m.mean, m.variance, m.n, tuningUsers).interval95 : null;
}

export interface MetricDifference extends AlwaysValid {
  difference: number;
}

/** arm - baseline, always-valid over the n of both; null until each side has 2 values. */
export function compareToBaseline(arm: MetricSums, baseline: MetricSums, tuningUsers: number): MetricDifference | null {
  const a = metricMean(arm);
  const b = metricMean(baseline);
  if (!a || !b) return null;
  const difference = a.mean - b.mean;
  return { difference, ...alwaysValid(difference, a.variance + b.variance, a.n + b.n, tuningUsers) };
}

/** Bonferroni over `count` comparisons at family-wise `alpha`. */
export function bonferroni(alpha: number, count: number): { count: number; method: 'bonferroni'; familyAlpha: number; perComparisonAlpha: number } {
  return { count, method: 'bonferroni', familyAlpha: alpha, perComparisonAlpha: count > 0 ? alpha / count : alpha };
}

/** A unit's state of one metric: its value sum S and count N. */
export interface UnitState { s: number; n: number }

export const emptyUserSums = (): MetricUserSums => ({ units: 0, sum: 0, count: 0, sumSq: 0, countSq: 0, cross: 0 });

/**
 * Adds value v of a unit whose state was `prev` (null: new, or a decision without a user) to the
 * user-level sums `u` (in place); returns the unit's new state. A unit is a (user, arm) pair: a user
 * who moved to another arm is a unit of each. The same order of additions as lua/metrics.lua, so
 * the sums are equal bit for bit.
 */
export function addUnitValue(u: MetricUserSums, prev: UnitState | null | undefined, v: number): UnitState {
  const { s, n } = prev ?? { s: 0, n: 0 };
  if (n === 0) u.units += 1;
  u.sum += v;
  u.count += 1;
  u.sumSq += 2 * s * v + v * v;
  u.countSq += 2 * n + 1;
  u.cross += s + v * n + v;
  return { s: s + v, n: n + 1 };
}

/**
 * arm - baseline at the user level (Deng et al. 2018's delta method over units, user-level.ts),
 * always-valid over the units of both (the holdback lift's method); the decision-level comparison
 * when either side holds values older than its user-level sums (count < n).
 */
export function compareUsersToBaseline(arm: MetricSums, armUsers: MetricUserSums, baseline: MetricSums, baseUsers: MetricUserSums, tuningUsers: number): (MetricDifference & { unit: 'user' | 'decision' }) | null {
  if (armUsers.count < arm.n || baseUsers.count < baseline.n) {
    const d = compareToBaseline(arm, baseline, tuningUsers);
    return d && { ...d, unit: 'decision' };
  }
  const level = (x: MetricUserSums) => userLevelMean({ users: x.units, sum: x.sum, count: x.count, sumSq: x.sumSq, countSq: x.countSq, cross: x.cross });
  const a = level(armUsers);
  const b = level(baseUsers);
  if (!a || !b) return null;
  const d = difference(a, b);
  return { difference: d.diff, ...alwaysValid(d.diff, d.se * d.se, a.users + b.users, tuningUsers), unit: 'user' };
}
