/**
 * GET /experiments/:id/events: the event log exported as NDJSON (every event, as the contract names
 * its fields) or as Vowpal Wabbit's DSJSON (one line per rewarded bandit decision), streamed a page
 * at a time so that no export holds more than a page of the log (DSJSON also keeps the decisions
 * still waiting for their reward, at most one reward window's worth).
 */
import type { z } from 'zod';
import type { ExcludedBy } from '../contract/targeting.js';
import type { EventLine, EventsQuery } from '../contract/events.js';
import { dsjsonLine } from '../format/dsjson.js';
import { ApiError } from '../errors.js';
import { parseEventId, type StoredDecisionEvent, type StoredEvent } from '../contract/event-log.js';
import type { ExperimentConfig } from '../contract/domain.js';
import type { ServiceContext } from './context.js';
import { userKeyOf } from './decision-log.js';
import { loggedFeatures } from './decision-features.js';
import { PROPENSITY_DRAWS } from '../bandit/linear-thompson.js';
import { LOG_PAGE } from './log-turns.js';
import { allEvents } from './replay.js';
import { POPULATION_NAMES } from './select.js';

export type ExportQuery = z.output<typeof EventsQuery>;

const iso = (ms: number): string => new Date(ms).toISOString();
/** The stored context or metadata (always an object's JSON text: the request schemas say so), or null. */
const json = (text: string | undefined): Record<string, unknown> | null => (text === undefined ? null : JSON.parse(text));

/** The decisionId that /select answered for this event: re-signed from the stored fields (null if they cannot be). */
export function decisionIdOf(ctx: ServiceContext, config: ExperimentConfig, ev: StoredEvent): string | null {
  try {
    // The token's user key (select.ts): from the decision's userId, or as the reward event kept it.
    const u = ev.type === 'decision' ? userKeyOf(ev.userId, ev.population) : ev.userKey;
    // A linear policy's decision carried its features (issue 23), read again from the logged context.
    const x = ev.type === 'decision' ? loggedFeatures(config, ev.population, ev.context) : undefined;
    return ctx.signer.signWith({ e: config.id, a: ev.armId, p: ev.population, t: ev.issuedAt, q: ev.propensity, k: ev.nonce, ...(u && { u }), ...x });
  } catch {
    return null; // written by a tool with a made-up nonce (benchmarks), never by /select
  }
}

/** One event as the contract names its fields. */
export function publicEvent(ctx: ServiceContext, config: ExperimentConfig, ev: StoredEvent): z.infer<typeof EventLine> {
  const common = { eventId: ev.eventId, ts: iso(ev.ts), decisionId: decisionIdOf(ctx, config, ev), experimentId: config.id };
  if (ev.type === 'decision') {
    return {
      type: ev.type, ...common, experimentVersion: ev.version, armId: ev.armId, population: POPULATION_NAMES[ev.population], propensity: ev.propensity,
      firstExposure: ev.firstExposure, policy: config.policy, userId: ev.userId ?? null, context: json(ev.context),
      eligibleArms: ev.eligibleArms, traceparent: ev.traceparent ?? null, ...(ev.excludedBy && { excludedBy: ev.excludedBy as ExcludedBy }),
      ...(ev.propensities && { propensities: Object.fromEntries(config.arms.flatMap((a, i) => (ev.eligibleArms.includes(a.id) ? [[a.id, ev.propensities![i]]] : []))) }),
      ...(ev.propensities && config.policy === 'linear-thompson' && { propensityDraws: PROPENSITY_DRAWS }),
    };
  }
  if (ev.type === 'signal') return { type: ev.type, ...common, armId: ev.armId, population: POPULATION_NAMES[ev.population], name: ev.name, value: ev.value };
  return {
    type: ev.type, ...common, armId: ev.armId, population: POPULATION_NAMES[ev.population], propensity: ev.propensity, reward: ev.reward ?? null,
    latencyMs: ev.latencyMs ?? null, cost: ev.cost ?? null, error: ev.error, metadata: json(ev.metadata), decisionTs: iso(ev.issuedAt * 1000),
    ...(ev.metrics && { metrics: ev.metrics }),
  };
}

/** Checks the request before the 200 goes out (404, 400), then streams the lines. */
export async function exportEvents(ctx: ServiceContext, experimentId: string, q: ExportQuery): Promise<AsyncGenerator<string>> {
  const state = await ctx.store.getExperiment(experimentId);
  if (!state) throw new ApiError('experiment_not_found', `experiment '${experimentId}' does not exist`);
  const after = q.after === undefined ? null : parseEventId(q.after);
  if (q.after !== undefined && after === null) throw new ApiError('invalid_request', `after: '${q.after}' is not an eventId (the eventId of an exported event, e.g. 1750000000000-0)`);
  // A type filter is read through the store's index of the type where it has one (NDJSON only: DSJSON pairs both types).
  const type = q.format === 'dsjson' ? undefined : q.type;
  // A short page (limit=1) reads no more than it answers (DSJSON's lines pair events, so it reads whole pages).
  const pageSize = q.format === 'dsjson' ? LOG_PAGE : Math.min(LOG_PAGE, q.limit ?? LOG_PAGE);
  const events = allEvents(ctx.store, experimentId, after, pageSize, type);
  return q.format === 'dsjson' ? dsjsonChunks(ctx, state.config, events, q.limit) : ndjsonChunks(ctx, state.config, events, q);
}

async function* ndjsonChunks(ctx: ServiceContext, config: ExperimentConfig, events: AsyncGenerator<StoredEvent>, q: ExportQuery): AsyncGenerator<string> {
  let left = q.limit ?? Infinity;
  let chunk = '';
  for await (const ev of events) {
    if (left <= 0) break;
    if (q.type !== undefined && ev.type !== q.type) continue;
    chunk += JSON.stringify(publicEvent(ctx, config, ev)) + '\n';
    left -= 1;
    if (chunk.length >= 64 * 1024) { yield chunk; chunk = ''; }
  }
  if (chunk) yield chunk;
}

async function* dsjsonChunks(ctx: ServiceContext, config: ExperimentConfig, events: AsyncGenerator<StoredEvent>, limit = Infinity): AsyncGenerator<string> {
  // Bandit decisions waiting for their reward, oldest first (a Map keeps insertion order); one past the
  // reward window can no longer be rewarded and is dropped.
  const armIds = config.arms.map((a) => a.id); // the order of a decision's propensity vector
  const pending = new Map<string, StoredDecisionEvent>();
  let left = limit;
  let chunk = '';
  for await (const ev of events) {
    if (left <= 0) break;
    if (ev.population !== 'b') continue;
    if (ev.type === 'decision') {
      pending.set(ev.nonce, ev);
      for (const [nonce, d] of pending) {
        if (d.issuedAt + config.rewardWindowSeconds >= ev.issuedAt) break;
        pending.delete(nonce);
      }
      continue;
    }
    if (ev.type === 'signal') continue;
    const d = pending.get(ev.nonce);
    if (!d || ev.reward === undefined) continue;
    pending.delete(ev.nonce);
    chunk += dsjsonLine(d, ev, decisionIdOf(ctx, config, d), armIds) + '\n';
    left -= 1;
    if (chunk.length >= 64 * 1024) { yield chunk; chunk = ''; }
  }
  if (chunk) yield chunk;
}
