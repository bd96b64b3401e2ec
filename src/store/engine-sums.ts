/**
 * The engine's extra sums of one arm and population, kept beside the tally only for experiments
 * that use them: the costs the rewards carried (for `objective.costWeight`) and the discounted
 * sums with their timestamp (for `discount.halfLifeSeconds`). The memory store applies
 * `addEngineSums` inside its reward block; reward.lua does the same arithmetic (see its header).
 */
import { addObservation, EMPTY_EVIDENCE } from '../bandit/discount.js';
import { addHurdle, EMPTY_HURDLE } from '../bandit/hurdle.js';
import type { EngineSums } from '../contract/domain.js';

/** What a reward must maintain besides the tally; absent from a RewardInput: nothing. */
export interface EngineSumsInput {
  /** null: no discount. */
  halfLifeSeconds: number | null;
  /** Keep the cost sums (the objective has a cost weight, or a discount keeps them decayed). */
  costs: boolean;
  /** Keep the hurdle sums (rewardShape hurdle-lognormal): absent or false, none. */
  hurdle?: boolean;
}

/** The sums after one reward event at `nowS` (reward and cost each absent when the event had none). */
export function addEngineSums(prev: EngineSums | undefined, input: EngineSumsInput, nowS: number, reward?: number, cost?: number): EngineSums | undefined {
  const keptCost = input.costs ? cost : undefined;
  // Nothing to keep: no sums are created (reward.lua writes no field either).
  const keptReward = input.hurdle ? reward : undefined;
  if (keptCost === undefined && input.halfLifeSeconds === null && keptReward === undefined) return prev;
  const next: EngineSums = prev ? { ...prev } : { costs: 0, costSum: 0, costSumSq: 0 };
  // rewardShape hurdle-lognormal: every reward counts (a zero too, in the tally); a positive one adds its log.
  if (keptReward !== undefined) next.hurdle = addHurdle(next.hurdle ?? EMPTY_HURDLE, keptReward);
  if (keptCost !== undefined) {
    next.costs += 1;
    next.costSum += keptCost;
    next.costSumSq += keptCost * keptCost;
  }
  if (input.halfLifeSeconds !== null) {
    next.decayed = addObservation(next.decayed ?? { ...EMPTY_EVIDENCE, at: nowS }, nowS, input.halfLifeSeconds, reward, keptCost);
  }
  return next;
}
