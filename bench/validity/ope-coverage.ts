/**
 * The off-policy coverage simulation, long version (figures in bench/RESULTS.md): RUNS seeded runs
 * of bench/validity/ope/simulate.ts, then for IPS, SNIPS and DR the share of 95% intervals for "always arm k"
 * that cover arm k's rate, by the arm's rank in its run, and the mean error with its Monte-Carlo error.
 *
 *   flock /tmp/heavy.lock npm run bench:validity -- ope
 *   RUNS=200 USERS=500 POLICY=fixed npm run bench:validity -- ope      (the non-adaptive control)
 */
import { spawnSync } from 'node:child_process';
import { simulateRun, summarise, type RunResult } from './ope/simulate.js';

const RUNS = Number(process.env.RUNS ?? 200);
const USERS = Number(process.env.USERS ?? 500);
const POLICY = process.env.POLICY === 'fixed' ? 'fixed' : 'thompson';
const RATE_LOW = Number(process.env.RATE_LOW ?? 0.1);
const RATE_SPAN = Number(process.env.RATE_SPAN ?? 0.6);
const SHARE = process.env.MIN_ARM_SHARE === undefined ? undefined : Number(process.env.MIN_ARM_SHARE);

const started = Date.now();
const results: RunResult[] = [];
for (let seed = 0; seed < RUNS; seed++) results.push(await simulateRun(seed, { users: USERS, policy: POLICY, rateLow: RATE_LOW, rateSpan: RATE_SPAN, ...(SHARE !== undefined && { minArmShare: SHARE }) }));
const s = summarise(results);
const git = (...args: string[]): string => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const mc = (p: number, n: number): string => `±${(100 * Math.sqrt((p * (1 - p)) / n)).toFixed(1)}`;
const perRank = results.reduce((acc, r) => { r.rates.forEach((_, i) => { acc[i] = (acc[i] ?? 0) + 1; }); return acc; }, [] as number[]);

console.log(`\n## Off-policy coverage (bench:validity -- ope)\n\ncommit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' (uncommitted changes)' : ''}; `
  + `${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`Command: RUNS=${RUNS} USERS=${USERS} POLICY=${POLICY} RATE_LOW=${RATE_LOW} RATE_SPAN=${RATE_SPAN}${SHARE !== undefined ? ` MIN_ARM_SHARE=${SHARE}` : ''} npm run bench:validity -- ope`);
console.log(`${RUNS} runs, ${POLICY} logging, 3-5 Bernoulli arms with rates in [${RATE_LOW}, ${RATE_LOW + RATE_SPAN}], ${USERS} users each returning 1-5 times; `
  + `${results.reduce((a, r) => a + r.decisions, 0) / RUNS} decisions per run on average; ${s.undefinedEstimates} undefined estimates (no overlap); `
  + `${pct(s.clippedShare)} of IPS weights truncated; weighting used: ${JSON.stringify(s.weighting)}\n`);
console.log('Coverage of the 95% intervals for "always arm k" (± one Monte-Carlo standard error), by the arm\'s rank in its run (1 = best):\n');
console.log(`| estimator | all | ${perRank.map((_, i) => `rank ${i + 1} (${perRank[i]} runs)`).join(' | ')} |`);
console.log(`|---|--:|${perRank.map(() => '--:').join('|')}|`);
for (const n of ['ips', 'snips', 'dr'] as const) {
  const c = s.coverage[n];
  console.log(`| ${n} | ${pct(c.all)} ${mc(c.all, s.intervals / 3)} | ${c.byRank.map((p, i) => `${pct(p)} ${mc(p, perRank[i])}`).join(' | ')} |`);
}
console.log(`\nIntervals given without a warning (effective sample size >= 100): ${s.trusted.intervals} of ${s.intervals / 3}; their coverage: `
  + (['ips', 'snips', 'dr'] as const).map((n) => `${n} ${pct(s.trusted.coverage[n])} ${mc(s.trusted.coverage[n], s.trusted.intervals)}`).join(', '));
console.log('\nMean error (estimate - rate) ± its Monte-Carlo standard error, the mean reported standard error and the mean interval width, by rank:\n');
console.log(`| estimator | ${perRank.map((_, i) => `rank ${i + 1}`).join(' | ')} |`);
console.log(`|---|${perRank.map(() => '--:').join('|')}|`);
for (const n of ['ips', 'snips', 'dr'] as const) {
  console.log(`| ${n} | ${s.bias[n].map((b) => `${b.meanError.toFixed(4)} ± ${b.mcError.toFixed(4)} (se ${b.meanReportedSe.toFixed(3)}, width ${b.meanWidth.toFixed(3)})`).join(' | ')} |`);
}
