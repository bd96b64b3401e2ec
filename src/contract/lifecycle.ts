/** Request and response schemas of POST /plan and the lifecycle routes (issue 8). */
import { z } from 'zod';
import { REWARD_MODELS } from './experiment.js';

export const PlanSchema = z.strictObject({
  rewardModel: z.enum(REWARD_MODELS),
  baselineMean: z.number().describe('The holdback\'s (baseline\'s) mean reward: a rate in (0, 1) for bernoulli.'),
  minDetectableEffect: z.number().refine((x) => x !== 0, 'minDetectableEffect must not be 0')
    .describe('The lift of the bandit population over the holdback to detect: relative to baselineMean (0.2 = +20%) unless effectType is "absolute".'),
  effectType: z.enum(['relative', 'absolute']).default('relative'),
  standardDeviation: z.number().positive().optional().describe('Standard deviation of one user\'s reward (gaussian only; required there).'),
  arms: z.int().min(2).max(100).describe('Arms of the experiment, the baseline included.'),
  holdbackPercent: z.number().gt(0).lt(100),
  alpha: z.number().gt(0).lt(0.5).default(0.05),
  power: z.number().gt(0.5).lt(1).default(0.8),
  dailyUsers: z.number().positive().describe('New users entering the experiment per day.'),
  sequentialTuningUsers: z.int().min(1).max(1e9).optional().describe('The always-valid interval\'s tuning (decisionRule.sequentialTuningUsers; default 5000).'),
  visitsPerUser: z.number().min(1).max(1e6).default(1).describe('Mean rewarded visits per user over the experiment (returning users). Default 1.'),
  designEffect: z.number().min(1).max(1e6).default(1)
    .describe('Variance inflation from returning users, as a running experiment\'s recommendation.designEffect measures it: 1 (default) when a user\'s visits are independent draws, more when users differ from each other.'),
});
export type PlanBody = z.infer<typeof PlanSchema>;

const PlanFigures = z.object({
  holdbackUsers: z.number(),
  banditUsers: z.number(),
  usersPerArm: z.number().describe('banditUsers / arms: what each arm gets if the bandit splits evenly (it does not once it learns).'),
  totalUsers: z.number(),
  days: z.number(),
});

export const PlanResponse = z.object({
  effect: z.object({ baselineMean: z.number(), treatmentMean: z.number(), absolute: z.number() }),
  fixedHorizon: PlanFigures.describe('For liftInterval95 / pValue, read once at the end.'),
  alwaysValid: PlanFigures.describe('For holdback.alwaysValid, looked at as often as you like.'),
  method: z.string(),
  sizes: z.string().describe('What the users are sized for, in words: the lift of the bandit population (all arms, exploration included) over the holdback, not the best arm\'s.'),
  varianceFactor: z.number().describe('designEffect / visitsPerUser: the variance one user carries, relative to one user with one reward.'),
});

export const PromoteSchema = z.strictObject({
  armId: z.string().min(1).max(64),
  stages: z.array(z.strictObject({
    percent: z.number().gt(0).max(100).describe('Share of the bandit population served the promoted arm.'),
    afterSeconds: z.int().min(0).max(10 * 365 * 86400).describe('When this stage starts, in seconds after the promotion.'),
  })).min(1).max(20)
    .refine((s) => s.every((x, i) => i === 0 || (x.afterSeconds > s[i - 1].afterSeconds && x.percent >= s[i - 1].percent)), 'stages must be in order of afterSeconds, with percent never decreasing'),
});
export type PromoteBody = z.infer<typeof PromoteSchema>;
