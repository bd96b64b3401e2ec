/**
 * Linear Thompson sampling (Agrawal & Goyal 2013, "Thompson Sampling for Contextual Bandits with
 * Linear Payoffs"; the form of MABWiser's LinTS and BanditDB's): per eligible arm draw
 * theta ~ N(mean, s2 A^-1) and play the largest x . theta. Only the score x . theta matters and
 * the arms are independent, so the draw is the score's own, N(x . mean, s2 x^T A^-1 x): one
 * normal per arm, not a d-dimensional draw.
 *
 * Propensity (issue 23): P(arm wins | x) has no closed form, so it is simulated on first read
 * with PROPENSITY_DRAWS further draws of the same scores, plus the draw the decision was made
 * with: p_k = (wins_k + [k chosen]) / (PROPENSITY_DRAWS + 1), an unbiased estimate of every arm's
 * probability (all the draws are iid) that never gives the chosen arm 0. The decision event says
 * how (`propensityDraws`).
 */
import { contextVector, prepareLinear, scores, type LinearModel } from './linear-policy-model.js';
import type { Choice, DecisionContext, Policy } from './policy.js';
import jStat from 'jstat';
import { sampleNormal } from './random.js';

export const PROPENSITY_DRAWS = 500;

/**
 * The simulation's normals: 4096 equally likely quantiles Phi^-1((i + 1/2) / 4096), one picked
 * per draw by 12 bits of mulberry32 (Tommy Ettinger, public domain), so a simulated draw costs a
 * few nanoseconds (a ziggurat draw with a seeded generator cost ~90 us per decision for 5 arms x
 * 500 draws, bench/RESULTS.md). The table is the normal to within its +-3.5 sd tails.
 */
const TABLE_BITS = 12;
const NORMALS = Float64Array.from({ length: 1 << TABLE_BITS }, (_, i) => jStat.normal.inv((i + 0.5) / (1 << TABLE_BITS), 0, 1));

function argmaxDraw(means: Float64Array, sds: Float64Array, eligible: readonly boolean[], normal: () => number): number {
  let best = -1;
  let top = -Infinity;
  for (let i = 0; i < means.length; i++) {
    if (!eligible[i]) continue;
    const v = means[i] + sds[i] * normal();
    if (v > top || best < 0) { best = i; top = v; }
  }
  return best;
}

/** Every arm's share of `draws` simulated decisions (plus `chosen`'s own, when given). */
function simulate(means: Float64Array, sds: Float64Array, eligible: readonly boolean[], seed: number, draws: number, chosen = -1): number[] {
  let a = seed >>> 0;
  const k = means.length;
  const wins = new Array<number>(k).fill(0);
  for (let m = 0; m < draws; m++) {
    let best = -1;
    let top = -Infinity;
    for (let i = 0; i < k; i++) {
      if (!eligible[i]) continue;
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const v = means[i] + sds[i] * NORMALS[(t ^ (t >>> 14)) >>> (32 - TABLE_BITS)];
      if (v > top || best < 0) { best = i; top = v; }
    }
    wins[best] += 1;
  }
  const total = draws + (chosen >= 0 ? 1 : 0);
  if (chosen >= 0) wins[chosen] += 1;
  return wins.map((w) => w / total);
}

class LinearThompsonChoice implements Choice {
  private probs: number[] | null = null;
  constructor(private readonly means: Float64Array, private readonly sds: Float64Array, private readonly eligible: readonly boolean[],
    readonly armIndex: number, private readonly seed: number) {}

  get vector(): readonly number[] {
    this.probs ??= simulate(this.means, this.sds, this.eligible, this.seed, PROPENSITY_DRAWS, this.armIndex);
    return this.probs;
  }

  get propensity(): number {
    return this.vector[this.armIndex];
  }
}

function choose(model: LinearModel, eligible: readonly boolean[], rng: () => number, _unit: number, context: DecisionContext): Choice {
  const { means, sds } = scores(model, eligible, contextVector(model, context));
  const armIndex = argmaxDraw(means, sds, eligible, () => sampleNormal(rng));
  if (armIndex < 0) throw new Error('no eligible arm');
  return new LinearThompsonChoice(means, sds, eligible, armIndex, Math.floor(rng() * 4294967296));
}

export const linearThompsonPolicy: Policy<LinearModel> = {
  name: 'linear-thompson',
  contextual: true,
  prepare: prepareLinear,
  choose,
  // Any arm's probability at a context, by a simulation with a fixed seed (a pure function of its arguments).
  propensity(model, eligible, armIndex, context) {
    if (!eligible[armIndex]) return 0;
    const { means, sds } = scores(model, eligible, contextVector(model, context));
    return simulate(means, sds, eligible, 0x5eed, PROPENSITY_DRAWS)[armIndex];
  },
};
