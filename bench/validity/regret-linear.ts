/**
 * Issue 23's contextual table (`npm run bench:validity -- linear`): mean cumulative
 * pseudo-regret ± standard error over seeded repetitions of the instances of
 * bench/validity/sim/linear-instances.json (5 arms; a categorical and two numeric features; T = 20,000),
 * through the service's code (bench/validity/sim/linear-engine.ts), for non-contextual Thompson, greedy,
 * linear-thompson (with its model averaging over "the context matters", bandit/linear-evidence.ts)
 * and linear-ucb, next to an independent numpy implementation of the same linear-thompson
 * (bench/validity/reference/linear_reference.py, run after the workers, on its own seeds).
 * Targets: linear-thompson <= 0.3x Thompson on `linear`, within 15% of the reference, and
 * <= 1.3x Thompson on `context-free`.
 * LINEAR_ONLY=<instance> runs that instance alone, with Thompson and linear-thompson only (with
 * REPS=n: a closer look at one ratio, e.g. the reference's; the standard table is the default).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LINEAR_FILE, LINEAR_KEYS } from './sim/linear-instances.js';
import type { LinearJob, LinearJobResult } from './sim/linear-worker.js';
import type { LinearSimPolicy } from './sim/linear-engine.js';
import { pm, runJobs, summarize, type Summary } from './sim/run-jobs.js';

const ONLY = process.env.LINEAR_ONLY;
const POLICIES: LinearSimPolicy[] = ONLY ? ['thompson', 'linear-thompson'] : ['thompson', 'greedy', 'linear-thompson', 'linear-ucb'];
const KEYS = ONLY ? LINEAR_KEYS.filter((k) => k === ONLY) : LINEAR_KEYS;
const CHUNK = 5;

const ratio = (a: Summary, b: Summary): string => {
  const r = a.mean / b.mean;
  const se = r * Math.sqrt((a.se / a.mean) ** 2 + (b.se / b.mean) ** 2);
  return `${r.toFixed(3)} ± ${se.toFixed(3)}`;
};

export async function linearTable(workers: number, repsOverride: number | null): Promise<{ lines: string[]; decisions: number; cpuMs: number }> {
  const reps = repsOverride ?? LINEAR_FILE.reps;
  const jobs: LinearJob[] = [];
  for (const key of KEYS) for (const policy of POLICIES) for (let r = 0; r < reps; r += CHUNK) jobs.push({ id: jobs.length, key, policy, repFrom: r, repTo: Math.min(reps, r + CHUNK) });
  const regret = new Map<string, number[][]>();
  let cpuMs = 0;
  await runJobs<LinearJob, LinearJobResult>(new URL('./sim/linear-worker-boot.mjs', import.meta.url), workers, jobs, (job, res) => {
    const k = `${job.key}/${job.policy}`;
    regret.set(k, [...(regret.get(k) ?? []), ...res.regret]);
    cpuMs += res.ms;
  });
  const script = fileURLToPath(new URL('./reference/linear_reference.py', import.meta.url));
  const reference = new Map<string, Summary>();
  for (const key of KEYS) {
    const out = JSON.parse(execFileSync('python3', [script, key, String(reps)], { encoding: 'utf8' })) as { regret: { t: number; mean: number; se: number }[] };
    const last = out.regret[out.regret.length - 1];
    reference.set(key, { mean: last.mean, se: last.se });
  }
  const at = (key: string, policy: string, c: number): Summary => summarize(regret.get(`${key}/${policy}`)!.map((r) => r[c]));
  const cps = LINEAR_FILE.checkpoints;
  const lines = [
    `Contextual policies (issue 23): mean cumulative pseudo-regret sum_t (max_k mu_k(x_t) - mu_a_t(x_t)) ± standard error, ${reps} seeded repetitions, bernoulli rewards,`,
    'contexts: segment uniform over a/b/c, u and v uniform on [-1, 1] (bench/validity/sim/linear-instances.json). Reference: independent numpy linear-thompson with the same model averaging (bench/validity/reference/linear_reference.py).',
    '',
    `| instance | policy | ${cps.map((t) => `regret at ${t.toLocaleString('en-US')}`).join(' | ')} | vs Thompson at T | vs reference at T | target |`,
    `| --- | --- | ${cps.map(() => '---:').join(' | ')} | ---: | ---: | --- |`,
  ];
  const last = cps.length - 1;
  for (const key of KEYS) {
    for (const policy of POLICIES) {
      const s = at(key, policy, last);
      const target = policy !== 'linear-thompson' ? '' : key === 'linear' ? '<= 0.3x Thompson; within 15% of reference' : '<= 1.3x Thompson';
      const vsRef = policy === 'linear-thompson' ? ratio(s, reference.get(key)!) : '';
      lines.push(`| ${key} | ${policy} | ${cps.map((_, c) => pm(at(key, policy, c))).join(' | ')} | ${policy === 'thompson' ? '1' : ratio(s, at(key, 'thompson', last))} | ${vsRef} | ${target} |`);
    }
    lines.push(`| ${key} | reference linear-thompson (numpy) | ${cps.map((_, c) => (c === last ? pm(reference.get(key)!) : '')).join(' | ')} |  |  |  |`);
  }
  return { lines, decisions: KEYS.length * POLICIES.length * reps * LINEAR_FILE.horizon, cpuMs: Math.round(cpuMs) };
}
