// Frequentist checks for the report: Welch's t-test (bandit traffic vs holdback) and Pearson's
// chi-square goodness of fit (sample-ratio mismatch). Distribution functions from jstat.
import jStat from 'jstat';

/** n observations with their mean and unbiased sample variance. */
export interface Sample {
  n: number;
  mean: number;
  variance: number;
}

export interface WelchResult {
  /** a.mean - b.mean; null unless both samples have at least one observation */
  diff: number | null;
  /** the rest are null unless both samples have at least 2 observations (no variance otherwise) */
  interval: [number, number] | null;
  pValue: number | null;
  dof: number | null;
}

/** Sample statistics from the count, sum and sum of squares (variance 0 below 2 observations). */
export function sampleFromSums(n: number, sum: number, sumSq: number): Sample {
  if (n <= 0) return { n: 0, mean: 0, variance: 0 };
  const mean = sum / n;
  // Clamp: rounding makes sumSq - n mean^2 slightly negative when all values are equal.
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  return { n, mean, variance };
}

/**
 * Welch's unequal-variance t-test of a.mean - b.mean with the Welch-Satterthwaite dof.
 * Both variances 0: the difference is known exactly, interval [diff, diff], pValue 1 if diff is 0
 * and 0 otherwise, dof n_a + n_b - 2 (Satterthwaite's formula is 0/0 there).
 */
export function welch(a: Sample, b: Sample, level = 0.95): WelchResult {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const diff = a.n >= 1 && b.n >= 1 ? a.mean - b.mean : null;
  if (diff === null || a.n < 2 || b.n < 2) return { diff, interval: null, pValue: null, dof: null };
  const va = Math.max(0, a.variance) / a.n;
  const vb = Math.max(0, b.variance) / b.n;
  const se2 = va + vb;
  if (se2 === 0) return { diff, interval: [diff, diff], pValue: diff === 0 ? 1 : 0, dof: a.n + b.n - 2 };
  const dof = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const se = Math.sqrt(se2);
  const q = jStat.studentt.inv((1 + level) / 2, dof);
  // 2 P(T <= -|t|) rather than 2 (1 - P(T <= |t|)): no cancellation for small p-values.
  const pValue = Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(diff / se), dof));
  return { diff, interval: [diff - q * se, diff + q * se], pValue, dof };
}

/**
 * Pearson's chi-square test of observed counts against expected shares (normalised to sum 1),
 * dof = (cells with a positive share) - 1. Cells with share 0 and no observations drop out; an
 * observation in a share-0 cell makes the fit impossible: statistic Infinity, pValue 0. With fewer
 * than 2 cells of positive share, or no observations, there is nothing to test: statistic 0, pValue 1.
 */
export function chiSquareGof(observed: number[], expectedShares: number[]): { statistic: number; pValue: number } {
  if (observed.length !== expectedShares.length) throw new RangeError('observed and expectedShares must have the same length');
  if (expectedShares.some((s) => !(s >= 0) || s === Infinity)) throw new RangeError('shares must be finite and >= 0');
  const total = observed.reduce((s, o) => s + o, 0);
  const shareTotal = expectedShares.reduce((s, e) => s + e, 0);
  let cells = 0;
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    if (expectedShares[i] === 0) {
      if (observed[i] > 0) return { statistic: Infinity, pValue: 0 };
      continue;
    }
    cells++;
    const expected = (total * expectedShares[i]) / shareTotal;
    statistic += expected > 0 ? ((observed[i] - expected) ** 2) / expected : 0;
  }
  if (cells < 2 || total <= 0) return { statistic: 0, pValue: 1 };
  return { statistic, pValue: Math.max(0, 1 - jStat.chisquare.cdf(statistic, cells - 1)) };
}

/** The mean of `xs` and its standard error (sample standard deviation / sqrt(n); NaN for n < 2). */
export function meanAndStandardError(xs: ArrayLike<number>): { mean: number; se: number } {
  const n = xs.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += xs[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - mean) ** 2;
  return { mean, se: n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN };
}
