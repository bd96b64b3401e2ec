import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { makeRng, sampleBeta, sampleGamma, sampleNormal, sampleStudentT } from '../../src/bandit/random.js';
import { draws, ksCritical, ksDistance, meanAndVariance } from './helpers.js';

const N = 400_000;

/** |sample mean - mean| and |sample variance - variance| within 5 standard errors. */
function expectMoments(xs: Float64Array, mean: number, variance: number, kurtosisExcess: number): void {
  const m = meanAndVariance(xs);
  const n = xs.length;
  expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
  const varianceSe = variance * Math.sqrt((kurtosisExcess + 2) / n);
  expect(Math.abs(m.variance - variance)).toBeLessThan(5 * varianceSe);
}

describe('makeRng', () => {
  it('same seed gives the same sequence, different seeds differ', () => {
    const a = makeRng('seed-1');
    const b = makeRng('seed-1');
    const c = makeRng('seed-2');
    const sa = draws(100, a);
    expect(draws(100, b)).toEqual(sa);
    expect(draws(100, c)).not.toEqual(sa);
  });
  it('without a seed two generators differ, and values are in [0, 1)', () => {
    const xs = draws(10_000, makeRng());
    expect(draws(10, makeRng())).not.toEqual(xs.slice(0, 10));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
  it('samplers are reproducible from the seed', () => {
    const run = (seed: string) => {
      const r = makeRng(seed);
      return [sampleNormal(r), sampleGamma(0.3, r), sampleBeta(2, 5, r), sampleStudentT(3, r)];
    };
    expect(run('x')).toEqual(run('x'));
    expect(run('x')).not.toEqual(run('y'));
  });
});

describe('sampleNormal (ziggurat)', () => {
  const xs = draws(N, ((r) => () => sampleNormal(r))(makeRng('normal')));
  it('has mean 0 and variance 1', () => expectMoments(xs, 0, 1, 0));
  it('fits the density finely: chi-square over 100 equiprobable bins of 2e6 draws', () => {
    // Sensitive to errors confined to the ziggurat's thin wedges, which KS and moments miss.
    const rng = makeRng('normal-bins');
    const bins = 100;
    const n = 2_000_000;
    const counts = new Float64Array(bins);
    const edges = Array.from({ length: bins - 1 }, (_, i) => jStat.normal.inv((i + 1) / bins, 0, 1));
    for (let i = 0; i < n; i++) {
      const z = sampleNormal(rng);
      let lo = 0;
      let hi = bins - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (z < edges[mid]) hi = mid;
        else lo = mid + 1;
      }
      counts[lo]++;
    }
    const expected = n / bins;
    const stat = counts.reduce((s, c) => s + ((c - expected) * (c - expected)) / expected, 0);
    expect(1 - jStat.chisquare.cdf(stat, bins - 1)).toBeGreaterThan(1e-3);
  });
  it('matches the normal CDF (KS), tails included', () => {
    expect(ksDistance(xs, (x) => jStat.normal.cdf(x, 0, 1))).toBeLessThan(ksCritical(N));
    // P(|Z| > 3.442619855899), the ziggurat's tail region, is 5.76e-4.
    const tail = xs.filter((x) => Math.abs(x) > 3.442619855899).length / N;
    expect(Math.abs(tail - 5.76e-4)).toBeLessThan(5 * Math.sqrt(5.76e-4 / N));
  });
});

describe('sampleGamma', () => {
  for (const shape of [0.3, 1, 5, 1000]) {
    it(`shape ${shape}: mean and variance ${shape}, KS against jstat`, () => {
      const rng = makeRng(`gamma-${shape}`);
      const xs = draws(N, () => sampleGamma(shape, rng));
      expectMoments(xs, shape, shape, 6 / shape);
      expect(ksDistance(xs, (x) => jStat.gamma.cdf(x, shape, 1))).toBeLessThan(ksCritical(N));
    });
  }
  it('rejects a non-positive shape', () => {
    expect(() => sampleGamma(0, makeRng('g'))).toThrow(RangeError);
    expect(() => sampleGamma(Number.NaN, makeRng('g'))).toThrow(RangeError);
  });
});

describe('sampleBeta', () => {
  const cases: [number, number][] = [[2, 5], [0.5, 0.5], [0.3, 4], [1429, 4523]];
  for (const [a, b] of cases) {
    it(`Beta(${a}, ${b}): mean, variance and KS`, () => {
      const rng = makeRng(`beta-${a}-${b}`);
      const xs = draws(N, () => sampleBeta(a, b, rng));
      const s = a + b;
      const variance = (a * b) / (s * s * (s + 1));
      const kurt = (6 * ((a - b) ** 2 * (s + 1) - a * b * (s + 2))) / (a * b * (s + 2) * (s + 3));
      expectMoments(xs, a / s, variance, kurt);
      if (Math.max(a, b) < 100) expect(ksDistance(xs, (x) => jStat.beta.cdf(x, a, b))).toBeLessThan(ksCritical(N));
    });
  }
  it('stays in [0, 1] and never NaN for tiny shapes', () => {
    const rng = makeRng('tiny');
    const xs = draws(100_000, () => sampleBeta(0.01, 0.02, rng));
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
  });
});

describe('sampleStudentT', () => {
  it('dof 10: mean 0, variance 10/8, KS', () => {
    const rng = makeRng('t10');
    const xs = draws(N, () => sampleStudentT(10, rng));
    expectMoments(xs, 0, 10 / 8, 6 / (10 - 4));
    expect(ksDistance(xs, (x) => jStat.studentt.cdf(x, 10))).toBeLessThan(ksCritical(N));
  });
  it('dof 2.5 (infinite kurtosis): KS only', () => {
    const rng = makeRng('t2.5');
    const xs = draws(N, () => sampleStudentT(2.5, rng));
    expect(ksDistance(xs, (x) => jStat.studentt.cdf(x, 2.5))).toBeLessThan(ksCritical(N));
  });
});
