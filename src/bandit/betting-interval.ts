/**
 * A finite-sample 95% interval for the mean Q of terms X_t whose conditional mean given the past is
 * Q at every t (IPS or AIPW terms of an adaptively logged policy), each known before it is drawn
 * to lie above a bound L_t: testing by betting (Waudby-Smith & Ramdas 2024, "Estimating means of
 * bounded random variables by betting", JRSSB 86(1); for off-policy terms under adaptive logging,
 * Waudby-Smith, Wu, Ramdas, Karampatziakis & Mineiro 2022, "Anytime-valid off-policy inference for
 * contextual bandits", arXiv:2210.10768).
 *
 * For a candidate mean m, the wealth K(m) = prod_t (1 + lambda_t (X_t - m)) with a bet lambda_t in
 * [0, c / (m - L_t)] chosen before X_t is seen (so 1 + lambda_t (X_t - m) >= 0) is a nonnegative
 * martingale at m = Q; by Ville's inequality it reaches 1/a with probability at most a. The lower
 * bound is the smallest m on a grid whose wealth stays below 1/a. No normal approximation: it holds
 * with 2 pulls of an arm as with 2,000, which is where the adaptive normal intervals fail.
 *
 * Bets: the predictable plug-in of Waudby-Smith & Ramdas (their (26), fixed-time),
 * lambda_t = sqrt(2 log(1/a) / (n s_{t-1}^2)) with s^2 a running variance started at 1/4, here
 * scaled by the precision weight v_t (= h_t^2 of off-policy-adaptive.ts, 1 / the term's conditional
 * variance up to a constant, known before decision t): lambda_t = v_t sqrt(2 log(1/a) / (n V_t s_{t-1}^2)),
 * V_t the mean of v up to t and s^2 the running mean of v (X - mean)^2, so the bets follow the
 * changing variance of adaptively logged terms; truncated at c = 1/2 of the largest safe bet. Any
 * bets chosen before X_t keep the interval valid; these only make it narrower.
 */

const GRID = 400;
const TRUNCATION = 0.5;

/** The smallest m in [lo, hi] (grid of GRID steps, one step of slack) not rejected at level a by the lower-side test. */
export function bettingLowerBound(x: ArrayLike<number>, low: ArrayLike<number>, v: ArrayLike<number>, a: number, lo: number, hi: number): number {
  const n = x.length;
  const bets = new Float64Array(n);
  let mean = 0.5, vSum = 0, vxSum = 0, sumSq = 0.25;
  for (let t = 0; t < n; t++) {
    vSum += v[t];
    bets[t] = v[t] > 0 ? v[t] * Math.sqrt((2 * Math.log(1 / a)) / (n * (vSum / (t + 1)) * (sumSq / (t + 1)))) : 0;
    sumSq += v[t] * (x[t] - mean) ** 2;
    vxSum += v[t] * x[t];
    mean = (0.5 + vxSum) / (1 + vSum);
  }
  const threshold = Math.log(1 / a);
  const step = (hi - lo) / GRID;
  for (let g = 0; g <= GRID; g++) {
    const m = lo + g * step;
    let logWealth = 0;
    for (let t = 0; t < n && logWealth < threshold; t++) {
      const lambda = m > low[t] ? Math.min(bets[t], TRUNCATION / (m - low[t])) : bets[t];
      logWealth += Math.log1p(lambda * (x[t] - m));
    }
    if (logWealth < threshold) return Math.max(lo, m - step);
  }
  return hi;
}

/**
 * The 95% interval for Q from terms x_t >= low_t, and the complementary terms y_t >= lowY_t with
 * conditional mean 1 - Q (the upper bound is 1 minus their lower bound), each side at 2.5%.
 * Q is known to lie in [0, 1] (rewards in [0, 1]).
 */
export function bettingInterval95(x: ArrayLike<number>, low: ArrayLike<number>, y: ArrayLike<number>, lowY: ArrayLike<number>, v: ArrayLike<number>): [number, number] {
  return [bettingLowerBound(x, low, v, 0.025, 0, 1), 1 - bettingLowerBound(y, lowY, v, 0.025, 0, 1)];
}
