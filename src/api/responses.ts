/**
 * The HTTP envelope of the answers: the batch wrapper and each route's error list (the error body
 * is in contract/error.ts). Like every response schema, for the OpenAPI document only: responses
 * are serialised with JSON.stringify (see app.ts), so these describe the contract without costing
 * a validation per response.
 */
import { z } from 'zod';
import { RewardResponse } from '../contract/decision.js';
import { ErrorResponse } from '../contract/error.js';

export const RewardBatchResponse = z.object({
  results: z.array(z.union([
    RewardResponse.extend({ status: z.literal(200) }),
    ErrorResponse.extend({ status: z.number() }),
  ])).describe('One per event, in order: {status: 200, accepted, duplicate} or {status, error, message}.'),
});

/** The standard error responses of a route, for the document. */
export const errors = (...codes: (400 | 404 | 409 | 410 | 503)[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));
