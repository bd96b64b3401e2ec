// probabilityBest and expectedLoss against seeded Monte Carlo, and at 100 arms.
import { describe, expect, it } from 'vitest';
import type { Posterior } from '../../src/bandit/posterior.js';
import { bestArm, probabilityBest } from '../../src/bandit/prob-best.js';
import { makeRng } from '../../src/bandit/random.js';
import { monteCarlo } from './monte-carlo.js';

const beta = (alpha: number, b: number): Posterior => ({ kind: 'beta', alpha, beta: b });
const ng = (mu: number, lambda: number, alpha: number, b: number): Posterior => ({ kind: 'normal-gamma', mu, lambda, alpha, beta: b });

describe('expectedLoss against a seeded Monte Carlo (1e6 draws, 3 standard errors)', () => {
  const cases: [string, Posterior[]][] = [
    ['two Beta arms', [beta(20, 80), beta(25, 75)]],
    ['peaked next to wide', [beta(1e5, 4e5), beta(2, 3), beta(1429, 4523)]],
    ['Jeffreys prior, few data', [beta(0.5, 100.5), beta(1.5, 99.5), beta(0.5, 0.5)]],
    // Beta(0.1, 0.1) puts 1.6% of its mass within 1e-15 of 1, closer than doubles resolve.
    ['tiny shapes', [beta(0.1, 0.1), beta(0.2, 3), beta(0.5, 0.5)]],
    ['Normal-Gamma with data', [ng(1, 11, 6, 12), ng(1.3, 6, 3.5, 9), ng(0.7, 30, 15, 20)]],
  ];
  for (const [name, ps] of cases) {
    it(name, () => {
      const mc = monteCarlo(ps, 1_000_000, makeRng(`loss-${name}`));
      const { probabilityBest: p, expectedLoss: loss } = bestArm(ps);
      for (let i = 0; i < ps.length; i++) {
        expect(Math.abs(loss[i] - mc.loss[i])).toBeLessThanOrEqual(3 * mc.lossSe[i] + 1e-9);
        expect(Math.abs(p[i] - mc.p[i])).toBeLessThanOrEqual(4 * mc.pSe[i] + 1e-6);
      }
    });
  }
});

describe('100 arms', () => {
  const rng = makeRng('hundred');
  const ps: Posterior[] = Array.from({ length: 100 }, () => {
    const n = Math.floor(10 ** (1 + 4 * rng()));
    const successes = Math.floor(n * (0.05 + 0.01 * rng()));
    return beta(1 + successes, 1 + n - successes);
  });
  it('sums to 1 and agrees with Monte Carlo', () => {
    const { probabilityBest: p, expectedLoss: loss } = bestArm(ps);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const mc = monteCarlo(ps, 200_000, makeRng('hundred-mc'));
    for (let i = 0; i < ps.length; i++) {
      expect(Math.abs(p[i] - mc.p[i])).toBeLessThanOrEqual(4 * mc.pSe[i] + 1e-5);
      expect(Math.abs(loss[i] - mc.loss[i])).toBeLessThanOrEqual(4 * mc.lossSe[i] + 1e-9);
    }
  });
  it('100 Normal-Gamma arms: finite, sums to 1', () => {
    const ngs = Array.from({ length: 100 }, (_, i) => ng(Math.sin(i), 1 + i, 1 + i / 2, 1 + i));
    const p = probabilityBest(ngs);
    expect(p.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
  it('is fast: 10 arms well under 5 ms per call', () => {
    const ten = ps.slice(0, 10);
    for (let i = 0; i < 20; i++) bestArm(ten);
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) bestArm(ten);
    expect((performance.now() - t0) / 100).toBeLessThan(5);
  });
});
