// Seeded Monte Carlo reference for probabilityBest / expectedLoss.
import { sampleMean, type Posterior } from '../../src/bandit/posterior.js';
import type { Rng } from '../../src/bandit/random.js';

/** Seeded Monte Carlo of P(best) and E[max - theta_i], with standard errors. */
export function monteCarlo(ps: Posterior[], n: number, rng: Rng) {
  const k = ps.length;
  const wins = new Float64Array(k);
  const sum = new Float64Array(k);
  const sumSq = new Float64Array(k);
  const draw = new Float64Array(k);
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let i = 0; i < k; i++) {
      draw[i] = sampleMean(ps[i], rng);
      if (draw[i] > draw[best]) best = i;
    }
    wins[best]++;
    for (let i = 0; i < k; i++) {
      const d = draw[best] - draw[i];
      sum[i] += d;
      sumSq[i] += d * d;
    }
  }
  const p = Array.from(wins, (w) => w / n);
  const loss = Array.from(sum, (v) => v / n);
  return {
    p, loss,
    pSe: p.map((q) => Math.sqrt((q * (1 - q)) / n)),
    lossSe: loss.map((m, i) => Math.sqrt((sumSq[i] / n - m * m) / n)),
  };
}
