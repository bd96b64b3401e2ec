/**
 * The client's types, derived from the service's own zod schemas (type-only imports: the client
 * carries no zod at run time), so the client and the server cannot disagree on a field.
 */
import type { z } from 'zod';
import type { ExperimentResponse } from '../contract/experiment-config.js';
import type { ReportResponse } from '../contract/report.js';
import type { RewardBatchResponse, RewardResponse, RewardSchema, SelectResponse, SelectSchema } from '../contract/decision.js';
import type { CreateExperimentSchema, PatchExperimentSchema } from '../contract/experiment.js';
import type { ExcludedBy as ExcludedByName, LayerResponse } from '../contract/targeting.js';

/** What POST /select answers. */
export type ServedDecision = z.infer<typeof SelectResponse>;
/** The client could not get a decision: the caller's default arm, with nothing to reward. select() never throws: this is every failure. */
export interface FallbackDecision extends Omit<ServedDecision, 'decisionId' | 'fallback'> {
  decisionId: null;
  fallback: true;
  /**
   * Why: no answer within the timeout, a network error, a 5xx, a 429, a 404 (an unknown experiment,
   * or one the store lost), a 401/403 (no, a revoked or a too narrow key), or another 4xx (`rejected`).
   */
  fallbackReason: 'timeout' | 'network' | 'server_error' | 'rate_limited' | 'not_found' | 'unauthorized' | 'rejected';
  error: string;
  /** The service's answer, when it answered: its HTTP status and error code. */
  status?: number;
  errorCode?: string;
}
export type Decision = ServedDecision | FallbackDecision;

export type SelectRequest = z.input<typeof SelectSchema>;
export type RewardEvent = z.input<typeof RewardSchema>;
export type RewardResult = z.infer<typeof RewardResponse>;
/** One result of POST /rewards: `{status: 200, accepted, duplicate}` or `{status, error, message}`. */
export type RewardBatchResult = z.infer<typeof RewardBatchResponse>['results'][number] & { accepted?: true; duplicate?: boolean; error?: string; message?: string };

export type CreateExperimentRequest = z.input<typeof CreateExperimentSchema>;
export type PatchExperimentRequest = z.input<typeof PatchExperimentSchema>;
export type Experiment = z.infer<typeof ExperimentResponse>;
export type Report = z.infer<typeof ReportResponse> & Record<string, unknown>;
/** GET /layers/:id: a layer's live experiments, their ranges of buckets, and the free ranges (issue 21). */
export type Layer = z.infer<typeof LayerResponse>;
/** Why an excluded decision is excluded (`excludedBy` on /select answers and decision events). */
export type ExcludedBy = ExcludedByName;
