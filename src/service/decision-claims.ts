/**
 * What /reward and /signals check of a decision id before the store records anything: that this
 * service signed it (404), that its experiment and arm still exist in the life it was issued in
 * (404: a decision of an earlier life never counts), and that it is within rewardWindowSeconds (410).
 */
import { issuedInLife, type DecisionClaims } from '../assignment/decision-token.js';
import { ApiError } from '../errors.js';
import type { ServiceContext } from './context.js';
import type { Snapshot } from './snapshot.js';

/** The claims of a decision id this service signed; 404 otherwise. */
export function verifiedClaims(ctx: ServiceContext, decisionId: string): DecisionClaims {
  const claims = ctx.signer.verify(decisionId);
  if (!claims) throw new ApiError('decision_not_found', 'decisionId is not a decision this service issued');
  return claims;
}

/**
 * The experiment's snapshot to record a decision's outcome with: on the first attempt confirmed
 * against the store's life of the experiment, on a retry (the store said stale) loaded anew.
 */
export async function decisionSnapshot(ctx: ServiceContext, claims: DecisionClaims, attempt: number, nowMs: number): Promise<Snapshot> {
  const snap = attempt === 0 ? await ctx.cache.getConfirmed(claims.e, nowMs) : await ctx.cache.load(claims.e, nowMs);
  if (!snap || !snap.armIds.includes(claims.a)) throw new ApiError('decision_not_found', `the experiment of this decision ('${claims.e}') no longer exists`);
  const { config } = snap;
  if (!issuedInLife(claims, snap.lifeTag, config.createdAt)) {
    throw new ApiError('decision_not_found', `this decision was issued before experiment '${claims.e}' was created again (${config.createdAt}): it does not count`);
  }
  if (Math.floor(nowMs / 1000) - claims.t > config.rewardWindowSeconds) {
    throw new ApiError('decision_expired', `the decision is older than rewardWindowSeconds (${config.rewardWindowSeconds} s)`, { issuedAt: new Date(claims.t * 1000).toISOString() });
  }
  return snap;
}
