/**
 * The event log's value types, shared by both stores: what `assign` and `recordReward` append (in
 * the same atomic step that counts the event), and what `readEvents` gives back.
 *
 * An event holds only what cannot be derived later: the arm and population, the token's nonce,
 * issuedAt and propensity (so the export re-signs the very decisionId that was served, see
 * DecisionSigner.signWith), and the request's own fields. The experiment id, the policy and the
 * arm ids are the experiment's, added when the log is read.
 */
import type { Population } from './population.js';

/** What the decision event records beyond AssignInput's own fields. */
export interface DecisionLog {
  /** The decision token's nonce (base64url): its dedupe key, and with the rest of the event, its signature. */
  nonce: string;
  /** Milliseconds since the epoch: the event time in the embedded store (Redis stamps entries with its own clock). */
  nowMs: number;
  /** The `context` sent to /select, as JSON text (bounded before the store is called), or undefined. */
  context?: string;
  /** Indexes of the arms that were disabled at the decision's version, comma-separated; '' when none. */
  disabledArms: string;
  /** The W3C `traceparent` header of the /select request, when it had a valid one. */
  traceparent?: string;
  /** Events older than this are trimmed from the log (by the event time's clock). */
  retentionSeconds: number;
  /**
   * The logging policy's probability of every arm at this decision (encodePropensities), bandit
   * population only; the store keeps it only when it serves the arm chosen now (not a sticky
   * user's earlier arm, which was drawn under another model). For adaptively weighted off-policy
   * estimates (bandit/off-policy.ts).
   */
  propensities?: string;
  /** Why an excluded decision was excluded (issue 21); absent for bandit and holdback decisions. */
  excludedBy?: string;
}

/** What the reward event records beyond RewardInput's own fields. */
export interface RewardLog {
  /** The decision's propensity (from its token). */
  propensity: number;
  /** The reward's `metadata`, as JSON text (at most 4 KiB), or undefined. */
  metadata?: string;
  retentionSeconds: number;
}

interface EventBase {
  /** Opaque, increasing cursor: `<ms>-<seq>` (a Redis stream id in the Redis store). */
  eventId: string;
  /** Milliseconds since the epoch when the event was appended. */
  ts: number;
  nonce: string;
  armId: string;
  population: Population;
  /** The decision's issuedAt, unix seconds. */
  issuedAt: number;
  propensity: number;
}

export interface StoredDecisionEvent extends EventBase {
  type: 'decision';
  version: number;
  /** A user's first decision in the experiment (and every decision without a userId): the store's user record says. */
  firstExposure: boolean;
  userId?: string;
  context?: string;
  /** Arm ids that could be served at the decision's version (not disabled). */
  eligibleArms: string[];
  traceparent?: string;
  /** Every arm's probability under the logging policy at this decision (one per experiment arm, 0 for a disabled one), when logged. */
  propensities?: number[];
  /** Why an excluded decision was excluded (issue 21). */
  excludedBy?: string;
}

export interface StoredRewardEvent extends EventBase {
  type: 'reward';
  reward?: number;
  latencyMs?: number;
  cost?: number;
  error: boolean;
  metadata?: string;
  /** The decision token's user key (issue 8), when it had one: part of the decisionId that is re-signed. */
  userKey?: string;
  /** The metrics counted with this reward (issue 22), name -> value; absent when none. */
  metrics?: Record<string, number>;
}

/** One signal (issue 22): a declared metric's value for a decision, counted once per (decision, name). */
export interface StoredSignalEvent extends EventBase {
  type: 'signal';
  name: string;
  value: number;
  /** The decision token's user key, when it had one (to re-sign its decisionId). */
  userKey?: string;
}

export type StoredEvent = StoredDecisionEvent | StoredRewardEvent | StoredSignalEvent;

/** Default of the experiment setting `eventRetentionSeconds`: 30 days. */
export const DEFAULT_EVENT_RETENTION_SECONDS = 30 * 86400;
/** The most events one readEvents call returns. */
export const MAX_EVENTS_PER_READ = 10_000;

/** The eligible arm ids of a decision, from the experiment's arm ids and the disabled indexes it logged. */
export function eligibleFrom(armIds: readonly string[], disabledArms: string): string[] {
  if (disabledArms === '') return [...armIds];
  const off = new Set(disabledArms.split(',').map(Number));
  return armIds.filter((_, i) => !off.has(i));
}

/** The comma-separated indexes of the arms not eligible (the DecisionLog field). */
export function disabledIndexes(eligible: readonly boolean[]): string {
  let out = '';
  for (let i = 0; i < eligible.length; i++) if (!eligible[i]) out += out === '' ? String(i) : `,${i}`;
  return out;
}

/**
 * The logged form of a propensity vector: each arm's probability (in the experiment's arm order) to
 * 3 significant digits, without the leading zero, comma-separated (".941,.0312,.0278": about 5
 * bytes per arm). The rounding is harmless: the vector only sets the estimators' adaptive weights,
 * which must be known before the decision, not exact; the chosen arm's exact propensity is logged
 * on its own (bench/RESULTS.md, "Off-policy coverage").
 */
export function encodePropensities(ps: readonly number[]): string {
  let out = '';
  for (let i = 0; i < ps.length; i++) {
    const text = ps[i] >= 1 ? '1' : ps[i] > 0 ? String(Number(ps[i].toPrecision(3))).replace(/^0\./, '.') : '0';
    out += i === 0 ? text : `,${text}`;
  }
  return out;
}

/** The vector from its logged form, one per arm of today (an arm added since had probability 0); undefined for '' or a malformed one. */
export function decodePropensities(text: string | undefined, arms: number): number[] | undefined {
  if (!text) return undefined;
  const ps = text.split(',').map(Number);
  if (ps.length > arms || !ps.every((p) => p >= 0 && p <= 1)) return undefined;
  while (ps.length < arms) ps.push(0);
  return ps;
}

/** True when `a` is a cursor before `b` (both `<ms>-<seq>`). */
export function eventIdBefore(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am < bm || (am === bm && as < bs);
}

/** A cursor as the stores take it: `<ms>-<seq>` with non-negative integers; null when malformed. */
export function parseEventId(id: string): string | null {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(id);
  return m ? `${Number(m[1])}-${Number(m[2])}` : null;
}
