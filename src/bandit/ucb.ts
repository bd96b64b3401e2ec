// Upper-confidence-bound choice: deterministic given the statistics, except for ties.
import type { SufficientStats } from './posterior.js';
import type { Rng } from './random.js';

export interface Choice {
  index: number;
  /** probability that this call picks `index` given the statistics (logged for off-policy evaluation) */
  propensity: number;
}

/** Relative slack when comparing indices, so values equal up to rounding count as tied. */
const TIE = 1e-12;

function sampleVariance(s: SufficientStats): number {
  const mean = s.sum / s.rewards;
  return Math.max(0, (s.sumSq - s.rewards * mean * mean) / (s.rewards - 1));
}

/** Scratch space for the indices (one per arm): the choice allocates nothing but its result. */
let scratch = new Float64Array(16);

/**
 * Arms not tried enough (no reward; for gaussian fewer than 2, as a variance needs two) go first.
 * Then with N the rewards over eligible arms and n, m the arm's count and mean:
 * - bernoulli: UCB1, m + sqrt(2 ln N / n) (Auer, Cesa-Bianchi & Fischer 2002, "Finite-time
 *   analysis of the multiarmed bandit problem").
 * - gaussian: m + sqrt(2 v ln N / n), the UCB index for sigma-subgaussian rewards (Lattimore &
 *   Szepesvari 2020, "Bandit Algorithms", ch. 7) with sigma^2 replaced by an estimate v.
 *   v shrinks the arm's sample variance towards the pooled within-arm variance with the weight
 *   of 2 observations: a raw sample variance of 0 (e.g. two zero revenues) would make an arm's
 *   index its mean forever and starve it.
 * Ties are broken uniformly at random with `rng`.
 */
export function ucbChoose(model: 'bernoulli' | 'gaussian', stats: readonly SufficientStats[], eligible: readonly boolean[], rng: Rng): Choice {
  if (eligible.length !== stats.length) throw new RangeError('eligible must have one flag per arm');
  const k = stats.length;
  const minRewards = model === 'gaussian' ? 2 : 1;
  let nEligible = 0;
  let nUntried = 0;
  let total = 0;
  for (let i = 0; i < k; i++) {
    if (!eligible[i]) continue;
    nEligible++;
    if (stats[i].rewards < minRewards) nUntried++;
    total += stats[i].rewards;
  }
  if (nEligible === 0) throw new Error('no eligible arm');
  if (nUntried > 0) {
    let pick = drawIndex(nUntried, rng);
    for (let i = 0; i < k; i++) {
      if (!eligible[i] || stats[i].rewards >= minRewards) continue;
      if (pick-- === 0) return { index: i, propensity: 1 / nUntried };
    }
  }

  const logN = Math.log(total);
  let pooledVariance = 0;
  if (model === 'gaussian') {
    let ss = 0;
    let dof = 0;
    for (let i = 0; i < k; i++) {
      if (!eligible[i]) continue;
      ss += sampleVariance(stats[i]) * (stats[i].rewards - 1);
      dof += stats[i].rewards - 1;
    }
    pooledVariance = ss / dof;
  }
  if (scratch.length < k) scratch = new Float64Array(k);
  const index = scratch;
  let top = -Infinity;
  for (let i = 0; i < k; i++) {
    if (!eligible[i]) continue;
    const s = stats[i];
    const n = s.rewards;
    const mean = s.sum / n;
    let v: number;
    if (model === 'bernoulli') v = mean + Math.sqrt((2 * logN) / n);
    else {
      const variance = (sampleVariance(s) * (n - 1) + 2 * pooledVariance) / (n + 1);
      v = mean + Math.sqrt((2 * variance * logN) / n);
    }
    index[i] = v;
    if (v > top || Number.isNaN(v)) top = v;
  }
  const floor = top - TIE * Math.max(1, Math.abs(top));
  let nTied = 0;
  for (let i = 0; i < k; i++) if (eligible[i] && index[i] >= floor) nTied++;
  let pick = drawIndex(nTied, rng);
  for (let i = 0; i < k; i++) {
    if (!eligible[i] || !(index[i] >= floor)) continue;
    if (pick-- === 0) return { index: i, propensity: 1 / nTied };
  }
  throw new Error(`no arm has a finite UCB index (top ${top})`);
}

/** Uniform in 0..count-1 from one draw of `rng` (ties and untried arms are broken this way). */
function drawIndex(count: number, rng: Rng): number {
  return Math.min(count - 1, Math.floor(rng() * count));
}
