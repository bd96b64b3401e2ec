// Distribution functions of an arm's mean under its posterior (Beta, or the Student-t marginal of
// a Normal-Gamma), for reporting. jstat does the work except the Beta CDF (see incomplete-beta.ts).
import jStat from 'jstat';
import { regularizedBeta } from './incomplete-beta.js';
import type { NormalGammaPosterior, Posterior } from './posterior.js';

/**
 * The marginal of a Normal-Gamma's mean: Student-t with 2 alpha dof, location mu,
 * scale sqrt(beta / (alpha lambda)).
 */
export function studentTMarginal(p: NormalGammaPosterior): { dof: number; location: number; scale: number } {
  return { dof: 2 * p.alpha, location: p.mu, scale: Math.sqrt(p.beta / (p.alpha * p.lambda)) };
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`credible level must be in (0, 1), got ${level}`);
}

/** Equal-tailed credible interval of the arm's mean. */
export function credibleInterval(p: Posterior, level = 0.95): [number, number] {
  checkLevel(level);
  const lo = (1 - level) / 2;
  const hi = (1 + level) / 2;
  if (p.kind === 'beta') return [jStat.beta.inv(lo, p.alpha, p.beta), jStat.beta.inv(hi, p.alpha, p.beta)];
  const t = studentTMarginal(p);
  const q = jStat.studentt.inv(hi, t.dof); // symmetric: the lower quantile is -q
  return [t.location - q * t.scale, t.location + q * t.scale];
}

/** P(mean <= x). */
export function meanCdf(p: Posterior, x: number): number {
  if (p.kind === 'beta') return regularizedBeta(x, p.alpha, p.beta);
  const t = studentTMarginal(p);
  return jStat.studentt.cdf((x - t.location) / t.scale, t.dof);
}

/** Density of the mean at x. */
export function meanPdf(p: Posterior, x: number): number {
  if (p.kind === 'beta') return x < 0 || x > 1 ? 0 : jStat.beta.pdf(x, p.alpha, p.beta);
  const t = studentTMarginal(p);
  return jStat.studentt.pdf((x - t.location) / t.scale, t.dof) / t.scale;
}

/**
 * Standard deviation of the mean. A Student-t with dof <= 2 (alpha <= 1: the default prior
 * with no data) has infinite variance; then this returns the half-width of the central 95%
 * interval divided by 1.96, i.e. the sd of a normal with the same 95% interval. It is finite,
 * wider than the scale (2.2 scales at dof 2) and grows as dof falls.
 */
export function meanSd(p: Posterior): number {
  if (p.kind === 'beta') {
    const n = p.alpha + p.beta;
    return Math.sqrt((p.alpha * p.beta) / (n * n * (n + 1)));
  }
  const t = studentTMarginal(p);
  if (t.dof > 2) return t.scale * Math.sqrt(t.dof / (t.dof - 2));
  return (t.scale * jStat.studentt.inv(0.975, t.dof)) / 1.959963984540054;
}
