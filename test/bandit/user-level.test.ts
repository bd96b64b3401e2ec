import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/bandit/random.js';
import { difference, userLevelMean, type UserLevelSums } from '../../src/bandit/user-level.js';

/** Sums over users from each user's rewards. */
function sums(users: number[][]): UserLevelSums {
  const x = { users: users.length, sum: 0, count: 0, sumSq: 0, countSq: 0, cross: 0 };
  for (const rs of users) {
    const s = rs.reduce((a, b) => a + b, 0);
    x.sum += s; x.count += rs.length; x.sumSq += s * s; x.countSq += rs.length ** 2; x.cross += s * rs.length;
  }
  return x;
}

describe('userLevelMean (delta method over users)', () => {
  it('is the mean and s^2/n of the decisions when every user has one reward', () => {
    const rs = [1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 2.5];
    const m = userLevelMean(sums(rs.map((r) => [r])))!;
    const mean = rs.reduce((a, b) => a + b, 0) / rs.length;
    const s2 = rs.reduce((a, r) => a + (r - mean) ** 2, 0) / (rs.length - 1);
    expect(m.mean).toBeCloseTo(mean, 12);
    expect(m.variance).toBeCloseTo(s2 / rs.length, 12);
  });

  it('is null with fewer than 2 users or no reward', () => {
    expect(userLevelMean(sums([[1, 1]]))).toBeNull();
    expect(userLevelMean({ ...sums([]), users: 10 })).toBeNull();
  });

  it('matches the spread of the ratio over repeated experiments with returning users (Monte Carlo, 2000 runs)', () => {
    const rng = makeRng('delta');
    const runs = 2000;
    const means: number[] = [];
    let varSum = 0;
    for (let k = 0; k < runs; k++) {
      const users: number[][] = [];
      for (let i = 0; i < 200; i++) {
        const visits = 1 + Math.floor(rng() * 10);
        const p = rng() * 0.6; // each user their own rate
        users.push(Array.from({ length: visits }, () => (rng() < p ? 1 : 0)));
      }
      const m = userLevelMean(sums(users))!;
      means.push(m.mean);
      varSum += m.variance;
    }
    const grand = means.reduce((a, b) => a + b, 0) / runs;
    const empirical = means.reduce((a, b) => a + (b - grand) ** 2, 0) / (runs - 1);
    // The variance of a variance estimate from 2000 runs: relative SE sqrt(2/1999) ~ 3.2%; allow 4 SE.
    const ratio = varSum / runs / empirical;
    console.log(`delta-method variance / empirical variance of the ratio: ${ratio.toFixed(3)} (MC rel. SE 0.032)`);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.13);
  });
});

describe('difference', () => {
  it('gives a z interval and a two-sided p-value', () => {
    const d = difference({ mean: 0.3, variance: 0.0004, users: 100 }, { mean: 0.25, variance: 0.0005, users: 100 });
    const se = Math.sqrt(0.0009);
    expect(d.diff).toBeCloseTo(0.05, 12);
    expect(d.interval95[0]).toBeCloseTo(0.05 - 1.959964 * se, 5);
    expect(d.pValue).toBeCloseTo(2 * (1 - jStat.normal.cdf(0.05 / se, 0, 1)), 9);
  });
});
