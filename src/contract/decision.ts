/**
 * The bodies of POST /select and POST /reward (and each event of POST /rewards) and their answers:
 * the single source of their validation, of the types the service takes and gives, and of their
 * part of openapi/openapi.json. Below the service.
 */
import { z } from 'zod';
import { POPULATION_NAME_LIST } from './population.js';
import { jsonBytes } from './bounded-json.js';
import { ErrorResponse } from './error.js';
import { EXCLUDED_BY } from './targeting.js';
import { RewardMetricsSchema } from './metrics.js';

/** The bounds of what a request may send that the event log stores (the context on every decision event). */
export const MAX_CONTEXT_KEYS = 100;
export const MAX_CONTEXT_BYTES = 1024;
const MAX_CONTEXT_KEY_LENGTH = 128;
export const MAX_METADATA_BYTES = 4 * 1024;

export const SelectSchema = z.strictObject({
  experimentId: z.string().min(1).max(256),
  userId: z.string().min(1).max(256).optional().describe('Stable user id: stickiness and the holdback follow it. Without it the holdback is drawn at random.'),
  context: z.record(z.string().max(MAX_CONTEXT_KEY_LENGTH), z.unknown())
    .refine((c) => Object.keys(c).length <= MAX_CONTEXT_KEYS, `context has at most ${MAX_CONTEXT_KEYS} keys`)
    .refine((c) => jsonBytes(c) <= MAX_CONTEXT_BYTES, `context is at most ${MAX_CONTEXT_BYTES} bytes of JSON`)
    .optional().describe(`Request attributes (at most ${MAX_CONTEXT_KEYS} keys, ${MAX_CONTEXT_BYTES} bytes of JSON), stored on the decision event; ignored by the non-contextual policies.`),
});
export type SelectBody = z.infer<typeof SelectSchema>;

export const RewardSchema = z.strictObject({
  decisionId: z.string().min(1).max(2048),
  // Checked against the experiment's reward model in the service, so that a wrong type is `invalid_reward`.
  reward: z.unknown().optional().describe('0 or 1 (or true/false) for bernoulli; a finite number for gaussian. May be left out when error is true.'),
  latencyMs: z.number().min(0).max(86_400_000).optional(),
  cost: z.number().min(0).max(1e12).optional(),
  error: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional().refine((m) => m === undefined || jsonBytes(m) <= MAX_METADATA_BYTES, {
    message: 'metadata must be at most 4 KiB of JSON',
  }).describe('Any JSON object (at most 4 KiB) stored on the reward event, for later analysis.'),
  metrics: RewardMetricsSchema.optional(),
});
export type RewardBody = z.infer<typeof RewardSchema>;

export const SelectResponse = z.object({
  decisionId: z.string().describe('Opaque, signed; send it back to POST /reward.'),
  experimentId: z.string(),
  armId: z.string(),
  payload: z.unknown(),
  population: z.enum(POPULATION_NAME_LIST),
  sticky: z.boolean(),
  propensity: z.number().describe('Probability that this arm was chosen for this request, given the population (1 for holdback and excluded).'),
  fallback: z.literal(true).optional().describe('Present when the store could not be reached and the baseline was served.'),
  excludedBy: z.enum(EXCLUDED_BY).optional().describe('Why an excluded decision is excluded (population excluded; absent on a fallback).'),
});

export const RewardResponse = z.object({
  accepted: z.literal(true),
  duplicate: z.boolean(),
  autoDisabled: z.unknown().optional().describe('Present when this event made a guardrail disable the arm.'),
});

/** What POST /rewards answers: one result per event. */
export const RewardBatchResponse = z.object({
  results: z.array(z.union([
    RewardResponse.extend({ status: z.literal(200) }),
    ErrorResponse.extend({ status: z.number() }),
  ])).describe('One per event, in order: {status: 200, accepted, duplicate} or {status, error, message}.'),
});
