/**
 * The policy seam: every way of choosing an arm is one `Policy`, registered in `policies.ts`.
 *
 *   prepare(evidence, settings) -> model      once per refresh of the cached tallies
 *   choose(model, eligible, rng, unit, context) -> { armIndex, propensity }   once per decision
 *   propensity(model, eligible, armIndex, context)   P(this call picks armIndex), for any arm
 *
 * The model is opaque to the caller (the snapshot keeps one per refresh and knows no policy by
 * name). `propensity` of a Choice may be computed on first read (Thompson: a quadrature, memoised
 * in the model), so a caller that does not need it does not pay for it. `context` (the request's
 * attributes) is passed through already, so that a contextual policy is one more file.
 */
import type { BetaPrior, NormalGammaPrior, SufficientStats } from './posterior.js';
import type { Rng } from './random.js';
import type { RewardBounds } from './bounded.js';
import type { HurdleSums } from './hurdle.js';
import type { RewardModel } from '../contract/experiment.js';
import type { Features } from '../contract/features.js';

/** What the store knows of one arm's bandit population (raw or discounted sums). */
export interface ArmEvidence extends SufficientStats {
  /** Rewards that carried a `cost`, their sum and sum of squares (0 when costs are not tracked). */
  costs: number;
  costSum: number;
  costSumSq: number;
  /** rewardShape hurdle-lognormal: the nonzero rewards' count and log sums (bandit/hurdle.ts); absent otherwise. */
  hurdle?: HurdleSums;
  /** The arm's linear-model sums (bandit/linear-model.ts) for a contextual policy; absent: none kept. */
  linear?: Float64Array;
}

/** The experiment settings a policy may read. */
export interface PolicySettings {
  rewardModel: RewardModel;
  prior: BetaPrior | NormalGammaPrior;
  /** The arms' `weight` (1 when missing), for the fixed split. */
  weights: readonly number[];
  /** lambda of `objective.costWeight`: the policy maximises reward - lambda * cost. 0: reward only. */
  costWeight: number;
  /** A gaussian experiment's rewardBounds: the bounded-reward posterior (bounded.ts); null or absent: none. */
  rewardBounds?: RewardBounds | null;
  /** 'hurdle-lognormal': the hurdle model's posterior (bandit/hurdle.ts); null or absent: none. */
  rewardShape?: 'hurdle-lognormal' | null;
  /** The context features a contextual policy models (issue 23); absent for the others. */
  features?: Features;
}

/** The request's attributes (`/select`'s `context`); the linear policies read their declared features (issue 23). */
export type DecisionContext = Readonly<Record<string, unknown>> | undefined;

export interface Choice {
  readonly armIndex: number;
  /** P(this call picks armIndex) given the model: logged for off-policy evaluation. */
  readonly propensity: number;
  /**
   * Every arm's probability given this decision's context, when it depends on the context (a
   * contextual policy, issue 23); absent: the snapshot's vector of the model (one per refresh).
   */
  readonly vector?: readonly number[];
}

export interface Policy<M = unknown> {
  readonly name: string;
  /** Its choice depends on the context (issue 23): propensities are per decision, not per refresh. */
  readonly contextual?: boolean;
  prepare(evidence: readonly ArmEvidence[], settings: PolicySettings): M;
  /** Throws when no arm is eligible. `unit` is a uniform in [0, 1) fixed per user (or drawn per request). */
  choose(model: M, eligible: readonly boolean[], rng: Rng, unit: number, context: DecisionContext): Choice;
  propensity(model: M, eligible: readonly boolean[], armIndex: number, context: DecisionContext): number;
}

/** Evidence with no cost information, from plain sufficient statistics. */
export const withoutCost = (s: SufficientStats): ArmEvidence => ({ rewards: s.rewards, sum: s.sum, sumSq: s.sumSq, costs: 0, costSum: 0, costSumSq: 0 });
