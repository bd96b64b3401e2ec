/** POST /select: choose an arm for one request, record the decision, sign the decision id. */
import type { z } from 'zod';
import { newNonce, stampLife } from '../assignment/decision-token.js';
import type { SelectResponse } from '../contract/decision.js';
import { ApiError, experimentNotFound, storeUnavailable } from '../errors.js';
import { StoreUnavailableError } from '../store/store.js';
import { decisionLog, userKeyOf, type SelectExtras } from './decision-log.js';
import type { ServiceContext } from './context.js';
import { decide } from './decide.js';
import { requestFeatures, tokenFeatures, withFeatureContext } from './decision-features.js';
import type { Snapshot } from './snapshot.js';
import { POPULATION_NAMES, type Population } from '../contract/population.js';

export { POPULATION_NAMES };

/** The answer of /select (the contract's SelectResponse). */
export type SelectResult = z.infer<typeof SelectResponse>;

/** A decision made with an old version is refused by the store; reload and decide again, this many times. */
const MAX_ATTEMPTS = 3;

export async function select(ctx: ServiceContext, experimentId: string, userId?: string, extras: SelectExtras = {}): Promise<SelectResult> {
  const nowMs = ctx.clock.now();
  // Chosen before the store records the decision, so the event holds the token's nonce (decision-log.ts);
  // stamped with the life of the experiment it is decided in (each attempt's snapshot).
  const random = newNonce();
  try {
    let recorded: 'b' | 'h' | undefined; // the population of the user's record, once the store said `moved`
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let snap = attempt === 0 ? await ctx.cache.get(experimentId, nowMs) : await ctx.cache.load(experimentId, nowMs);
      if (snap?.statsRefresh(nowMs) === 'before-deciding') snap = await ctx.cache.load(experimentId, nowMs);
      if (!snap) throw experimentNotFound(experimentId);
      if (snap.config.archivedAt) throw new ApiError('experiment_not_found', `experiment '${experimentId}' was archived at ${snap.config.archivedAt}`);
      const nonce = stampLife(random, snap.lifeTag);
      const ex = withFeatureContext(snap.config, extras); // issue 23: OFREP's attributes carry a contextual policy's features
      const features = requestFeatures(snap.config, ex.context); // issue 23: 400 before anything is decided
      const d = decide(snap, userId, ctx.rngFor(experimentId, snap.config.seed), nowMs, recorded, ex.context, ex.attributes);
      const userKey = userKeyOf(userId, d.population); // in the token, and in a default reward's due entry
      const withStats = snap.statsRefresh(nowMs) === 'with-assign';
      const res = await ctx.store.assign({
        experimentId, version: snap.version, population: d.population, armId: snap.armIds[d.armIndex],
        propensity: d.propensity, userId, sticky: snap.config.stickiness && !d.promoted, stickyTtlSeconds: snap.config.stickyTtlSeconds,
        now: Math.floor(nowMs / 1000), withStats, log: decisionLog(snap, nonce, nowMs, ex, d.propensityVector, d.excludedBy),
        // Default reward (issue 11): scheduled by the same store call that counts the decision.
        ...(snap.config.defaultReward && { defaultReward: { dueAt: Math.floor(nowMs / 1000) + snap.config.defaultReward.afterSeconds, ...(userKey !== undefined && { userKey }) } }),
      });
      if (res.kind === 'not_found') {
        ctx.cache.invalidate(experimentId); // lost from the store: a new life, if created again, is loaded afresh
        throw experimentNotFound(experimentId);
      }
      if (res.kind === 'stale') {
        ctx.metrics.staleRetry(experimentId);
        continue;
      }
      if (res.kind === 'moved') { recorded = res.population; continue; }
      if (res.stats) snap.setStats(res.stats, nowMs);
      ctx.metrics.decision(experimentId, res.armId, d.population);
      if (d.excludedBy) ctx.metrics.excluded(experimentId, d.excludedBy);
      const answer = result(ctx, snap, d.population, res.armId, res.propensity, res.sticky, nowMs, userKey, nonce, tokenFeatures(d.population, features));
      if (d.excludedBy) answer.excludedBy = d.excludedBy;
      return answer;
    }
    throw new StoreUnavailableError(`experiment '${experimentId}' kept changing during ${MAX_ATTEMPTS} attempts`);
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    return fallback(ctx, experimentId, nowMs, err);
  }
}

/** The store did not answer in time: serve the baseline (never a disabled arm) so the caller's request goes on. */
function fallback(ctx: ServiceContext, experimentId: string, nowMs: number, cause: StoreUnavailableError): SelectResult {
  const snap = ctx.cache.lastKnown(experimentId);
  // Never seen this experiment: there is no baseline to serve, so the caller gets a 503.
  if (!snap) throw storeUnavailable(`the store is unavailable and experiment '${experimentId}' is not cached: ${cause.message}`);
  ctx.metrics.fallback(experimentId);
  ctx.metrics.decision(experimentId, snap.config.baselineArmId, 'x');
  return { ...result(ctx, snap, 'x', snap.config.baselineArmId, 1, false, nowMs, undefined, stampLife(newNonce(), snap.lifeTag)), fallback: true };
}

function result(ctx: ServiceContext, snap: Snapshot, population: Population, armId: string, propensity: number, sticky: boolean, nowMs: number, u: string | undefined, nonce: string,
  x?: { x: number[] }): SelectResult {
  const arm = snap.config.arms[snap.armIds.indexOf(armId)];
  // A recorded decision's id is the one its event re-signs; a fallback (nothing recorded) has a fresh nonce.
  const decisionId = ctx.signer.signWith({ e: snap.config.id, a: armId, p: population, t: Math.floor(nowMs / 1000), q: propensity, k: nonce, ...(u && { u }), ...x });
  return {
    decisionId, experimentId: snap.config.id, armId, payload: arm.payload ?? null,
    population: POPULATION_NAMES[population], sticky, propensity,
  };
}
