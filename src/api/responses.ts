/**
 * The HTTP envelope of the answers: each route's error list (the error body is in contract/error.ts,
 * the batch wrapper in contract/decision.ts). Like every response schema, for the OpenAPI document
 * only: responses are serialised with JSON.stringify (see app.ts), so these describe the contract
 * without costing a validation per response.
 */
import { ErrorResponse } from '../contract/error.js';

/** The standard error responses of a route, for the document. */
export const errors = (...codes: (400 | 404 | 409 | 410 | 503)[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));
