/**
 * The cost-aware objective `reward - lambda * cost`: an estimate of each arm's mean cost and the
 * distribution of each arm's net value that Thompson Sampling draws from and P(best) integrates.
 *
 * Cost estimate (empirical Bayes, documented in docs/statistics.md "Engine settings"): the arm's
 * costs are shrunk towards the mean over all arms with the weight of K0 = 1 observation, and
 * their variance towards the pooled within-arm variance with the weight of 2 observations (as the
 * Gaussian UCB index does, so that two equal costs do not make the estimate certain):
 *   m_c = (costSum + K0 * pooledMean) / (costs + K0)
 *   v_c = (ss + 2 * pooledVar) / (costs + 1),   Var[mean cost] = v_c / (costs + K0).
 *
 * Net value: a Normal with the mean E[reward mean] - lambda m_c and the variance
 * Var[reward mean] + lambda^2 Var[mean cost] (independent reward and cost). Thompson Sampling with
 * Gaussian sampling distributions keeps its regret guarantees for bounded rewards (Agrawal &
 * Goyal 2017, "Near-optimal regret bounds for Thompson Sampling", J. ACM 64(5), section 4). The
 * Normal is written as a Normal-Gamma whose Student-t marginal has 2e6 degrees of freedom, so the
 * samplers and the P(best) quadrature of the reward posteriors serve it unchanged, and the logged
 * propensity is exactly the probability of what was sampled.
 */
import { meanSd } from './mean-marginal.js';
import { posteriorMean, type NormalGammaPosterior, type Posterior } from './posterior.js';
import type { ArmEvidence } from './policy.js';
import { spanToUnits, toUnits, type RewardBounds } from './bounded.js';

const K0 = 1;
/** Half the Student-t dof of the net value: Normal to within 1e-6 in the density. */
const NORMAL_ALPHA = 1e6;

export interface CostEstimate {
  /** Estimated mean cost per decision. */
  mean: number;
  /** Variance of that estimate. */
  variance: number;
}

/** One estimate per arm (arms with no cost observed get the pooled mean with its uncertainty). */
export function costEstimates(evidence: readonly ArmEvidence[]): CostEstimate[] {
  let n = 0;
  let sum = 0;
  let ss = 0;
  let dof = 0;
  for (const e of evidence) {
    n += e.costs;
    sum += e.costSum;
    if (e.costs > 1) {
      ss += withinSs(e);
      dof += e.costs - 1;
    }
  }
  const pooledMean = n > 0 ? sum / n : 0;
  const pooledVar = dof > 0 ? ss / dof : pooledMean * pooledMean;
  return evidence.map((e) => {
    const v = ((e.costs > 1 ? withinSs(e) : 0) + 2 * pooledVar) / (Math.max(e.costs, 1) + 1);
    return { mean: (e.costSum + K0 * pooledMean) / (e.costs + K0), variance: v / (e.costs + K0) };
  });
}

function withinSs(e: ArmEvidence): number {
  const m = e.costSum / e.costs;
  return Math.max(0, e.costSumSq - e.costs * m * m);
}

/** The net value reward - lambda * cost of one arm, as the Normal described above. */
export function netValuePosterior(reward: Posterior, cost: CostEstimate, lambda: number, bounds?: RewardBounds | null): NormalGammaPosterior {
  const sd = bounds ? spanToUnits(meanSd(reward), bounds) : meanSd(reward);
  const mean = bounds ? toUnits(posteriorMean(reward), bounds) : posteriorMean(reward);
  const variance = sd * sd + lambda * lambda * cost.variance;
  // Student-t scale^2 = beta / (alpha lambda) with lambda = 1; its variance is scale^2 dof / (dof - 2).
  const scale2 = (variance * (2 * NORMAL_ALPHA - 2)) / (2 * NORMAL_ALPHA);
  return { kind: 'normal-gamma', mu: mean - lambda * cost.mean, lambda: 1, alpha: NORMAL_ALPHA, beta: Math.max(scale2, 1e-300) * NORMAL_ALPHA };
}
