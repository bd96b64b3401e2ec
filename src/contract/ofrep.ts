/**
 * The OpenFeature Remote Evaluation Protocol's bodies (open-feature/protocol, service/openapi.yaml),
 * as zod schemas: request validation on the OFREP routes, their part of openapi/openapi.json, and
 * the types of what service/ofrep.ts answers. These routes answer errors in the protocol's shape
 * `{key, errorCode, errorDetails}`, not the service's usual `{error, message}`.
 */
import { z } from 'zod';
import { POPULATION_NAME_LIST } from './population.js';
import { EXCLUDED_BY } from './targeting.js';

export const OfrepContext = z.looseObject({
  targetingKey: z.string().min(1).max(256).optional()
    .describe('The user: the same targetingKey gets the same arm (stickiness), as userId does on /select. Without it there is no stickiness.'),
}).describe('The evaluation context: targetingKey is the user; every attribute (targetingKey included) is the context an experiment\'s targeting sees.');

export const OfrepRequest = z.object({ context: OfrepContext.optional() });
export type OfrepRequestBody = z.infer<typeof OfrepRequest>;

export const FlagValueSchema = z.union([z.boolean(), z.string(), z.number(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
  .describe("The arm's payload; the arm id (a string) when the arm has no payload.");

export const OfrepMetadata = z.object({
  decisionId: z.string().describe('Send it to POST /reward with the outcome.'),
  propensity: z.number(),
  population: z.enum(POPULATION_NAME_LIST),
  sticky: z.boolean(),
  fallback: z.boolean().optional().describe('True when the store could not be reached and the baseline was served.'),
  excludedBy: z.enum(EXCLUDED_BY).optional().describe('Why an excluded evaluation was excluded (reason DEFAULT).'),
});

export const OfrepSuccess = z.object({
  key: z.string(),
  value: FlagValueSchema,
  variant: z.string().describe('The arm id.'),
  reason: z.enum(['SPLIT', 'DEFAULT']).describe('SPLIT: the experiment chose (bandit or holdback); DEFAULT: excluded (see metadata.excludedBy), the baseline served.'),
  metadata: OfrepMetadata,
});

export const OFREP_ERROR_CODES = ['PARSE_ERROR', 'TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL', 'FLAG_NOT_FOUND'] as const;
export type OfrepErrorCode = (typeof OFREP_ERROR_CODES)[number];

export const OfrepFailure = z.object({
  key: z.string(),
  errorCode: z.enum(OFREP_ERROR_CODES),
  errorDetails: z.string().optional(),
}).describe("OFREP's evaluation failure.");

export const OfrepBulkSuccess = z.object({
  flags: z.array(z.union([OfrepSuccess, OfrepFailure])).describe('One per active experiment (status active, not ended), ordered by id.'),
});

export const OfrepBulkFailure = z.object({
  errorCode: z.enum(OFREP_ERROR_CODES),
  errorDetails: z.string().optional(),
}).describe("OFREP's bulk evaluation failure.");
