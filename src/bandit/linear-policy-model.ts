/**
 * What both linear policies (issue 23) prepare once per refresh: each arm's posterior from the
 * sums the store keeps, and the encoding of a context into x. The choice per decision is then
 * O(arms d^2): x . mean and x^T A^-1 x per arm.
 */
import { compactContext, encodeCompact } from './features.js';
import { contextEvidence, type ContextEvidence } from './linear-evidence.js';
import { armPosterior, RIDGE_LAMBDA, scoreOf, type ArmPosterior, type NoisePrior } from './linear-model.js';
import type { ArmEvidence, DecisionContext, PolicySettings } from './policy.js';
import type { Features } from '../contract/features.js';
import type { BetaPrior, NormalGammaPrior } from './posterior.js';
import { featureDimensions } from '../contract/features.js';

export interface LinearModel {
  readonly features: Features;
  readonly d: number;
  readonly arms: readonly ArmPosterior[];
  /** Per arm: the intercept-only model and P(context matters) (linear-evidence.ts; linear-thompson averages over both). */
  readonly evidence: readonly ContextEvidence[];
}

/** The noise prior: at most 1/4 for 0/1 rewards; a gaussian experiment's prior alpha and beta (its reward scale). */
export function noisePriorOf(settings: Pick<PolicySettings, 'rewardModel' | 'prior'>): NoisePrior {
  if (settings.rewardModel === 'bernoulli') return { a0: 1, b0: 0.25 };
  const p = settings.prior as NormalGammaPrior | BetaPrior;
  return 'mu' in p ? { a0: p.alpha, b0: p.beta } : { a0: 1, b0: 1 };
}

export function prepareLinear(evidence: readonly ArmEvidence[], settings: PolicySettings): LinearModel {
  const features = settings.features;
  if (!features) throw new Error('a linear policy needs the experiment\'s features');
  const d = featureDimensions(features);
  const prior = noisePriorOf(settings);
  const arms = evidence.map((e) => armPosterior(e.linear, d, prior));
  return { features, d, arms, evidence: arms.map((p, i) => contextEvidence(p, evidence[i].linear, prior, RIDGE_LAMBDA)) };
}

/** x of a context (already checked by the service; a bad numeric value encodes as 0 here). */
export const contextVector = (model: LinearModel, context: DecisionContext): Float64Array =>
  encodeCompact(model.features, compactContext(model.features, context).values);

/** Per eligible arm: the score's mean x . theta and its standard deviation sqrt(s2 x^T A^-1 x). */
export function scores(model: LinearModel, eligible: readonly boolean[], x: Float64Array): { means: Float64Array; sds: Float64Array } {
  const k = model.arms.length;
  const means = new Float64Array(k);
  const sds = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    if (!eligible[i]) continue;
    const s = scoreOf(model.arms[i], x);
    means[i] = s.mean;
    sds[i] = Math.sqrt(model.arms[i].s2 * s.spread);
  }
  return { means, sds };
}
