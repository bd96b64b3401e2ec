/** The engine settings of POST /experiments (issue 11), spread into CreateExperimentSchema and the stored config. */
import { z } from 'zod';

export const DiscountSchema = z.strictObject({
  halfLifeSeconds: z.number().min(1).max(10 * 365 * 86400)
    .describe('Evidence halves in weight every halfLifeSeconds of wall-clock time (discounted Thompson Sampling, Raj & Kalyani 2017; discounted UCB). Use it when arms drift; it costs regret when they do not.'),
}).describe('Discounted posteriors for both reward models. Off when absent.');

export const ObjectiveSchema = z.strictObject({
  costWeight: z.number().min(0).max(1e9)
    .describe('lambda: the policy maximises reward - lambda * cost, with each arm\'s cost estimated from the `cost` of its rewards.'),
}).describe('Cost-aware objective. Off when absent.');

export const DefaultRewardSchema = z.strictObject({
  afterSeconds: z.int().min(1).max(365 * 86400).describe('How long a decision waits for its reward; less than rewardWindowSeconds.'),
  value: z.number().describe('The reward counted for it: 0 or 1 for bernoulli, a finite number for gaussian.'),
}).describe('A decision with no reward after afterSeconds counts as value, exactly once (applied by whichever replica is up); a later reward answers 410 decision_expired. Off when absent.');

export const RewardBoundsSchema = z.strictObject({
  min: z.number().min(-1e15).max(1e15),
  max: z.number().min(-1e15).max(1e15),
}).refine((b) => b.max > b.min, 'rewardBounds.max must be greater than min')
  .describe('gaussian only: rewards are clipped into [min, max] (a stated cap) and each arm\'s mean gets the bounded-reward Beta posterior, '
    + 'whose intervals hold for skewed, zero-inflated, heavy-tailed rewards (docs/statistics.md, "Rewards that are not 0/1"). Off when absent.');

export const REWARD_SHAPES = ['hurdle-lognormal'] as const;

export const RewardShapeSchema = z.enum(REWARD_SHAPES)
  .describe('gaussian only, rewards >= 0: "hurdle-lognormal" models each arm\'s reward as 0 or a lognormal value (conversion x value), '
    + 'for zero-inflated, skewed rewards such as revenue, without a cap (docs/statistics.md, "Rewards that are not 0/1"). '
    + 'Thompson or fixed policy; not with rewardBounds, discount or objective. Off when absent.');

/** The documented default of `changeDetection.falseAlarmRate` (delta of the GLR test, src/bandit/glr.ts). */
export const DEFAULT_FALSE_ALARM_RATE = 0.001;

export const ChangeDetectionSchema = z.strictObject({
  method: z.literal('glr').describe('The per-arm generalized likelihood ratio tests: of a change point (Besson, Kaufmann, Maillard & Seznec, JMLR 2022; Bernoulli GLR for bernoulli rewards, the Gaussian GLR with unknown variance for gaussian ones), and of a linear trend against a constant mean, for slow drift.'),
  falseAlarmRate: z.number().min(1e-12).max(0.5).optional()
    .describe(`delta: the tests' confidence, nominally the chance of any false alarm on an arm that never changes, split between them (change point: threshold ln(3 n^1.5 / (delta / 2)); trend: ln(2 ln(n) / (delta / 2))). Default ${DEFAULT_FALSE_ALARM_RATE}; measured false alarms in docs/statistics.md.`),
}).describe('Change detection (issue 24): every bandit reward of an arm feeds a GLR test in the same atomic step that counts it; an arm whose reward '
  + 'distribution changed (and whose change could alter which arm is best) starts its evidence again from the change, for the policy and the report; '
  + 'when the leading arm fell, every other arm starts its evidence again too. '
  + 'With linear-thompson or linear-ucb, every detection restarts its arm alone, its linear model included (from the detection on). '
  + 'Detected changes are listed in /arms (changes). Not with discount. Off when absent or null.');

export const ENGINE_SETTINGS = {
  changeDetection: ChangeDetectionSchema.nullable().optional(),
  rewardBounds: RewardBoundsSchema.nullable().optional(),
  rewardShape: RewardShapeSchema.nullable().optional(),
  discount: DiscountSchema.nullable().optional(),
  objective: ObjectiveSchema.nullable().optional(),
  defaultReward: DefaultRewardSchema.nullable().optional(),
  minArmShare: z.number().min(0).max(0.5).optional()
    .describe('Every enabled arm keeps at least this share of bandit decisions (e.g. 0.01); propensities include it. Not with the fixed policy. Default 0.'),
};
