import { describe, expect, it } from 'vitest';
import { addLinear, armPosterior, RIDGE_LAMBDA } from '../../src/bandit/linear-model.js';
import { contextEvidence, CONTEXT_PRIOR } from '../../src/bandit/linear-evidence.js';
import { makeRng } from '../../src/bandit/random.js';
import jStat from 'jstat';

const prior = { a0: 1, b0: 0.25 };

/** log det and inverse of a small dense matrix by Gauss-Jordan with partial pivoting (independent of linear-model.ts). */
function logDetInverse(m: number[][]): { logDet: number; inv: number[][] } {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  let logDet = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    logDet += Math.log(Math.abs(a[c][c]));
    const piv = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return { logDet, inv: a.map((row) => row.slice(n)) };
}

/**
 * log p(y | X) under theta | s2 ~ N(0, s2/lambda I), s2 ~ IG(a0, b0), computed directly: y is a
 * multivariate Student t with 2 a0 degrees of freedom, location 0 and scale (b0/a0)(I + X X^T / lambda).
 */
function directLogMarginal(xs: number[][], y: number[], lambda: number): number {
  const n = y.length;
  const nu = 2 * prior.a0;
  const scale = prior.b0 / prior.a0;
  const sigma = xs.map((xi, i) => xs.map((xj, j) => scale * ((i === j ? 1 : 0) + xi.reduce((s, v, k) => s + v * xj[k], 0) / lambda)));
  const { logDet, inv } = logDetInverse(sigma);
  const q = y.reduce((s, yi, i) => s + yi * inv[i].reduce((t, v, j) => t + v * y[j], 0), 0);
  return jStat.gammaln((nu + n) / 2) - jStat.gammaln(nu / 2) - (n / 2) * Math.log(nu * Math.PI) - logDet / 2 - ((nu + n) / 2) * Math.log(1 + q / nu);
}

function sumsOf(xs: number[][], y: number[]): Float64Array | undefined {
  let s: Float64Array | undefined;
  xs.forEach((x, i) => { s = addLinear(s, x, y[i]); });
  return s;
}

describe('context evidence: the Bayes factor of the full linear model against the intercept alone', () => {
  it('equals the ratio of the two marginal likelihoods computed directly (multivariate Student t)', () => {
    const rng = makeRng('bf-direct');
    for (const lambda of [RIDGE_LAMBDA, 2.5]) {
      const xs = Array.from({ length: 9 }, () => [1, rng() < 0.5 ? 1 : 0, rng() * 2 - 1]);
      const y: number[] = xs.map((x) => (rng() < 0.3 + 0.3 * x[1] + 0.2 * x[2] ? 1 : 0));
      const s = sumsOf(xs, y);
      const full = armPosterior(s, 3, prior, lambda);
      const e = contextEvidence(full, s, prior, lambda);
      const direct = directLogMarginal(xs, y, lambda) - directLogMarginal(xs.map((x) => [x[0]]), y, lambda);
      expect(e.logBayesFactor).toBeCloseTo(direct, 9);
      // The intercept model's posterior: mean sum r / (lambda + n), sd sqrt(s2_0 / (lambda + n)).
      const n = y.length;
      const sr = y.reduce((a, b) => a + b, 0);
      expect(e.interceptMean).toBeCloseTo(sr / (lambda + n), 12);
      const s20 = (prior.b0 + (sr - (sr * sr) / (lambda + n)) / 2) / (prior.a0 + n / 2);
      expect(e.interceptSd).toBeCloseTo(Math.sqrt(s20 / (lambda + n)), 12);
    }
  });

  it('no data: the prior; context that does not matter: P(M1) -> 0; context that matters: P(M1) -> 1', () => {
    expect(contextEvidence(armPosterior(undefined, 4, prior), undefined, prior, RIDGE_LAMBDA).pContext).toBeCloseTo(CONTEXT_PRIOR, 12);
    const rng = makeRng('bf-limits');
    let flat: Float64Array | undefined;
    let steep: Float64Array | undefined;
    for (let i = 0; i < 2000; i++) {
      const x = [1, rng() < 0.5 ? 1 : 0, rng() < 0.5 ? 1 : 0, rng() * 2 - 1];
      flat = addLinear(flat, x, rng() < 0.5 ? 1 : 0);
      steep = addLinear(steep, x, rng() < 0.4 + 0.2 * x[1] - 0.1 * x[3] ? 1 : 0);
    }
    const pFlat = contextEvidence(armPosterior(flat, 4, prior), flat, prior, RIDGE_LAMBDA).pContext;
    const pSteep = contextEvidence(armPosterior(steep, 4, prior), steep, prior, RIDGE_LAMBDA).pContext;
    // No effect: log BF10 is about -(3/2) log(n/4) + chi2_3/2, near -8 at n = 2000 (P(M1) ~ 1e-3); 0.05 is exceeded with chance ~1.5%.
    expect(pFlat).toBeLessThan(0.05);
    expect(pSteep).toBeGreaterThan(0.99);
  });
});
