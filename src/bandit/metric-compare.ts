/**
 * A declared metric per arm and against the baseline (issue 22), always-valid: the same
 * asymptotic confidence sequence as the holdback lift (sequential.ts, Waudby-Smith et al. 2024),
 * over the signals' own sums. Each value is one unit (a decision), so the variance is the sample
 * variance of the values over n.
 *
 * Many comparisons are made at once (every arm but the baseline, for every metric); the report
 * controls the family-wise error with Bonferroni: a comparison is "established" when its
 * always-valid p-value is at or below alpha / count. The p-values are valid at every look, so
 * the family-wise rate holds under continuous monitoring too.
 */
import type { MetricSums } from '../contract/metrics.js';
import { alwaysValid, type AlwaysValid } from './sequential.js';

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
