/**
 * The half-life frontier of discounted Thompson (issue 11): for every half-life of
 * FRONTIER_HALF_LIVES, regret on the drift instances and on today's stationary instances as a
 * ratio to plain Thompson on the same worlds, with the targets (drift <= 0.5, stationary <= 1.1).
 * Runs bench/validity/sim/seam-engine.ts on worker threads (`npm run bench:validity -- frontier`).
 *
 * A ratio's error is the paired delta method: the variants of a repetition share its world, so
 * se(mean a / mean b) = sd_r(a_r - ratio b_r) / (sqrt(reps) mean b).
 */
import { FRONTIER_RUNS, type EngineVariant } from './sim/engine-instances.js';
import { runEngineJobs } from './sim/engine-jobs.js';
import { pm, summarize, type Summary } from './sim/run-jobs.js';

const DRIFTING = new Set(['abrupt', 'drift']);

/** mean(a) / mean(b) and its paired standard error (same repetitions, same worlds). */
export function pairedRatio(a: ArrayLike<number>, b: ArrayLike<number>): Summary {
  const n = a.length;
  const ma = summarize(a).mean;
  const mb = summarize(b).mean;
  const r = ma / mb;
  const d = Array.from({ length: n }, (_, i) => a[i] - r * b[i]);
  return { mean: r, se: summarize(d).se / mb };
}

const r3 = (s: Summary): string => `${s.mean.toFixed(3)} ± ${s.se.toFixed(3)}`;

export async function frontierTable(workers: number, repsOverride: number | null): Promise<{ lines: string[]; decisions: number; cpuMs: number }> {
  const regrets = FRONTIER_RUNS.map(({ instance, variants }) => variants.map(() => new Float64Array(repsOverride ?? instance.reps)));
  const { decisions, cpuMs } = await runEngineJobs('frontier', FRONTIER_RUNS, workers, repsOverride, (run, variant, repFrom, results) => {
    regrets[run][variant].set(results.map((x) => x.regret), repFrom);
  });

  const ratioOf = (run: number, variant: number): Summary => pairedRatio(regrets[run][variant], regrets[run][0]);
  const verdict = (key: string, s: Summary): string => (s.mean <= (DRIFTING.has(key) ? 0.5 : 1.1) ? '' : ' ✗');
  const head = FRONTIER_RUNS.map(({ instance }) => `${instance.key} (T ${instance.horizon / 1000}k, ${repsOverride ?? instance.reps} reps)`);
  const lines = [
    'Half-life frontier: regret of discounted Thompson / regret of Thompson on the same worlds (± paired standard error). Targets: abrupt and drift <= 0.5, the stationary instances <= 1.1; ✗ marks a missed target.',
    '',
    `| half-life H (decisions) | ${head.join(' | ')} | targets met |`,
    `| ---: | ${head.map(() => '---:').join(' | ')} | ---: |`,
  ];
  const hOf = (v: EngineVariant) => v.halfLifeSeconds;
  const plain = FRONTIER_RUNS[0].variants.filter((v) => v.varianceHalfLifeSeconds === undefined && v.halfLifeSeconds !== Infinity);
  for (const v of plain) {
    const cells: string[] = [];
    let met = 0;
    FRONTIER_RUNS.forEach(({ instance, variants }, run) => {
      const vi = variants.findIndex((w) => hOf(w) === hOf(v) && w.varianceHalfLifeSeconds === undefined);
      const s = ratioOf(run, vi);
      const mark = verdict(instance.key, s);
      if (mark === '') met++;
      cells.push(`${r3(s)}${mark}`);
    });
    lines.push(`| ${hOf(v).toLocaleString('en-US')} | ${cells.join(' | ')} | ${met} of ${FRONTIER_RUNS.length} |`);
  }
  lines.push('', 'Plain Thompson regret (the denominators): '
    + FRONTIER_RUNS.map(({ instance }, run) => `${instance.key} ${pm(summarize(regrets[run][0]))}`).join('; ') + '.');

  // The candidate rows (variance evidence at its own half-life), against plain Thompson and against the one-rate discount.
  const cand: string[] = [];
  FRONTIER_RUNS.forEach(({ instance, variants }, run) => variants.forEach((v, vi) => {
    if (v.varianceHalfLifeSeconds === undefined) return;
    const one = variants.findIndex((w) => hOf(w) === hOf(v) && w.varianceHalfLifeSeconds === undefined);
    cand.push(`| ${instance.key} | ${hOf(v).toLocaleString('en-US')} | ${r3(ratioOf(run, one))} | ${r3(ratioOf(run, vi))} | ${r3(pairedRatio(regrets[run][vi], regrets[run][one]))} |`);
  }));
  if (cand.length > 0) {
    lines.push('', 'Candidate: the Normal-Gamma variance evidence undiscounted (West & Harrison 1997, section 10.8: a separate variance discount), the mean at the half-life.',
      '', '| instance | H | one rate / Thompson | variance undiscounted / Thompson | variance undiscounted / one rate |', '| --- | ---: | ---: | ---: | ---: |', ...cand);
  }
  return { lines, decisions, cpuMs };
}
