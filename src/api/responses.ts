/**
 * The HTTP envelope of the answers: the error body, the batch wrapper, and each route's error list.
 * Like the other response schemas (those of the service's values are in src/contract/), for the
 * OpenAPI document only: responses are serialised with JSON.stringify (see app.ts), so these
 * describe the contract without costing a validation per response.
 */
import { z } from 'zod';
import { RewardResponse } from '../contract/decision.js';

export const ErrorResponse = z.object({
  error: z.string().describe('Machine-readable code, e.g. experiment_not_found'),
  message: z.string().describe('What went wrong, in words'),
  details: z.unknown().optional(),
}).describe('Every error has this shape.');

export const RewardBatchResponse = z.object({
  results: z.array(z.union([
    RewardResponse.extend({ status: z.literal(200) }),
    ErrorResponse.extend({ status: z.number() }),
  ])).describe('One per event, in order: {status: 200, accepted, duplicate} or {status, error, message}.'),
});

/** The standard error responses of a route, for the document. */
export const errors = (...codes: (400 | 404 | 409 | 410 | 503)[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));
