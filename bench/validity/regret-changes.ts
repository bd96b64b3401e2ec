/**
 * Change detection in the regret benchmark (issue 24; `npm run bench:validity -- changes`):
 * Thompson with the GLR detector of src/bandit/glr.ts (the ranking rule, and every detection
 * restarting) against plain Thompson on the same seeded worlds, on the drift instances, today's
 * stationary instances and the problem-5-like instance of bench/validity/sim/change-instances.ts; then the
 * detector alone on long stationary streams, for its false-alarm rate per 100,000 rewards.
 *
 * A ratio's error is the paired delta method of bench/validity/regret-frontier.ts (the variants of a
 * repetition share its world). A false-alarm rate's error is Poisson's (sqrt of the count).
 */
import { DEFAULT_FALSE_ALARM_RATE, emptyGlrState, observe, type GlrModel } from '../../src/bandit/glr.js';
import { makeRng, sampleNormal } from '../../src/bandit/random.js';
import { CHANGE_RUNS, CHANGE_VARIANTS, STATIONARY_KEYS, TARGET_VARIANT } from './sim/change-instances.js';
import { runEngineJobs } from './sim/engine-jobs.js';
import type { EngineResult } from './sim/seam-engine.js';
import { pairedRatio } from './regret-frontier.js';
import { fmt, pm, summarize, type Summary } from './sim/run-jobs.js';

const r3 = (s: Summary): string => `${s.mean.toFixed(3)} ± ${s.se.toFixed(3)}`;
const targetOf = (key: string): number => (key === 'abrupt' || key === 'drift' ? 0.5 : key === 'many' ? 1.2 : 1.1);

/** Detections per 100,000 rewards and its Poisson standard error. */
const per100k = (count: number, rewards: number): Summary => ({ mean: (1e5 * count) / rewards, se: (1e5 * Math.sqrt(count)) / rewards });

/** The detector alone: `streams` stationary streams of `length` rewards each per case. */
function falseAlarms(streams: number, length: number): string[] {
  const cases: { label: string; model: GlrModel; draw: (r: () => number) => number }[] = [
    ...[0.01, 0.1, 0.5, 0.9].map((p) => ({ label: `Bernoulli ${p}`, model: 'bernoulli' as const, draw: (r: () => number) => (r() < p ? 1 : 0) })),
    { label: 'Gaussian (0, 1)', model: 'gaussian', draw: (r) => sampleNormal(r) },
    { label: 'Gaussian, 90% zeros else lognormal (skewed)', model: 'gaussian', draw: (r) => (r() < 0.9 ? 0 : Math.exp(sampleNormal(r))) },
  ];
  const lines = [
    `The detector alone on stationary streams (${streams} streams of ${length.toLocaleString('en-US')} rewards per row, delta = ${DEFAULT_FALSE_ALARM_RATE}; the test restarts after each detection as in the service):`,
    '', '| stream | detections | per 100,000 rewards |', '| --- | ---: | ---: |',
  ];
  for (const c of cases) {
    let count = 0;
    for (let s = 0; s < streams; s++) {
      const rng = makeRng(`glr-false-alarm/${c.label}/${s}`);
      let state = emptyGlrState();
      for (let i = 0; i < length; i++) {
        const o = observe(state, c.model, DEFAULT_FALSE_ALARM_RATE, c.draw(rng), i);
        state = o.state;
        if (o.detection) count++;
      }
    }
    lines.push(`| ${c.label} | ${count} | ${pm(per100k(count, streams * length))} |`);
  }
  return lines;
}

export async function changesTable(workers: number, repsOverride: number | null): Promise<{ lines: string[]; decisions: number; cpuMs: number }> {
  const results = CHANGE_RUNS.map(({ instance, variants }) => variants.map(() => new Array<EngineResult>(repsOverride ?? instance.reps)));
  const { decisions, cpuMs } = await runEngineJobs('changes', CHANGE_RUNS, workers, repsOverride, (run, variant, repFrom, rs) => {
    rs.forEach((x, i) => { results[run][variant][repFrom + i] = x; });
  });

  const compared = CHANGE_VARIANTS.map((v, i) => ({ v, i })).filter(({ v }) => v.base !== undefined);
  const head = compared.map(({ v }) => `${v.label} / ${CHANGE_VARIANTS[v.base!].label}`);
  const lines = [
    `Change detection (GLR, delta = ${DEFAULT_FALSE_ALARM_RATE}): regret ratio to the same policy without it on the same worlds and policy draws (± paired standard error). `
      + `Targets: abrupt and drift <= 0.5, stationary <= 1.1, many changes <= 1.2, read on "${CHANGE_VARIANTS[TARGET_VARIANT].label}" (the service's default policy); ✗ marks a miss.`,
    '',
    `| instance | T | reps | Thompson regret | ${head.join(' | ')} | detections per run (target variant) | restarts per run | false alarms per arm per 100,000 rewards (the variants with the trend test, default delta) |`,
    `| --- | ---: | ---: | ---: | ${head.map(() => '---:').join(' | ')} | ---: | ---: | ---: |`,
  ];
  CHANGE_RUNS.forEach(({ instance }, run) => {
    const regretOf = (i: number) => results[run][i].map((x) => x.regret);
    const cells = compared.map(({ v, i }) => {
      const s = pairedRatio(regretOf(i), regretOf(v.base!));
      return `${r3(s)}${i === TARGET_VARIANT && s.mean > targetOf(instance.key) ? ' ✗' : ''}`;
    });
    const rr = results[run][TARGET_VARIANT];
    const all = compared.filter(({ v }) => v.changeDetection?.falseAlarmRate === DEFAULT_FALSE_ALARM_RATE && !v.changeDetection.firstRule).flatMap(({ i }) => results[run][i]);
    const det = all.reduce((a, x) => a + x.detections, 0);
    const fa = STATIONARY_KEYS.has(instance.key) ? `${pm(per100k(det, all.length * instance.horizon))} (${det} in ${fmt((all.length * instance.horizon) / 1e6, 0)}M)` : '-';
    lines.push(`| ${instance.title} | ${instance.horizon.toLocaleString('en-US')} | ${rr.length} | ${pm(summarize(regretOf(0)))} | ${cells.join(' | ')} | `
      + `${fmt(rr.reduce((a, x) => a + x.detections, 0) / rr.length, 2)} | ${fmt(rr.reduce((a, x) => a + x.restarts, 0) / rr.length, 2)} | ${fa} |`);
  });
  lines.push('', ...falseAlarms(repsOverride === null ? 40 : 2, 100_000));
  return { lines, decisions, cpuMs };
}
