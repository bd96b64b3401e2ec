/**
 * Declared metrics and quality signals (issue 22): the experiment setting `metrics`, the body of
 * POST /signals, and the `metrics` block of GET /arms. A metric is one number per decision, given
 * at most once per (decision, name): with the reward (`metrics` on /reward and /rewards) or later
 * (POST /signals). Below the service: the single source of their validation and documentation.
 */
import { z } from 'zod';
import { ErrorResponse } from './error.js';

export const METRIC_NAME = /^[a-z0-9_]{1,40}$/;
export const MAX_METRICS = 20;
export const MAX_SIGNALS_PER_BATCH = 1000;
export const METRIC_KINDS = ['mean', 'proportion'] as const;
export const METRIC_DIRECTIONS = ['increase', 'decrease'] as const;
/** The largest |value| of a metric (as the gaussian reward's bound): sums of squares stay finite. */
export const MAX_METRIC_ABS = 1e15;

const metricName = z.string().regex(METRIC_NAME, 'a metric name is 1-40 characters of a-z 0-9 _');

/** The stored form (no bounds: validated on the way in by MetricSchema). */
export const MetricGuardrailConfigSchema = z.object({ max: z.number().optional(), min: z.number().optional(), minSamples: z.number() });
export const MetricConfigSchema = z.object({
  name: z.string(), kind: z.enum(METRIC_KINDS), direction: z.enum(METRIC_DIRECTIONS), guardrail: MetricGuardrailConfigSchema.optional(),
});

export const MetricGuardrailSchema = z.strictObject({
  max: z.number().min(-MAX_METRIC_ABS).max(MAX_METRIC_ABS).optional().describe('Disable an arm whose mean of this metric over its rolling window is above this.'),
  min: z.number().min(-MAX_METRIC_ABS).max(MAX_METRIC_ABS).optional().describe('Disable an arm whose mean of this metric over its rolling window is below this.'),
  minSamples: z.int().min(1).max(100_000).default(50).describe('Values of this metric in the arm\'s window before the limit is checked.'),
}).refine((g) => (g.max === undefined) !== (g.min === undefined), { message: 'give exactly one of max and min' });

export const MetricSchema = z.strictObject({
  name: metricName,
  kind: z.enum(METRIC_KINDS).describe('mean: any finite number; proportion: a value in [0, 1] (a 0/1 outcome, or a share such as a judge\'s pass rate).'),
  direction: z.enum(METRIC_DIRECTIONS).describe('Which way is better.'),
  guardrail: MetricGuardrailSchema.optional(),
});

export const MetricsSchema = z.array(MetricSchema).max(MAX_METRICS, `an experiment has at most ${MAX_METRICS} metrics`)
  .refine((ms) => new Set(ms.map((m) => m.name)).size === ms.length, { message: 'metric names must be distinct' })
  .describe(`Quality signals recorded per decision (at most ${MAX_METRICS}): with the reward (metrics on /reward) or later (POST /signals). A PATCH may add metrics and change a direction or guardrail; it never removes, renames or changes the kind of one.`);

/** `metrics` on /reward and each /rewards event: name -> value, checked against the declared metrics in the service. */
export const RewardMetricsSchema = z.record(z.string(), z.unknown())
  .refine((m) => Object.keys(m).length <= MAX_METRICS, `at most ${MAX_METRICS} metrics`)
  .describe('Declared metrics of this decision, name -> number; each counts once per decision and name.');

export const SignalSchema = z.strictObject({
  decisionId: z.string().min(1).max(2048),
  name: z.string().min(1).max(40).describe('A metric declared on the experiment.'),
  // Checked against the metric's kind in the service, so that a wrong type is a 400 naming the field.
  value: z.unknown().describe('A finite number; for a proportion metric, in [0, 1].'),
});
export type SignalBody = z.infer<typeof SignalSchema>;

export const SignalResponse = z.object({ accepted: z.literal(true), duplicate: z.boolean(), autoDisabled: z.unknown().optional() });
export const SignalBatchSchema = z.strictObject({
  signals: z.array(z.unknown()).min(1, 'signals must not be empty').max(MAX_SIGNALS_PER_BATCH, `at most ${MAX_SIGNALS_PER_BATCH} signals per batch`)
    .describe('Each as the body of a single POST /signals; each is answered as that call would be.'),
});
export const SignalBatchResponse = z.object({
  results: z.array(z.union([SignalResponse.extend({ status: z.literal(200) }), ErrorResponse.extend({ status: z.number() })]))
    .describe('One per signal, in order: {status: 200, accepted, duplicate} or {status, error, message}.'),
});
export const SignalRequestSchema = z.union([SignalSchema, SignalBatchSchema])
  .describe('One signal {decisionId, name, value}, or {signals: [...]} of up to 1000.');
export const SignalAnswerSchema = z.union([SignalResponse, SignalBatchResponse]);

const num = z.number().nullable();
const interval = z.array(z.number().nullable()).nullable();
export const MetricReportSchema = z.object({
  kind: z.enum(METRIC_KINDS),
  direction: z.enum(METRIC_DIRECTIONS),
  arms: z.array(z.object({
    armId: z.string(), n: z.number().describe('Values in the bandit population.'), mean: num,
    interval95: interval.describe('Always-valid 95% interval of the arm\'s mean.'),
    window: z.object({ samples: z.number(), mean: num, breach: z.object({ guardrail: z.string(), observed: z.number(), limit: z.number() }).optional() })
      .optional().describe('With a guardrail: the arm\'s rolling window (all populations); breach is set when the limit is crossed (shown for the baseline, which is never disabled).'),
  })),
  holdback: z.object({ n: z.number(), mean: num }),
  vsBaseline: z.array(z.object({
    armId: z.string(),
    difference: num.describe('Arm minus baseline (bandit population).'),
    alwaysValid: z.object({ interval95: interval, pValue: num }),
    unit: z.enum(['user', 'decision']).optional().describe('What the comparison treats as independent: "user" (a user on the arm: the delta method over users, as the holdback lift; correct when users return) or "decision" (values kept before user-level sums existed).'),
    established: z.boolean().describe('pValue at or below comparisons.perComparisonAlpha.'),
    better: z.boolean().nullable().describe('Established and in the metric\'s better direction; null when not established.'),
  })),
});
/** The report's fields (GET /arms), present when the experiment declares metrics. */
export const METRICS_REPORT_FIELDS = {
  metrics: z.record(z.string(), MetricReportSchema).optional().describe('Each declared metric: per arm (bandit population), the holdback, and each arm against the baseline (issue 22).'),
  metricComparisons: z.object({
    count: z.number().describe('Arms other than the baseline times metrics.'),
    method: z.literal('bonferroni'),
    familyAlpha: z.number(),
    perComparisonAlpha: z.number().describe('familyAlpha / count: a comparison is established when its always-valid pValue is at or below it.'),
  }).optional().describe('How many comparisons the metrics block makes and how it controls for them: Bonferroni over (arms - 1) x metrics at decisionRule.alpha.'),
};

/** The sums the ledger keeps of one metric, arm and population: values, their sum and sum of squares. */
export interface MetricSums { n: number; sum: number; sumSq: number }
/** An arm's rolling window of one metric (all populations), kept only for a metric with a guardrail. */
export interface MetricWindow { samples: number; sum: number }
/**
 * The user-level sums of one metric, arm and population (issue 22): over units (a user on this arm;
 * a decision without a user is a unit of its own), their count, the sums of S_i (the unit's value
 * sum) and N_i (its value count), and of S_i^2, N_i^2, S_i N_i, for the delta-method variance of
 * the mean when users return (bandit/user-level.ts). Kept since the release that added them: when
 * count < the MetricSums' n, older values exist and the report compares at the decision level.
 */
export interface MetricUserSums { units: number; sum: number; count: number; sumSq: number; countSq: number; cross: number }
export interface MetricArmStats {
  armId: string; bandit: MetricSums; holdback: MetricSums; excluded: MetricSums; window: MetricWindow;
  /** The user-level sums of the bandit and holdback populations. */
  users: { bandit: MetricUserSums; holdback: MetricUserSums };
}
/** Metric name -> its arms, in the experiment's arm order. */
export type MetricStats = Record<string, MetricArmStats[]>;
export type MetricConfig = z.infer<typeof MetricConfigSchema>;
