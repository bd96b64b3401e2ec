/**
 * The embedded store's event log of one experiment: an append-only array trimmed by age (as the
 * Redis stream is with MINID) and capped at a number of events (the process's memory is the
 * limit here; bench/serving/event-log-cost.ts measures the bytes per event (`npm run bench:serving -- event-log`)).
 *
 * Event ids are `<ms>-<seq>` like Redis stream ids and increase even if the clock steps back.
 */
import { decodePropensities, eligibleFrom, type StoredDecisionEvent, type StoredEvent, type StoredRewardEvent, type StoredSignalEvent } from '../contract/event-log.js';
import type { AssignInput, RewardInput, SignalInput } from './store.js';
import type { Population } from '../contract/population.js';

/** Default cap of the embedded store's log, per experiment. */
export const MEMORY_LOG_MAX_EVENTS = 1_000_000;

/** One row per event, with only the fields it needs (a class each, so V8 gives every row one compact shape). */
class DecisionRow {
  readonly type = 'decision';
  constructor(
    readonly ms: number, readonly seq: number, readonly arm: number, readonly population: Population, readonly nonce: string,
    readonly issuedAt: number, readonly propensity: number, readonly version: number, readonly firstExposure: boolean,
    readonly userId: string | undefined, readonly context: string | undefined, readonly disabledArms: string, readonly traceparent: string | undefined,
    /** The encoded vector: one string per model refresh, shared by its decisions' rows. */
    readonly propensities: string | undefined,
    readonly excludedBy: string | undefined,
  ) {}
}
class RewardRow {
  readonly type = 'reward';
  constructor(
    readonly ms: number, readonly seq: number, readonly arm: number, readonly population: Population, readonly nonce: string,
    readonly issuedAt: number, readonly propensity: number, readonly reward: number | undefined, readonly latencyMs: number | undefined,
    readonly cost: number | undefined, readonly error: boolean, readonly metadata: string | undefined, readonly userKey: string | undefined,
    /** The metrics counted with the reward (issue 22), as JSON text. */
    readonly metrics: string | undefined,
  ) {}
}
/** A signal (issue 22). */
class SignalRow {
  readonly type = 'signal';
  constructor(
    readonly ms: number, readonly seq: number, readonly arm: number, readonly population: Population, readonly nonce: string,
    readonly issuedAt: number, readonly propensity: number, readonly name: string, readonly value: number, readonly userKey: string | undefined,
  ) {}
}
type Row = DecisionRow | RewardRow | SignalRow;

/** Rows in id order, of which those before `head` are trimmed (dropped in one splice once they are half the array). */
class RowList {
  rows: Row[] = [];
  head = 0;

  /** Trims the rows before the first that `keep` accepts (rows are in id order, so the rest are kept too). */
  trim(keep: (r: Row) => boolean): void {
    while (this.head < this.rows.length && !keep(this.rows[this.head])) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.rows.length) {
      this.rows.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The index of the first row after the cursor `ms-seq` (binary search). */
  after(cursor: string | null): number {
    if (cursor === null) return this.head;
    const [ms, seq] = cursor.split('-').map(Number);
    let lo = this.head, hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.rows[mid];
      if (r.ms < ms || (r.ms === ms && r.seq <= seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class MemoryEventLog {
  /** Every row, and the rows of each type (the same objects), so a page of one type is found without scanning the other. */
  private readonly all = new RowList();
  private readonly byType = { decision: new RowList(), reward: new RowList(), signal: new RowList() };
  private lastMs = 0;
  private lastSeq = -1;

  constructor(private readonly armIds: readonly string[], private readonly maxEvents = MEMORY_LOG_MAX_EVENTS) {}

  /** `sticky`: the user's earlier arm was served (then the decision's propensity vector is not kept: assign.lua's A.propensities). */
  appendDecision(input: AssignInput, armId: string, propensity: number, firstExposure: boolean, sticky = false): void {
    const { log } = input;
    const [ms, seq] = this.nextId(log.nowMs);
    this.push(new DecisionRow(ms, seq, this.armIds.indexOf(armId), input.population, log.nonce, input.now, propensity, input.version,
      firstExposure, input.userId, log.context, log.disabledArms, log.traceparent, sticky ? undefined : log.propensities, log.excludedBy), log.nowMs, log.retentionSeconds);
  }

  /** `metrics`: the JSON object of the metrics counted with the reward (issue 22). */
  appendReward(input: RewardInput, metrics?: string): void {
    const { log, event } = input;
    const [ms, seq] = this.nextId(input.nowMs);
    this.push(new RewardRow(ms, seq, this.armIds.indexOf(input.armId), input.population, input.decisionKey, input.issuedAt, log.propensity,
      input.reward, event.latencyMs, event.cost, event.error, log.metadata, input.userKey, metrics), input.nowMs, log.retentionSeconds);
  }

  appendSignal(input: SignalInput): void {
    const { log } = input;
    const [ms, seq] = this.nextId(input.nowMs);
    this.push(new SignalRow(ms, seq, this.armIds.indexOf(input.armId), input.population, input.decisionKey, input.issuedAt, log.propensity,
      input.metric.name, input.metric.value, log.userKey), input.nowMs, log.retentionSeconds);
  }

  /** Up to `limit` events (of `type` only, when given) after the cursor `after` (null: from the oldest kept), oldest first. */
  read(after: string | null, limit: number, type?: StoredEvent['type']): StoredEvent[] {
    const list = type === undefined ? this.all : this.byType[type];
    const i = list.after(after);
    return list.rows.slice(i, i + limit).map((r) => this.decode(r));
  }

  private nextId(nowMs: number): [number, number] {
    const ms = Math.max(Math.floor(nowMs), this.lastMs);
    this.lastSeq = ms === this.lastMs ? this.lastSeq + 1 : 0;
    this.lastMs = ms;
    return [ms, this.lastSeq];
  }

  private push(row: Row, nowMs: number, retentionSeconds: number): void {
    const { all } = this;
    all.rows.push(row);
    this.byType[row.type].rows.push(row);
    const minMs = nowMs - retentionSeconds * 1000;
    all.trim((r) => all.rows.length - all.head <= this.maxEvents && r.ms >= minMs);
    // The oldest row kept by the whole log bounds the rows kept of each type.
    const first = all.rows[all.head];
    const kept = (r: Row): boolean => first !== undefined && (r.ms > first.ms || (r.ms === first.ms && r.seq >= first.seq));
    this.byType.decision.trim(kept);
    this.byType.reward.trim(kept);
    this.byType.signal.trim(kept);
  }

  /** Plain assignments, not spreads of optional fields: a page of a million-event export decodes in a fraction of the time. */
  private decode(r: Row): StoredEvent {
    const eventId = `${r.ms}-${r.seq}`, armId = this.armIds[r.arm];
    if (r instanceof DecisionRow) {
      const e: StoredDecisionEvent = {
        eventId, ts: r.ms, nonce: r.nonce, armId, population: r.population, issuedAt: r.issuedAt, propensity: r.propensity,
        type: 'decision', version: r.version, firstExposure: r.firstExposure, eligibleArms: eligibleFrom(this.armIds, r.disabledArms),
      };
      if (r.userId !== undefined) e.userId = r.userId;
      if (r.context !== undefined) e.context = r.context;
      if (r.traceparent !== undefined) e.traceparent = r.traceparent;
      if (r.excludedBy !== undefined) e.excludedBy = r.excludedBy;
      const ps = decodePropensities(r.propensities, this.armIds.length);
      if (ps) e.propensities = ps;
      return e;
    }
    if (r instanceof SignalRow) {
      const e: StoredSignalEvent = { eventId, ts: r.ms, nonce: r.nonce, armId, population: r.population, issuedAt: r.issuedAt, propensity: r.propensity, type: 'signal', name: r.name, value: r.value };
      if (r.userKey !== undefined) e.userKey = r.userKey;
      return e;
    }
    const e: StoredRewardEvent = { eventId, ts: r.ms, nonce: r.nonce, armId, population: r.population, issuedAt: r.issuedAt, propensity: r.propensity, type: 'reward', error: r.error };
    if (r.metrics !== undefined) e.metrics = JSON.parse(r.metrics) as Record<string, number>;
    if (r.reward !== undefined) e.reward = r.reward;
    if (r.latencyMs !== undefined) e.latencyMs = r.latencyMs;
    if (r.cost !== undefined) e.cost = r.cost;
    if (r.metadata !== undefined) e.metadata = r.metadata;
    if (r.userKey !== undefined) e.userKey = r.userKey;
    return e;
  }
}
