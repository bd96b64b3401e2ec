/**
 * Does the context matter for an arm? Bayesian model averaging (Hoeting, Madigan, Raftery &
 * Volinsky 1999, "Bayesian Model Averaging: A Tutorial", Statistical Science 14(4)) over two nested
 * models of one arm's reward, both read from the same sums (linear-model.ts):
 *
 *   M0: the intercept alone, r = theta_0 + noise (x_0 = 1 in every x, so its sums are S[0][0] = n
 *       and b[0] = sum r);
 *   M1: the full linear model, r = x . theta + noise.
 *
 * Both with the Normal-Inverse-Gamma prior of linear-model.ts (theta | s2 ~ N(0, s2/lambda I),
 * s2 ~ IG(a0, b0)), whose marginal likelihood is closed form (Murphy 2012 section 7.6.3;
 * O'Hagan & Forster 2004, Kendall's vol. 2B section 11.9): with A = lambda I + X'X, b = X'y,
 * a_n = a0 + n/2 and b_n = b0 + (y'y - b' A^-1 b)/2,
 *
 *   log p(y | M) = -n/2 log(2 pi) + d/2 log lambda - 1/2 log det A + a0 log b0 - a_n log b_n
 *                  + lnGamma(a_n) - lnGamma(a0).
 *
 * Between M1 (d coefficients) and M0 (1) every term but three cancels; the Bayes factor
 * (Kass & Raftery 1995, "Bayes Factors", JASA 90(430)) is
 *
 *   log BF10 = (d - 1)/2 log lambda - 1/2 (log det A1 - log det A0) - a_n (log b_n1 - log b_n0),
 *
 * A0 = lambda + n. The first two terms penalise the d - 1 extra coefficients by about
 * (d - 1)/2 log n; the third rewards the residual variance they explain. P(M1 | data) follows from
 * the prior odds; CONTEXT_PRIOR = 1/2 is the "neutral choice" of equal prior model probabilities
 * that Hoeting et al. (section 5) recommend when there is no information to favour either model.
 * With no data the Bayes factor is 1 and P(M1) is the prior.
 */
import { linearLength, type ArmPosterior, type NoisePrior } from './linear-model.js';

export const CONTEXT_PRIOR = 0.5;

/** One arm's intercept-only posterior (its reward mean's draw is N(mean, sd^2)) and P(context matters). */
export interface ContextEvidence {
  /** P(M1 | data): the posterior probability that the arm's reward depends on the context. */
  readonly pContext: number;
  readonly logBayesFactor: number;
  readonly interceptMean: number;
  readonly interceptSd: number;
}

/** M0 and the Bayes factor from the arm's sums and its full posterior `full` (armPosterior of the same sums). */
export function contextEvidence(full: ArmPosterior, sums: Float64Array | undefined, prior: NoisePrior, lambda: number, priorOdds = CONTEXT_PRIOR / (1 - CONTEXT_PRIOR)): ContextEvidence {
  const { d } = full;
  const ok = sums !== undefined && sums.length === linearLength(d);
  const sumR = ok ? sums[2] : 0;
  const sumSq = ok ? sums[1] : 0;
  const a0 = lambda + (ok ? sums[2 + d] : 0); // S[0][0] = n
  const interceptMean = sumR / a0;
  const rate0 = prior.b0 + Math.max(0, sumSq - interceptMean * sumR) / 2;
  const an = prior.a0 + full.n / 2;
  const logBayesFactor = ((d - 1) / 2) * Math.log(lambda) - (full.logDet - Math.log(a0)) / 2 - an * (Math.log(full.noiseRate) - Math.log(rate0));
  const odds = priorOdds * Math.exp(Math.min(700, logBayesFactor));
  return { pContext: odds / (1 + odds), logBayesFactor, interceptMean, interceptSd: Math.sqrt(rate0 / an / a0) };
}
