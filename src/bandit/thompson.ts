// Thompson sampling: draw each eligible arm's mean from its posterior, play the largest draw.
// With a cost weight the draw is of the net value reward - lambda * cost (see cost.ts).
import { costEstimates, netValuePosterior } from './cost.js';
import type { ArmEvidence, Choice, Policy, PolicySettings } from './policy.js';
import { posteriorFor } from './posterior.js';
import type { ArmPosterior } from './posterior-types.js';
import { armBest, sampleArmMean } from './arm-posterior.js';
import { EMPTY_HURDLE, hurdlePosteriors, propensityDraws } from './hurdle.js';
import type { Rng } from './random.js';

/** Index of the eligible arm with the highest sampled mean. Throws if no arm is eligible. */
export function thompsonChoose(ps: readonly ArmPosterior[], eligible: readonly boolean[], rng: Rng): number {
  if (eligible.length !== ps.length) throw new RangeError('eligible must have one flag per arm');
  let best = -1;
  let bestDraw = -Infinity;
  for (let i = 0; i < ps.length; i++) {
    if (!eligible[i]) continue;
    const draw = sampleArmMean(ps[i], rng);
    // Ties have probability ~0 for continuous draws; `best < 0` keeps a -Infinity draw selectable.
    if (draw > bestDraw || best < 0) {
      best = i;
      bestDraw = draw;
    }
  }
  if (best < 0) throw new Error('no eligible arm');
  return best;
}

/** The distributions Thompson draws from: each arm's reward posterior, or its net value when lambda > 0. */
export function samplingPosteriors(evidence: readonly ArmEvidence[], settings: PolicySettings): ArmPosterior[] {
  // The hurdle model pools the arms' log values for its prior (hurdle.ts); it has no cost weight (engine-config.ts).
  if (settings.rewardShape === 'hurdle-lognormal') return hurdlePosteriors(evidence.map((e) => ({ rewards: e.rewards, hurdle: e.hurdle ?? EMPTY_HURDLE })));
  const b = settings.rewardBounds ?? null;
  const rewards = evidence.map((e) => posteriorFor(settings.rewardModel, settings.prior, e, b));
  if (!(settings.costWeight > 0)) return rewards;
  const costs = costEstimates(evidence);
  // Bounded rewards: the net value needs the reward's mean and sd in reward units.
  return rewards.map((p, i) => netValuePosterior(p, costs[i], settings.costWeight, b));
}

/** P(best) among the eligible arms (0 for the others): the exact probability that a draw picks each arm. */
export function probabilityBestAmong(ps: readonly ArmPosterior[], eligible: readonly boolean[]): number[] {
  const idx = eligible.flatMap((e, i) => (e ? [i] : []));
  // The hurdle model's P(best) is simulated: on the decision path, within a budget of draws (hurdle.ts).
  const pb = armBest(idx.map((i) => ps[i]), propensityDraws(idx.length)).probabilityBest;
  const out = ps.map(() => 0);
  idx.forEach((armIndex, k) => { out[armIndex] = pb[k]; });
  return out;
}

export interface ThompsonModel {
  readonly posteriors: readonly ArmPosterior[];
  /** P(best) per arm for one set of eligible flags, computed on first need (one quadrature per refresh). */
  memo: { eligible: readonly boolean[]; probs: number[] } | null;
}

function propensities(model: ThompsonModel, eligible: readonly boolean[]): number[] {
  if (model.memo?.eligible !== eligible) model.memo = { eligible, probs: probabilityBestAmong(model.posteriors, eligible) };
  return model.memo.probs;
}

/** A Thompson decision: its propensity is that of the model it sampled from, computed when first read. */
class ThompsonChoice implements Choice {
  constructor(private readonly model: ThompsonModel, private readonly eligible: readonly boolean[], readonly armIndex: number) {}
  get propensity(): number {
    return propensities(this.model, this.eligible)[this.armIndex];
  }
}

export const thompsonPolicy: Policy<ThompsonModel> = {
  name: 'thompson',
  prepare: (evidence, settings) => ({ posteriors: samplingPosteriors(evidence, settings), memo: null }),
  choose: (model, eligible, rng) => new ThompsonChoice(model, eligible, thompsonChoose(model.posteriors, eligible, rng)),
  propensity: (model, eligible, armIndex) => propensities(model, eligible)[armIndex],
};
