/**
 * What rewardShape hurdle-lognormal costs a refresh of the policy's model and a report: P(best)
 * by simulation (bandit/hurdle.ts, HURDLE_DRAWS draws per arm) against the quadrature of
 * bandit/prob-best.ts for Normal-Gamma posteriors of the same arms, CPU time per call in one
 * process, alternating, the ratio of the same run.
 *
 *   flock /tmp/heavy.lock npx tsx bench/serving/hurdle-cost.ts
 */
import { cpuUsage } from 'node:process';
import { addHurdle, EMPTY_HURDLE, hurdleBestArm, hurdlePosteriors, propensityDraws } from '../../src/bandit/hurdle.js';
import { DEFAULT_NORMAL_GAMMA_PRIOR, posteriorFor } from '../../src/bandit/posterior.js';
import { bestArm } from '../../src/bandit/prob-best.js';
import { makeRng } from '../../src/bandit/random.js';
import { draw, REVENUE } from '../validity/revenue.js';

const cpuMs = (f: () => void, reps: number): number => {
  const t0 = cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const d = cpuUsage(t0);
  return (d.user + d.system) / 1000 / reps;
};

for (const k of [3, 10, 100]) {
  const rng = makeRng(`cost-${k}`);
  const arms = Array.from({ length: k }, () => {
    let h = EMPTY_HURDLE, sum = 0, sumSq = 0;
    for (let i = 0; i < 1000; i++) { const x = draw(REVENUE, rng); h = addHurdle(h, x); sum += x; sumSq += x * x; }
    return { rewards: 1000, hurdle: h, sum, sumSq };
  });
  const hurdle = hurdlePosteriors(arms);
  const ng = arms.map((a) => posteriorFor('gaussian', DEFAULT_NORMAL_GAMMA_PRIOR, a));
  const reps = k === 100 ? 5 : 50;
  const h: number[] = [], p: number[] = [], q: number[] = [];
  for (let r = 0; r < 5; r++) {
    h.push(cpuMs(() => hurdleBestArm(hurdle), reps));
    p.push(cpuMs(() => hurdleBestArm(hurdle, propensityDraws(k)), reps));
    q.push(cpuMs(() => bestArm(ng), reps));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[2];
  console.log(`${k} arms: hurdle P(best) ${med(h).toFixed(2)} ms (report, 8000 draws per arm), ${med(p).toFixed(2)} ms (propensities, ${propensityDraws(k)} per arm); `
    + `Normal-Gamma quadrature ${med(q).toFixed(2)} ms per call (median of 5 x ${reps}); ratios ${(med(h) / med(q)).toFixed(1)}, ${(med(p) / med(q)).toFixed(1)}`);
}
