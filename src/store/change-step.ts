/**
 * The change-detection call of the embedded stores' reward steps (issue 24): the arm's GLR test
 * and its evidence since the last restart (bandit/change-evidence.ts), run inside the step that
 * counted the reward, after the tally. reward.lua does the same through lua/changes.lua.
 */
import { emptyDetector, evidenceSums, leaderIndex, recordForChanges, restartOther, type ArmDetector, type ChangeSpec, type ChangeStep } from '../bandit/change-evidence.js';
import type { Tally } from '../contract/domain.js';
import type { RewardInput } from './store.js';

/**
 * `tally`: the arm's bandit tally, which counts the reward already; `banditTallies`: every arm's,
 * in the experiment's order (read only on a detection, for the leader).
 */
export function changeStep(
  det: ArmDetector | undefined, tally: Tally, arm: number, banditTallies: () => readonly Tally[], spec: ChangeSpec,
  input: Pick<RewardInput, 'issuedAt' | 'nowMs'>, reward: number,
): ChangeStep {
  return recordForChanges(det ?? emptyDetector(), tally, spec, reward, input.issuedAt, input.nowMs / 1000,
    (own) => leaderIndex(banditTallies().map((t, i) => (i === arm ? own : evidenceSums(t))), spec) === arm);
}

/** The step's result written back onto the tally (only the fields it has). */
export function withChanges(tally: Tally, step: ChangeStep): Tally {
  return { ...tally, ...(step.beforeChange && { beforeChange: step.beforeChange }), ...(step.changes && { changes: step.changes }) };
}

/** The memory store's call: each arm's detector and bandit tally on its record (in the experiment's arm order). */
export function recordInMemory(
  arms: ReadonlyMap<string, { b: Tally; detector?: ArmDetector; linear?: Float64Array; linearBefore?: Float64Array }>, armId: string, spec: ChangeSpec,
  input: Pick<RewardInput, 'issuedAt' | 'nowMs'>, reward: number,
): ChangeStep {
  const all = [...arms.values()];
  const arm = arms.get(armId)!;
  const step = changeStep(arm.detector, arm.b, all.indexOf(arm), () => all.map((a) => a.b), spec, input, reward);
  arm.detector = step.detector;
  arm.b = withChanges(arm.b, step);
  if (step.restartsOthers) {
    for (const other of all) {
      if (other === arm) continue;
      const r = restartOther(other.detector, other.b, input.nowMs / 1000);
      other.detector = r.detector;
      other.b = { ...other.b, beforeChange: r.beforeChange };
      other.linearBefore = other.linear; // a linear policy's sums restart with the tally's evidence
    }
  }
  return step;
}
