// Always-valid inference for the holdback lift (issue 8): the asymptotic confidence sequence of
// Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas ("Time-uniform central limit theory and
// asymptotic confidence sequences", Annals of Statistics 2024), in the form GrowthBook uses for
// its sequential testing (docs.growthbook.io/statistics/sequential). At every n at once,
//
//   estimate +- sigma * sqrt( 2 (n rho^2 + 1) / (n^2 rho^2) * log( sqrt(n rho^2 + 1) / alpha ) )
//
// covers the true difference with probability >= 1 - alpha (asymptotically), where n is the
// number of units (users) and sigma^2 = n * Var(estimate) is the variance per unit. The tuning
// parameter rho makes the sequence tightest at n = tuningUsers:
//   rho^2 = (-2 log alpha + log(-2 log alpha + 1)) / tuningUsers
// GrowthBook's default is 5000 (DEFAULT_SEQUENTIAL_TESTING_TUNING_PARAMETER); so is ours.

export const DEFAULT_TUNING_USERS = 5000;

export interface AlwaysValid {
  interval95: [number, number];
  /** The smallest alpha at which the sequence excludes 0 now (1 at most). */
  pValue: number;
}

const rhoSquared = (alpha: number, tuningUsers: number): number =>
  (-2 * Math.log(alpha) + Math.log(-2 * Math.log(alpha) + 1)) / tuningUsers;

/** The half-width at n units, variance per unit sigma2, level 1 - alpha. */
export function csHalfWidth(n: number, sigma2: number, alpha: number, tuningUsers = DEFAULT_TUNING_USERS): number {
  const r2 = rhoSquared(alpha, tuningUsers);
  const a = n * r2 + 1;
  return Math.sqrt(sigma2 * ((2 * a) / (n * n * r2)) * Math.log(Math.sqrt(a) / alpha));
}

/**
 * The always-valid interval and p-value of a difference `estimate` with variance `variance`
 * (of the estimate) after n units. The p-value inverts the half-width: the alpha at which it
 * equals |estimate|. rho is tuned at alpha = 0.05 for both (so p <= 0.05 exactly when the
 * 95% interval excludes 0).
 */
export function alwaysValid(estimate: number, variance: number, n: number, tuningUsers = DEFAULT_TUNING_USERS): AlwaysValid {
  if (!(n > 0)) throw new RangeError(`n must be positive, got ${n}`);
  const sigma2 = n * variance;
  const half = csHalfWidth(n, sigma2, 0.05, tuningUsers);
  if (sigma2 === 0) return { interval95: [estimate, estimate], pValue: estimate === 0 ? 1 : 0 };
  const r2 = rhoSquared(0.05, tuningUsers);
  const a = n * r2 + 1;
  // half-width(alpha) = |estimate|  <=>  log(sqrt(a) / alpha) = estimate^2 n^2 r2 / (2 a sigma2)
  const logP = Math.log(Math.sqrt(a)) - (estimate * estimate * n * n * r2) / (2 * a * sigma2);
  return { interval95: [estimate - half, estimate + half], pValue: Math.min(1, Math.exp(logP)) };
}
