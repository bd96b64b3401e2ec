// The user-level mean reward and its variance, from sums over users (issue 8).
//
// A user who comes back adds correlated decisions, so decisions are not independent; users are.
// The mean reward per rewarded decision is a ratio of per-user means, R = mean(S_i) / mean(N_i)
// (S_i: user i's reward sum, N_i: their reward count), and its variance over users follows from
// the delta method (Deng, Knoblich & Lu 2018, "Applying the Delta Method in Metric Analytics",
// KDD; the cluster-robust variance of the mean, as Statsig and GrowthBook compute ratio metrics):
//
//   Var(R) ~= (s_S^2 - 2 R s_SN + R^2 s_N^2) / (n mean(N)^2)
//
// with s_S^2, s_N^2, s_SN the sample (co)variances over the n users (users without a reward yet
// count, with S_i = N_i = 0). With one reward per user it is the usual s^2 / n of the decisions.
import jStat from 'jstat';

export interface UserLevelSums {
  /** Users exposed (first exposures). */
  users: number;
  /** sum S_i (the reward sum) */
  sum: number;
  /** sum N_i (the reward count) */
  count: number;
  sumSq: number;
  countSq: number;
  cross: number;
}

export interface UserLevelMean {
  mean: number;
  /** Variance of `mean` (not of a user's reward). */
  variance: number;
  users: number;
}

/** The user-level mean and its delta-method variance; null with fewer than 2 users or no reward. */
export function userLevelMean(x: UserLevelSums): UserLevelMean | null {
  const n = x.users;
  if (n < 2 || x.count <= 0) return null;
  const mS = x.sum / n;
  const mN = x.count / n;
  const vS = (x.sumSq - n * mS * mS) / (n - 1);
  const vN = (x.countSq - n * mN * mN) / (n - 1);
  const cSN = (x.cross - n * mS * mN) / (n - 1);
  const r = x.sum / x.count;
  // Clamp: rounding can make a zero variance a hair negative.
  const variance = Math.max(0, (vS - 2 * r * cSN + r * r * vN) / (n * mN * mN));
  return { mean: r, variance, users: n };
}

export interface Difference {
  diff: number;
  se: number;
  interval95: [number, number];
  pValue: number;
}

/** a - b with a normal (z) interval at `level` and a two-sided p-value. */
export function difference(a: UserLevelMean, b: UserLevelMean, level = 0.95): Difference {
  const diff = a.mean - b.mean;
  const se = Math.sqrt(a.variance + b.variance);
  const z = jStat.normal.inv((1 + level) / 2, 0, 1);
  if (se === 0) return { diff, se, interval95: [diff, diff], pValue: diff === 0 ? 1 : 0 };
  return { diff, se, interval95: [diff - z * se, diff + z * se], pValue: Math.min(1, 2 * jStat.normal.cdf(-Math.abs(diff) / se, 0, 1)) };
}
