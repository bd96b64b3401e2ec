// The sequential sample-ratio check (issue 8): the Dirichlet-multinomial Bayes factor of Lindon &
// Malek ("Anytime-Valid Inference for Multinomial Count Data", NeurIPS 2022), as Optimizely's
// `ssrm-test` and GrowthBook compute it. Under H0 the users fall into the cells with the expected
// shares p; under H1 the shares are Dirichlet(c p). The Bayes factor
//
//   BF = [ Gamma(c) / Gamma(c + n) * prod Gamma(c p_i + x_i) / Gamma(c p_i) ] / prod p_i^x_i
//
// is a nonnegative martingale under H0, so by Ville's inequality P(ever BF >= 1/alpha) <= alpha:
// p = min(1, 1/BF) may be looked at after every user. c = 10000 is ssrm-test's default
// (dirichlet_concentration). Periods with different shares (a change of holdbackPercent) are
// independent segments; their Bayes factors multiply.
import jStat from 'jstat';

export const DEFAULT_SRM_CONCENTRATION = 10_000;

/** log BF of the counts `x` against the shares `p` (normalised), concentration c. */
export function srmLogBayesFactor(x: number[], p: number[], c = DEFAULT_SRM_CONCENTRATION): number {
  if (x.length !== p.length) throw new RangeError('counts and shares must have the same length');
  const total = p.reduce((s, v) => s + v, 0);
  let n = 0;
  let log = 0;
  for (let i = 0; i < x.length; i++) {
    const share = p[i] / total;
    if (share === 0) {
      if (x[i] > 0) return Infinity; // a user where none can be: the split is broken
      continue;
    }
    const a = c * share;
    n += x[i];
    log += jStat.gammaln(a + x[i]) - jStat.gammaln(a) - x[i] * Math.log(share);
  }
  return log + jStat.gammaln(c) - jStat.gammaln(c + n);
}

export interface SrmPeriod {
  /** Users in each cell during the period (e.g. [holdback, bandit]). */
  counts: number[];
  shares: number[];
}

/** The always-valid SRM p-value over periods: min(1, 1 / prod BF). */
export function sequentialSrm(periods: SrmPeriod[], c = DEFAULT_SRM_CONCENTRATION): { bayesFactor: number; pValue: number } {
  const log = periods.reduce((s, q) => s + srmLogBayesFactor(q.counts, q.shares, c), 0);
  return { bayesFactor: Math.exp(log), pValue: Math.min(1, Math.exp(-log)) };
}
