/** What /select hands the store for the decision event, beyond the decision itself. */
import { DEFAULT_EVENT_RETENTION_SECONDS, disabledIndexes, type DecisionLog } from '../contract/event-log.js';
import { stickyField } from '../store/redis-keys.js';
import type { Population } from '../contract/population.js';
import type { Snapshot } from './snapshot.js';
import type { ExcludedBy } from '../contract/targeting.js';

/**
 * The decision token's user key: it lets /reward (and a default reward) add to the user's own sums;
 * bandit and holdback only. The export re-signs a logged decision's id with the same key.
 */
export function userKeyOf(userId: string | undefined, population: Population): string | undefined {
  return userId !== undefined && population !== 'x' ? stickyField(userId) : undefined;
}

export interface SelectExtras {
  /** The request's `context` (already checked against its size bound). */
  context?: Record<string, unknown>;
  /** What targeting sees, when it is not `context` (OFREP: every attribute of the evaluation context). */
  attributes?: Record<string, unknown>;
  /** The request's W3C `traceparent` header, if any (stored only when well-formed). */
  traceparent?: string;
}

/** W3C Trace Context level 1: version-traceid-parentid-flags, lowercase hex; all-zero ids and version ff are invalid. */
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export const validTraceparent = (header: unknown): string | undefined =>
  typeof header === 'string' && header.length === 55 && TRACEPARENT.test(header) ? header : undefined;

/** `propensityVector`: the decision's (decide.ts), bandit decisions only. */
export function decisionLog(snap: Snapshot, nonce: string, nowMs: number, extras: SelectExtras, propensityVector?: string, excludedBy?: ExcludedBy): DecisionLog {
  return {
    ...(excludedBy !== undefined && { excludedBy }),
    nonce, nowMs, disabledArms: disabledIndexes(snap.eligible),
    ...(propensityVector !== undefined && { propensities: propensityVector }),
    retentionSeconds: snap.config.eventRetentionSeconds ?? DEFAULT_EVENT_RETENTION_SECONDS,
    ...(extras.context !== undefined && { context: JSON.stringify(extras.context) }),
    ...(validTraceparent(extras.traceparent) !== undefined && { traceparent: extras.traceparent }),
  };
}
