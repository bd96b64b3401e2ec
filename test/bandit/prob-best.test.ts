import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { posteriorMean, type Posterior } from '../../src/bandit/posterior.js';
import { bestArm, expectedLoss, probabilityBest } from '../../src/bandit/prob-best.js';
import { makeRng } from '../../src/bandit/random.js';
import { monteCarlo } from './monte-carlo.js';

const beta = (alpha: number, b: number): Posterior => ({ kind: 'beta', alpha, beta: b });
const ng = (mu: number, lambda: number, alpha: number, b: number): Posterior => ({ kind: 'normal-gamma', mu, lambda, alpha, beta: b });

/**
 * Evan Miller's closed form, for integer alpha of B:
 * P(B > A) = sum_{i=0}^{alphaB-1} B(alphaA+i, betaA+betaB) / ((betaB+i) B(1+i, betaB) B(alphaA, betaA)).
 */
function millerProbBBeatsA(a: [number, number], b: [number, number]): number {
  const [aA, bA] = a;
  const [aB, bB] = b;
  let total = 0;
  for (let i = 0; i < aB; i++) {
    total += Math.exp(jStat.betaln(aA + i, bA + bB) - Math.log(bB + i) - jStat.betaln(1 + i, bB) - jStat.betaln(aA, bA));
  }
  return total;
}

describe('probabilityBest against the closed form for two Beta arms', () => {
  const cases: [string, [number, number], [number, number]][] = [
    ['peaked, overlapping', [1429, 4523], [1200, 4000]],
    ['wide: Beta(1,1) vs Beta(2,1)', [1, 1], [2, 1]],
    ['moderate', [20, 80], [25, 75]],
    ['very peaked next to very wide', [1e5, 4e5], [2, 3]],
    ['peaked, nearly tied', [2001, 8000], [2000, 7990]],
    ['far apart', [50, 950], [90, 910]],
  ];
  for (const [name, a, b] of cases) {
    it(name, () => {
      const expected = millerProbBBeatsA(a, b);
      const [pa, pb] = probabilityBest([beta(...a), beta(...b)]);
      expect(Math.abs(pb - expected)).toBeLessThan(1e-6); // the brief asks 1e-3; measured ~1e-12
      expect(pa + pb).toBeCloseTo(1, 14);
    });
  }
  it('Beta(1,1) vs Beta(2,1) is exactly 1/3 vs 2/3', () => {
    const [pa, pb] = probabilityBest([beta(1, 1), beta(2, 1)]);
    expect(pa).toBeCloseTo(1 / 3, 10);
    expect(pb).toBeCloseTo(2 / 3, 10);
  });
  it('posteriors of a billion trials: normal limit', () => {
    // Skewness ~1e-5 here, so P = Phi(diff / sd) to ~1e-6.
    const a = beta(2e8, 8e8);
    const b = beta(2.00004e8, 7.99996e8);
    const sd = (p: Posterior) => (p.kind === 'beta' ? Math.sqrt((p.alpha * p.beta) / ((p.alpha + p.beta) ** 2 * (p.alpha + p.beta + 1))) : 0);
    const z = (posteriorMean(b) - posteriorMean(a)) / Math.hypot(sd(a), sd(b));
    expect(probabilityBest([a, b])[1]).toBeCloseTo(jStat.normal.cdf(z, 0, 1), 5);
  });
});

describe('Normal-Gamma arms', () => {
  it('many dof: matches the two-normal closed forms for P(best) and expected loss', () => {
    // dof 2e6: the Student-t marginal is normal to ~1e-6.
    const a = ng(0.10, 1e6, 1e6, 2e5);
    const b = ng(0.1003, 5e5, 1e6, 3e5);
    const s = (mu: number, lambda: number, alpha: number, bb: number) => Math.sqrt(bb / (alpha * lambda));
    const sa = s(0.1, 1e6, 1e6, 2e5);
    const sb = s(0.1003, 5e5, 1e6, 3e5);
    const sigma = Math.hypot(sa, sb);
    const delta = 0.1003 - 0.1;
    expect(probabilityBest([a, b])[1]).toBeCloseTo(jStat.normal.cdf(delta / sigma, 0, 1), 5);
    // E[max(A, B)] - E[A] = delta Phi(delta / sigma) + sigma phi(delta / sigma)
    const lossA = delta * jStat.normal.cdf(delta / sigma, 0, 1) + sigma * jStat.normal.pdf(delta / sigma, 0, 1);
    const [la, lb] = expectedLoss([a, b]);
    expect(la).toBeCloseTo(lossA, 8);
    expect(lb).toBeCloseTo(lossA - delta, 8);
  });
  it('few dof and the default prior: agrees with Monte Carlo', () => {
    const ps = [ng(0, 0.01, 1, 1), ng(1.2, 100.01, 51, 60), ng(0.9, 20, 11, 8)];
    const mc = monteCarlo(ps, 1_000_000, makeRng('ng-mc'));
    const p = probabilityBest(ps);
    for (let i = 0; i < ps.length; i++) expect(Math.abs(p[i] - mc.p[i])).toBeLessThan(4 * mc.pSe[i] + 1e-6);
  });
});

describe('invariants', () => {
  const sets: Posterior[][] = [
    [beta(3, 7), beta(1, 1), beta(30, 70), beta(0.5, 0.5)],
    [beta(1, 1e6), beta(2, 1e6), beta(1.5, 5e5)],
    [ng(0, 1, 1, 1), ng(0.5, 2, 1.5, 2), ng(-1, 1, 0.8, 1)],
    [ng(0.1, 11, 6, 12), ng(0.3, 6, 3.5, 9)],
  ];
  it('probabilities are in [0, 1] and sum to 1; losses are >= 0', () => {
    for (const ps of sets) {
      const { probabilityBest: p, expectedLoss: loss } = bestArm(ps);
      expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(loss.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    }
  });
  it('loss_i - loss_j = mean_j - mean_i (E[max] cancels)', () => {
    for (const ps of sets.slice(0, 2).concat([sets[3]])) {
      const loss = expectedLoss(ps);
      for (let i = 1; i < ps.length; i++) expect(loss[i] - loss[0]).toBeCloseTo(posteriorMean(ps[0]) - posteriorMean(ps[i]), 9);
    }
  });
  it('does not depend on the order of the arms', () => {
    for (const ps of sets) {
      const order = ps.map((_, i) => ps.length - 1 - i);
      const a = bestArm(ps);
      const b = bestArm(order.map((i) => ps[i]));
      order.forEach((i, pos) => {
        expect(b.probabilityBest[pos]).toBeCloseTo(a.probabilityBest[i], 10);
        expect(b.expectedLoss[pos]).toBeCloseTo(a.expectedLoss[i], 10);
      });
    }
  });
  it('identical arms tie; one arm is best for sure; no arms give []', () => {
    const p = probabilityBest(Array.from({ length: 7 }, () => beta(40, 60)));
    for (const v of p) expect(v).toBeCloseTo(1 / 7, 10);
    expect(bestArm([beta(2, 3)])).toEqual({ probabilityBest: [1], expectedLoss: [0] });
    expect(probabilityBest([])).toEqual([]);
  });
  it('a clearly dominant arm gets probability ~1 and loss ~0', () => {
    const { probabilityBest: p, expectedLoss: loss } = bestArm([beta(100, 900), beta(900, 100), beta(500, 500)]);
    expect(p[1]).toBeGreaterThan(1 - 1e-9); // truly 1 - 1e-80; the quadrature drops ~1e-10 tails
    expect(loss[1]).toBeLessThan(1e-9);
    expect(loss[0]).toBeCloseTo(0.8, 10);
  });
  it('rejects mixed kinds and invalid parameters', () => {
    expect(() => probabilityBest([beta(1, 1), ng(0, 1, 1, 1)])).toThrow();
    expect(() => probabilityBest([beta(1, 1), beta(0, 1)])).toThrow(RangeError);
  });
});
