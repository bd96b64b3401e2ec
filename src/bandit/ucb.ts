// Upper-confidence-bound choice: deterministic given the statistics, except for ties.
import { costEstimates, type CostEstimate } from './cost.js';
import type { Policy } from './policy.js';
import type { SufficientStats } from './posterior.js';
import type { Rng } from './random.js';
import type { RewardModel } from '../contract/experiment.js';

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
export function ucbChoose(model: RewardModel, stats: readonly SufficientStats[], eligible: readonly boolean[], rng: Rng): Choice {
  const c = ucbCandidates({ rewardModel: model, stats, costs: null, costWeight: 0 }, eligible);
  const index = c.arms[drawIndex(c.count, rng)];
  return { index, propensity: 1 / c.count };
}

export interface UcbModel {
  readonly rewardModel: RewardModel;
  readonly stats: readonly SufficientStats[];
  /** Cost estimates (cost.ts) when the objective is reward - costWeight * cost; null otherwise. */
  readonly costs: readonly CostEstimate[] | null;
  readonly costWeight: number;
}

/** The arms the next call chooses among, uniformly: the untried ones, else those tied at the top index. */
export interface UcbCandidates {
  /** Arm indices; only the first `count` are meaningful (a shared scratch array: read it before the next call). */
  arms: Int32Array;
  count: number;
}

let candidates = new Int32Array(16);

/**
 * With a cost weight lambda the index is optimistic about the net value: the reward's upper
 * bound minus lambda times the cost's lower bound, m_c - sqrt(2 Var[m_c] ln N) (cost.ts gives
 * m_c and Var[m_c]); an untried arm still goes first.
 */
export function ucbCandidates(m: UcbModel, eligible: readonly boolean[]): UcbCandidates {
  const { stats, rewardModel: model } = m;
  if (eligible.length !== stats.length) throw new RangeError('eligible must have one flag per arm');
  const k = stats.length;
  if (candidates.length < k) candidates = new Int32Array(k);
  const out = candidates;
  const minRewards = model === 'gaussian' ? 2 : 1;
  let nEligible = 0;
  let nUntried = 0;
  let total = 0;
  for (let i = 0; i < k; i++) {
    if (!eligible[i]) continue;
    nEligible++;
    if (stats[i].rewards < minRewards) out[nUntried++] = i;
    total += stats[i].rewards;
  }
  if (nEligible === 0) throw new Error('no eligible arm');
  if (nUntried > 0) return { arms: out, count: nUntried };

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
    if (m.costs) v -= m.costWeight * (m.costs[i].mean - Math.sqrt(2 * m.costs[i].variance * Math.max(0, logN)));
    index[i] = v;
    if (v > top || Number.isNaN(v)) top = v;
  }
  const floor = top - TIE * Math.max(1, Math.abs(top));
  let nTied = 0;
  for (let i = 0; i < k; i++) if (eligible[i] && index[i] >= floor) out[nTied++] = i;
  if (nTied === 0) throw new Error(`no arm has a finite UCB index (top ${top})`);
  return { arms: out, count: nTied };
}

/** UCB behind the policy seam: the model is the tallies (and cost estimates); ties are broken with `rng`. */
export const ucbPolicy: Policy<UcbModel> = {
  name: 'ucb',
  prepare: (evidence, settings) => ({
    rewardModel: settings.rewardModel, stats: evidence,
    costs: settings.costWeight > 0 ? costEstimates(evidence) : null, costWeight: settings.costWeight,
  }),
  choose: (model, eligible, rng) => {
    const c = ucbCandidates(model, eligible);
    return { armIndex: c.arms[drawIndex(c.count, rng)], propensity: 1 / c.count };
  },
  propensity: (model, eligible, armIndex) => {
    const c = ucbCandidates(model, eligible);
    for (let j = 0; j < c.count; j++) if (c.arms[j] === armIndex) return 1 / c.count;
    return 0;
  },
};

/** Uniform in 0..count-1 from one draw of `rng` (ties and untried arms are broken this way). */
function drawIndex(count: number, rng: Rng): number {
  return Math.min(count - 1, Math.floor(rng() * count));
}
