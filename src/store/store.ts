/**
 * The store interface: everything the service keeps, and the only way it reaches it.
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
import type { z } from 'zod';
import type {
  DisabledInfoSchema, ExperimentConfigSchema, GuardrailLimitsSchema, HoldbackPeriodSchema, PromotionSchema, PromotionStageSchema,
} from '../contract/experiment-config.js';
import type { ArmSchema } from '../contract/experiment.js';
import type { HistoryArmSchema, HistoryHoldbackSchema } from '../contract/history.js';
import type { SCOPES } from '../contract/keys.js';
import type { EngineSums, EngineSumsInput } from './engine-sums.js';
import type { DecisionLog, RewardLog, StoredEvent } from './event-log.js';

/** The priors are the math's own types; the store keeps them inside the config. */
export type { BetaPrior, NormalGammaPrior } from '../bandit/posterior.js';
export type { PolicyName as Policy } from '../bandit/policy-names.js';
export type { Population } from './population.js';
import type { Population } from './population.js';

// The experiment's value types are derived from its schema (contract/experiment-config.ts), so that
// the store, the service and the OpenAPI document declare each field once.
/** An experiment's settings as created and patched; arm states are kept apart (`ArmState`). */
export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;
export type ArmConfig = z.output<typeof ArmSchema>;
export type { RewardModel } from '../contract/experiment.js';
export type ExperimentStatus = ExperimentConfig['status'];
export type Guardrails = z.infer<typeof GuardrailLimitsSchema>;
export type HoldbackPeriod = z.infer<typeof HoldbackPeriodSchema>;
export type PromotionStage = z.infer<typeof PromotionStageSchema>;
export type Promotion = z.infer<typeof PromotionSchema>;
/** Why an arm is disabled. `source` says who did it; `guardrail` is set when a guardrail did. */
export type DisabledInfo = z.infer<typeof DisabledInfoSchema>;

/** An experiment as the store holds it: settings, disabled arms, and a version that every change bumps. */
export interface ExperimentState {
  config: ExperimentConfig;
  /** armId -> why it is disabled; an arm that is absent is enabled. */
  disabled: Record<string, DisabledInfo>;
  /** Incremented by every change to the config or to an arm's state (the cache key of replicas). */
  version: number;
}

/** The sufficient statistics of one arm in one population. Sums only, so arrival order does not matter. */
export interface Tally {
  /** Decisions served. */
  decisions: number;
  /** Rewards received (events that carried a reward value). */
  rewards: number;
  /** Sum of reward values. */
  sum: number;
  /** Sum of squared reward values. */
  sumSq: number;
  /** Cost and discounted sums, only for an experiment with an objective or a discount (engine-sums.ts). */
  engine?: EngineSums;
  /**
   * Distinct users whose first exposure in this population was to this arm (the user record;
   * every decision without a userId counts as one user). Counted atomically with the decision.
   */
  users: number;
}

/** Counters over the rolling guardrail window of one arm (all populations). */
export interface GuardrailWindow {
  /** Events in the window. */
  samples: number;
  /** The latency values in the window (for the p95), oldest first. */
  latencies: number[];
  costSamples: number;
  costSum: number;
  errors: number;
}

export interface ArmStats {
  armId: string;
  bandit: Tally;
  holdback: Tally;
  excluded: Tally;
}

/**
 * Per-user sums over the users of one population (bandit or holdback), for the user-level
 * (delta-method) variance: with S_i the reward sum and N_i the reward count of user i,
 * `sumSq` = sum S_i^2, `countSq` = sum N_i^2, `cross` = sum S_i N_i. (Sum S_i and sum N_i are the
 * arms' `sum` and `rewards`; the number of users is the arms' `users`.) A decision without a
 * userId is its own user.
 */
export interface UserSums {
  sumSq: number;
  countSq: number;
  cross: number;
}

export interface ExperimentStats {
  arms: ArmStats[];
  /** Per-user sums of the bandit (b) and holdback (h) populations; absent: none recorded. */
  users?: { b: UserSums; h: UserSums };
}

/**
 * The per-user record (one per experiment and user, every population): the population and arm the
 * user got first. Its arm is the sticky arm (bandit population, stickiness on); its population wins
 * over the one computed from today's settings (a holdback change never moves a user already in).
 * It lives stickyTtlSeconds from when it was written, like the sticky arm it also is.
 */
export interface StickyAssignment {
  armId: string;
  /** The propensity with which the arm was first chosen. */
  propensity: number;
  /** Unix seconds when it was assigned. */
  assignedAt: number;
  /** The population of the user's first decision (`x` is replaced by `b`/`h` when the user enters). */
  population: Population;
}

export interface AssignInput {
  experimentId: string;
  /** The version of the experiment the caller's choice was made with. */
  version: number;
  population: Population;
  /** The arm the caller chose. Must be enabled (the store re-checks). */
  armId: string;
  propensity: number;
  /**
   * With a userId the store keeps the user record: an existing record's population wins (else
   * `moved`), and with stickiness on (bandit population) its arm wins too.
   */
  userId?: string;
  sticky: boolean;
  stickyTtlSeconds: number;
  /** Unix seconds. */
  now: number;
  /** Also return every arm's tallies (after this decision), so a caller refreshes its cache in the same round trip. */
  withStats: boolean;
  /** The decision event's own fields (the event log). */
  log: DecisionLog;
  /**
   * The experiment has `defaultReward` (issue 11): the decision goes on its due set in the same
   * atomic step that counts it (decision key: `log.nonce`; issuedAt: `now`; the served arm and
   * propensity), due at `dueAt` (unix seconds); `userKey`: the decision token's user key.
   */
  defaultReward?: { dueAt: number; userKey?: string };
}

export type AssignResult =
  /** `firstExposure`: the user's first decision in the experiment (or first after an `x` record); always true without a userId. */
  | { kind: 'served'; armId: string; propensity: number; sticky: boolean; firstExposure: boolean; stats?: ExperimentStats }
  /** The user's record puts them in another population than the caller computed: choose again in `population`. */
  | { kind: 'moved'; population: 'b' | 'h' }
  /** The experiment changed since `version` (or the chosen arm is disabled): reload and choose again. */
  | { kind: 'stale' }
  | { kind: 'not_found' };

export interface GuardrailEvent {
  latencyMs?: number;
  cost?: number;
  error: boolean;
}

export interface RewardInput {
  experimentId: string;
  armId: string;
  population: Population;
  /** Unique per decision (from the decision token): the dedupe key. */
  decisionKey: string;
  /** Unix seconds when the decision was made; the dedupe entry lives until issuedAt + rewardWindowSeconds. */
  issuedAt: number;
  rewardWindowSeconds: number;
  /** Absent when the event carried no reward (an error without a value). */
  reward?: number;
  event: GuardrailEvent;
  /** Limits to check after the event is added; null when guardrails are off. */
  guardrails: Guardrails | null;
  /** How many recent events the arm's window keeps (guardrails.windowSize, or the default when off). */
  windowSize: number;
  /** The baseline arm is never disabled automatically. */
  baseline: boolean;
  /** Milliseconds since the epoch: the time of the reward (and of an automatic disable). */
  nowMs: number;
  /** The experiment version `guardrails` come from: another version answers `stale` and writes nothing. */
  version?: number;
  /** The decision's user (12 characters from the decision id); absent without a userId. Keys the per-user sums. */
  userKey?: string;
  /** How long the per-user sums must be kept after this reward (stickyTtlSeconds + rewardWindowSeconds). */
  userSumsTtlSeconds?: number;
  /** The reward event's own fields (the event log). */
  log: RewardLog;
  /** The engine's extra sums to keep (cost, discount); absent: none. */
  engine?: EngineSumsInput;
  /**
   * The experiment has `defaultReward` (issue 11): the reward takes the decision off the due set,
   * and one after its default was applied is `expired`. `apply`: this call IS the default (counted
   * in the tally and engine sums, not in the guardrail window). `late`: the reward came after
   * afterSeconds: `expired` unless it is a duplicate (nothing is recorded).
   */
  defaults?: { apply: boolean; late?: boolean };
}

/** A decision waiting for its default reward (issue 11). */
export interface DueDefault {
  decisionKey: string;
  armId: string;
  population: Population;
  /** Unix seconds of the decision, and when its default is due. */
  issuedAt: number;
  dueAt: number;
  /** The decision's propensity (for the default's event in the log). */
  propensity: number;
  /** The decision token's user key, when it had one (the default then counts as that user's reward). */
  userKey?: string;
}

export type RewardResult =
  | { kind: 'accepted'; autoDisabled?: DisabledInfo }
  | { kind: 'duplicate' }
  /** The decision's default reward was applied already (issue 11). */
  | { kind: 'expired' }
  /** The experiment changed since `version`: reload its config and record again. */
  | { kind: 'stale' }
  | { kind: 'not_found' };

export type ExperimentPatch = Partial<
  Pick<ExperimentConfig, 'status' | 'trafficPercent' | 'holdbackPercent' | 'guardrails' | 'endsAt' | 'updatedAt'
    | 'startsAt' | 'decisionRule' | 'holdbackPeriods' | 'promotion' | 'archivedAt'>
>;

/** One arm in a history point (HistoryArmSchema): cumulative bandit figures as of the point, and its share of the interval's bandit decisions. */
export type HistoryArm = z.infer<typeof HistoryArmSchema>;

/** One point of an experiment's history, written once per interval (see writeHistoryPoint): the answer's point with `ts` in unix seconds. */
export interface HistoryPoint {
  /** Unix seconds: the start of the interval (a multiple of the interval length). */
  ts: number;
  arms: HistoryArm[];
  holdback: z.infer<typeof HistoryHoldbackSchema>;
}

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

export interface Store {
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

  /**
   * Adds the point unless one with the same `ts` exists (SET NX semantics: of any number of
   * replicas writing the same interval, one wins); true when this call wrote it. Points older than
   * `ts - retentionSeconds` are dropped in the same step.
   */
  writeHistoryPoint(experimentId: string, point: HistoryPoint, retentionSeconds: number): Promise<boolean>;
  /** The points with `fromTs <= ts <= toTs` (unix seconds), oldest first. */
  readHistory(experimentId: string, fromTs: number, toTs: number): Promise<HistoryPoint[]>;
  /** The newest point with `ts <= atOrBeforeTs`, or null. */
  lastHistoryPoint(experimentId: string, atOrBeforeTs: number): Promise<HistoryPoint | null>;
  /** API keys created at run time (issue 10): stored by id, the secret only as its hash. */
  createApiKey(key: ApiKeyRecord): Promise<void>;
  /**
   * Which life of the experiment the store holds (`${createdAt}|${life}`, as service/snapshot.ts's
   * lifeOf), or null when it holds none. Only a store that can lose its data behind a running
   * process (Redis) has it; the reward step then confirms its cached config is of this life.
   */
  experimentLife?(id: string): Promise<string | null>;
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
  /**
   * The experiment's event log: up to `limit` events after the cursor `after` (null: from the oldest
   * kept), oldest first. Each decision and each accepted reward is appended by `assign` and
   * `recordReward` in the same atomic step that counts it. Null when the experiment does not exist.
   */
  readEvents(id: string, after: string | null, limit: number): Promise<StoredEvent[] | null>;
  /**
   * `readEvents` of one type only, found through an index of that type (so a page costs what it
   * returns, not the events of the other type it skips). Optional: without it the service reads
   * every event in pages and keeps those of the type (service/replay.ts, allEvents).
   */
  readEventsOfType?(id: string, type: StoredEvent['type'], after: string | null, limit: number): Promise<StoredEvent[] | null>;

  /** The decision-signing secret shared by every replica: created once, then always the same. */
  getOrCreateSecret(candidate: string): Promise<string>;
  /** Throws when the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type ApiKeyScope = (typeof SCOPES)[number];

/** A run-time API key as stored: never the key itself, only its SHA-256 (hex). */
export interface ApiKeyRecord {
  id: string;
  scope: ApiKeyScope;
  name: string;
  hash: string;
  createdAt: string;
  lastUsedAt: string | null;
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
