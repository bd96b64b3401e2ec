// Sample sizes for the holdback comparison (POST /plan, issue 8 item 8): users in the holdback and
// in the bandit population so that a two-sided test at `alpha` finds `effect` with `power`.
//
// Fixed horizon (one look), with the bandit population kappa times the holdback:
//  - bernoulli: Cohen's effect size h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)) (variance 1 per user),
//    n_h = (z_{1-alpha/2} + z_power)^2 (1 + 1/kappa) / h^2, as statsmodels' NormalIndPower with
//    proportion_effectsize and G*Power's normal approximation compute it (Cohen 1988, ch. 6);
//  - gaussian: d = effect / sd, the same normal formula plus Guenther's (1981) t correction
//    z_{1-alpha/2}^2 / 4, which matches the noncentral-t answer of statsmodels' TTestIndPower and
//    G*Power to within one user (Cohen 1988, table 2.4.1: d = 0.5 -> 64 per group).
// Returning users: the report's lift is per rewarded decision with a user-level (delta-method)
// variance, Var = deff * s^2 / (users * m), m the mean rewarded visits per user and deff the design
// effect (the report's recommendation.designEffect: 1 when a user's visits are independent, more
// when users differ). Each user then carries deff / m of one single-visit user's variance, so every
// per-user variance below is multiplied by varianceFactor = deff / m (Kish 1965, "Survey sampling",
// the design effect of cluster samples; Deng et al. 2018 for the ratio's variance).
// Always valid (the confidence sequence of sequential.ts, looked at continuously): the smallest
// total n at which the expected estimate clears the CS half-width with probability `power`,
// i.e. effect = halfWidth_CS(n) + z_power * se(n), found by bisection.
import jStat from 'jstat';
import { csHalfWidth, DEFAULT_TUNING_USERS } from './sequential.js';
import type { RewardModel } from '../contract/experiment.js';

export interface PlanInput {
  rewardModel: RewardModel;
  baselineMean: number;
  /** The absolute difference to detect (bandit population minus holdback). */
  effect: number;
  /** Standard deviation of one user's reward (gaussian); derived from the mean for bernoulli. */
  standardDeviation?: number;
  /** Share of users in the holdback, in (0, 1). */
  holdbackShare: number;
  alpha: number;
  power: number;
  tuningUsers?: number;
  /** deff / (mean rewarded visits per user); 1 (default): one reward per user. */
  varianceFactor?: number;
}

export interface Plan {
  /** Users in the holdback and in the bandit population (rounded up). */
  holdbackUsers: number;
  banditUsers: number;
  totalUsers: number;
}

const z = (p: number): number => jStat.normal.inv(p, 0, 1);

/** Variance per user of each side in the scale of the test (arcsine for bernoulli: 1). */
function scale(x: PlanInput): { effect: number; vHold: number; vBandit: number } {
  const v = x.varianceFactor ?? 1;
  if (x.rewardModel === 'bernoulli') {
    const p1 = x.baselineMean;
    const p2 = p1 + x.effect;
    return { effect: Math.abs(2 * Math.asin(Math.sqrt(p2)) - 2 * Math.asin(Math.sqrt(p1))), vHold: v, vBandit: v };
  }
  const sd = x.standardDeviation!;
  return { effect: Math.abs(x.effect) / sd, vHold: v, vBandit: v };
}

function split(total: number, share: number): Plan {
  const holdbackUsers = Math.ceil(total * share);
  const banditUsers = Math.ceil(total * (1 - share));
  return { holdbackUsers, banditUsers, totalUsers: holdbackUsers + banditUsers };
}

export function fixedHorizonPlan(x: PlanInput): Plan {
  const { effect, vHold, vBandit } = scale(x);
  const kappa = (1 - x.holdbackShare) / x.holdbackShare;
  const za = z(1 - x.alpha / 2);
  let nHold = ((za + z(x.power)) ** 2 * (vHold + vBandit / kappa)) / effect ** 2;
  if (x.rewardModel === 'gaussian') nHold += (za * za) / 4;
  return split(nHold / x.holdbackShare, x.holdbackShare);
}

export function alwaysValidPlan(x: PlanInput): Plan {
  const { effect, vHold, vBandit } = scale(x);
  const h = x.holdbackShare;
  // Variance of the estimate at n total users, and per user (sigma^2 = n Var).
  const sigma2 = vHold / h + vBandit / (1 - h);
  const tuning = x.tuningUsers ?? DEFAULT_TUNING_USERS;
  const needed = (n: number): number => csHalfWidth(n, sigma2, x.alpha, tuning) + z(x.power) * Math.sqrt(sigma2 / n);
  let lo = 2;
  let hi = 2;
  while (needed(hi) > effect) { lo = hi; hi *= 2; if (hi > 1e13) throw new RangeError('the effect is too small to plan for'); }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (needed(mid) > effect) lo = mid; else hi = mid;
  }
  return split(hi, h);
}
