/**
 * The report's judgement of a contextual experiment (issue 23; docs/statistics.md, "Contextual
 * policies"). A linear model's mean reward over a population of contexts is its value at their
 * mean encoded context: E_x[x . theta] = xbar . theta. So, with xbar the mean context of the
 * rewarded bandit decisions (the first row of the sums S: x_0 = 1),
 *
 * - probabilityBest / expectedLoss: of each arm's mean reward over the contexts seen, were it
 *   served to all of them: the posterior of xbar . theta, a Student t with 2 a_n degrees of
 *   freedom, location xbar . mean, scale^2 = s2 xbar^T A^-1 xbar (the Normal-Inverse-Gamma
 *   marginal), compared by the same quadrature as every other policy's (prob-best.ts);
 * - regret: the plug-in regret at each arm's own mean context xbar_k,
 *   sum_k decisions_k (max_j xbar_k . mean_j - xbar_k . mean_k). By Jensen's inequality it is a
 *   lower bound of the per-decision plug-in regret (the max of means is below the mean of maxes).
 * - each arm's coefficients with 95% intervals: mean_j +- t(0.975, 2 a_n) sqrt(s2 (A^-1)_jj), of the
 *   full model, and the posterior probability that the context matters at all (linear-evidence.ts).
 */
import jStat from 'jstat';
import { coefficientNames } from './features.js';
import { contextEvidence } from './linear-evidence.js';
import { armPosterior, RIDGE_LAMBDA, scoreOf, type ArmPosterior } from './linear-model.js';
import { noisePriorOf } from './linear-policy-model.js';
import type { ArmEvidence, PolicySettings } from './policy.js';
import type { Posterior } from './posterior.js';
import { bestArm } from './prob-best.js';
import type { Judgement } from './judgement.js';
import { featureDimensions } from '../contract/features.js';

export interface LinearArmModel {
  rewards: number;
  noiseSd: number;
  contextProbability: number;
  coefficients: Record<string, { mean: number; interval95: [number, number] }>;
}

/** Mean encoded context of the sums' rewards (the intercept alone when there are none). */
function meanContext(sums: readonly (Float64Array | undefined)[], d: number): Float64Array {
  const x = new Float64Array(d);
  let n = 0;
  for (const s of sums) {
    if (!s) continue;
    n += s[0];
    for (let j = 0; j < d; j++) x[j] += s[2 + d + j]; // S[0][j] = sum x_j
  }
  if (n === 0) { x[0] = 1; return x; }
  for (let j = 0; j < d; j++) x[j] /= n;
  return x;
}

const t975 = (p: ArmPosterior, a0: number): number => jStat.studentt.inv(0.975, 2 * (a0 + p.n / 2));

/** The posterior of an arm's mean reward at x (normal-gamma form: its mean marginal is that Student t). */
function atContext(p: ArmPosterior, x: Float64Array, a0: number): Posterior {
  const { mean, spread } = scoreOf(p, x);
  const alpha = a0 + p.n / 2;
  return { kind: 'normal-gamma', mu: mean, lambda: 1 / Math.max(spread, 1e-300), alpha, beta: p.s2 * alpha };
}

export function linearJudgement(evidence: readonly ArmEvidence[], settings: PolicySettings, enabled: readonly boolean[], decisions: readonly number[]):
  Judgement & { models: LinearArmModel[] } {
  const features = settings.features!;
  const d = featureDimensions(features);
  const prior = noisePriorOf(settings);
  const arms = evidence.map((e) => armPosterior(e.linear, d, prior));
  const xbar = meanContext(evidence.map((e) => e.linear), d);
  const posteriors = arms.map((p) => atContext(p, xbar, prior.a0));
  const means = posteriors.map((p) => (p.kind === 'normal-gamma' ? p.mu : 0));
  const idx = enabled.flatMap((on, i) => (on ? [i] : []));
  const best = bestArm(idx.map((i) => posteriors[i]));
  const probabilityBest: (number | null)[] = enabled.map(() => null);
  const expectedLoss: (number | null)[] = enabled.map(() => null);
  idx.forEach((i, j) => { probabilityBest[i] = best.probabilityBest[j]; expectedLoss[i] = best.expectedLoss[j]; });
  // Regret at each arm's own mean context.
  let cumulative = 0;
  let total = 0;
  arms.forEach((_, k) => {
    total += decisions[k];
    const own = evidence[k].linear;
    if (!own || own[0] === 0 || idx.length === 0) return;
    const xk = meanContext([own], d);
    const values = arms.map((p) => scoreOf(p, xk).mean);
    cumulative += decisions[k] * Math.max(0, Math.max(...idx.map((i) => values[i])) - values[k]);
  });
  const names = coefficientNames(features);
  const models = arms.map((p, k) => {
    const q = t975(p, prior.a0);
    const coefficients: LinearArmModel['coefficients'] = {};
    names.forEach((name, j) => {
      const half = q * Math.sqrt(p.s2 * p.inverse[j * d + j]);
      coefficients[name] = { mean: p.mean[j], interval95: [p.mean[j] - half, p.mean[j] + half] };
    });
    const contextProbability = contextEvidence(p, evidence[k].linear, prior, RIDGE_LAMBDA).pContext;
    return { rewards: p.n, noiseSd: Math.sqrt(p.s2), contextProbability, coefficients };
  });
  return {
    quantity: 'reward', posteriors, means, probabilityBest, expectedLoss,
    regret: { cumulative, perDecision: total > 0 ? cumulative / total : 0 }, models,
  };
}
