/**
 * GET /arms: the report's schema, the source of its part of openapi/openapi.json and of the types
 * the service and the math build it from (posteriors, the engine fields, the promotion's status).
 */
import { z } from 'zod';
import { ARM_STATUSES, EXPERIMENT_STATUSES, REWARD_MODELS } from './experiment.js';
import { POLICY_NAMES } from './policy-names.js';
import { METRICS_REPORT_FIELDS } from './metrics.js';
import { BreachSchema, DisabledInfoSchema, PromotionStageSchema } from './experiment-config.js';

export const BetaPosteriorSchema = z.object({ kind: z.literal('beta'), alpha: z.number(), beta: z.number() });
export const NormalGammaPosteriorSchema = z.object({ kind: z.literal('normal-gamma'), mu: z.number(), lambda: z.number(), alpha: z.number(), beta: z.number() });
/** rewardShape "hurdle-lognormal" (bandit/hurdle.ts): the mean is conversion x exp(m + s^2 / 2). */
export const HurdlePosteriorSchema = z.object({
  kind: z.literal('hurdle-lognormal'),
  conversion: z.object({ alpha: z.number(), beta: z.number() }).describe('Beta posterior of the share of nonzero rewards.'),
  value: z.object({ mu: z.number(), lambda: z.number(), alpha: z.number(), beta: z.number() }).describe('Normal-Gamma posterior of the mean m and precision 1/s^2 of log(reward) over the nonzero rewards.'),
});

/** The engine's figures of one arm (issue 11), each present only with its setting. */
export const ENGINE_ARM_FIELDS = {
  effectiveSampleSize: z.number().nullable().optional().describe('With discount: the decayed number of rewards the posterior is worth.'),
  netValue: z.object({
    costWeight: z.number(), meanCost: z.number().nullable(), mean: z.number().nullable(),
    probabilityBest: z.number().nullable().describe('P(best) of the net value among the enabled arms; null for a disabled arm.'),
  }).optional().describe('With objective.costWeight: the arm\'s estimated mean cost and its net value reward - costWeight * cost.'),
  changes: z.array(z.object({
    detectedAt: z.string().describe('When the change was detected: the arrival of the reward that revealed it.'),
    at: z.string().describe('Where the test places the change: the decision time of the first reward after it.'),
  })).optional().describe('With changeDetection: the changes detected on this arm, newest first (the 20 newest).'),
  rewardsSinceChange: z.number().optional()
    .describe('With changeDetection: the rewards the posterior, interval, probabilityBest and expectedLoss are computed from (since the arm\'s last restart; all of them before any).'),
};

/** A linear policy's model of one arm (issue 23). */
export const LinearArmModelSchema = z.object({
  rewards: z.number().describe('Rewards the model has learnt from (bandit population; with changeDetection, since the arm\'s last restart).'),
  noiseSd: z.number().nullable().describe('The posterior mean of the reward noise\'s standard deviation.'),
  contextProbability: z.number().nullable()
    .describe('The posterior probability that this arm\'s reward depends on the context at all: the full linear model against its intercept alone (Bayes factor, prior 1/2); linear-thompson averages its draws over the two.'),
  coefficients: z.record(z.string(), z.object({ mean: z.number().nullable(), interval95: z.array(z.number().nullable()) }))
    .describe('By "(intercept)", "<numeric feature>" or "<feature>=<value>" (a categorical value\'s difference from its unlisted/missing level): the posterior mean and 95% interval.'),
}).describe('linear-thompson and linear-ucb only: the arm\'s linear model of the reward over the context\'s features (docs/statistics.md, "Contextual policies").');

export const PromotionStatusSchema = z.object({
  armId: z.string(),
  state: z.enum(['scheduled', 'rolling_out', 'complete', 'rolled_back']),
  percent: z.number().describe('Share of the bandit population served the promoted arm now.'),
  startedAt: z.string(),
  stages: z.array(PromotionStageSchema),
  rolledBack: DisabledInfoSchema.nullable().describe('Why it was rolled back: the promoted arm was disabled (a guardrail trip, or by hand).'),
});

const num = z.number().nullable();
const interval = z.array(z.number().nullable()).nullable();
const ArmGuardrailView = z.object({
  samples: z.number(), latencyP95Ms: num, meanCost: num, errorRate: num,
  breach: BreachSchema.optional(),
}).nullable();

export const ReportResponse = z.object({
  experimentId: z.string(),
  policy: z.enum(POLICY_NAMES),
  rewardModel: z.enum(REWARD_MODELS),
  status: z.enum(EXPERIMENT_STATUSES),
  ended: z.boolean(),
  totals: z.object({ decisions: z.number(), rewards: z.number(), excludedDecisions: z.number() }),
  arms: z.array(z.object({
    armId: z.string(),
    baseline: z.boolean(),
    status: z.enum(ARM_STATUSES),
    disabled: DisabledInfoSchema.nullable(),
    decisions: z.number(),
    rewards: z.number(),
    rewardSum: num,
    meanReward: num,
    posterior: z.union([BetaPosteriorSchema, NormalGammaPosteriorSchema, HurdlePosteriorSchema]),
    posteriorMean: num,
    credibleInterval95: interval.describe('null while `support.supported` is false: the data cannot support the interval yet.'),
    support: z.object({
      supported: z.boolean().describe('false: the arm\'s data cannot support its interval yet (gaussian without rewardBounds: Cochran\'s rule; rewardShape hurdle-lognormal: fewer than 3 nonzero rewards); credibleInterval95 is null and the recommendation waits.'),
      neededRewards: num.describe('The rewards the check asks for at the spread seen so far; null when no check applies.'),
      reason: z.string().nullable(),
    }).describe('Whether the data can support the arm\'s figures yet (docs/statistics.md, "Rewards that are not 0/1").'),
    probabilityBest: num.describe('Over the enabled arms (what /select chooses among); null for a disabled arm.'),
    expectedLoss: num.describe('Over the enabled arms; null for a disabled arm.'),
    guardrails: ArmGuardrailView,
    ...ENGINE_ARM_FIELDS,
    model: LinearArmModelSchema.optional(),
  })),
  regret: z.object({ estimatedCumulative: num, estimatedPerDecision: num }),
  rewardBounds: z.object({ min: z.number(), max: z.number() }).nullable()
    .describe('The experiment\'s rewardBounds: rewards are clipped into them, and each arm\'s `posterior` is the Beta of (reward - min) / (max - min) (bounded-reward posterior); posteriorMean, credibleInterval95, expectedLoss are in reward units.'),
  basis: z.object({
    quantity: z.enum(['reward', 'netValue']).describe('What is judged: the reward, or the net value reward - costWeight * cost (with objective.costWeight).'),
    costWeight: z.number(),
    halfLifeSeconds: z.number().nullable().describe('With discount: the evidence is the discounted evidence valued now; null: all evidence weighs the same.'),
    designEffect: num.describe('Each arm\'s evidence is divided by it (returning users: Kish\'s effective sample size).'),
    description: z.string(),
  }).describe('The one basis of probabilityBest, expectedLoss, regret and the recommendation: the quantity the policy optimises, from the evidence it reads.'),
  holdback: z.object({
    armId: z.string(),
    percent: z.number(),
    decisions: z.number(),
    rewards: z.number(),
    users: z.number().describe('Distinct users in the holdback (first exposures).'),
    banditUsers: z.number().describe('Distinct users in the bandit population (first exposures).'),
    meanReward: num,
    banditMeanReward: num,
    lift: num.describe('Bandit minus holdback mean reward per rewarded decision.'),
    liftInterval95: interval.describe('Fixed-horizon interval (valid for one look), user-level (delta-method variance over users).'),
    pValue: num.describe('Fixed-horizon two-sided p-value, user-level.'),
    liftStandardError: num,
    liftNote: z.string().nullable().describe('Why the interval and p-values are null, in words.'),
    alwaysValid: z.object({
      interval95: interval,
      pValue: num,
      tuningUsers: z.number(),
    }).describe('Holds under continuous monitoring: the asymptotic confidence sequence of Waudby-Smith et al.'),
    srm: z.object({
      expectedShare: num,
      observedShare: num,
      pValue: num.describe('Sequential (always-valid) split check over users: 1 / Dirichlet-multinomial Bayes factor.'),
      bayesFactor: num,
      periods: z.number(),
    }),
  }),
  recommendation: z.object({
    action: z.enum(['continue', 'ship', 'stop_no_difference', 'check_split']),
    armId: z.string().nullable(),
    reason: z.string().describe('Both claims in words: whether the arm is the best of the arms, and whether the bandit beats the holdback (or not yet).'),
    claims: z.object({
      bestArm: z.enum(['established', 'not_yet']).describe('The leader is the best of the arms: P(best) and expected loss past decisionRule\'s thresholds.'),
      beatsHoldback: z.enum(['established', 'not_yet', 'holdback_better', 'no_holdback']).describe('The bandit population beats the holdback: the always-valid lift interval lies above 0 (holdback_better: below 0).'),
    }),
    shipWaitsForHoldback: z.boolean().describe('Whether "ship" waits for beatsHoldback = established (decisionRule.shipWaitsForHoldback; default false).'),
    designEffect: num.describe('Variance inflation from returning users; the rule divides each arm\'s evidence by it.'),
  }).describe('From the experiment decisionRule (documented defaults).'),
  promotion: PromotionStatusSchema.nullable(),
  archivedAt: z.string().nullable(),
  ...METRICS_REPORT_FIELDS,
});
