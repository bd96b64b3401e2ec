/**
 * The SQLite store's event log: one row per event in `events`, appended inside the ledger step
 * that counts it, read a page at a time through the index (rid, ms, id), trimmed by age in bounded
 * batches. Event ids are `<ms>-<id>`: ms never goes back (as the memory log's), id is the row id,
 * so a cursor seeks the index whichever store's cursor it is.
 */
import type Database from 'better-sqlite3';
import { decodePropensities, eligibleFrom, type StoredDecisionEvent, type StoredEvent, type StoredRewardEvent, type StoredSignalEvent } from '../contract/event-log.js';
import type { AssignInput, RewardInput, SignalInput } from './store.js';
import type { Population } from '../contract/population.js';

/** At most this many old events are deleted per trim (one trim per TRIM_EVERY appends or per second, per experiment). */
export const TRIM_BATCH = 1000;
/** The `type` column: an event type's index here. */
const EVENT_TYPES: readonly StoredEvent['type'][] = ['decision', 'reward', 'signal'];
const TRIM_EVERY = 256;

interface EventRow {
  id: number; ms: number; type: number; arm: number; pop: Population; nonce: string; issued_at: number; propensity: number;
  version: number | null; first: number | null; user_id: string | null; context: string | null; disabled: string | null;
  traceparent: string | null; propensities: string | null; reward: number | null; latency: number | null; cost: number | null;
  error: number | null; metadata: string | null; user_key: string | null; excluded_by: string | null; metrics: string | null;
}

export class SqliteEvents {
  private lastMs: number;
  /** rid -> appends since the last trim, and when it ran (wall clock). */
  private readonly trims = new Map<number, { appends: number; at: number }>();
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      decision: db.prepare(`INSERT INTO events (rid, ms, type, arm, pop, nonce, issued_at, propensity, version, first, user_id, context, disabled, traceparent,
        propensities, excluded_by) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      reward: db.prepare(`INSERT INTO events (rid, ms, type, arm, pop, nonce, issued_at, propensity, reward, latency, cost, error, metadata, user_key, metrics)
        VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      // A signal (issue 22): type 2, its metric as the JSON object {name: value}.
      signal: db.prepare(`INSERT INTO events (rid, ms, type, arm, pop, nonce, issued_at, propensity, user_key, metrics)
        VALUES (?, ?, 2, ?, ?, ?, ?, ?, ?, ?)`),
      page: db.prepare<[number, number, number, number], EventRow>('SELECT * FROM events WHERE rid = ? AND (ms, id) > (?, ?) ORDER BY ms, id LIMIT ?'),
      first: db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE rid = ? ORDER BY ms, id LIMIT ?'),
      typedPage: db.prepare<[number, number, number, number, number], EventRow>('SELECT * FROM events WHERE rid = ? AND type = ? AND (ms, id) > (?, ?) ORDER BY ms, id LIMIT ?'),
      trim: db.prepare('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE rid = ? AND ms < ? ORDER BY ms, id LIMIT ?)'),
    };
    this.lastMs = (db.prepare('SELECT max(ms) AS ms FROM events').get() as { ms: number | null }).ms ?? 0;
  }

  /** Inside the assign transaction. `sticky`: the user's earlier arm was served (its propensity vector is not kept, as assign.lua's A.propensities). */
  appendDecision(rid: number, arm: number, input: AssignInput, propensity: number, firstExposure: boolean, sticky: boolean): void {
    const { log } = input;
    this.s.decision.run(rid, this.nextMs(log.nowMs), arm, input.population, log.nonce, input.now, propensity, input.version, firstExposure ? 1 : 0,
      input.userId ?? null, log.context ?? null, log.disabledArms, log.traceparent ?? null, sticky ? null : log.propensities ?? null, log.excludedBy ?? null);
    this.maybeTrim(rid, log.nowMs, log.retentionSeconds);
  }

  /** Inside the reward transaction; `metrics`: the JSON object of the metrics counted with it (issue 22). */
  appendReward(rid: number, arm: number, input: RewardInput, metrics?: string): void {
    const { log, event } = input;
    this.s.reward.run(rid, this.nextMs(input.nowMs), arm, input.population, input.decisionKey, input.issuedAt, log.propensity,
      input.reward ?? null, event.latencyMs ?? null, event.cost ?? null, event.error ? 1 : 0, log.metadata ?? null, input.userKey ?? null, metrics ?? null);
    this.maybeTrim(rid, input.nowMs, log.retentionSeconds);
  }

  /** Inside the signal transaction (issue 22). */
  appendSignal(rid: number, arm: number, input: SignalInput): void {
    const { log } = input;
    this.s.signal.run(rid, this.nextMs(input.nowMs), arm, input.population, input.decisionKey, input.issuedAt, log.propensity,
      log.userKey ?? null, JSON.stringify({ [input.metric.name]: input.metric.value }));
    this.maybeTrim(rid, input.nowMs, log.retentionSeconds);
  }

  /** Up to `limit` events after the cursor (null: from the oldest kept), oldest first. */
  read(rid: number, armIds: readonly string[], after: string | null, limit: number): StoredEvent[] {
    let rows: EventRow[];
    if (after === null) rows = this.s.first.all(rid, limit);
    else {
      const [ms, id] = after.split('-').map(Number);
      rows = this.s.page.all(rid, ms, id, limit);
    }
    return rows.map((r) => decode(r, armIds));
  }

  /** The same, of one type only, through the index (rid, type, ms, id). */
  readOfType(rid: number, armIds: readonly string[], type: StoredEvent['type'], after: string | null, limit: number): StoredEvent[] {
    const [ms, id] = after === null ? [-1, -1] : after.split('-').map(Number);
    return this.s.typedPage.all(rid, EVENT_TYPES.indexOf(type), ms, id, limit).map((r) => decode(r, armIds));
  }

  private nextMs(nowMs: number): number {
    this.lastMs = Math.max(Math.floor(nowMs), this.lastMs);
    return this.lastMs;
  }

  /** Deletes up to TRIM_BATCH events older than the retention, every TRIM_EVERY appends or once a second per experiment. */
  private maybeTrim(rid: number, nowMs: number, retentionSeconds: number): void {
    let t = this.trims.get(rid);
    if (!t) this.trims.set(rid, (t = { appends: TRIM_EVERY, at: 0 }));
    t.appends += 1;
    const wall = Date.now();
    if (t.appends < TRIM_EVERY && wall - t.at < 1000) return;
    t.appends = 0;
    t.at = wall;
    this.s.trim.run(rid, nowMs - retentionSeconds * 1000, TRIM_BATCH);
  }
}

/** Optional fields are assigned, not spread: a page of a long export decodes in a fraction of the time. */
function decode(r: EventRow, armIds: readonly string[]): StoredEvent {
  const eventId = `${r.ms}-${r.id}`, armId = armIds[r.arm];
  if (r.type === 0) {
    const e: StoredDecisionEvent = {
      eventId, ts: r.ms, nonce: r.nonce, armId, population: r.pop, issuedAt: r.issued_at, propensity: r.propensity,
      type: 'decision', version: r.version!, firstExposure: r.first === 1, eligibleArms: eligibleFrom(armIds, r.disabled ?? ''),
    };
    if (r.user_id !== null) e.userId = r.user_id;
    if (r.context !== null) e.context = r.context;
    if (r.traceparent !== null) e.traceparent = r.traceparent;
    if (r.excluded_by !== null) e.excludedBy = r.excluded_by;
    const ps = decodePropensities(r.propensities ?? undefined, armIds.length);
    if (ps) e.propensities = ps;
    return e;
  }
  if (r.type === 2) {
    const [[name, value]] = Object.entries(JSON.parse(r.metrics!) as Record<string, number>);
    const e: StoredSignalEvent = { eventId, ts: r.ms, nonce: r.nonce, armId, population: r.pop, issuedAt: r.issued_at, propensity: r.propensity, type: 'signal', name, value };
    if (r.user_key !== null) e.userKey = r.user_key;
    return e;
  }
  const e: StoredRewardEvent = { eventId, ts: r.ms, nonce: r.nonce, armId, population: r.pop, issuedAt: r.issued_at, propensity: r.propensity, type: 'reward', error: r.error === 1 };
  if (r.metrics !== null) e.metrics = JSON.parse(r.metrics) as Record<string, number>;
  if (r.reward !== null) e.reward = r.reward;
  if (r.latency !== null) e.latencyMs = r.latency;
  if (r.cost !== null) e.cost = r.cost;
  if (r.metadata !== null) e.metadata = r.metadata;
  if (r.user_key !== null) e.userKey = r.user_key;
  return e;
}
