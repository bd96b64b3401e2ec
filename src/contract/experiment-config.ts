/**
 * An experiment as the store keeps it and as the API answers it: one zod schema is the source of
 * the domain's value types (domain.ts: ExperimentConfig, DisabledInfo, Promotion...), of the service's view and
 * of the response's part of openapi/openapi.json. These are plain shapes (no bounds): they describe
 * what was stored, which the request schemas (experiment.ts) validated on the way in.
 */
import { z } from 'zod';
import { POLICY_NAMES } from './policy-names.js';
import { ENGINE_SETTINGS } from './engine.js';
import { StoredLayerSchema, StoredTargetingSchema } from './targeting.js';
import { MetricConfigSchema } from './metrics.js';
import { StoredFeaturesSchema } from './features.js';
import { ARM_STATUSES, ArmSchema, DecisionRuleSchema, EXPERIMENT_STATUSES, REWARD_MODELS } from './experiment.js';

export const GUARDRAIL_NAMES = ['latencyP95Ms', 'meanCost', 'errorRate'] as const;
/** A limit that was crossed: which, the value observed in the window, and the limit. */
export const BreachSchema = z.object({
  guardrail: z.union([z.enum(GUARDRAIL_NAMES), z.templateLiteral(['metric:', z.string()])]).describe('A built-in guardrail, or metric:<name> for a declared metric\'s (issue 22).'),
  observed: z.number(), limit: z.number(),
});

/** Why an arm is disabled. `source` says who did it; `guardrail` is set when a guardrail did. */
export const DisabledInfoSchema = z.object({
  source: z.enum(['manual', 'guardrail']),
  reason: z.string(),
  at: z.string(),
  guardrail: BreachSchema.optional(),
});

/** The guardrail limits as stored: minSamples is the fewest events in the window before any limit is checked. */
export const GuardrailLimitsSchema = z.object({
  latencyP95Ms: z.number().optional(), meanCost: z.number().optional(), errorRate: z.number().optional(), minSamples: z.number(), windowSize: z.number(),
});
export const BetaPriorSchema = z.object({ alpha: z.number(), beta: z.number() });
export const NormalGammaPriorSchema = z.object({ mu: z.number(), lambda: z.number(), alpha: z.number(), beta: z.number() });

/** Share of the bandit population served the promoted arm (percent), from afterSeconds after the promotion started. */
export const PromotionStageSchema = z.object({ percent: z.number(), afterSeconds: z.number() });
/** A staged rollout of one arm (POST .../promote); startedAt: ISO time of the POST. */
export const PromotionSchema = z.object({ armId: z.string(), startedAt: z.string(), stages: z.array(PromotionStageSchema) });
/** A closed holdback period: its share, when it closed (ISO), and the users in each population, cumulative, then. */
export const HoldbackPeriodSchema = z.object({ percent: z.number(), until: z.string(), holdbackUsers: z.number(), banditUsers: z.number() });

const CONFIG_HEAD = {
  id: z.string(),
  arms: z.array(ArmSchema),
  baselineArmId: z.string(),
  rewardModel: z.enum(REWARD_MODELS),
  prior: z.union([BetaPriorSchema, NormalGammaPriorSchema]),
  policy: z.enum(POLICY_NAMES),
  status: z.enum(EXPERIMENT_STATUSES),
  holdbackPercent: z.number(),
  trafficPercent: z.number(),
  stickiness: z.boolean(),
  stickyTtlSeconds: z.number(),
  rewardWindowSeconds: z.number(),
  guardrails: GuardrailLimitsSchema.nullable(),
  endsAt: z.string().nullable(),
  seed: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

/** The settings added after the first release: absent on experiments stored before them (defaults apply). */
const CONFIG_TAIL = {
  /** Issue 8. Before it, the baseline is served as excluded. */
  startsAt: z.string().nullable().optional(),
  /** 'multiply-shift' for experiments created since issue 8; absent: the older modulo mapping (kept for them). */
  bucketing: z.literal('multiply-shift').optional().describe('The unbiased user-to-bucket mapping; absent on experiments created before it (they keep the older one).'),
  archivedAt: z.string().nullable().optional().describe('Set by DELETE: archived experiments answer /select with 404.'),
  /** Thresholds of the report's recommendation and analysis; absent fields take DEFAULT_DECISION_RULE's. */
  decisionRule: DecisionRuleSchema.nullable().optional(),
  holdbackPeriods: z.array(HoldbackPeriodSchema).optional()
    .describe('Past holdback shares (a PATCH of holdbackPercent closes a period), with the cumulative users when each closed.'),
  promotion: PromotionSchema.nullable().optional(),
  eventRetentionSeconds: z.number().optional().describe('How long the event log keeps events (seconds).'),
  targeting: StoredTargetingSchema.nullable().optional().describe('The condition on the request context (issue 21); absent or null: every request.'),
  layer: StoredLayerSchema.nullable().optional().describe('The layer and its range of buckets (issue 21); absent or null: no layer.'),
  /** Issue 19: absent on experiments created before it (their life is told by createdAt alone). */
  life: z.string().optional().describe('A random id of this life of the experiment, set at creation: a decision id of an earlier life (before the store lost it) never counts.'),
  metrics: z.array(MetricConfigSchema).optional().describe('Declared quality signals (issue 22).'),
  features: StoredFeaturesSchema.optional().describe('The context features of a linear policy (issue 23); absent for the others.'),
  // Engine settings (issue 11); absent: off.
  ...ENGINE_SETTINGS,
};

/** Which life of an experiment a config is from: created again after a loss of the store, it is another. */
export const lifeOf = (config: { createdAt: string; life?: string }): string => `${config.createdAt}|${config.life ?? ''}`;

/** An experiment's settings as created and patched; arm states are kept apart (ExperimentState.disabled). */
export const ExperimentConfigSchema = z.object({ ...CONFIG_HEAD, ...CONFIG_TAIL });

export const ArmViewSchema = z.object({
  id: z.string(), payload: z.unknown(), weight: z.number().optional(), baseline: z.boolean(), status: z.enum(ARM_STATUSES), disabled: DisabledInfoSchema.nullable(),
});

/** What the experiment routes answer: the config with each arm's state, and the version. */
export const ExperimentResponse = z.object({
  ...CONFIG_HEAD,
  arms: z.array(ArmViewSchema),
  version: z.number(),
  ...CONFIG_TAIL,
  // The document has always described it as a map of numbers (DecisionRuleSchema says which); shipWaitsForHoldback is a boolean.
  decisionRule: z.record(z.string(), z.union([z.number(), z.boolean()])).nullable().optional(),
});
