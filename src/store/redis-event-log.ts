/**
 * The Redis event log's encoding: the stream entries assign.lua and reward.lua append (field
 * letters in their headers), decoded into the stores' shared event type. Short field names and
 * arm indexes keep an entry small (bench/event-log-memory.ts measures it).
 */
import { eligibleFrom, type StoredEvent } from './event-log.js';
import type { Population } from './store.js';

const opt = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
const optNumber = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

/** XRANGE's reply ([id, [field, value, ...]] per entry) as events, with arm ids from the meta hash's list. */
export function decodeStreamEntries(armIds: readonly string[], entries: [string, string[]][]): StoredEvent[] {
  return entries.map(([eventId, flat]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) f[flat[i]] = flat[i + 1];
    const base = {
      eventId, ts: Number(eventId.slice(0, eventId.indexOf('-'))), armId: armIds[Number(f.a) - 1],
      population: f.p as Population, issuedAt: Number(f.t), propensity: Number(f.q),
    };
    if (f.d !== undefined) {
      const userId = opt(f.u), context = opt(f.c), traceparent = opt(f.w);
      return {
        ...base, type: 'decision', nonce: f.d, version: Number(f.v), firstExposure: f.f === '1',
        eligibleArms: eligibleFrom(armIds, f.e), ...(userId !== undefined && { userId }),
        ...(context !== undefined && { context }), ...(traceparent !== undefined && { traceparent }),
      };
    }
    const reward = optNumber(f.x), latencyMs = optNumber(f.l), cost = optNumber(f.c), metadata = opt(f.m);
    return {
      ...base, type: 'reward', nonce: f.r, ...(reward !== undefined && { reward }), ...(latencyMs !== undefined && { latencyMs }),
      ...(cost !== undefined && { cost }), error: f.z === '1', ...(metadata !== undefined && { metadata }),
    };
  });
}
