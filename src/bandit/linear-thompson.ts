/**
 * Linear Thompson sampling (Agrawal & Goyal 2013, "Thompson Sampling for Contextual Bandits with
 * Linear Payoffs"; the form of MABWiser's LinTS and BanditDB's) with Bayesian model averaging
 * over "the context matters" (linear-evidence.ts; Hoeting et al. 1999): per eligible arm, draw the
 * model, M1 (the full linear model) with its posterior probability pContext, else M0 (the
 * intercept alone); draw the arm's score from that model's posterior, and play the largest. Under
 * M1 the score is x . theta ~ N(x . mean, s2 x^T A^-1 x) (only the score matters and the arms are
 * independent: one normal per arm, not a d-dimensional draw); under M0 it is the arm's mean
 * reward, N(interceptMean, interceptSd^2), whatever x. So where the context does not matter the
 * Bayes factor soon makes this Gaussian Thompson sampling on the arms' means (no price for the
 * d - 1 coefficients), and where it does the evidence for M1 grows linearly in n.
 *
 * Propensity (issue 23): P(arm wins | x) has no closed form, so it is simulated on first read
 * with PROPENSITY_DRAWS further draws of the same mixture, plus the draw the decision was made
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
const LOW_MASK = (1 << (32 - TABLE_BITS)) - 1;
const NORMALS = Float64Array.from({ length: 1 << TABLE_BITS }, (_, i) => jStat.normal.inv((i + 0.5) / (1 << TABLE_BITS), 0, 1));

/** Per eligible arm the two models' scores at x and P(M1): m1, s1 (M1), m0, s0 (M0), p1. */
interface Mixture { m1: Float64Array; s1: Float64Array; m0: Float64Array; s0: Float64Array; p1: Float64Array }

function mixtureAt(model: LinearModel, eligible: readonly boolean[], context: DecisionContext): Mixture {
  const { means, sds } = scores(model, eligible, contextVector(model, context));
  const k = model.arms.length;
  const m0 = new Float64Array(k);
  const s0 = new Float64Array(k);
  const p1 = new Float64Array(k);
  model.evidence.forEach((e, i) => { m0[i] = e.interceptMean; s0[i] = e.interceptSd; p1[i] = e.pContext; });
  return { m1: means, s1: sds, m0, s0, p1 };
}

function argmaxDraw(m: Mixture, eligible: readonly boolean[], rng: () => number): number {
  let best = -1;
  let top = -Infinity;
  for (let i = 0; i < m.m1.length; i++) {
    if (!eligible[i]) continue;
    const v = rng() < m.p1[i] ? m.m1[i] + m.s1[i] * sampleNormal(rng) : m.m0[i] + m.s0[i] * sampleNormal(rng);
    if (v > top || best < 0) { best = i; top = v; }
  }
  return best;
}

/** Every arm's share of `draws` simulated decisions (plus `chosen`'s own, when given). */
function simulate(m: Mixture, eligible: readonly boolean[], seed: number, draws: number, chosen = -1): number[] {
  let a = seed >>> 0;
  const k = m.m1.length;
  const wins = new Array<number>(k).fill(0);
  // P(M1) as a 20-bit threshold: the hash's low 20 bits pick the model, its top 12 the normal.
  const cut = Array.from(m.p1, (p) => Math.round(p * (1 << (32 - TABLE_BITS))));
  for (let r = 0; r < draws; r++) {
    let best = -1;
    let top = -Infinity;
    for (let i = 0; i < k; i++) {
      if (!eligible[i]) continue;
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const h = (t ^ (t >>> 14)) >>> 0;
      const z = NORMALS[h >>> (32 - TABLE_BITS)];
      const v = (h & LOW_MASK) < cut[i] ? m.m1[i] + m.s1[i] * z : m.m0[i] + m.s0[i] * z;
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
  constructor(private readonly mixture: Mixture, private readonly eligible: readonly boolean[], readonly armIndex: number, private readonly seed: number) {}

  get vector(): readonly number[] {
    this.probs ??= simulate(this.mixture, this.eligible, this.seed, PROPENSITY_DRAWS, this.armIndex);
    return this.probs;
  }

  get propensity(): number {
    return this.vector[this.armIndex];
  }
}

function choose(model: LinearModel, eligible: readonly boolean[], rng: () => number, _unit: number, context: DecisionContext): Choice {
  const mixture = mixtureAt(model, eligible, context);
  const armIndex = argmaxDraw(mixture, eligible, rng);
  if (armIndex < 0) throw new Error('no eligible arm');
  return new LinearThompsonChoice(mixture, eligible, armIndex, Math.floor(rng() * 4294967296));
}

export const linearThompsonPolicy: Policy<LinearModel> = {
  name: 'linear-thompson',
  contextual: true,
  prepare: prepareLinear,
  choose,
  // Any arm's probability at a context, by a simulation with a fixed seed (a pure function of its arguments).
  propensity(model, eligible, armIndex, context) {
    if (!eligible[armIndex]) return 0;
    return simulate(mixtureAt(model, eligible, context), eligible, 0x5eed, PROPENSITY_DRAWS)[armIndex];
  },
};
