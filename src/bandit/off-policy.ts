/**
 * Off-policy estimates of a target policy's mean reward per decision from logged decisions
 * (arm, logged propensity, reward), for non-contextual targets (one probability per arm).
 *
 * - IPS (inverse propensity scoring; Horvitz & Thompson 1952): mean of w_i r_i, w_i = pi(a_i) / mu_i,
 *   with the weights truncated at sqrt(n) times their mean (Ionides 2008, "Truncated importance
 *   sampling", J. Comput. Graph. Stat. 17(2)), which bounds the variance at a vanishing bias.
 * - SNIPS (self-normalised IPS; Swaminathan & Joachims 2015, "The self-normalized estimator for
 *   counterfactual learning", NeurIPS): sum w_i r_i / sum w_i, untruncated (self-normalising is
 *   its own control of large weights); variance by the delta method.
 * - DR (doubly robust; Dudik, Langford & Li 2011, "Doubly robust policy evaluation and learning",
 *   ICML): the direct method's value sum_a pi(a) q(a) plus the correction w_i (r_i - q(a_i)), with
 *   q(a) each arm's mean logged reward; untruncated weights, as published: truncating them cost
 *   DR 12 points of coverage under Thompson logging (bench/RESULTS.md, "Off-policy coverage").
 * - Effective sample size (sum w)^2 / sum w^2 (Kong 1992; Owen 2013, "Monte Carlo theory", 9.3).
 *
 * These uniformly weighted estimators assume units that are alike; under an adaptive logging policy
 * (Thompson) their intervals under-cover for the arms it starves. When every unit carries the logging
 * policy's whole propensity vector, the adaptively weighted versions are used instead
 * (off-policy-adaptive.ts: Hadad et al. 2021), and `weighting` says which.
 *
 * Intervals are normal: estimate +/- 1.96 standard errors. Units must be independent draws of the
 * logging policy given the past (one per user: see service/evaluate.ts), in decision order.
 */
import { adaptiveEstimates, type AdaptiveUnit } from './off-policy-adaptive.js';
import { meanAndStandardError } from './stats.js';

export interface LoggedUnit {
  arm: number;
  /** The probability with which the logging policy chose `arm`. */
  propensity: number;
  reward: number;
  /** The logging policy's probability of every arm at this decision, when logged (adaptive weights). */
  propensities?: readonly number[];
}

export interface Estimate {
  value: number;
  interval95: [number, number];
  standardError: number;
}

export interface OffPolicyResult {
  n: number;
  effectiveSampleSize: number;
  logged: Estimate;
  ips: Estimate;
  snips: Estimate;
  dr: Estimate;
  /** adaptive: variance-stabilising weights (every unit had its propensity vector); uniform: today's plain averages. */
  weighting: 'adaptive' | 'uniform';
  /** The intervals contain a finite-sample (betting) interval: adaptive weighting with rewards in [0, 1]. */
  finiteSample: boolean;
  /** IPS truncation (uniform weighting only; null threshold: none). */
  clipping: { threshold: number | null; clipped: number };
}

const Z95 = 1.959963984540054;

function estimate(value: number, standardError: number): Estimate {
  return { value, standardError, interval95: [value - Z95 * standardError, value + Z95 * standardError] };
}

function meanEstimate(xs: ArrayLike<number>): Estimate {
  const { mean, se } = meanAndStandardError(xs);
  return estimate(mean, se);
}

/**
 * The arms the target plays (probability > 0) that the logging policy never chose with a positive
 * propensity in these units: where the estimate has no support.
 */
export function unsupportedArms(units: readonly LoggedUnit[], target: readonly number[]): number[] {
  const seen = new Set<number>();
  for (const u of units) if (u.propensity > 0) seen.add(u.arm);
  return target.flatMap((p, arm) => (p > 0 && !seen.has(arm) ? [arm] : []));
}

/**
 * The estimates for `target` (a probability per arm, summing to 1), from units in decision order:
 * adaptively weighted when every unit has its propensity vector, uniformly weighted otherwise.
 * Needs at least two units.
 */
export function offPolicyEstimates(units: readonly LoggedUnit[], target: readonly number[]): OffPolicyResult {
  const n = units.length;
  if (n < 2) throw new RangeError('off-policy estimates need at least two logged units');
  const w = new Float64Array(n);
  let wSum = 0, wSq = 0;
  const armSum = new Float64Array(target.length), armN = new Float64Array(target.length);
  for (let i = 0; i < n; i++) {
    const u = units[i];
    if (!(u.propensity > 0 && u.propensity <= 1)) throw new RangeError(`propensity must be in (0, 1], got ${u.propensity}`);
    w[i] = target[u.arm] / u.propensity;
    wSum += w[i];
    wSq += w[i] * w[i];
    armSum[u.arm] += u.reward;
    armN[u.arm] += 1;
  }
  const common = { n, effectiveSampleSize: wSq > 0 ? (wSum * wSum) / wSq : 0, logged: meanEstimate(units.map((u) => u.reward)) };
  if (units.every((u) => u.propensities !== undefined)) {
    const aw = adaptiveEstimates(units as readonly AdaptiveUnit[], target);
    return {
      ...common, weighting: 'adaptive', finiteSample: aw.widened, clipping: { threshold: null, clipped: 0 },
      ips: aw.ips, snips: aw.snips, dr: aw.dr,
    };
  }
  const threshold = Math.sqrt(n) * (wSum / n);
  let clipped = 0;
  const q = Array.from(armSum, (s, a) => (armN[a] > 0 ? s / armN[a] : 0));
  const direct = target.reduce((s, p, a) => s + p * q[a], 0);
  const ipsTerms = new Float64Array(n), drTerms = new Float64Array(n);
  let snipsNum = 0;
  for (let i = 0; i < n; i++) {
    const u = units[i];
    const wc = Math.min(w[i], threshold);
    if (wc < w[i]) clipped += 1;
    ipsTerms[i] = wc * u.reward;
    drTerms[i] = direct + w[i] * (u.reward - q[u.arm]);
    snipsNum += w[i] * u.reward;
  }
  const snips = wSum > 0 ? snipsNum / wSum : NaN;
  let snipsVar = 0;
  for (let i = 0; i < n; i++) snipsVar += w[i] * w[i] * (units[i].reward - snips) ** 2;
  return {
    ...common, weighting: 'uniform', finiteSample: false,
    ips: meanEstimate(ipsTerms),
    snips: estimate(snips, wSum > 0 ? Math.sqrt(snipsVar) / wSum : NaN),
    dr: meanEstimate(drTerms),
    clipping: { threshold, clipped },
  };
}

export interface ArmSupport {
  arm: number;
  /** Units in which the logging policy chose the arm. */
  units: number;
  /** (sum w)^2 / sum w^2 of their importance weights w = pi(arm) / e(arm) (Kong 1992): what the arm's part of the estimate is worth. */
  effectiveSampleSize: number;
}

/**
 * Each arm the target plays: how many logged units chose it and their effective sample size. An
 * arm the logging policy starved has few units with small propensities, and the target's estimate
 * for it rests on them whatever the overall effective sample size says.
 */
export function armSupport(units: readonly LoggedUnit[], target: readonly number[]): ArmSupport[] {
  const out: ArmSupport[] = [];
  target.forEach((p, arm) => {
    if (!(p > 0)) return;
    let n = 0, s = 0, s2 = 0;
    for (const u of units) {
      if (u.arm !== arm) continue;
      const w = p / (u.propensities?.[arm] ?? u.propensity);
      n += 1;
      s += w;
      s2 += w * w;
    }
    out.push({ arm, units: n, effectiveSampleSize: s2 > 0 ? (s * s) / s2 : 0 });
  });
  return out;
}
