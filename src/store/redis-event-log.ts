/**
 * The Redis event log's encoding: the stream entries assign.lua and reward.lua append (field
 * layout in their headers), decoded into the stores' shared event type. One packed field plus the
 * optional ones keeps an entry small and XADD cheap (bench/redis-memory.ts and bench/event-log-cost.ts
 * measure both).
 */
import { eligibleFrom, propensitiesField, type StoredEvent } from '../contract/event-log.js';
import type { Population } from '../contract/population.js';

/** XRANGE's reply ([id, [field, value, ...]] per entry) as events, with arm ids from the meta hash's list. */
export function decodeStreamEntries(armIds: readonly string[], entries: [string, string[]][]): StoredEvent[] {
  return entries.map(([eventId, flat]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) f[flat[i]] = flat[i + 1];
    const packed = (f.d ?? f.r ?? f.g).split(' ');
    const base = {
      eventId, ts: Number(eventId.slice(0, eventId.indexOf('-'))), nonce: packed[0], armId: armIds[Number(packed[1]) - 1],
      population: packed[2] as Population, issuedAt: Number(packed[3]), propensity: Number(packed[4]),
    };
    if (f.d !== undefined) {
      const [, , , , , version, first, disabled, propensities] = packed;
      return {
        ...base, type: 'decision', version: Number(version), firstExposure: first === '1', eligibleArms: eligibleFrom(armIds, disabled),
        ...(f.u !== undefined && { userId: f.u }), ...(f.c !== undefined && { context: f.c }), ...(f.w !== undefined && { traceparent: f.w }),
        ...(f.x !== undefined && { excludedBy: f.x }), ...propensitiesField(propensities, armIds.length),
      };
    }
    if (f.g !== undefined) return { ...base, type: 'signal', name: packed[5], value: Number(packed[6]), ...(f.k !== undefined && { userKey: f.k }) }; // signal.lua (issue 22)
    const [, , , , , reward, latencyMs, cost, error] = packed;
    return {
      ...base, type: 'reward', ...(reward !== '' && { reward: Number(reward) }), ...(latencyMs !== '' && { latencyMs: Number(latencyMs) }),
      ...(cost !== '' && { cost: Number(cost) }), error: error === '1', ...(f.m !== undefined && { metadata: f.m }),
      ...(f.k !== undefined && { userKey: f.k }), ...(f.M !== undefined && { metrics: JSON.parse(f.M) as Record<string, number> }),
    };
  });
}
