/**
 * Issue 24 with a linear policy: the contextual instance `linear` (bench/validity/sim/linear-instances.json,
 * 5 arms, T = 20,000) with arms 1 and 2 swapping their coefficients at T/2 (the best arm of
 * segments a and b trade places), through the service's code (sim/linear-engine.ts):
 * linear-thompson with and without `changeDetection`, on the same worlds and policy seeds (paired),
 * mean cumulative pseudo-regret ± standard error and the paired ratio. Also the stationary
 * `linear` instance with changeDetection, for its cost when nothing changes.
 * `REPS=n` (default 40) `npx tsx bench/validity/regret-linear-swap.ts`; run under flock /tmp/heavy.lock.
 */
import { simulateLinear } from './sim/linear-engine.js';
import { gitDescription, pm, summarize } from './sim/run-jobs.js';

const REPS = Number(process.env.REPS ?? 40);
const SWAP: [number, number] = [1, 2];

async function pair(swap: boolean): Promise<string> {
  const plain: number[] = [];
  const cd: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const a = await simulateLinear('linear', 'linear-thompson', rep, { ...(swap && { swap: SWAP }), changeDetection: false });
    const b = await simulateLinear('linear', 'linear-thompson', rep, { ...(swap && { swap: SWAP }), changeDetection: true });
    plain.push(a[a.length - 1]);
    cd.push(b[b.length - 1]);
  }
  const p = summarize(plain);
  const c = summarize(cd);
  // Paired ratio's standard error by the delta method on the paired differences cd - r * plain.
  const r = c.mean / p.mean;
  const se = summarize(cd.map((x, i) => (x - r * plain[i]) / p.mean)).se;
  return `| ${swap ? 'swap arms 1 <-> 2 at T/2' : 'stationary'} | ${pm(p)} | ${pm(c)} | ${r.toFixed(3)} ± ${se.toFixed(3)} |`;
}

const t0 = Date.now();
const rows = [await pair(true), await pair(false)];
console.log([
  `linear-thompson with and without changeDetection (glr, delta 0.001), instance 'linear', T = 20,000, ${REPS} paired seeded repetitions, code of ${gitDescription()}:`,
  '',
  '| instance | linear-thompson regret | + changeDetection | ratio (paired) |',
  '| --- | ---: | ---: | ---: |',
  ...rows,
  '',
  `(${((Date.now() - t0) / 1000).toFixed(0)} s)`,
].join('\n'));
