/**
 * The one basis of every judgement of the report: which arm is best, by how much, and what the
 * exploration cost. It is the quantity the policy optimises, read from the evidence the policy
 * reads:
 *
 * - the net value reward - costWeight * cost when `objective.costWeight` is set (cost.ts), else
 *   the reward;
 * - the discounted evidence when `discount` is set (discount.ts: the caller passes the sums
 *   valued at now, as the policy sees them), else the plain sums;
 * - weighed at the user level: each arm's evidence divided by the design effect of returning
 *   users (Kish's effective sample size), which keeps every mean and widens every interval.
 *
 * The arms' `probabilityBest` and `expectedLoss`, the recommendation, the plug-in regret and the
 * dashboard all read this (service/report.ts); none of them builds its own posteriors.
 */
import { spanToUnits, toUnits } from './bounded.js';
import type { ArmEvidence, PolicySettings } from './policy.js';
import type { ArmPosterior } from './posterior-types.js';
import { armBest, armCentre } from './arm-posterior.js';
import { plugInRegret } from './regret.js';
import { samplingPosteriors } from './thompson.js';

export type Quantity = 'reward' | 'netValue';

export interface Judgement {
  quantity: Quantity;
  /** The judged posterior of each arm's mean (of the net value with a cost weight), at the user level. */
  posteriors: ArmPosterior[];
  /** Each arm's point estimate: the mean of what the policy draws from (before the design effect, which moves only the prior's weight). */
  means: number[];
  /** Over the enabled arms; null for a disabled arm. */
  probabilityBest: (number | null)[];
  expectedLoss: (number | null)[];
  regret: { cumulative: number; perDecision: number };
}

/** Evidence worth 1/deff as many independent observations (same means and variances). */
export function shrinkEvidence(e: ArmEvidence, deff: number): ArmEvidence {
  if (!(deff > 1)) return e;
  return {
    rewards: e.rewards / deff, sum: e.sum / deff, sumSq: e.sumSq / deff,
    costs: e.costs / deff, costSum: e.costSum / deff, costSumSq: e.costSumSq / deff,
    ...(e.hurdle && { hurdle: { nonzero: e.hurdle.nonzero / deff, logSum: e.hurdle.logSum / deff, logSumSq: e.hurdle.logSumSq / deff } }),
  };
}

/**
 * Judge the arms. `evidence`: each arm's evidence as the policy reads it (discounted to now when
 * the experiment has a half-life); `decisions`: each arm's decisions (for the regret); `deff`: the
 * design effect (1 without returning users).
 */
export function judge(evidence: readonly ArmEvidence[], settings: PolicySettings, enabled: readonly boolean[], decisions: readonly number[], deff = 1): Judgement {
  const posteriors = samplingPosteriors(evidence.map((e) => shrinkEvidence(e, deff)), settings);
  // With rewardBounds the reward posteriors are in [0, 1] units (bounded.ts); the net value's are in reward units already.
  const b = settings.costWeight > 0 ? null : settings.rewardBounds ?? null;
  const means = (deff > 1 ? samplingPosteriors(evidence, settings) : posteriors).map((p) => (b ? toUnits(armCentre(p), b) : armCentre(p)));
  const idx = enabled.flatMap((on, i) => (on ? [i] : []));
  const best = armBest(idx.map((i) => posteriors[i]));
  const probabilityBest: (number | null)[] = enabled.map(() => null);
  const expectedLoss: (number | null)[] = enabled.map(() => null);
  idx.forEach((i, j) => {
    probabilityBest[i] = best.probabilityBest[j];
    expectedLoss[i] = b ? spanToUnits(best.expectedLoss[j], b) : best.expectedLoss[j];
  });
  return {
    quantity: settings.costWeight > 0 ? 'netValue' : 'reward',
    posteriors, means, probabilityBest, expectedLoss,
    regret: plugInRegret(means, [...decisions], [...enabled]),
  };
}
