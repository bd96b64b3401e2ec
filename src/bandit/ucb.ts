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

function uniformAmong(candidates: number[], rng: Rng): Choice {
  const pick = Math.min(candidates.length - 1, Math.floor(rng() * candidates.length));
  return { index: candidates[pick], propensity: 1 / candidates.length };
}

function sampleVariance(s: SufficientStats): number {
  const mean = s.sum / s.rewards;
  return Math.max(0, (s.sumSq - s.rewards * mean * mean) / (s.rewards - 1));
}

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
export function ucbChoose(model: 'bernoulli' | 'gaussian', stats: SufficientStats[], eligible: boolean[], rng: Rng): Choice {
  if (eligible.length !== stats.length) throw new RangeError('eligible must have one flag per arm');
  const arms = stats.map((_, i) => i).filter((i) => eligible[i]);
  if (arms.length === 0) throw new Error('no eligible arm');
  const minRewards = model === 'gaussian' ? 2 : 1;
  const untried = arms.filter((i) => stats[i].rewards < minRewards);
  if (untried.length > 0) return uniformAmong(untried, rng);

  let total = 0;
  for (const i of arms) total += stats[i].rewards;
  const logN = Math.log(total);
  let pooledVariance = 0;
  if (model === 'gaussian') {
    let ss = 0;
    let dof = 0;
    for (const i of arms) {
      ss += sampleVariance(stats[i]) * (stats[i].rewards - 1);
      dof += stats[i].rewards - 1;
    }
    pooledVariance = ss / dof;
  }
  const index = arms.map((i) => {
    const s = stats[i];
    const n = s.rewards;
    const mean = s.sum / n;
    if (model === 'bernoulli') return mean + Math.sqrt((2 * logN) / n);
    const v = (sampleVariance(s) * (n - 1) + 2 * pooledVariance) / (n + 1);
    return mean + Math.sqrt((2 * v * logN) / n);
  });
  const top = Math.max(...index);
  const tied = arms.filter((_, a) => index[a] >= top - TIE * Math.max(1, Math.abs(top)));
  return uniformAmong(tied, rng);
}
