/**
 * The domain's value types: what an experiment is, what the ledger counts, what the history and
 * the key set keep. Every layer reads them; they live here, below the store, so that nothing
 * imports a domain type from `store/` (the storage interfaces in `store/store.ts` take and give
 * these values). Types only: the schemas they are derived from are in this folder too.
 */
import type { z } from 'zod';
import type {
  DisabledInfoSchema, ExperimentConfigSchema, GuardrailLimitsSchema, HoldbackPeriodSchema, PromotionSchema, PromotionStageSchema,
} from './experiment-config.js';
import type { ArmSchema } from './experiment.js';
import type { HistoryArmSchema, HistoryHoldbackSchema } from './history.js';
import type { SCOPES } from './keys.js';
import type { Population } from './population.js';

// The experiment's value types are derived from its schema (contract/experiment-config.ts), so that
// the store, the service and the OpenAPI document declare each field once.
/** An experiment's settings as created and patched; arm states are kept apart (`ArmState`). */
export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;
export type ArmConfig = z.output<typeof ArmSchema>;
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
  /** Cost and discounted sums, only for an experiment with an objective or a discount (EngineSums, kept by store/engine-sums.ts). */
  engine?: EngineSums;
  /**
   * Change detection (issue 24), bandit population only: the rewards of this tally that are not the
   * arm's evidence, being from before its last restart (absent: no restart yet), so that the
   * evidence is the tally minus them; and the changes detected, newest first (at most MAX_CHANGES_KEPT).
   */
  beforeChange?: EvidenceSums;
  changes?: DetectedChange[];
  /**
   * Distinct users whose first exposure in this population was to this arm (the user record;
   * every decision without a userId counts as one user). Counted atomically with the decision.
   */
  users: number;
}

/** A tally with nothing counted yet. */
export const emptyTally = (): Tally => ({ decisions: 0, rewards: 0, sum: 0, sumSq: 0, users: 0 });

/** Reward sums: count, sum, sum of squares. */
export interface EvidenceSums {
  rewards: number;
  sum: number;
  sumSq: number;
}

/** A detected change: when it was detected, and the decision time the new segment starts at (unix seconds). */
export interface DetectedChange {
  detectedAt: number;
  at: number;
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
  /** A linear policy's sums of the bandit population (issue 23, bandit/linear-model.ts); absent: none yet, or not a linear policy. */
  linear?: Float64Array;
  /** With changeDetection (issue 24): `linear` as of the arm's last restart; the evidence is the difference (bandit/change-evidence.ts linearEvidence). */
  linearBefore?: Float64Array;
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

/** Per-user sums with no user yet. */
export const emptyUserSums = (): UserSums => ({ sumSq: 0, countSq: 0, cross: 0 });

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

/** Decayed sums valued at `at` (unix seconds): the data of bandit/discount.ts's DecayedEvidence. */
export interface DecayedSums {
  rewards: number;
  sum: number;
  sumSq: number;
  costs: number;
  costSum: number;
  costSumSq: number;
  at: number;
}

/** The engine's extra sums of one arm and population (store/engine-sums.ts keeps them up to date). */
export interface EngineSums {
  /** Rewards that carried a cost, their sum and sum of squares (undiscounted). */
  costs: number;
  costSum: number;
  costSumSq: number;
  /** The discounted sums valued at `decayed.at` (unix seconds); absent without a discount. */
  decayed?: DecayedSums;
  /** rewardShape hurdle-lognormal (bandit/hurdle.ts): nonzero rewards, sum and sum of squares of their logs; absent otherwise. */
  hurdle?: { nonzero: number; logSum: number; logSumSq: number };
}

/** One arm in a history point (HistoryArmSchema): cumulative bandit figures as of the point, and its share of the interval's bandit decisions. */
export type HistoryArm = z.infer<typeof HistoryArmSchema>;

/** One point of an experiment's history, written once per interval (see writeHistoryPoint): the answer's point with `ts` in unix seconds. */
export interface HistoryPoint {
  /** Unix seconds: the start of the interval (a multiple of the interval length). */
  ts: number;
  arms: HistoryArm[];
  holdback: z.infer<typeof HistoryHoldbackSchema>;
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
