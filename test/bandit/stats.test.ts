import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { chiSquareGof, sampleFromSums, welch, type Sample } from '../../src/bandit/stats.js';

const sampleOf = (xs: number[]): Sample => sampleFromSums(xs.length, xs.reduce((a, b) => a + b, 0), xs.reduce((a, b) => a + b * b, 0));

describe('sampleFromSums', () => {
  it('gives the mean and the unbiased variance', () => {
    const s = sampleOf([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.variance).toBeCloseTo(32 / 7, 12);
  });
  it('is 0-variance below 2 observations and never negative', () => {
    expect(sampleFromSums(0, 0, 0)).toEqual({ n: 0, mean: 0, variance: 0 });
    expect(sampleFromSums(1, 3, 9)).toEqual({ n: 1, mean: 3, variance: 0 });
    expect(sampleOf(Array(1000).fill(0.1)).variance).toBeGreaterThanOrEqual(0);
  });
});

describe('welch', () => {
  it('two samples of 15: t -2.4554, dof 24.989, p 0.021378 (scipy.stats.ttest_ind, equal_var=False)', () => {
    const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welch(sampleOf(a1), sampleOf(a2));
    expect(r.diff).toBeCloseTo(20.82 - 22.986666666666665, 10);
    expect(r.dof).toBeCloseTo(24.988529290231416, 8);
    expect(r.pValue).toBeCloseTo(0.021378001462866992, 7);
  });
  it('matches a direct computation with jstat', () => {
    const a: Sample = { n: 1200, mean: 0.31, variance: 2.5 };
    const b: Sample = { n: 300, mean: 0.12, variance: 1.1 };
    const va = 2.5 / 1200;
    const vb = 1.1 / 300;
    const se = Math.sqrt(va + vb);
    const dof = (va + vb) ** 2 / (va ** 2 / 1199 + vb ** 2 / 299);
    const q = jStat.studentt.inv(0.95, dof);
    const r = welch(a, b, 0.9);
    expect(r.dof).toBeCloseTo(dof, 10);
    expect(r.pValue).toBeCloseTo(2 * (1 - jStat.studentt.cdf(0.19 / se, dof)), 10);
    expect(r.interval![0]).toBeCloseTo(0.19 - q * se, 10);
    expect(r.interval![1]).toBeCloseTo(0.19 + q * se, 10);
    // the interval excludes 0 exactly when p < 1 - level
    expect(r.interval![0] > 0).toBe(r.pValue! < 0.1);
  });
  it('is symmetric: swapping samples negates diff and interval, keeps p', () => {
    const a: Sample = { n: 40, mean: 3, variance: 4 };
    const b: Sample = { n: 25, mean: 2, variance: 9 };
    const ab = welch(a, b);
    const ba = welch(b, a);
    expect(ba.diff).toBeCloseTo(-ab.diff!, 14);
    expect(ba.interval![0]).toBeCloseTo(-ab.interval![1], 12);
    expect(ba.pValue).toBeCloseTo(ab.pValue!, 14);
  });
  it('degenerate inputs: nulls below 2 observations, exact answers at zero variance, never NaN', () => {
    expect(welch({ n: 1, mean: 1, variance: 0 }, { n: 10, mean: 0, variance: 1 })).toEqual({ diff: 1, interval: null, pValue: null, dof: null });
    expect(welch({ n: 0, mean: 0, variance: 0 }, { n: 10, mean: 0, variance: 1 })).toEqual({ diff: null, interval: null, pValue: null, dof: null });
    expect(welch({ n: 5, mean: 2, variance: 0 }, { n: 7, mean: 2, variance: 0 })).toEqual({ diff: 0, interval: [0, 0], pValue: 1, dof: 10 });
    expect(welch({ n: 5, mean: 3, variance: 0 }, { n: 7, mean: 2, variance: 0 })).toEqual({ diff: 1, interval: [1, 1], pValue: 0, dof: 10 });
    const oneSided = welch({ n: 5, mean: 3, variance: 0 }, { n: 7, mean: 2, variance: 2 });
    expect(oneSided.dof).toBeCloseTo(6, 12); // all variance from b: dof = n_b - 1
    for (const v of [oneSided.diff, oneSided.pValue, oneSided.dof, ...oneSided.interval!]) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('chiSquareGof', () => {
  it('matches Pearson with jstat.chisquare.cdf', () => {
    const observed = [480, 530, 490];
    const shares = [1, 1, 1];
    const stat = (20 ** 2 + 30 ** 2 + 10 ** 2) / 500;
    const r = chiSquareGof(observed, shares);
    expect(r.statistic).toBeCloseTo(stat, 12);
    expect(r.pValue).toBeCloseTo(1 - jStat.chisquare.cdf(stat, 2), 12);
  });
  it('60/40 against 50/50: statistic 4, p 0.0455 (1 dof)', () => {
    const r = chiSquareGof([60, 40], [0.5, 0.5]);
    expect(r.statistic).toBeCloseTo(4, 12);
    expect(r.pValue).toBeCloseTo(0.04550026389635857, 8);
  });
  it('sample-ratio mismatch on 1e6 decisions: 10.1% vs 10% is flagged, 10.3% overwhelmingly', () => {
    // (1000^2 / 1e5) + (1000^2 / 9e5) = 11.11, p = 8.58e-4 (scipy.stats.chi2.sf(100/9, 1))
    expect(chiSquareGof([101_000, 899_000], [0.1, 0.9]).pValue).toBeCloseTo(8.581206663936e-4, 9);
    expect(chiSquareGof([103_000, 897_000], [0.1, 0.9]).pValue).toBeLessThan(1e-10);
  });
  it('shares of 0 and 1 give no NaN', () => {
    expect(chiSquareGof([0, 100], [0, 1])).toEqual({ statistic: 0, pValue: 1 });
    expect(chiSquareGof([3, 100], [0, 1])).toEqual({ statistic: Infinity, pValue: 0 });
    expect(chiSquareGof([0, 0], [0.5, 0.5])).toEqual({ statistic: 0, pValue: 1 });
    const r = chiSquareGof([10, 0, 12], [0.5, 0, 0.5]); // a share-0 cell without data drops out
    expect(r.statistic).toBeCloseTo(4 / 22, 12);
    expect(r.pValue).toBeCloseTo(1 - jStat.chisquare.cdf(4 / 22, 1), 12);
  });
  it('rejects negative shares and mismatched lengths', () => {
    expect(() => chiSquareGof([1, 2], [-1, 2])).toThrow(RangeError);
    expect(() => chiSquareGof([1, 2], [1])).toThrow(RangeError);
  });
});
