import { describe, expect, it } from 'vitest';
import { alwaysValid, csHalfWidth } from '../../src/bandit/sequential.js';
import { makeRng, sampleNormal } from '../../src/bandit/random.js';

describe('asymptotic confidence sequence (Waudby-Smith et al.)', () => {
  it('has the documented half-width: at n = tuning it is about 1.55x the fixed-horizon one', () => {
    // Hand computation at alpha 0.05, n = N* = 5000, sigma = 1: rho^2 = (5.9915 + log 6.9915) / 5000.
    const r2 = (-2 * Math.log(0.05) + Math.log(-2 * Math.log(0.05) + 1)) / 5000;
    const a = 5000 * r2 + 1;
    const expected = Math.sqrt((2 * a) / (5000 * 5000 * r2) * Math.log(Math.sqrt(a) / 0.05));
    expect(csHalfWidth(5000, 1, 0.05)).toBeCloseTo(expected, 12);
    const ratio = csHalfWidth(5000, 1, 0.05) / (1.96 / Math.sqrt(5000));
    expect(ratio).toBeGreaterThan(1.5);
    expect(ratio).toBeLessThan(1.6);
  });

  it('p <= 0.05 exactly when the 95% interval excludes 0', () => {
    const rng = makeRng('cs-p');
    for (let i = 0; i < 500; i++) {
      const est = sampleNormal(rng) * 0.05;
      const n = 10 + Math.floor(rng() * 1e5);
      const r = alwaysValid(est, 1 / n, n);
      const excludes = r.interval95[0] > 0 || r.interval95[1] < 0;
      expect(r.pValue <= 0.05).toBe(excludes);
    }
  });

  it('keeps the chance of ever excluding the true mean below 5% over 10,000 looks (1000 seeded runs)', () => {
    const rng = makeRng('cs-mc');
    const runs = 1000;
    let crossed = 0;
    for (let k = 0; k < runs; k++) {
      let sum = 0;
      let sumSq = 0;
      for (let n = 1; n <= 10_000; n++) {
        const x = sampleNormal(rng);
        sum += x; sumSq += x * x;
        if (n < 20 || n % 10 !== 0) continue;
        const mean = sum / n;
        const v = (sumSq - n * mean * mean) / (n - 1);
        const r = alwaysValid(mean, v / n, n);
        if (r.interval95[0] > 0 || r.interval95[1] < 0) { crossed++; break; }
      }
    }
    const rate = crossed / runs;
    const se = Math.sqrt(0.05 * 0.95 / runs);
    console.log(`CS ever excludes the true mean (1000 looks each): ${(100 * rate).toFixed(1)}% +- ${(100 * se).toFixed(1)}% (MC SE)`);
    expect(rate).toBeLessThan(0.05 + 2 * se);
  });
});
