/**
 * An arm's posterior of whatever kind, as Thompson draws from it and the judgement reads it: the
 * density-backed kinds (Beta, Normal-Gamma) go to prob-best.ts' quadrature and mean-marginal.ts'
 * quantiles; the hurdle model (hurdle.ts), known by its draws, to hurdle.ts' simulation.
 */
import { hurdleBestArm, hurdleSummary, sampleHurdleMean } from './hurdle.js';
import { credibleInterval } from './mean-marginal.js';
import { posteriorMean, sampleMean } from './posterior.js';
import type { ArmPosterior, HurdlePosterior, Posterior } from './posterior-types.js';
import { bestArm, type BestArm } from './prob-best.js';
import type { Rng } from './random.js';

const isHurdle = (p: ArmPosterior): p is HurdlePosterior => p.kind === 'hurdle-lognormal';

/** One Thompson draw of the arm's mean. */
export const sampleArmMean = (p: ArmPosterior, rng: Rng): number => (isHurdle(p) ? sampleHurdleMean(p, rng) : sampleMean(p, rng));

/** P(best) and expected loss; the arms are of one kind. `hurdleDraws`: draws per arm for the hurdle model (default HURDLE_DRAWS). */
export function armBest(ps: readonly ArmPosterior[], hurdleDraws?: number): BestArm {
  if (ps.length > 0 && ps.every(isHurdle)) return hurdleBestArm(ps, hurdleDraws);
  if (ps.some(isHurdle)) throw new Error('all arms must have the same posterior kind');
  return bestArm(ps as Posterior[]);
}

/** The point estimate: the posterior mean, or the hurdle model's median (its mean is ruled by the cap on s). */
export const armCentre = (p: ArmPosterior): number => (isHurdle(p) ? hurdleSummary(p).median : posteriorMean(p));

/** The equal-tailed credible interval of the arm's mean. */
export const armInterval = (p: ArmPosterior, level = 0.95): [number, number] => (isHurdle(p) ? hurdleSummary(p, level).interval : credibleInterval(p, level));
