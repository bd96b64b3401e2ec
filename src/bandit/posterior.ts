// Conjugate posteriors of an arm's mean reward, updated from sufficient statistics only:
// Beta for 0/1 rewards, Normal-Gamma (unknown mean and precision) for real-valued rewards.
import { sampleBeta, sampleStudentT, type Rng } from './random.js';
import type { RewardModel } from '../contract/experiment.js';
import { boundedPosterior, type RewardBounds } from './bounded.js';

export type { BetaPosterior, BetaPrior, NormalGammaPosterior, NormalGammaPrior, Posterior, SufficientStats } from './posterior-types.js';
import type { BetaPosterior, BetaPrior, NormalGammaPosterior, NormalGammaPrior, Posterior, SufficientStats } from './posterior-types.js';

/** Uniform on the conversion rate. */
export const DEFAULT_BETA_PRIOR: BetaPrior = { alpha: 1, beta: 1 };
/** Weak: worth 0.01 observations of the mean and 2 of the variance. */
export const DEFAULT_NORMAL_GAMMA_PRIOR: NormalGammaPrior = { mu: 0, lambda: 0.01, alpha: 1, beta: 1 };

/** Successes add to alpha, failures to beta (sum = number of 1 rewards). */
export function betaPosterior(prior: BetaPrior, s: SufficientStats): BetaPosterior {
  return { kind: 'beta', alpha: prior.alpha + s.sum, beta: prior.beta + s.rewards - s.sum };
}

/** The Normal-Gamma conjugate update (Murphy 2007, "Conjugate Bayesian analysis of the Gaussian distribution", eq. 85-89). */
export function normalGammaPosterior(prior: NormalGammaPrior, s: SufficientStats): NormalGammaPosterior {
  const n = s.rewards;
  if (n === 0) return { kind: 'normal-gamma', mu: prior.mu, lambda: prior.lambda, alpha: prior.alpha, beta: prior.beta };
  const mean = s.sum / n;
  // sumSq - n mean^2 can come out slightly negative from rounding when all rewards are equal.
  const ss = Math.max(0, s.sumSq - n * mean * mean);
  const lambda = prior.lambda + n;
  const d = mean - prior.mu;
  return {
    kind: 'normal-gamma',
    mu: (prior.lambda * prior.mu + s.sum) / lambda,
    lambda,
    alpha: prior.alpha + n / 2,
    beta: prior.beta + ss / 2 + (prior.lambda * n * d * d) / (2 * lambda),
  };
}

/** Posterior mean of the arm's mean reward. */
export function posteriorMean(p: Posterior): number {
  return p.kind === 'beta' ? p.alpha / (p.alpha + p.beta) : p.mu;
}

/** One Thompson draw of the arm's mean. */
export function sampleMean(p: Posterior, rng: Rng): number {
  if (p.kind === 'beta') return sampleBeta(p.alpha, p.beta, rng);
  // studentTMarginal(p), written out so that a draw allocates nothing: location mu, scale
  // sqrt(beta / (alpha lambda)), 2 alpha degrees of freedom.
  return p.mu + Math.sqrt(p.beta / (p.alpha * p.lambda)) * sampleStudentT(2 * p.alpha, rng);
}

/**
 * The posterior of an arm's mean reward under the experiment's reward model and prior; with
 * `bounds` (a gaussian experiment's rewardBounds) the bounded-reward Beta of bounded.ts, in [0, 1] units.
 */
export function posteriorFor(model: RewardModel, prior: BetaPrior | NormalGammaPrior, s: SufficientStats, bounds?: RewardBounds | null): Posterior {
  if (model === 'bernoulli') return betaPosterior(prior as BetaPrior, s);
  return bounds ? boundedPosterior(s, bounds) : normalGammaPosterior(prior as NormalGammaPrior, s);
}
