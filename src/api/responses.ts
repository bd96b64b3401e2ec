/**
 * Response schemas, for the OpenAPI document only: responses are serialised with JSON.stringify
 * (see app.ts), so these describe the contract without costing a validation per response.
 */
import { z } from 'zod';

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
  policy: z.enum(['thompson', 'ucb', 'fixed']),
  status: z.enum(['active', 'paused']),
  holdbackPercent: z.number(),
  trafficPercent: z.number(),
  version: z.number(),
  startsAt: z.string().nullable().optional(),
  bucketing: z.literal('multiply-shift').optional().describe('The unbiased user-to-bucket mapping; absent on experiments created before it (they keep the older one).'),
  archivedAt: z.string().nullable().optional().describe('Set by DELETE: archived experiments answer /select with 404.'),
  decisionRule: z.record(z.string(), z.number()).nullable().optional(),
  holdbackPeriods: z.array(z.object({ percent: z.number(), until: z.string(), holdbackUsers: z.number(), banditUsers: z.number() })).optional()
    .describe('Past holdback shares (a PATCH of holdbackPercent closes a period), with the cumulative users when each closed.'),
  promotion: z.object({
    armId: z.string(), startedAt: z.string(),
    stages: z.array(z.object({ percent: z.number(), afterSeconds: z.number() })),
  }).nullable().optional(),
});

export const SelectResponse = z.object({
  decisionId: z.string().describe('Opaque, signed; send it back to POST /reward.'),
  experimentId: z.string(),
  armId: z.string(),
  payload: z.unknown(),
  population: z.enum(['bandit', 'holdback', 'excluded']),
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
  arms: z.array(z.object({ armId: z.string(), posterior: z.object({ kind: z.string() }) })),
  regret: z.object({ estimatedCumulative: z.number().nullable(), estimatedPerDecision: z.number().nullable() }),
  holdback: z.object({
    armId: z.string(),
    percent: z.number(),
    users: z.number().describe('Distinct users in the holdback (first exposures).'),
    banditUsers: z.number().describe('Distinct users in the bandit population (first exposures).'),
    lift: z.number().nullable().describe('Bandit minus holdback mean reward per rewarded decision.'),
    liftInterval95: z.array(z.number().nullable()).nullable().describe('Fixed-horizon interval (valid for one look), user-level (delta-method variance over users).'),
    pValue: z.number().nullable().describe('Fixed-horizon two-sided p-value, user-level.'),
    liftNote: z.string().nullable().describe('Why the interval and p-values are null, in words.'),
    alwaysValid: z.object({
      interval95: z.array(z.number().nullable()).nullable(),
      pValue: z.number().nullable(),
      tuningUsers: z.number(),
    }).describe('Holds under continuous monitoring: the asymptotic confidence sequence of Waudby-Smith et al.'),
    srm: z.object({
      expectedShare: z.number().nullable(),
      observedShare: z.number().nullable(),
      pValue: z.number().nullable().describe('Sequential (always-valid) split check over users: 1 / Dirichlet-multinomial Bayes factor.'),
    }),
  }),
  recommendation: z.object({
    action: z.enum(['continue', 'ship', 'stop_no_difference', 'check_split']),
    armId: z.string().nullable(),
    reason: z.string(),
    designEffect: z.number().nullable().describe('Variance inflation from returning users; the rule divides each arm\'s evidence by it.'),
  }).describe('From the experiment decisionRule (documented defaults).'),
  promotion: z.object({
    armId: z.string(),
    state: z.enum(['scheduled', 'rolling_out', 'complete', 'rolled_back']),
    percent: z.number().describe('Share of the bandit population served the promoted arm now.'),
    startedAt: z.string(),
    stages: z.array(z.object({ percent: z.number(), afterSeconds: z.number() })),
    rolledBack: DisabledInfoSchema.nullable().describe('Why it was rolled back: the promoted arm was disabled (a guardrail trip, or by hand).'),
  }).nullable(),
  archivedAt: z.string().nullable(),
});

/** The standard error responses of a route, for the document. */
export const errors = (...codes: (400 | 404 | 409 | 410 | 503)[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));
