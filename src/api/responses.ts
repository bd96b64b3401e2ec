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

const GuardrailLimits = z.object({
  latencyP95Ms: z.number().optional(), meanCost: z.number().optional(), errorRate: z.number().optional(), minSamples: z.number(), windowSize: z.number(),
});
const PriorView = z.union([
  z.object({ alpha: z.number(), beta: z.number() }),
  z.object({ mu: z.number(), lambda: z.number(), alpha: z.number(), beta: z.number() }),
]);

export const ExperimentResponse = z.object({
  id: z.string(),
  arms: z.array(z.object({
    id: z.string(), payload: z.unknown(), weight: z.number().optional(), baseline: z.boolean(), status: z.enum(['active', 'disabled']), disabled: DisabledInfoSchema.nullable(),
  })),
  baselineArmId: z.string(),
  rewardModel: z.enum(['bernoulli', 'gaussian']),
  prior: PriorView,
  policy: z.enum(['thompson', 'ucb', 'fixed']),
  status: z.enum(['active', 'paused']),
  holdbackPercent: z.number(),
  trafficPercent: z.number(),
  stickiness: z.boolean(),
  stickyTtlSeconds: z.number(),
  rewardWindowSeconds: z.number(),
  guardrails: GuardrailLimits.nullable(),
  endsAt: z.string().nullable(),
  seed: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
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
  results: z.array(z.union([
    RewardResponse.extend({ status: z.literal(200) }),
    ErrorResponse.extend({ status: z.number() }),
  ])).describe('One per event, in order: {status: 200, accepted, duplicate} or {status, error, message}.'),
});

const num = z.number().nullable();
const interval = z.array(z.number().nullable()).nullable();
const ArmGuardrailView = z.object({
  samples: z.number(), latencyP95Ms: num, meanCost: num, errorRate: num,
  breach: z.object({ guardrail: z.enum(['latencyP95Ms', 'meanCost', 'errorRate']), observed: z.number(), limit: z.number() }).optional(),
}).nullable();

export const ReportResponse = z.object({
  experimentId: z.string(),
  policy: z.enum(['thompson', 'ucb', 'fixed']),
  rewardModel: z.enum(['bernoulli', 'gaussian']),
  status: z.enum(['active', 'paused']),
  ended: z.boolean(),
  totals: z.object({ decisions: z.number(), rewards: z.number(), excludedDecisions: z.number() }),
  arms: z.array(z.object({
    armId: z.string(),
    baseline: z.boolean(),
    status: z.enum(['active', 'disabled']),
    disabled: DisabledInfoSchema.nullable(),
    decisions: z.number(),
    rewards: z.number(),
    rewardSum: num,
    meanReward: num,
    posterior: z.union([
      z.object({ kind: z.literal('beta'), alpha: z.number(), beta: z.number() }),
      z.object({ kind: z.literal('normal-gamma'), mu: z.number(), lambda: z.number(), alpha: z.number(), beta: z.number() }),
    ]),
    posteriorMean: num,
    credibleInterval95: interval,
    probabilityBest: num,
    expectedLoss: num,
    guardrails: ArmGuardrailView,
  })),
  regret: z.object({ estimatedCumulative: num, estimatedPerDecision: num }),
  holdback: z.object({
    armId: z.string(), percent: z.number(), decisions: z.number(), rewards: z.number(), meanReward: num, banditMeanReward: num,
    lift: num, liftInterval95: interval, pValue: num,
    srm: z.object({ expectedShare: z.number(), observedShare: num, pValue: num }),
  }),
});

/** The standard error responses of a route, for the document. */
export const errors = (...codes: (400 | 404 | 409 | 410 | 503)[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));
