/**
 * The inputs and results of the ledger's atomic steps (store.ts's Ledger and SignalLedger): what the
 * service hands a store to count a decision, a reward or a signal, and what comes back. Every store
 * implements each step as one atomic unit (a Lua script, a SQLite transaction, a synchronous block).
 */
import type { DecisionLog, RewardLog } from '../contract/event-log.js';
import type { DetectedChange, DisabledInfo, ExperimentStats, Guardrails } from '../contract/domain.js';
import type { Population } from '../contract/population.js';
import type { EngineSumsInput } from './engine-sums.js';
import type { ChangeSpec } from '../bandit/change-evidence.js';
import type { MetricValue } from './signals.js';

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
  /**
   * Declared metrics sent with the reward (issue 22): counted in this same step, each once per
   * (decision, name) like a signal (a name already signalled is skipped; a later signal of a name
   * counted here is a duplicate). Nothing of them is counted when the reward is a duplicate.
   */
  metrics?: MetricValue[];
  /**
   * The experiment has `changeDetection` (issue 24) and this is a bandit reward with a value: the
   * arm's GLR test runs in this same step (bandit/change-evidence.ts; reward.lua through
   * changes.lua), and a change restarts the arm's evidence (`Tally.since`).
   */
  changes?: ChangeSpec;
  /**
   * A linear policy's decision (issue 23): its encoded features x (bandit/features.ts, from the
   * decision token). A bandit reward with a value adds r x x^T to the arm's linear sums in this same
   * step (store/linear-sums.ts), exactly once with the reward.
   */
  linear?: { x: readonly number[] };
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
  /** `changeDetected`: this reward revealed a change of the arm (issue 24). */
  | { kind: 'accepted'; autoDisabled?: DisabledInfo; changeDetected?: DetectedChange }
  | { kind: 'duplicate' }
  /** The decision's default reward was applied already (issue 11). */
  | { kind: 'expired' }
  /** The experiment changed since `version`: reload its config and record again. */
  | { kind: 'stale' }
  | { kind: 'not_found' };

/** One signal (issue 22): the decision as a reward names it, one metric value, and the signal event's own fields. */
export interface SignalInput extends Pick<RewardInput,
  'experimentId' | 'armId' | 'population' | 'decisionKey' | 'issuedAt' | 'rewardWindowSeconds' | 'windowSize' | 'baseline' | 'nowMs' | 'version' | 'userSumsTtlSeconds'> {
  /** With its guardrail when the metric has one (the arm's window keeps `windowSize` values). */
  metric: MetricValue;
  log: { propensity: number; retentionSeconds: number; userKey?: string };
}

export type SignalResult =
  /** `changeDetected`: this reward revealed a change of the arm (issue 24). */
  | { kind: 'accepted'; autoDisabled?: DisabledInfo; changeDetected?: DetectedChange }
  | { kind: 'duplicate' }
  | { kind: 'stale' }
  | { kind: 'not_found' };
