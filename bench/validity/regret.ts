/**
 * The learning benchmark: mean cumulative pseudo-regret (with its standard error over the
 * repetitions) of Thompson Sampling and UCB on the standard instances of bench/validity/sim/instances.ts,
 * with rewards seen at once and with rewards delayed by a batch of 100 decisions, next to the
 * Lai-Robbins constant of each instance and the reference values.
 *
 *   npm run bench:validity -- regret           PART=classic: this table (bench/validity/run.ts sets it)
 *   npm run bench:validity -- regret-engine    PART=engine: bench/validity/regret-engine.ts
 *   npm run bench:validity -- frontier         PART=frontier: the half-life sweep, bench/validity/regret-frontier.ts
 *   npm run bench:validity -- changes          PART=changes: change detection, bench/validity/regret-changes.ts
 *   npm run bench:validity -- linear           PART=linear: contextual policies, bench/validity/regret-linear.ts
 *   npx tsx bench/validity/regret.ts           PART unset: all (classic, engine, linear)
 *
 * Every decision runs through the service's own code (decide + Snapshot + the embedded store:
 * see bench/validity/sim/engine.ts), on worker threads (WORKERS, default 2). REPS=n runs n repetitions of
 * every instance instead of the standard counts (a quick check; the table says so).
 */
import { availableParallelism, cpus, release } from 'node:os';
import { INSTANCES, laiRobbins, type Instance, type SimPolicy } from './sim/instances.js';
import type { Job, JobResult } from './sim/worker.js';
import { engineTable } from './regret-engine.js';
import { frontierTable } from './regret-frontier.js';
import { changesTable } from './regret-changes.js';
import { linearTable } from './regret-linear.js';
import { fmt, gitDescription, pm, runJobs, summarize } from './sim/run-jobs.js';

const POLICIES: SimPolicy[] = ['thompson', 'ucb'];
const DELAY_BATCH = 100;
const BATCHES = [1, DELAY_BATCH];
/** UCB on a gaussian experiment is the service's variance-aware index (src/bandit/ucb.ts), not UCB1. */
const policyName = (policy: SimPolicy, inst: Instance): string =>
  policy === 'thompson' ? 'Thompson' : inst.model === 'bernoulli' ? 'UCB1' : 'UCB (Gaussian index)';
const TARGET = 0.05;

const WORKERS = Number(process.env.WORKERS ?? Math.min(2, availableParallelism()));
/** Read at the start: the code that runs is the one checked out now, whatever changes during the run. */
const COMMIT = gitDescription();
const REPS = process.env.REPS ? Number(process.env.REPS) : null;
const repsOf = (inst: Instance): number => REPS ?? inst.reps;

interface Cell {
  instance: Instance;
  policy: SimPolicy;
  batch: number;
  /** reps x checkpoints, repetition-major. */
  regret: Float64Array;
  ms: number;
}

/** Jobs of about 200,000 decisions each, so that two workers finish together. */
function makeJobs(): { jobs: Job[]; cells: Map<string, Cell> } {
  const jobs: Job[] = [];
  const cells = new Map<string, Cell>();
  for (const instance of INSTANCES) {
    for (const policy of POLICIES) {
      for (const batch of BATCHES) {
        const reps = repsOf(instance);
        cells.set(cellKey(instance.key, policy, batch), { instance, policy, batch, regret: new Float64Array(reps * instance.checkpoints.length), ms: 0 });
        const chunk = Math.max(1, Math.round(200_000 / instance.horizon));
        for (let r = 0; r < reps; r += chunk) {
          jobs.push({ id: jobs.length, instanceKey: instance.key, policy, batch, repFrom: r, repTo: Math.min(reps, r + chunk) });
        }
      }
    }
  }
  return { jobs, cells };
}

const cellKey = (key: string, policy: SimPolicy, batch: number): string => `${key}/${policy}/${batch}`;

/** A worker does not inherit tsx's hooks: this small .mjs registers them and imports worker.ts. */
const runClassic = (jobs: Job[], onResult: (job: Job, res: JobResult) => void) => runJobs(new URL('./sim/worker-boot.mjs', import.meta.url), WORKERS, jobs, onResult);

/** Column c of a reps x checkpoints matrix. */
function column(m: Float64Array, k: number, c: number): Float64Array {
  const out = new Float64Array(m.length / k);
  for (let r = 0; r < out.length; r++) out[r] = m[r * k + c];
  return out;
}

function table(cells: Map<string, Cell>): string[] {
  const lines = [
    '| instance | policy | T | reps | regret, immediate | regret, delayed 100 | cost of delay | reference | ratio | target | Lai-Robbins C | C ln T |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const instance of INSTANCES) {
    const c = laiRobbins(instance);
    const k = instance.checkpoints.length;
    for (const policy of POLICIES) {
      const now = cells.get(cellKey(instance.key, policy, 1))!;
      const late = cells.get(cellKey(instance.key, policy, DELAY_BATCH))!;
      instance.checkpoints.forEach((T, ci) => {
        const a = column(now.regret, k, ci);
        const b = column(late.regret, k, ci);
        const immediate = summarize(a);
        const delayed = summarize(b);
        // Same seeds with and without delay: the standard error of the cost is that of the paired differences.
        const cost = summarize(b.map((x, r) => x - a[r]));
        const ref = instance.reference[policy];
        const refAt = ref && ref.horizon === T ? ref : undefined;
        const ratio = refAt ? immediate.mean / refAt.mean : NaN;
        const verdict = !refAt ? '' : policy === 'thompson'
          ? (ratio <= 1 + TARGET ? `met (<= ${1 + TARGET})` : `missed (> ${1 + TARGET})`)
          : (Math.abs(ratio - 1) <= TARGET ? `met (within ${TARGET * 100}%)` : `missed (outside ${TARGET * 100}%)`);
        lines.push(`| ${instance.title} | ${policyName(policy, instance)} | ${T.toLocaleString('en-US')} | ${a.length.toLocaleString('en-US')} | ${pm(immediate)} | ${pm(delayed)} | `
          + `${cost.mean >= 0 ? '+' : ''}${pm(cost)} (${cost.mean >= 0 ? '+' : ''}${fmt((100 * cost.mean) / immediate.mean, 0)}%) | `
          + `${refAt ? `${fmt(refAt.mean)} ± ${refAt.se}` : '-'} | ${refAt ? ratio.toFixed(3) : '-'} | ${verdict || '-'} | ${fmt(c, 2)} | ${fmt(c * Math.log(T))} |`);
      });
    }
  }
  return lines;
}

async function classic(): Promise<string[]> {
  const started = performance.now();
  const { jobs, cells } = makeJobs();
  const total = jobs.reduce((s, j) => s + (j.repTo - j.repFrom) * INSTANCES.find((i) => i.key === j.instanceKey)!.horizon, 0);
  process.stderr.write(`bench:validity: ${jobs.length} jobs, ${(total / 1e6).toFixed(1)}M decisions on ${WORKERS} worker threads\n`);
  let done = 0;
  let lastReport = 0;
  await runClassic(jobs, (job, res) => {
    const cell = cells.get(cellKey(job.instanceKey, job.policy, job.batch))!;
    cell.regret.set(res.regret, job.repFrom * cell.instance.checkpoints.length);
    cell.ms += res.ms;
    done += (job.repTo - job.repFrom) * cell.instance.horizon;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      process.stderr.write(`  ${((100 * done) / total).toFixed(0)}% after ${((lastReport - started) / 1000).toFixed(0)} s\n`);
    }
  });
  const wallS = (performance.now() - started) / 1000;

  const cpuMs = [...cells.values()].reduce((s, c) => s + c.ms, 0);
  const cpu = cpus();
  const out = [
    `Learning benchmark: mean cumulative pseudo-regret sum_t (mu* - mu_a_t) ± standard error (sd over repetitions / sqrt(reps)).`,
    `Immediate: the snapshot is refreshed after every reward. Delayed 100: rewards reach the snapshot every ${DELAY_BATCH} decisions.`,
    `Cost of delay: delayed - immediate (same seeds; standard error of the paired differences).`,
    `Reference: independent numpy implementation; ratio = immediate / reference; target: Thompson <= ${1 + TARGET} x reference, UCB1 within ${TARGET * 100}%.`,
    `Lai-Robbins: C = sum (mu* - mu_a) / KL(mu_a, mu*) (Bernoulli), sum 2 sd^2 / (mu* - mu_a) (Gaussian, known variance); C ln T is the asymptotic lower bound.`,
    '',
    ...table(cells),
    '',
    `Wall time ${wallS.toFixed(1)} s for ${(total / 1e6).toFixed(1)}M decisions on ${WORKERS} worker threads (${(cpuMs / 1000).toFixed(0)} s of worker time, ${((cpuMs * 1000) / total).toFixed(2)} us per decision).`,
    `Date ${new Date().toISOString().slice(0, 10)}; commit ${COMMIT}; Node ${process.version}; ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}; Linux ${release()}.`,
    `Reproduce: ${REPS !== null ? `REPS=${REPS} ` : ''}${process.env.WORKERS ? `WORKERS=${WORKERS} ` : ''}npm run bench:validity -- regret`,
  ];
  if (REPS !== null) out.unshift(`NOTE: REPS=${REPS} overrides the standard repetition counts; this is a quick check, not the benchmark.`, '');
  return out;
}

/** The second-round table (bench/validity/regret-engine.ts) or the half-life frontier (bench/validity/regret-frontier.ts), with its own timing line. */
async function engine(part: 'engine' | 'frontier' | 'changes' | 'linear'): Promise<string[]> {
  const started = performance.now();
  const { lines, decisions, cpuMs } = await { engine: engineTable, frontier: frontierTable, changes: changesTable, linear: linearTable }[part](WORKERS, REPS);
  const wallS = (performance.now() - started) / 1000;
  return [
    ...(REPS !== null ? [`NOTE: REPS=${REPS} overrides the standard repetition counts; this is a quick check, not the benchmark.`, ''] : []),
    ...lines, '',
    `Wall time ${wallS.toFixed(1)} s for ${(decisions / 1e6).toFixed(1)}M decisions on ${WORKERS} worker threads (${(cpuMs / 1000).toFixed(0)} s of worker time).`,
    `Date ${new Date().toISOString().slice(0, 10)}; commit ${COMMIT}; Node ${process.version}.`,
    `Reproduce: ${REPS !== null ? `REPS=${REPS} ` : ''}npm run bench:validity -- ${part === 'engine' ? 'regret-engine' : part}`,
  ];
}

/**
 * PART=classic (today's table), engine (the second-round instances), all (both: the default),
 * frontier (the half-life sweep alone) or changes (change detection, bench/validity/regret-changes.ts).
 */
const PART = process.env.PART ?? 'all';
if (!['classic', 'engine', 'all', 'frontier', 'changes', 'linear'].includes(PART)) throw new Error(`PART must be classic, engine, all, frontier, changes or linear, got ${PART}`);
const out = PART === 'frontier' || PART === 'changes' || PART === 'linear' ? await engine(PART)
  : [...(PART !== 'engine' ? await classic() : []), ...(PART === 'all' ? [''] : []), ...(PART !== 'classic' ? await engine('engine') : []),
    ...(PART === 'all' ? ['', ...await engine('linear')] : [])];
process.stdout.write(`${out.join('\n')}\n`);
