/**
 * The bodies of POST /select and POST /reward (and each event of POST /rewards): the single source
 * of their validation and of the types the service takes. Below the service.
 */
import { z } from 'zod';
import { jsonBytes } from './bounded-json.js';

/** The bounds of what a request may send that the event log stores (the context on every decision event). */
export const MAX_CONTEXT_KEYS = 100;
export const MAX_CONTEXT_BYTES = 1024;
const MAX_CONTEXT_KEY_LENGTH = 128;
export const MAX_METADATA_BYTES = 4 * 1024;

export const SelectSchema = z.object({
  experimentId: z.string().min(1).max(256),
  userId: z.string().min(1).max(256).optional().describe('Stable user id: stickiness and the holdback follow it. Without it the holdback is drawn at random.'),
  context: z.record(z.string().max(MAX_CONTEXT_KEY_LENGTH), z.unknown())
    .refine((c) => Object.keys(c).length <= MAX_CONTEXT_KEYS, `context has at most ${MAX_CONTEXT_KEYS} keys`)
    .refine((c) => jsonBytes(c) <= MAX_CONTEXT_BYTES, `context is at most ${MAX_CONTEXT_BYTES} bytes of JSON`)
    .optional().describe(`Request attributes (at most ${MAX_CONTEXT_KEYS} keys, ${MAX_CONTEXT_BYTES} bytes of JSON), stored on the decision event; ignored by the non-contextual policies.`),
});
export type SelectBody = z.infer<typeof SelectSchema>;

export const RewardSchema = z.object({
  decisionId: z.string().min(1).max(2048),
  // Checked against the experiment's reward model in the service, so that a wrong type is `invalid_reward`.
  reward: z.unknown().optional().describe('0 or 1 (or true/false) for bernoulli; a finite number for gaussian. May be left out when error is true.'),
  latencyMs: z.number().min(0).max(86_400_000).optional(),
  cost: z.number().min(0).max(1e12).optional(),
  error: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional().refine((m) => m === undefined || jsonBytes(m) <= MAX_METADATA_BYTES, {
    message: 'metadata must be at most 4 KiB of JSON',
  }).describe('Any JSON object (at most 4 KiB) stored on the reward event, for later analysis.'),
});
export type RewardBody = z.infer<typeof RewardSchema>;
