/**
 * The error codes of the HTTP contract and their statuses. Services throw `ApiError`; the one error
 * handler in app.ts turns it into `{"error", "message", "details"?}`.
 */
import type { z } from 'zod';
import type { ErrorResponse } from './contract/error.js';
import { describeIssues, type Issue } from './contract/issues.js';

export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_config: 400,
  invalid_reward: 400,
  unauthorized: 401,
  forbidden: 403,
  key_not_found: 404,
  not_found: 404,
  experiment_not_found: 404,
  arm_not_found: 404,
  decision_not_found: 404,
  method_not_allowed: 405,
  experiment_exists: 409,
  baseline_arm: 409,
  key_from_environment: 409,
  too_many_experiments: 409,
  too_many_keys: 409,
  layer_conflict: 409,
  decision_expired: 410,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  store_unavailable: 503,
  shutting_down: 503,
  secret_mismatch: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** ErrorResponse's body, with the code narrowed to the contract's. */
export type ErrorBody = z.infer<typeof ErrorResponse> & { error: ErrorCode };

export class ApiError extends Error {
  readonly status: number;
  readonly details?: unknown;
  constructor(readonly code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
    // Every 400 carries `details.issues` (the contract's one shape); a message `path: what` gives the path.
    this.details = details === undefined && this.status === 400 ? { issues: [issueOf(message)] } : details;
  }

  toBody(): ErrorBody {
    return this.details === undefined ? { error: this.code, message: this.message } : { error: this.code, message: this.message, details: this.details };
  }
}

function issueOf(message: string): Issue {
  const m = /^([A-Za-z_$][\w$]*(?:\.[\w$]+)*): (.+)$/s.exec(message);
  return m ? { path: m[1], message: m[2] } : { path: '', message };
}

/** A 400 naming its fields: `details.issues` and a message that lists them. */
export const invalid = (code: ErrorCode, issues: Issue[]): ApiError => new ApiError(code, describeIssues(issues), { issues });
/** A 400 about one field. */
export const invalidAt = (code: ErrorCode, path: string, message: string): ApiError => invalid(code, [{ path, message }]);

/** The errors raised in more than one place, built in one. */
export const experimentNotFound = (id: string): ApiError => new ApiError('experiment_not_found', `experiment '${id}' does not exist`);
export const storeUnavailable = (message = 'the store could not be reached in time; retry later (retries are safe)'): ApiError =>
  new ApiError('store_unavailable', message);

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 1;
