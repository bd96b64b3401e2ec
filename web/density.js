// Posterior densities of each arm's mean, from the parameters /arms reports: Beta(alpha, beta) for
// bernoulli; for normal-gamma the mean's marginal, a Student t with 2 alpha degrees of freedom,
// location mu and scale sqrt(beta / (alpha lambda)) (Murphy 2007, "Conjugate Bayesian analysis of
// the Gaussian distribution"), as the service uses (src/bandit/mean-marginal.ts).

// Lanczos approximation of log Gamma (g = 7, n = 9), accurate to ~1e-15 for x > 0.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61503916999185, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
export function logGamma(x) {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaPdf(x, a, b) {
  if (x <= 0 || x >= 1) return 0;
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) + logGamma(a + b) - logGamma(a) - logGamma(b));
}

function studentPdf(x, df, loc, scale) {
  const z = (x - loc) / scale;
  return Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - Math.log(scale)
    - ((df + 1) / 2) * Math.log1p((z * z) / df));
}

/** Mean and standard deviation of the arm's mean under its posterior. */
function moments(p) {
  if (p.kind === 'beta') {
    const n = p.alpha + p.beta;
    return { mean: p.alpha / n, sd: Math.sqrt((p.alpha * p.beta) / (n * n * (n + 1))) };
  }
  const scale = Math.sqrt(p.beta / (p.alpha * p.lambda));
  const df = 2 * p.alpha;
  return { mean: p.mu, sd: df > 2 ? scale * Math.sqrt(df / (df - 2)) : scale * 3 };
}

/** x values and one density series per posterior, over a range that holds every arm's bulk. */
export function densities(posteriors, points = 240) {
  const ms = posteriors.map(moments);
  let lo = Math.min(...ms.map((m) => m.mean - 4.5 * m.sd));
  let hi = Math.max(...ms.map((m) => m.mean + 4.5 * m.sd));
  if (posteriors[0]?.kind === 'beta') { lo = Math.max(0, lo); hi = Math.min(1, hi); }
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const xs = Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
  const ys = posteriors.map((p) => xs.map((x) => (p.kind === 'beta'
    ? betaPdf(x, p.alpha, p.beta)
    : studentPdf(x, 2 * p.alpha, p.mu, Math.sqrt(p.beta / (p.alpha * p.lambda))))));
  return { xs, ys };
}
