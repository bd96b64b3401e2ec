// P(arm i has the highest mean) and the expected loss of choosing arm i, by quadrature over the
// marginal densities of the means: with F_j the CDF and f_j the density of arm j's mean,
//   P_i    = integral f_i(x) prod_{j != i} F_j(x) dx,
//   loss_i = E[max_j theta_j] - E[theta_i] = integral (F_i - prod_j F_j) dx   (by parts)
// Composite 8-point Gauss-Legendre on the panels of quadrature-mesh.ts. The CDFs come from the
// same pdf values (spectral integration within a panel plus the running sum of panels), so there
// are no incomplete-beta calls. Cost: one exp per (node, arm whose range meets the panel) plus
// O(arms) products per node; measured ~0.3-0.5 ms for 10 arms (~50 panels, 400 nodes) and ~7 ms
// for 100 arms of assorted sizes. Error: <= 3e-9 against Evan Miller's closed form over 3000
// random Beta pairs (a + b up to 1e6); ~1e-12 against adaptive quadrature for peaked-next-to-wide.
// No case needed Monte Carlo.
import { gaussLegendre } from './gauss-legendre.js';
import { densityAt, meanDensity } from './mean-density.js';
import type { Posterior } from './posterior.js';
import { buildMesh } from './quadrature-mesh.js';

const RULE = gaussLegendre(8);

export interface BestArm {
  probabilityBest: number[];
  expectedLoss: number[];
}

/** Both quantities in one pass (they share all the work). Arms must be of one kind. */
export function bestArm(ps: Posterior[]): BestArm {
  const k = ps.length;
  if (k === 0) return { probabilityBest: [], expectedLoss: [] };
  if (ps.some((p) => p.kind !== ps[0].kind)) throw new Error('all arms must have the same posterior kind');
  const ds = ps.map(meanDensity);
  if (k === 1) return { probabilityBest: [1], expectedLoss: [0] };
  const mesh = buildMesh(ds);
  const { nodes, weights, integral } = RULE;
  const m = nodes.length;
  const isBeta = ps[0].kind === 'beta';
  const f = new Float64Array(k * m); // densities at the nodes of the current panel, arm-major
  const cdfStart = new Float64Array(k); // F_j at the start of the current panel
  const cdf = new Float64Array(k);
  const prefix = new Float64Array(k + 1); // prefix[i] = prod_{j < i} F_j
  const activeList = new Int32Array(k); // arms whose range meets the panel; elsewhere f_j = 0
  const pBest = new Float64Array(k);
  const aboveCdf = new Float64Array(k); // integral of (1 - F_i)
  let aboveMax = 0; // integral of (1 - prod_j F_j)
  prefix[0] = 1;

  for (let p = 0; p + 1 < mesh.length; p++) {
    const x0 = mesh[p];
    const half = (mesh[p + 1] - x0) / 2;
    const mid = x0 + half;
    let nActive = 0;
    for (let j = 0; j < k; j++) {
      if (ds[j].lower < mesh[p + 1] && ds[j].upper > x0) activeList[nActive++] = j;
      else {
        // Outside its range an arm's CDF is constant over the panel: do its share once.
        cdf[j] = Math.min(1, cdfStart[j]);
        aboveCdf[j] += 2 * half * (1 - cdf[j]);
      }
    }
    for (let l = 0; l < m; l++) {
      const x = mid + half * nodes[l];
      const lx = isBeta ? Math.log(x) : 0;
      const l1x = isBeta ? Math.log1p(-x) : 0;
      for (let a = 0; a < nActive; a++) f[activeList[a] * m + l] = densityAt(ds[activeList[a]], x, lx, l1x);
    }
    for (let l = 0; l < m; l++) {
      const w = half * weights[l];
      for (let a = 0; a < nActive; a++) {
        const j = activeList[a];
        let partial = 0;
        for (let n = 0; n < m; n++) partial += integral[l * m + n] * f[j * m + n];
        // The interpolant may dip a hair below 0 (or the sum pass 1) in the far tails: clamp.
        const c = Math.min(1, Math.max(0, cdfStart[j] + half * partial));
        cdf[j] = c;
        aboveCdf[j] += w * (1 - c);
      }
      for (let j = 0; j < k; j++) prefix[j + 1] = prefix[j] * cdf[j];
      aboveMax += w * (1 - prefix[k]);
      // Only arms with density here can be best here; prefix x suffix products give
      // prod_{j != i} F_j without dividing by F_i (which may be 0).
      let suffix = 1;
      let next = k;
      for (let a = nActive - 1; a >= 0; a--) {
        const i = activeList[a];
        for (let j = next - 1; j > i; j--) suffix *= cdf[j];
        next = i;
        pBest[i] += w * f[i * m + l] * prefix[i] * suffix;
        suffix *= cdf[i];
      }
    }
    for (let a = 0; a < nActive; a++) {
      const j = activeList[a];
      let s = 0;
      for (let n = 0; n < m; n++) s += weights[n] * f[j * m + n];
      cdfStart[j] += half * s;
    }
  }
  // Mass past the last breakpoint (tails beyond ~1e-10, or a Beta's mass within 1e-15 of 1,
  // which doubles cannot resolve) is an atom at the top; atoms tie, so each counts half of the others'.
  for (let i = 0; i < k; i++) {
    const atom = Math.max(0, 1 - cdfStart[i]);
    if (atom === 0) continue;
    let others = 1;
    for (let j = 0; j < k; j++) if (j !== i) others *= Math.min(1, cdfStart[j] + Math.max(0, 1 - cdfStart[j]) / 2);
    pBest[i] += atom * others;
  }
  let total = 0;
  for (let i = 0; i < k; i++) total += pBest[i];
  return {
    probabilityBest: Array.from(pBest, (v) => Math.min(1, v / total)),
    // E[max] - E[theta_i] = integral (F_i - G) = integral (1 - G) - integral (1 - F_i): both
    // integrands are 1 below the mesh and 0 above it, so the mesh range is enough.
    expectedLoss: Array.from(aboveCdf, (v) => Math.max(0, aboveMax - v)),
  };
}

/** P(arm i has the highest mean); sums to 1. One arm: [1]. */
export function probabilityBest(ps: Posterior[]): number[] {
  return bestArm(ps).probabilityBest;
}

/**
 * E[max_j theta_j - theta_i] >= 0, in the units of the reward. A Student-t arm with dof <= 1
 * (alpha <= 0.5) has no mean; then this is the loss over the range that drops 1e-12 per tail.
 */
export function expectedLoss(ps: Posterior[]): number[] {
  return bestArm(ps).expectedLoss;
}
