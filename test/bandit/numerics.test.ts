// The building blocks of prob-best: Gauss-Legendre rule, incomplete beta, mean densities, mesh.
import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { gaussLegendre } from '../../src/bandit/gauss-legendre.js';
import { regularizedBeta } from '../../src/bandit/incomplete-beta.js';
import { densityAt, meanDensity } from '../../src/bandit/mean-density.js';
import type { Posterior } from '../../src/bandit/posterior.js';
import { buildMesh } from '../../src/bandit/quadrature-mesh.js';

describe('gaussLegendre', () => {
  it('8 nodes: textbook nodes and weights, exact for degree 15', () => {
    const r = gaussLegendre(8);
    expect(r.nodes[7]).toBeCloseTo(0.9602898564975363, 15); // Abramowitz & Stegun table 25.4
    expect(r.weights[7]).toBeCloseTo(0.1012285362903763, 15);
    for (let d = 0; d <= 15; d++) {
      let s = 0;
      for (let i = 0; i < 8; i++) s += r.weights[i] * r.nodes[i] ** d;
      expect(s).toBeCloseTo(d % 2 === 1 ? 0 : 2 / (d + 1), 13);
    }
  });
  it('integration matrix: integral from -1 to each node of a degree-7 polynomial is exact', () => {
    const r = gaussLegendre(8);
    const f = (t: number) => 3 * t ** 7 - t ** 4 + 2 * t - 1;
    const antiderivative = (t: number) => (3 / 8) * t ** 8 - t ** 5 / 5 + t * t - t;
    for (let l = 0; l < 8; l++) {
      let s = 0;
      for (let m = 0; m < 8; m++) s += r.integral[l * 8 + m] * f(r.nodes[m]);
      expect(s).toBeCloseTo(antiderivative(r.nodes[l]) - antiderivative(-1), 13);
    }
  });
  it('rejects fewer than 2 nodes', () => expect(() => gaussLegendre(1)).toThrow(RangeError));
});

describe('regularizedBeta', () => {
  it('matches scipy.stats.beta.cdf (values pasted from scipy 1.17), including large parameters', () => {
    const cases: [number, number, number, number][] = [
      [0.001, 0.5, 0.5, 0.020135041633377492],
      [0.3, 2, 3, 0.3483],
      [0.2, 1e7, 4e7, 0.5000282094792706],
      [0.9, 30, 2.5, 0.26254832087078794],
      [1e-5, 1, 1e5, 0.6321223982334279],
    ];
    for (const [x, a, b, expected] of cases) expect(regularizedBeta(x, a, b)).toBeCloseTo(expected, 7);
  });
  it('is 0 and 1 outside the support and agrees with jstat where jstat converges', () => {
    expect(regularizedBeta(-0.1, 2, 2)).toBe(0);
    expect(regularizedBeta(1.5, 2, 2)).toBe(1);
    for (const x of [0.05, 0.2, 0.5, 0.8]) expect(regularizedBeta(x, 3.5, 7)).toBeCloseTo(jStat.beta.cdf(x, 3.5, 7), 7);
  });
});

describe('meanDensity', () => {
  const cases: Posterior[] = [
    { kind: 'beta', alpha: 3, beta: 9 },
    { kind: 'beta', alpha: 1e6, beta: 4e6 },
    { kind: 'beta', alpha: 0.5, beta: 200 },
    { kind: 'normal-gamma', mu: 2, lambda: 5, alpha: 3, beta: 4 },
    { kind: 'normal-gamma', mu: 0, lambda: 1e6, alpha: 5e6, beta: 5e6 },
  ];
  it('agrees with jstat densities (which are accurate at these points)', () => {
    for (const p of cases) {
      const d = meanDensity(p);
      for (const u of [-2, -0.5, 0.7, 3]) {
        const x = d.center + u * d.scale;
        if (x <= 0) continue;
        const expected = p.kind === 'beta'
          ? jStat.beta.pdf(x, p.alpha, p.beta)
          : jStat.studentt.pdf((x - p.mu) / d.scale, 2 * p.alpha) / d.scale;
        expect(densityAt(d, x, Math.log(x), Math.log1p(-x)) / expected).toBeCloseTo(1, 6);
      }
    }
  });
  it('its range holds all but ~1e-9 of the mass', () => {
    for (const p of cases.filter((c) => c.kind === 'beta')) {
      const d = meanDensity(p);
      if (p.kind !== 'beta') continue;
      const outside = regularizedBeta(d.lower, p.alpha, p.beta) + 1 - regularizedBeta(d.upper, p.alpha, p.beta);
      expect(outside).toBeLessThan(1e-9);
    }
  });
});

describe('buildMesh', () => {
  it('is ascending, covers every arm, and resolves a peaked arm next to a wide one', () => {
    const ds = [meanDensity({ kind: 'beta', alpha: 1e5, beta: 4e5 }), meanDensity({ kind: 'beta', alpha: 2, beta: 3 })];
    const mesh = buildMesh(ds);
    for (let i = 1; i < mesh.length; i++) expect(mesh[i]).toBeGreaterThan(mesh[i - 1]);
    expect(mesh[0]).toBe(0);
    expect(mesh[mesh.length - 1]).toBe(1);
    // at least 5 breakpoints within 2 sd of the peaked arm's mean
    const inside = Array.from(mesh).filter((x) => Math.abs(x - ds[0].center) <= 2 * ds[0].scale);
    expect(inside.length).toBeGreaterThanOrEqual(5);
  });
  it('overlapping arms share panels instead of adding them', () => {
    const one = buildMesh([meanDensity({ kind: 'beta', alpha: 50, beta: 950 })]).length;
    const many = buildMesh(Array.from({ length: 50 }, (_, i) => meanDensity({ kind: 'beta', alpha: 50 + i * 0.01, beta: 950 }))).length;
    expect(many).toBeLessThan(2 * one);
  });
});
