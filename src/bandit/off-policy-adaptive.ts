/**
 * Off-policy estimates that stay valid when the log comes from an adaptive policy (Thompson
 * sampling): adaptively weighted estimators with variance-stabilising weights.
 *
 * Under adaptive logging the importance weights 1/e_t of a starved arm grow as the policy learns,
 * the per-unit terms are no longer identically distributed, and the plain (uniformly weighted) IPS
 * and AIPW averages are not asymptotically normal: their intervals under-cover (bench/RESULTS.md,
 * "Off-policy coverage"). Hadad, Hirshberg, Zhan, Wager & Athey 2021 ("Confidence intervals for
 * policy evaluation in adaptive experiments", PNAS 118(15), e2014602118) weight unit t by an h_t
 * known before decision t that evens out the terms' conditional variances; with h_t = sqrt(e_t(k))
 * for "always arm k" ("StableVar"), and h_t = 1 / sqrt(sum_a pi(a)^2 / e_t(a)) for a target pi that
 * mixes arms (Zhan, Hadad, Hirshberg & Athey 2021, "Off-policy evaluation via adaptive weighting
 * with data from contextual bandits", KDD), the weighted average of martingale differences is
 * asymptotically normal (martingale CLT) as long as e_t does not fall faster than the paper's
 * condition allows. e_t is the logging policy's probability of every arm at decision t (logged on
 * the decision event), whichever arm was chosen: h_t must not depend on the chosen arm.
 *
 *   AW-AIPW ("dr"):  Q = sum h_t G_t / sum h_t, G_t = sum_a pi(a) q_t(a) + w_t (y_t - q_t(a_t)),
 *                    w_t = pi(a_t) / e_t(a_t), q_t(a) = the mean reward of arm a over the units
 *                    before t (the mean over all earlier units while a has none; 0 at the start),
 *                    so q_t is known before decision t as the martingale argument needs.
 *                    Variance (Hadad et al., Theorem 2): sum h_t^2 (G_t - Q)^2 / (sum h_t)^2.
 *   AW-IPW ("ips"):  the same with q_t = 0: G_t = w_t y_t. No truncation (the weights do that job).
 *   AW-SNIPS:        sum h_t w_t y_t / sum h_t w_t, the self-normalised (Hajek) form of AW-IPW
 *                    (Swaminathan & Joachims 2015 for self-normalising); its numerator minus Q times
 *                    its denominator is the same kind of stabilised martingale, so the delta method
 *                    gives sum (h_t w_t)^2 (y_t - Q)^2 / (sum h_t w_t)^2.
 *
 * Units are taken in decision order and must be draws of the logging policy given the past (one
 * per user: see service/evaluate.ts).
 *
 * Intervals: estimate +/- 1.96 standard errors is asymptotic, and Thompson starves arms to a few
 * pulls, where no normal interval holds (bench/RESULTS.md: at effective sample sizes below 5 they
 * covered about half the time). With rewards in [0, 1] the interval is therefore widened to
 * contain a finite-sample one, from testing by betting on the same terms (betting-interval.ts):
 * the IPW terms w_t y_t >= 0 and w_t (1 - y_t) >= 0 (mean 1 - Q) for IPS and SNIPS, the AIPW terms
 * with their bounds known before each decision (from q_t and e_t) for DR. An interval that contains
 * a valid 95% interval covers at least 95%.
 */
import { bettingInterval95 } from './betting-interval.js';

const Z95 = 1.959963984540054;

export interface AdaptiveUnit {
  arm: number;
  /** e_t(a_t), exact: the importance weight's denominator. */
  propensity: number;
  reward: number;
  /** e_t(a) for every arm a (logged rounded: it only sets h_t). */
  propensities: readonly number[];
}

export interface WeightedMean {
  value: number;
  standardError: number;
  interval95: [number, number];
}

/** Variance-stabilising weight of one decision for target `pi`: 1 / sqrt(sum_a pi(a)^2 / e(a)); 0 where e has no support for pi. */
export function stableVarWeight(pi: readonly number[], e: readonly number[]): number {
  let v = 0;
  for (let a = 0; a < pi.length; a++) {
    if (!(pi[a] > 0)) continue;
    if (!(e[a] > 0)) return 0;
    v += (pi[a] * pi[a]) / e[a];
  }
  return v > 0 ? 1 / Math.sqrt(v) : 0;
}

/** The normal interval, widened to contain `finite` when there is one. */
function withInterval(value: number, standardError: number, finite: [number, number] | null): WeightedMean {
  const normal: [number, number] = [value - Z95 * standardError, value + Z95 * standardError];
  return { value, standardError, interval95: finite ? [Math.min(normal[0], finite[0]), Math.max(normal[1], finite[1])] : normal };
}

/** sum h G / sum h and its standard error sqrt(sum h^2 (G - Q)^2) / sum h. */
function weightedMean(h: Float64Array, g: Float64Array, finite: [number, number] | null): WeightedMean {
  let hSum = 0, hg = 0;
  for (let t = 0; t < h.length; t++) { hSum += h[t]; hg += h[t] * g[t]; }
  const value = hg / hSum;
  let v = 0;
  for (let t = 0; t < h.length; t++) v += h[t] * h[t] * (g[t] - value) ** 2;
  return withInterval(value, Math.sqrt(v) / hSum, finite);
}

/** AW-IPW, AW-SNIPS and AW-AIPW of `target` (a probability per arm) from units in decision order. */
/** `widened`: the rewards were in [0, 1], and the intervals contain the finite-sample ones. */
export function adaptiveEstimates(units: readonly AdaptiveUnit[], target: readonly number[]): { ips: WeightedMean; snips: WeightedMean; dr: WeightedMean; widened: boolean } {
  const n = units.length;
  const h = new Float64Array(n), ipsTerms = new Float64Array(n), drTerms = new Float64Array(n);
  // For the betting intervals: complementary IPW terms, and the AIPW terms' bounds known before each decision.
  const ipsComplement = new Float64Array(n), zeros = new Float64Array(n), drLow = new Float64Array(n), drHighComplement = new Float64Array(n);
  const bounded = units.every((u) => u.reward >= 0 && u.reward <= 1);
  const armSum = new Float64Array(target.length), armN = new Float64Array(target.length);
  let allSum = 0, snipsNum = 0, snipsDen = 0;
  for (let t = 0; t < n; t++) {
    const u = units[t];
    h[t] = stableVarWeight(target, u.propensities);
    const w = target[u.arm] / u.propensity;
    const q = (a: number): number => (armN[a] > 0 ? armSum[a] / armN[a] : t > 0 ? allSum / t : 0);
    let direct = 0, down = 0, up = 0;
    for (let a = 0; a < target.length; a++) {
      if (!(target[a] > 0)) continue;
      direct += target[a] * q(a);
      const e = u.propensities[a];
      down = Math.max(down, e > 0 ? (target[a] * q(a)) / e : Infinity);
      up = Math.max(up, e > 0 ? (target[a] * (1 - q(a))) / e : Infinity);
    }
    ipsTerms[t] = w * u.reward;
    ipsComplement[t] = w * (1 - u.reward);
    drTerms[t] = direct + w * (u.reward - q(u.arm));
    drLow[t] = direct - down;
    drHighComplement[t] = 1 - (direct + up);
    snipsNum += h[t] * w * u.reward;
    snipsDen += h[t] * w;
    armSum[u.arm] += u.reward;
    armN[u.arm] += 1;
    allSum += u.reward;
  }
  const snips = snipsNum / snipsDen;
  let snipsVar = 0;
  for (let t = 0; t < n; t++) {
    const hw = (h[t] * target[units[t].arm]) / units[t].propensity;
    snipsVar += hw * hw * (units[t].reward - snips) ** 2;
  }
  const precision = h.map((x) => x * x);
  const ipsFinite = bounded ? bettingInterval95(ipsTerms, zeros, ipsComplement, zeros, precision) : null;
  const drFinite = bounded ? bettingInterval95(drTerms, drLow, drTerms.map((g) => 1 - g), drHighComplement, precision) : null;
  return {
    ips: weightedMean(h, ipsTerms, ipsFinite),
    snips: withInterval(snips, Math.sqrt(snipsVar) / snipsDen, ipsFinite),
    dr: weightedMean(h, drTerms, drFinite),
    widened: bounded,
  };
}
