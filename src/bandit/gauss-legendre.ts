// Gauss-Legendre rule on [-1, 1] plus its integration matrix. Hand-written (Newton iteration on
// the Legendre recurrence, Numerical Recipes 4.6) because no maintained npm package provides it.

export interface GaussLegendreRule {
  /** nodes in (-1, 1), ascending */
  nodes: Float64Array;
  weights: Float64Array;
  /**
   * integral[l * n + m] = integral from -1 to nodes[l] of the Lagrange basis polynomial of node m:
   * sum_m integral[l * n + m] * f(nodes[m]) integrates the degree n-1 interpolant of f from -1 to
   * nodes[l] (spectral integration), so a CDF comes out at every node from pdf values alone.
   */
  integral: Float64Array;
}

/** P_0..P_{n} at x by the three-term recurrence. */
function legendreAll(n: number, x: number): Float64Array {
  const p = new Float64Array(n + 1);
  p[0] = 1;
  if (n > 0) p[1] = x;
  for (let k = 2; k <= n; k++) p[k] = ((2 * k - 1) * x * p[k - 1] - (k - 1) * p[k - 2]) / k;
  return p;
}

export function gaussLegendre(n: number): GaussLegendreRule {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`need at least 2 nodes, got ${n}`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = -Math.cos((Math.PI * (i + 0.75)) / (n + 0.5)); // Tricomi's initial guess, ascending
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      const p = legendreAll(n, x);
      dp = (n * (x * p[n] - p[n - 1])) / (x * x - 1);
      const dx = p[n] / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * dp * dp);
  }
  // Lagrange basis of node m expanded in Legendre polynomials (exact by orthogonality, as the rule
  // integrates degree 2n-1): l_m(t) = w_m sum_k (2k+1)/2 P_k(x_m) P_k(t); and
  // integral_{-1}^{x} P_k = (P_{k+1}(x) - P_{k-1}(x)) / (2k+1) for k >= 1, x + 1 for k = 0.
  const integral = new Float64Array(n * n);
  const atNodes = Array.from(nodes, (x) => legendreAll(n, x));
  for (let l = 0; l < n; l++) {
    const pl = atNodes[l];
    for (let m = 0; m < n; m++) {
      const pm = atNodes[m];
      let s = (nodes[l] + 1) / 2;
      for (let k = 1; k < n; k++) s += (pm[k] * (pl[k + 1] - pl[k - 1])) / 2;
      integral[l * n + m] = weights[m] * s;
    }
  }
  return { nodes, weights, integral };
}
