/**
 * The storage interfaces, one per aggregate (experiments, the decision/reward ledger, history, API
 * keys, the event log, the secret), and `Store`, all of them: everything the service keeps, and
 * the only way it reaches it. The values they keep are the domain's (`contract/domain.ts`); the
 * input and result types of the ledger's steps are in `ledger-steps.ts` (re-exported here).
 *
 * Two implementations follow it branch for branch: `memory-store.ts` (the embedded default, one
 * process) and `redis-store.ts` (production, many replicas). Every write path is atomic: in Redis
 * it is one Lua script, in memory it is one synchronous block. The contract suite
 * (`test/store.contract.ts`) runs unchanged against both.
 *
 * The store knows nothing of HTTP and does no statistics: it keeps sums and counts, the sticky
 * assignments, the dedupe set, the guardrail windows and the arm states, and it answers with
 * plain values. Validation of inputs happens before the store is called.
 */
import type { StoredEvent } from '../contract/event-log.js';
import type {
  ApiKeyRecord, DisabledInfo, ExperimentConfig, ExperimentState, ExperimentStats, GuardrailWindow, HistoryPoint,
} from '../contract/domain.js';
import type { ClaimMode, ClaimResult, LayerClaim } from './layer-claims.js';
import type { MetricStats } from '../contract/metrics.js';
import type { AssignInput, AssignResult, DueDefault, RewardInput, RewardResult, SignalInput, SignalResult } from './ledger-steps.js';

export type { AssignInput, AssignResult, DueDefault, GuardrailEvent, RewardInput, RewardResult, SignalInput, SignalResult } from './ledger-steps.js';


export type ExperimentPatch = Partial<
  Pick<ExperimentConfig, 'status' | 'trafficPercent' | 'holdbackPercent' | 'guardrails' | 'endsAt' | 'updatedAt'
    | 'startsAt' | 'decisionRule' | 'holdbackPeriods' | 'promotion' | 'archivedAt' | 'targeting' | 'layer' | 'metrics' | 'changeDetection'>
>;

/**
 * Thrown by a store that cannot be reached in time (connection down, command timeout). The service
 * turns it into the contract's fallback decision or a 503; any other error is a bug (500).
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The experiments and their arm states. */
export interface ExperimentStore {
  /** Stores a new experiment at version 1. False when the id is taken. */
  createExperiment(config: ExperimentConfig): Promise<boolean>;
  getExperiment(id: string): Promise<ExperimentState | null>;
  /** All experiments, ordered by id. */
  listExperiments(): Promise<ExperimentState[]>;
  /** The ids of all experiments, ordered (for pages and the experiment cap; issue 10). */
  experimentIds(): Promise<string[]>;
  /** Applies the patch and bumps the version; null when the experiment does not exist. */
  updateExperiment(id: string, patch: ExperimentPatch): Promise<ExperimentState | null>;
  /** Disables (info) or enables (null) one arm and bumps the version; null when the experiment does not exist. */
  setArmState(id: string, armId: string, info: DisabledInfo | null): Promise<ExperimentState | null>;
  /**
   * Which life of the experiment the store holds (`${createdAt}|${life}`, as service/snapshot.ts's
   * lifeOf), or null when it holds none. Only a store that can lose its data behind a running
   * process (Redis) has it; the reward step then confirms its cached config is of this life.
   */
  experimentLife?(id: string): Promise<string | null>;
}

/** The decision/reward ledger: its atomic steps and what they count. */
export interface Ledger {
  /** The per-arm tallies of all populations, in the order of the experiment's arms. Null when unknown. */
  getStats(id: string): Promise<ExperimentStats | null>;
  /** Every arm's guardrail window, keyed by armId. */
  getGuardrailWindows(id: string): Promise<Record<string, GuardrailWindow>>;

  /**
   * Records one decision atomically: checks the version and that the arm is enabled, resolves the
   * sticky arm (bandit population with a userId and sticky on), stores a new sticky assignment when
   * there was none (or it pointed at a disabled arm, or expired), and counts the decision.
   * With a userId it keeps the user record (`StickyAssignment`, every population): no live record
   * (or an `x` one and a `b`/`h` decision) is a first exposure, counted in `users`; a live `b`/`h`
   * record of the other population answers `moved`; an `x` decision leaves the record as it is.
   */
  assign(input: AssignInput): Promise<AssignResult>;

  /**
   * Records one reward event atomically, exactly once per `decisionKey`: dedupe, tally of the
   * population, guardrail window, and the automatic disable when a limit is breached.
   */
  recordReward(input: RewardInput): Promise<RewardResult>;

  /** Up to `limit` decisions whose default is due at `now` (unix seconds), oldest first; applying one is `recordReward` with `defaults.apply`. */
  dueDefaultRewards(experimentId: string, now: number, limit: number): Promise<DueDefault[]>;
}


/** The signal ledger (issue 22, see signals.ts): the second kind of ledger step, next to the reward. */
export interface SignalLedger {
  /** Records one signal atomically, exactly once per (decisionKey, metric name); another version is `stale` and writes nothing. */
  recordSignal(input: SignalInput): Promise<SignalResult>;
  /** The sums and windows of the named metrics, every arm in the experiment's order; null when the experiment is unknown. */
  getMetricStats(id: string, names: readonly string[]): Promise<MetricStats | null>;
}

/** The experiments' history points (one per interval). */
export interface HistoryStore {
  /**
   * Adds the point unless one with the same `ts` exists (SET NX semantics: of any number of
   * replicas writing the same interval, one wins); true when this call wrote it. Points older than
   * `ts - retentionSeconds` are dropped in the same step.
   */
  writeHistoryPoint(experimentId: string, point: HistoryPoint, retentionSeconds: number): Promise<boolean>;
  /** The points with `fromTs <= ts <= toTs` (unix seconds), oldest first; the first `limit` of them (default: all). */
  readHistory(experimentId: string, fromTs: number, toTs: number, limit?: number): Promise<HistoryPoint[]>;
  /** The newest point with `ts <= atOrBeforeTs`, or null. */
  lastHistoryPoint(experimentId: string, atOrBeforeTs: number): Promise<HistoryPoint | null>;
}

/** The run-time API keys. */
export interface ApiKeyStore {
  /** API keys created at run time (issue 10): stored by id, the secret only as its hash. */
  createApiKey(key: ApiKeyRecord): Promise<void>;
  /** Every run-time key with its last flushed `lastUsedAt`, ordered by createdAt. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Deletes the key and tells every replica (see ApiKeyWatch); found false when there was no such key. */
  revokeApiKey(id: string): Promise<{ found: boolean; unconfirmed: number }>;
  /** Records when keys were last used (id -> ISO time, any id, configured keys too), in one write per flush, not per request. */
  touchApiKeys(lastUsed: Record<string, string>): Promise<void>;
  /** Every recorded lastUsedAt (id -> ISO time), configured keys included. */
  apiKeysLastUsed(): Promise<Record<string, string>>;
  /** The key set's version: bumped by every create and revoke. */
  apiKeysVersion(): Promise<number>;
  /** Calls `onChange` (and waits for it) after any key change on any replica; see ApiKeyWatch. */
  watchApiKeys(onChange: () => Promise<void>): ApiKeyWatch;
}

/** The event log (appended by the ledger's steps). */
export interface EventLogStore {
  /**
   * The experiment's event log: up to `limit` events after the cursor `after` (null: from the oldest
   * kept), oldest first. Each decision and each accepted reward is appended by `assign` and
   * `recordReward` in the same atomic step that counts it. Null when the experiment does not exist.
   */
  readEvents(id: string, after: string | null, limit: number): Promise<StoredEvent[] | null>;
  /**
   * `readEvents` of one type only, read through an index of the type (every store has one), so a
   * filtered page reads no events of the other types: it costs what it returns.
   */
  readEventsOfType(id: string, type: StoredEvent['type'], after: string | null, limit: number): Promise<StoredEvent[] | null>;
  /**
   * Only on a store whose type index is built after the writes (Redis; the others index in the
   * write itself): indexes one bounded slice of the log; true when the index holds the whole log.
   * Safe to call from every replica at once. Run by the background indexer (service/log-indexer.ts).
   */
  advanceLogIndex?(id: string): Promise<boolean>;
}

export interface LayerStore {
  /**
   * Layers: stores the experiment's claim on a range of the layer's buckets unless it overlaps a
   * live claim of another experiment (or, mode `create`, the experiment holds one already), in one
   * atomic step (layer-claims.ts `conflictOf`).
   */
  claimLayerRange(layerId: string, claim: LayerClaim, nowMs: number, mode: ClaimMode): Promise<ClaimResult>;
  /** Frees the experiment's claim in the layer (archive; a create that failed after claiming). */
  releaseLayerRange(layerId: string, experimentId: string): Promise<void>;
  /** The layer's claims (ended ones included until released), ordered by range. */
  readLayer(layerId: string): Promise<LayerClaim[]>;
}

export interface SecretStore {
  /** The decision-signing secret shared by every replica: created once, then always the same. */
  getOrCreateSecret(candidate: string): Promise<string>;
}

/**
 * Everything the service keeps, one aggregate per interface; an implementation is all of them. A
 * use case that needs one aggregate takes that interface alone.
 */
export interface Store extends ExperimentStore, Ledger, SignalLedger, HistoryStore, ApiKeyStore, EventLogStore, SecretStore, LayerStore {
  /** Throws when the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A replica's subscription to key changes. While `live()` is true every change made anywhere has
 * reached `onChange` before the change's revoke call returned (or was reported unconfirmed); while
 * it is false the caller must check `apiKeysVersion()` itself.
 */
export interface ApiKeyWatch {
  live(): boolean;
  close(): Promise<void>;
}
