// The density of an arm's mean in the form the quadrature of prob-best.ts evaluates ~1e5 times
// per call: a log-density at the centre computed without cancellation, plus a cheap kernel
// relative to the centre. jstat's betaln subtracts log-gammas of size (a+b) log(a+b), which
// loses ~1e-6 in the log-density for a+b ~ 1e9; the Stirling forms below do not.
import jStat from 'jstat';
import { studentTMarginal } from './mean-marginal.js';
import type { Posterior } from './posterior.js';

export interface MeanDensity {
  kind: 'beta' | 'normal-gamma';
  /** mean (Beta) or location (Student-t) */
  center: number;
  /** sd (Beta) or scale (Student-t): the unit of the mesh */
  scale: number;
  /** outside [lower, upper] the mass is below ~3e-10 (Beta) or 1e-12 (Student-t) on each side */
  lower: number;
  upper: number;
  /** log-density at `center` */
  logAtCenter: number;
  /** Beta: a - 1, b - 1, log(center), log(1 - center). Student-t: dof, (dof + 1) / 2. */
  p1: number;
  p2: number;
  p3: number;
  p4: number;
}

/** Stirling series remainder: lgamma(x) - ((x - 0.5) log x - x + 0.5 log 2 pi), for x >= 10. */
function stirlingCorrection(x: number): number {
  const x2 = x * x;
  return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * x2)) / x2) / x2) / x;
}

/** lgamma(large + small) - lgamma(large), without the cancellation when `large` is big. */
function logGammaIncrement(large: number, small: number): number {
  if (large < 10) return jStat.gammaln(large + small) - jStat.gammaln(large);
  const s = large + small;
  return -(large - 0.5) * Math.log1p(-small / s) + small * Math.log(s) - small + stirlingCorrection(s) - stirlingCorrection(large);
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log of the Beta(a, b) density at its mean c = a / (a + b). */
function betaLogDensityAtMean(a: number, b: number): number {
  const s = a + b;
  const c = a / s;
  if (Math.min(a, b) >= 10) {
    // Stirling for all three log-gammas; the a log c + b log(1-c) terms cancel exactly.
    const corr = stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(s);
    return -Math.log(c) - Math.log1p(-c) - HALF_LOG_2PI + 0.5 * Math.log((a * b) / s) - corr;
  }
  const small = Math.min(a, b);
  const logBeta = jStat.gammaln(small) - logGammaIncrement(Math.max(a, b), small);
  return (a - 1) * Math.log(c) + (b - 1) * Math.log1p(-c) - logBeta;
}

const TAIL = 1e-12; // Student-t mass left outside the range on each side

export function meanDensity(p: Posterior): MeanDensity {
  if (p.kind === 'beta') {
    const { alpha: a, beta: b } = p;
    if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) throw new RangeError(`invalid Beta(${a}, ${b})`);
    const s = a + b;
    const c = a / s;
    const sd = Math.sqrt((a * b) / (s * s * (s + 1)));
    // Tail bound in sds, checked against scipy over a in [0.05, 1e5], b in [0.05, 1e7]: < 3e-10 outside.
    const m = Math.min(a, b);
    const k = 7 + 12 / Math.sqrt(m) + 2 / m;
    return {
      kind: 'beta', center: c, scale: sd, lower: Math.max(0, c - k * sd), upper: Math.min(1, c + k * sd),
      logAtCenter: betaLogDensityAtMean(a, b), p1: a - 1, p2: b - 1, p3: Math.log(c), p4: Math.log1p(-c),
    };
  }
  if (!(p.alpha > 0 && p.lambda > 0 && p.beta > 0 && Number.isFinite(p.mu))) {
    throw new RangeError(`invalid Normal-Gamma(${p.mu}, ${p.lambda}, ${p.alpha}, ${p.beta})`);
  }
  const { dof, location, scale } = studentTMarginal(p);
  // Past dof 100 the t quantile barely moves; jstat's quantile is accurate this far out.
  const k = Math.max(7, -jStat.studentt.inv(TAIL, Math.min(dof, 100)));
  const logAtCenter = logGammaIncrement(dof / 2, 0.5) - 0.5 * Math.log(dof * Math.PI) - Math.log(scale);
  return {
    kind: 'normal-gamma', center: location, scale, lower: location - k * scale, upper: location + k * scale,
    logAtCenter, p1: dof, p2: (dof + 1) / 2, p3: 0, p4: 0,
  };
}

/** Density at x. For Beta arms pass logX = log(x), log1mX = log(1 - x), shared by all arms at x. */
export function densityAt(d: MeanDensity, x: number, logX: number, log1mX: number): number {
  if (d.kind === 'beta') {
    if (x <= 0 || x >= 1) return 0;
    // (a-1)(log x - log c): each log is off by ~1e-16 absolute, so the error stays ~(a-1) 1e-16.
    return Math.exp(d.logAtCenter + d.p1 * (logX - d.p3) + d.p2 * (log1mX - d.p4));
  }
  const z = (x - d.center) / d.scale;
  return Math.exp(d.logAtCenter - d.p2 * Math.log1p((z * z) / d.p1));
}
