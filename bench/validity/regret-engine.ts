/**
 * The second-round table of bench:validity (issue 11): discounted Thompson on an abrupt change, a
 * slow drift and today's stationary instances; cost-aware Thompson and UCB on the cost instance;
 * the 1% exploration floor on the 10-arm instance (its regret cost, and its propensities against
 * the empirical frequencies). Runs bench/validity/sim/seam-engine.ts on worker threads.
 */
import { COST, ENGINE_RUNS, type EngineInstance } from './sim/engine-instances.js';
import type { EngineJob, EngineJobResult } from './sim/engine-worker.js';
import type { EngineResult } from './sim/seam-engine.js';
import { fmt, pm, runJobs, summarize, type Summary } from './sim/run-jobs.js';

/**
 * From `python3 bench/validity/reference/engine_reference.py 2000 5000` (independent numpy implementations,
 * 2000 repetitions, half-life 5000 decisions; recorded in bench/RESULTS.md).
 */
const REFERENCES: Record<string, Summary> = {
  'abrupt/0': { mean: 347.4, se: 2.43 }, 'abrupt/1': { mean: 151.7, se: 0.98 },
  'drift/0': { mean: 177.7, se: 1.47 }, 'drift/1': { mean: 79.4, se: 0.68 },
  'cost/1': { mean: 40.1, se: 0.57 },
};

const ratio = (a: Summary, b: Summary): Summary => {
  const r = a.mean / b.mean;
  // Delta method, the two samples taken as independent (they share worlds, so this overstates the error).
  return { mean: r, se: r * Math.sqrt((a.se / a.mean) ** 2 + (b.se / b.mean) ** 2) };
};
const r3 = (s: Summary): string => `${s.mean.toFixed(3)} ± ${s.se.toFixed(3)}`;

function jobsOf(reps: (inst: EngineInstance) => number): EngineJob[] {
  const jobs: EngineJob[] = [];
  ENGINE_RUNS.forEach(({ instance, variants }, run) => variants.forEach((_, variant) => {
    const n = reps(instance);
    const chunk = Math.max(1, Math.round(200_000 / instance.horizon));
    for (let r = 0; r < n; r += chunk) jobs.push({ id: jobs.length, table: 'engine', run, variant, repFrom: r, repTo: Math.min(n, r + chunk) });
  }));
  return jobs;
}

export async function engineTable(workers: number, repsOverride: number | null): Promise<{ lines: string[]; decisions: number; cpuMs: number }> {
  const jobs = jobsOf((i) => repsOverride ?? i.reps);
  const results = new Map<string, EngineResult[]>();
  let cpuMs = 0;
  let decisions = 0;
  await runJobs<EngineJob, EngineJobResult>(new URL('./sim/engine-worker-boot.mjs', import.meta.url), workers, jobs, (job, res) => {
    const key = `${job.run}/${job.variant}`;
    results.set(key, [...(results.get(key) ?? []), ...res.results]);
    cpuMs += res.ms;
    decisions += res.results.length * ENGINE_RUNS[job.run].instance.horizon;
  });
  const lines = [
    `Second-round instances (issue 11): one decision per simulated second; discounted runs use the half-life in their label (H, in seconds = decisions). Regret of the net value for the cost instance.`,
    '',
    '| instance | variant | T | reps | regret | reference | ratio to the variant without the setting | target | last 10% on best |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  const floorLines: string[] = [];
  ENGINE_RUNS.forEach(({ instance, variants }, run) => {
    variants.forEach((v, vi) => {
      // Compared with the same policy without the setting (the floor rows), else with the first variant.
      const same = variants.findIndex((w, j) => j < vi && w.policy === v.policy && w.batch === v.batch && w.minArmShare === 0);
      const bi = same >= 0 ? same : v.costWeight > 0 || v.halfLifeSeconds !== Infinity ? 0 : vi;
      const base = summarize(results.get(`${run}/${bi}`)!.map((r) => r.regret));
      const rs = results.get(`${run}/${vi}`)!;
      const s = summarize(rs.map((r) => r.regret));
      const last = summarize(rs.map((r) => r.lastShareBest));
      const ref = REFERENCES[`${instance.key}/${vi}`];
      const vsBase = bi === vi ? null : ratio(s, base);
      let target = '-';
      if (vsBase && v.halfLifeSeconds !== Infinity) {
        const drifting = instance.key === 'abrupt' || instance.key === 'drift';
        const limit = drifting ? 0.5 : 1.1;
        target = `${vsBase.mean <= limit ? 'met' : 'missed'} (<= ${limit} x Thompson)`;
      }
      if (instance === COST && v.costWeight > 0 && v.policy === 'thompson' && ref) {
        const rr = s.mean / ref.mean;
        target = `${rr <= 1.1 ? 'met' : 'missed'} (<= 1.1 x reference: ${rr.toFixed(3)}); last 10% ${last.mean > 0.9 ? 'met' : 'missed'} (> 0.9)`;
      }
      lines.push(`| ${instance.title} | ${v.label} | ${instance.horizon.toLocaleString('en-US')} | ${rs.length} | ${pm(s)} | ${ref ? pm(ref) : '-'} | ${vsBase ? r3(vsBase) : '-'} | ${target} | ${fmt(100 * last.mean, 1)}% |`);
      if (v.trackPropensities) floorLines.push(floorCheck(instance, v.label, rs, s, base));
    });
  });
  lines.push('', 'Exploration floor (1%): regret cost against the same policy without the floor, and the propensities against the frequencies.',
    'z = (observed count - sum of logged propensities) / sqrt(sum p (1 - p)) per arm, over all repetitions: |z| < 3.3 for every arm is agreement at the 0.1% level (per arm).',
    '', '| instance | variant | regret cost of the floor | min share of an arm | max abs z over the 10 arms | max relative difference, observed vs propensity |', '| --- | --- | ---: | ---: | ---: | ---: |', ...floorLines);
  return { lines, decisions, cpuMs };
}

function floorCheck(inst: EngineInstance, label: string, rs: EngineResult[], s: Summary, base: Summary): string {
  const k = inst.costs.length;
  let maxZ = 0;
  let maxRel = 0;
  let minShare = 1;
  for (let a = 0; a < k; a++) {
    const o = rs.reduce((x, r) => x + r.counts[a], 0);
    const e = rs.reduce((x, r) => x + r.expected[a], 0);
    const v = rs.reduce((x, r) => x + r.variance[a], 0);
    maxZ = Math.max(maxZ, Math.abs(o - e) / Math.sqrt(v));
    maxRel = Math.max(maxRel, Math.abs(o - e) / e);
    minShare = Math.min(minShare, o / (rs.length * inst.horizon));
  }
  const cost = { mean: s.mean - base.mean, se: Math.sqrt(s.se ** 2 + base.se ** 2) };
  return `| ${inst.title} | ${label} | ${cost.mean >= 0 ? '+' : ''}${pm(cost)} (${fmt((100 * cost.mean) / base.mean, 0)}%) | ${fmt(100 * minShare, 2)}% | ${maxZ.toFixed(2)} | ${fmt(100 * maxRel, 2)}% |`;
}
