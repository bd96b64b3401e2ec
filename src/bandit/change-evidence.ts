/**
 * One arm's change-detection bookkeeping, as every store is to apply it in its reward step
 * (issue 24): the GLR detector (glr.ts), the evidence since the last restart beside the
 * cumulative tally the store keeps anyway, and the changes detected. Pure: the store reads the
 * state, calls `recordForChanges`, and writes the result in the same atomic step as the tally.
 *
 * Late rewards: the test consumes rewards in arrival order. A reward whose decision was made
 * before the arm's last detected change (issuedAt < testFrom) belongs to the old segment: it
 * counts in the cumulative tally only, not in the test. One whose decision predates the last
 * restart of the evidence (issuedAt < evidenceFrom) is not added to the evidence since the change.
 */
import { observe, restartsEvidence, type GlrModel, type GlrState } from './glr.js';
import type { SufficientStats } from './posterior.js';

/** A detected change: when it was detected and the decision time the new segment starts at (unix seconds). */
export interface DetectedChange {
  detectedAt: number;
  at: number;
}

/** Changes kept per arm, newest first (the older ones are counted in /metrics, not listed). */
export const MAX_CHANGES_KEPT = 20;

export interface ArmChangeState {
  glr: GlrState;
  /** The evidence the policies and the report use: the rewards since the last restart. */
  since: SufficientStats;
  /** Decision time of the last detected change (the test's start), and of the last restart of the evidence; 0 before any. */
  testFrom: number;
  evidenceFrom: number;
  /** Newest first, at most MAX_CHANGES_KEPT. */
  changes: DetectedChange[];
}

export const emptyArmChangeState = (): ArmChangeState => ({ glr: { blocks: [] }, since: { rewards: 0, sum: 0, sumSq: 0 }, testFrom: 0, evidenceFrom: 0, changes: [] });

export interface ChangeStep {
  state: ArmChangeState;
  /** The change this reward revealed, if any, and whether it restarted the evidence. */
  detected: DetectedChange | null;
  restarted: boolean;
}

/**
 * Records one reward of an arm. `isLeader`: the arm has the highest posterior mean of the
 * evidence since change among the arms (the store reads the others' `since`). `now`: the time of
 * the detection (the reward's arrival).
 */
export function recordForChanges(
  s: ArmChangeState, model: GlrModel, delta: number, reward: number, issuedAt: number, now: number, isLeader: boolean,
): ChangeStep {
  const addTo = (e: SufficientStats): SufficientStats => ({ rewards: e.rewards + 1, sum: e.sum + reward, sumSq: e.sumSq + reward * reward });
  const since = issuedAt >= s.evidenceFrom ? addTo(s.since) : s.since;
  if (issuedAt < s.testFrom) return { state: { ...s, since }, detected: null, restarted: false };
  const o = observe(s.glr, model, delta, reward, issuedAt);
  if (o.detection === null) return { state: { ...s, glr: o.state, since }, detected: null, restarted: false };
  const d = o.detection;
  const detected = { detectedAt: now, at: d.at };
  const changes = [detected, ...s.changes].slice(0, MAX_CHANGES_KEPT);
  const restarted = restartsEvidence(d, isLeader);
  return {
    state: {
      glr: o.state, testFrom: d.at, changes,
      since: restarted ? { rewards: d.after.n, sum: d.after.s, sumSq: d.after.q } : since,
      evidenceFrom: restarted ? d.at : s.evidenceFrom,
    },
    detected, restarted,
  };
}
