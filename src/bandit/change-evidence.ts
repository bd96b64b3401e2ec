/**
 * One arm's change-detection step, as every store applies it in its reward step (issue 24): the
 * GLR detector (glr.ts), the evidence since the arm's last restart beside the cumulative tally the
 * store keeps anyway, and the changes detected. Pure: the store reads the state, calls
 * `recordForChanges`, and writes the result in the same atomic step as the tally. reward.lua does
 * the same through src/store/lua/changes.lua, operation for operation.
 *
 * Late and batched rewards (the rule docs/statistics.md states): the test consumes rewards in
 * arrival order. A reward whose decision was made before the arm's last detected change
 * (issuedAt < testFrom) belongs to the old segment: it counts in the cumulative tally only, neither
 * in the test nor in the evidence since the change. One whose decision predates the last restart
 * of the evidence (issuedAt < evidenceFrom) is not added to the evidence since the change.
 */
import type { DetectedChange, EvidenceSums } from '../contract/domain.js';
import { emptyGlrState, observe, restartsEvidence, type GlrModel, type GlrState } from './glr.js';

/** Changes kept per arm, newest first (older ones are counted in /metrics, not listed). */
export const MAX_CHANGES_KEPT = 20;

/** What a reward step needs to run the test (from the experiment's config: service/engine-config.ts). */
export interface ChangeSpec {
  model: GlrModel;
  /** falseAlarmRate (delta). */
  delta: number;
  /** The prior as pseudo-observations, for the leader's posterior mean (priorSum + sum) / (priorWeight + rewards). */
  priorSum: number;
  priorWeight: number;
  /**
   * A linear policy's experiment (issue 23): every detection restarts its arm's evidence, and only
   * its arm's. The ranking rule's leader (the highest mean over all contexts) means little when
   * each arm may be best in some contexts: on a swap of two arms' coefficients neither needs to be
   * that leader, and the rule restarted nothing (docs/statistics.md, "Change detection", measured).
   */
  eachArm?: boolean;
}

/** The arm's detector: the GLR segments, and the decision times of the last change (the test's start) and of the last restart of the evidence; 0 before any. */
export interface ArmDetector {
  glr: GlrState;
  testFrom: number;
  evidenceFrom: number;
}

export const emptyDetector = (): ArmDetector => ({ glr: emptyGlrState(), testFrom: 0, evidenceFrom: 0 });

/** The part of the arm's bandit tally change detection keeps (Tally.beforeChange, Tally.changes). */
export interface ChangeTally {
  beforeChange?: EvidenceSums;
  changes?: DetectedChange[];
}

export interface ChangeStep extends ChangeTally {
  detector: ArmDetector;
  /** The change this reward revealed, if any, and whether it restarted the evidence. */
  detected: DetectedChange | null;
  restarted: boolean;
  /** A fall of the leader: every other arm's evidence restarts too (`restartOther`). */
  restartsOthers: boolean;
  /** The reward joined the rewards before the last restart (a late one); a linear policy adds it to its sums as of the restart too. */
  late: boolean;
}

/**
 * The evidence the policy and the report read: the tally minus its rewards from before the last
 * restart. Kept as that difference, so that turning the setting off (evidence: the tally) and on
 * again (the rewards meanwhile count as evidence) needs nothing from the store.
 */
export const evidenceSums = (t: EvidenceSums & ChangeTally): EvidenceSums => {
  const b = t.beforeChange;
  return b ? { rewards: t.rewards - b.rewards, sum: t.sum - b.sum, sumSq: t.sumSq - b.sumSq } : { rewards: t.rewards, sum: t.sum, sumSq: t.sumSq };
};

/**
 * A linear policy's evidence (issue 23): its sums (linear-model.ts) minus its sums as of the last
 * restart, `before` (absent: none). The restart's snapshot is taken when the change is detected, so
 * the rewards between the change point and the detection (the test's post-change segment, whose
 * contexts the GLR's bounded state does not keep) are not in it: the model re-learns them.
 */
export function linearEvidence(sums: Float64Array | undefined, before: Float64Array | undefined): Float64Array | undefined {
  if (!sums || !before || before.length !== sums.length) return sums;
  return sums.map((v, i) => v - before[i]);
}

/** The arm with the highest posterior mean of its evidence (the first on a tie), as bench/validity/sim/seam-engine.ts's leaderOf. */
export function leaderIndex(evidence: readonly EvidenceSums[], spec: ChangeSpec): number {
  let best = 0;
  let bestMean = -Infinity;
  evidence.forEach((e, i) => {
    const m = (spec.priorSum + e.sum) / (spec.priorWeight + e.rewards);
    if (m > bestMean) { best = i; bestMean = m; }
  });
  return best;
}

/**
 * Records one reward of an arm; `tally`: its bandit tally, which counts the reward already. `isLeader(own)`: whether
 * the arm, with evidence `own`, leads the others (called only on a detection). `nowS`: the time of
 * the detection (the reward's arrival), unix seconds.
 */
export function recordForChanges(
  det: ArmDetector, tally: EvidenceSums & ChangeTally, spec: ChangeSpec, reward: number, issuedAt: number, nowS: number, isLeader: (own: EvidenceSums) => boolean,
): ChangeStep {
  const b = tally.beforeChange;
  const late = b !== undefined && issuedAt < det.evidenceFrom;
  const beforeChange = late ? { rewards: b.rewards + 1, sum: b.sum + reward, sumSq: b.sumSq + reward * reward } : b;
  const same = { beforeChange, changes: tally.changes, detected: null, restarted: false, restartsOthers: false, late };
  if (issuedAt < det.testFrom) return { ...same, detector: det };
  const o = observe(det.glr, spec.model, spec.delta, reward, issuedAt);
  if (o.detection === null) return { ...same, detector: { ...det, glr: o.state } };
  const d = o.detection;
  const detected = { detectedAt: nowS, at: d.at };
  const changes = [detected, ...(tally.changes ?? [])].slice(0, MAX_CHANGES_KEPT);
  const leads = !spec.eachArm && isLeader(evidenceSums({ ...tally, beforeChange }));
  const restarted = restartsEvidence(d, leads, spec.eachArm);
  return {
    detector: { glr: o.state, testFrom: d.at, evidenceFrom: restarted ? d.at : det.evidenceFrom },
    beforeChange: restarted ? { rewards: tally.rewards - d.after.n, sum: tally.sum - d.after.s, sumSq: tally.sumSq - d.after.q } : beforeChange,
    changes, detected, restarted, restartsOthers: restarted && leads, late: late && !restarted,
  };
}

/**
 * Another arm's evidence when the leader was found falling (`restartsOthers`): none of its rewards
 * so far (beforeChange = its whole tally), and a reward decided before `nowS` (the detection's
 * arrival) joins its rewards before the restart. Its test goes on. Why: an arm that does not lead
 * was pulled rarely and long ago; when the leader drifts, the others may have drifted too, unseen
 * (bench/RESULTS.md, "slow drift").
 */
export function restartOther(det: ArmDetector | undefined, tally: EvidenceSums, nowS: number): { detector: ArmDetector; beforeChange: EvidenceSums } {
  const d = det ?? emptyDetector();
  return { detector: { ...d, evidenceFrom: Math.max(d.evidenceFrom, nowS) }, beforeChange: { rewards: tally.rewards, sum: tally.sum, sumSq: tally.sumSq } };
}
