/**
 * A linear policy's per-arm sums (issue 23, bandit/linear-model.ts) as the ledger keeps them: the
 * reward step adds r x x^T to the served arm's sums when the decision was a linear policy's (the
 * token carried its features), of the bandit population, and the event carried a reward value.
 * The memory and SQLite stores call `linearAfterReward` inside their reward step; Redis does the
 * same in lua/linear.lua, inside the reward script.
 */
import { addLinear } from '../bandit/linear-model.js';
import type { RewardInput } from './store.js';

/** The arm's sums after this reward, or undefined when the reward adds nothing to them. */
export function linearAfterReward(prev: Float64Array | undefined, input: Pick<RewardInput, 'linear' | 'population' | 'reward'>): Float64Array | undefined {
  if (!input.linear || input.population !== 'b' || input.reward === undefined) return undefined;
  return addLinear(prev, input.linear.x, input.reward);
}

/**
 * With changeDetection (issue 24): the arm's sums as of its last restart (bandit/change-evidence.ts
 * linearEvidence) after this reward. `step`: the reward's change step, absent when it ran none. A
 * restart takes the sums before this reward (`prev`; the reward itself is after the change); a late
 * reward (decided before the restart) is added to them, as to the tally's beforeChange. lua/changes.lua
 * and lua/linear.lua do the same.
 */
export function linearBeforeAfterReward(
  prev: Float64Array | undefined, before: Float64Array | undefined, step: { restarted: boolean; late: boolean } | undefined,
  input: Pick<RewardInput, 'linear' | 'population' | 'reward'>,
): Float64Array | undefined {
  if (step?.restarted) return prev;
  return step?.late ? linearAfterReward(before, input) ?? before : before;
}

/**
 * the `linear` field of reward.lua's packed argument (redis-script-args.ts) for linear.lua: undefined (nothing to add) or the array [d, i, x_i, ...] over
 * x's nonzero entries in increasing i. It travels inside the packed JSON argument, whose numbers are
 * JavaScript's shortest round-trip form, so reward.lua's one cjson.decode reads back the same doubles.
 */
export function linearSpec(input: Pick<RewardInput, 'linear' | 'population' | 'reward'>): number[] | undefined {
  if (!input.linear || input.population !== 'b' || input.reward === undefined) return undefined;
  const { x } = input.linear;
  const parts: number[] = [x.length];
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) parts.push(i, x[i]);
  return parts;
}
