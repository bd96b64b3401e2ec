/**
 * The bodies of POST /experiments and PATCH /experiments/:id: the single source of their validation,
 * of the TypeScript types the service takes, and (through @fastify/swagger) of their part of
 * openapi/openapi.json. Below the service, so that the service never imports from the HTTP layer.
 */
import { z } from 'zod';
import { POLICY_NAMES } from './policy-names.js';
import { ChangeDetectionSchema, ENGINE_SETTINGS } from './engine.js';
import { FeaturesSchema } from './features.js';
import { jsonBytes } from './bounded-json.js';
import { DEFAULT_EVENT_RETENTION_SECONDS } from './event-log.js';
import { LayerSchema, TargetingSchema } from './targeting.js';
import { MetricsSchema } from './metrics.js';

/** The value lists the schemas share (each enum is declared once; every use builds its own z.enum). */
export const REWARD_MODELS = ['bernoulli', 'gaussian'] as const;
export type RewardModel = (typeof REWARD_MODELS)[number];
export const EXPERIMENT_STATUSES = ['active', 'paused'] as const;
export const ARM_STATUSES = ['active', 'disabled'] as const;

const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_PAYLOAD_BYTES = 16 * 1024;
const id = (what: string) => z.string().regex(ID_PATTERN, `${what} must be 1-64 characters of A-Z a-z 0-9 _ . : -`);

export const ArmSchema = z.strictObject({
  id: id('arm id'),
  payload: z.unknown().optional().refine((p) => p === undefined || jsonBytes(p) <= MAX_PAYLOAD_BYTES, {
    message: 'payload must be at most 16 KiB of JSON',
  }).describe('Any JSON the client applies (model, prompt, temperature...), up to 16 KiB.'),
  weight: z.number().positive().max(1e6).optional().describe('Share in the fixed policy (relative weight; default 1).'),
});

export const GuardrailsSchema = z.strictObject({
  latencyP95Ms: z.number().positive().optional().describe('Disable an arm whose p95 latency in the window is above this.'),
  meanCost: z.number().min(0).optional().describe('Disable an arm whose mean cost in the window is above this.'),
  errorRate: z.number().min(0).max(1).optional().describe('Disable an arm whose share of error events in the window is above this.'),
  minSamples: z.int().min(1).max(100_000).default(50).describe('Events needed before a limit is checked.'),
  windowSize: z.int().min(1).max(10_000).default(1000).describe('How many of the arm\'s most recent events the rolling window keeps.'),
}).refine((g) => g.windowSize >= g.minSamples, { message: 'windowSize must be at least minSamples', path: ['windowSize'] });

const percent = z.number().min(0).max(100);
const isoDate = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z');

// Prior parameters are bounded to where the samplers and the quadrature stay finite (a lambda of
// 1e-300 or an alpha of 5e-324 made propensities and intervals null).
const priorParam = (min: number, max: number) => z.number().min(min).max(max);
export const PriorSchema = z.union([
  z.strictObject({ alpha: priorParam(0.01, 1e6), beta: priorParam(0.01, 1e6) }),
  z.strictObject({ mu: priorParam(-1e9, 1e9), lambda: priorParam(1e-6, 1e6), alpha: priorParam(0.1, 1e6), beta: priorParam(1e-6, 1e12) }),
]).describe('Beta prior {alpha, beta} for bernoulli (default Beta(1,1)); Normal-Gamma {mu, lambda, alpha, beta} for gaussian (default {0, 0.01, 1, 1}).');

export const DecisionRuleSchema = z.strictObject({
  expectedLoss: z.number().min(0).optional().describe('Expected loss per decision (reward units) at or below which stopping is acceptable. Default 0.001.'),
  probabilityBest: z.number().min(0.5).max(1).optional().describe('P(best) the leader needs before "ship". Default 0.95.'),
  minUsers: z.int().min(0).max(1e9).optional().describe('Users the leader and the baseline each need before a verdict. Default 100.'),
  srmAlpha: z.number().gt(0).lt(1).optional().describe('Sequential SRM p-value at or below which the split is called broken. Default 0.001.'),
  alpha: z.number().gt(0).lt(0.5).optional().describe('1 - level of the holdback intervals. Default 0.05.'),
  sequentialTuningUsers: z.int().min(1).max(1e9).optional().describe('Users at which the always-valid interval is tightest (Waudby-Smith et al.). Default 5000.'),
  minSuccesses: z.int().min(0).max(1e6).optional().describe('Successes and failures each side needs (bernoulli) before the lift has an interval. Default 10.'),
  srmConcentration: z.number().positive().max(1e9).optional().describe('Concentration of the SRM Dirichlet prior (Lindon & Malek). Default 10000.'),
  shipWaitsForHoldback: z.boolean().optional().describe('true: "ship" also waits until the always-valid lift of the bandit over the holdback excludes 0 (the second claim); false: "ship" claims only that the arm is the best of the arms. Default false.'),
}).describe('Thresholds of the recommendation and the holdback analysis; each has a documented default (docs/statistics.md).');

export const CreateExperimentSchema = z.strictObject({
  id: id('experiment id'),
  arms: z.array(ArmSchema).min(2, 'an experiment needs at least 2 arms').max(100, 'an experiment has at most 100 arms'),
  baselineArmId: id('baselineArmId').optional().describe('Default: the first arm.'),
  rewardModel: z.enum(REWARD_MODELS),
  prior: PriorSchema.optional(),
  policy: z.enum(POLICY_NAMES).default('thompson'),
  holdbackPercent: percent.default(0),
  trafficPercent: percent.default(100),
  stickiness: z.boolean().default(true),
  stickyTtlSeconds: z.int().min(1).max(10 * 365 * 86400).default(30 * 86400),
  rewardWindowSeconds: z.int().min(1).max(365 * 86400).default(7 * 86400),
  guardrails: GuardrailsSchema.nullable().optional(),
  endsAt: isoDate.nullable().optional(),
  seed: z.string().min(1).max(256).nullable().optional().describe('Makes the selection sequence reproducible.'),
  startsAt: isoDate.nullable().optional().describe('Before it, the experiment serves the baseline as excluded.'),
  decisionRule: DecisionRuleSchema.nullable().optional(),
  eventRetentionSeconds: z.int().min(60).max(10 * 365 * 86400).default(DEFAULT_EVENT_RETENTION_SECONDS)
    .describe('How long the event log keeps each event (seconds; default 30 days). Older events are trimmed.'),
  targeting: TargetingSchema.nullable().optional(),
  layer: LayerSchema.optional(),
  metrics: MetricsSchema.optional(),
  features: FeaturesSchema.optional(),
  ...ENGINE_SETTINGS,
});
export type CreateExperimentBody = z.infer<typeof CreateExperimentSchema>;

/** PATCH merges guardrails field by field: a field left out keeps its value, `null` removes a limit. */
export const PatchGuardrailsSchema = z.strictObject({
  latencyP95Ms: z.number().positive().nullable().optional(),
  meanCost: z.number().min(0).nullable().optional(),
  errorRate: z.number().min(0).max(1).nullable().optional(),
  minSamples: z.int().min(1).max(100_000).optional(),
  windowSize: z.int().min(1).max(10_000).optional(),
}).describe('Merged into the current guardrails field by field; null removes one limit; guardrails: null removes them all.');
export type PatchGuardrailsBody = z.infer<typeof PatchGuardrailsSchema>;

export const PatchExperimentSchema = z.strictObject({
  status: z.enum(EXPERIMENT_STATUSES).optional(),
  trafficPercent: percent.optional(),
  holdbackPercent: percent.optional(),
  guardrails: PatchGuardrailsSchema.nullable().optional(),
  endsAt: isoDate.nullable().optional(),
  startsAt: isoDate.nullable().optional(),
  decisionRule: DecisionRuleSchema.nullable().optional(),
  targeting: TargetingSchema.nullable().optional(),
  layer: LayerSchema.optional(),
  metrics: MetricsSchema.optional().describe('The full list: every metric already declared (same name and kind), then any new ones.'),
  changeDetection: ChangeDetectionSchema.nullable().optional().describe('Turns change detection on (the test starts from the next reward) or off (null); see POST.'),
}).refine((p) => Object.keys(p).length > 0, { message: 'give at least one of status, trafficPercent, holdbackPercent, guardrails, endsAt, startsAt, decisionRule, targeting, layer, metrics, changeDetection' });
export type PatchExperimentBody = z.infer<typeof PatchExperimentSchema>;
