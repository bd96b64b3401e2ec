/**
 * The Redis event log's encoding: the stream entries assign.lua and reward.lua append (field
 * layout in their headers), decoded into the stores' shared event type. One packed field plus the
 * optional ones keeps an entry small and XADD cheap (bench/memory/redis-memory.ts and bench/serving/event-log-cost.ts
 * measure both).
 */
import { decodePropensities, eligibleFrom, type StoredDecisionEvent, type StoredEvent, type StoredRewardEvent, type StoredSignalEvent } from '../contract/event-log.js';
import type { Population } from '../contract/population.js';

/**
 * XRANGE's reply ([id, [field, value, ...]] per entry) as events, with arm ids from the meta hash's
 * list. Optional fields are assigned, not spread: a page of a long export decodes in a fraction of the time.
 */
export function decodeStreamEntries(armIds: readonly string[], entries: [string, string[]][]): StoredEvent[] {
  return entries.map(([eventId, flat]) => decodeEntry(armIds, eventId, flat));
}

function decodeEntry(armIds: readonly string[], eventId: string, flat: string[]): StoredEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) f[flat[i]] = flat[i + 1];
  const packed = (f.d ?? f.r ?? f.g).split(' ');
  const ts = Number(eventId.slice(0, eventId.indexOf('-'))), nonce = packed[0], armId = armIds[Number(packed[1]) - 1];
  const population = packed[2] as Population, issuedAt = Number(packed[3]), propensity = Number(packed[4]);
  if (f.d !== undefined) {
    const [, , , , , version, first, disabled, propensities] = packed;
    const e: StoredDecisionEvent = {
      eventId, ts, nonce, armId, population, issuedAt, propensity, type: 'decision', version: Number(version), firstExposure: first === '1',
      eligibleArms: eligibleFrom(armIds, disabled),
    };
    if (f.u !== undefined) e.userId = f.u;
    if (f.c !== undefined) e.context = f.c;
    if (f.w !== undefined) e.traceparent = f.w;
    if (f.x !== undefined) e.excludedBy = f.x;
    const ps = decodePropensities(propensities, armIds.length);
    if (ps) e.propensities = ps;
    return e;
  }
  if (f.g !== undefined) { // signal.lua (issue 22)
    const e: StoredSignalEvent = { eventId, ts, nonce, armId, population, issuedAt, propensity, type: 'signal', name: packed[5], value: Number(packed[6]) };
    if (f.k !== undefined) e.userKey = f.k;
    return e;
  }
  const [, , , , , reward, latencyMs, cost, error] = packed;
  const e: StoredRewardEvent = { eventId, ts, nonce, armId, population, issuedAt, propensity, type: 'reward', error: error === '1' };
  if (reward !== '') e.reward = Number(reward);
  if (latencyMs !== '') e.latencyMs = Number(latencyMs);
  if (cost !== '') e.cost = Number(cost);
  if (f.m !== undefined) e.metadata = f.m;
  if (f.k !== undefined) e.userKey = f.k;
  if (f.M !== undefined) e.metrics = JSON.parse(f.M) as Record<string, number>;
  return e;
}
