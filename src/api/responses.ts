/**
 * Response schemas, for the OpenAPI document only: responses are serialised with JSON.stringify
 * (see app.ts), so these describe the contract without costing a validation per response.
 */
import { z } from 'zod';
import { POLICY_NAMES } from '../bandit/policy-names.js';
import { POPULATION_NAME_LIST } from '../store/population.js';
import { ENGINE_SETTINGS } from './engine-schemas.js';

export const ErrorResponse = z.object({
  error: z.string().describe('Machine-readable code, e.g. experiment_not_found'),
  message: z.string().describe('What went wrong, in words'),
  details: z.unknown().optional(),
}).describe('Every error has this shape.');

export const DisabledInfoSchema = z.object({
  source: z.enum(['manual', 'guardrail']),
  reason: z.string(),
  at: z.string(),
  guardrail: z.object({ guardrail: z.enum(['latencyP95Ms', 'meanCost', 'errorRate']), observed: z.number(), limit: z.number() }).optional(),
});

export const ExperimentResponse = z.object({
  id: z.string(),
  arms: z.array(z.object({ id: z.string(), payload: z.unknown(), baseline: z.boolean(), status: z.enum(['active', 'disabled']), disabled: DisabledInfoSchema.nullable() })),
  baselineArmId: z.string(),
  rewardModel: z.enum(['bernoulli', 'gaussian']),
  policy: z.enum(POLICY_NAMES),
  status: z.enum(['active', 'paused']),
  holdbackPercent: z.number(),
  trafficPercent: z.number(),
  version: z.number(),
  ...ENGINE_SETTINGS,
});

export const SelectResponse = z.object({
  decisionId: z.string().describe('Opaque, signed; send it back to POST /reward.'),
  experimentId: z.string(),
  armId: z.string(),
  payload: z.unknown(),
  population: z.enum(POPULATION_NAME_LIST),
  sticky: z.boolean(),
  propensity: z.number().describe('Probability that this arm was chosen for this request, given the population (1 for holdback and excluded).'),
  fallback: z.literal(true).optional().describe('Present when the store could not be reached and the baseline was served.'),
});

export const RewardResponse = z.object({
  accepted: z.literal(true),
  duplicate: z.boolean(),
  autoDisabled: z.unknown().optional().describe('Present when this event made a guardrail disable the arm.'),
});

export const RewardBatchResponse = z.object({
  results: z.array(z.object({ status: z.number() })).describe('One per event, in order: {status: 200, accepted, duplicate} or {status, error, message}.'),
});

export const ReportResponse = z.object({
  experimentId: z.string(),
  policy: z.string(),
  rewardModel: z.string(),
  status: z.string(),
  totals: z.object({ decisions: z.number(), rewards: z.number() }),
  arms: z.array(z.object({
    armId: z.string(), posterior: z.object({ kind: z.string() }),
    effectiveSampleSize: z.number().nullable().optional().describe('With discount: the decayed number of rewards the posterior is worth.'),
    netValue: z.object({
      costWeight: z.number(), meanCost: z.number().nullable(), mean: z.number().nullable(),
      probabilityBest: z.number().nullable().describe('P(best) of the net value among the enabled arms; null for a disabled arm.'),
    }).optional().describe('With objective.costWeight: the arm\'s estimated mean cost and its net value reward - costWeight * cost.'),
  })),
  regret: z.object({ estimatedCumulative: z.number().nullable(), estimatedPerDecision: z.number().nullable() }),
  holdback: z.object({ armId: z.string(), percent: z.number() }),
});

/** The standard error responses of a route, for the document. */
export const errors = (...codes: (400 | 404 | 409 | 410 | 503)[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));
