/** Runs every (instance, variant) of a list of the seam engine's runs on worker threads, in jobs of about 200,000 decisions. */
import type { EngineInstance, EngineVariant } from './engine-instances.js';
import type { EngineJob, EngineJobResult } from './engine-worker.js';
import type { EngineResult } from './seam-engine.js';
import { runJobs } from './run-jobs.js';

export async function runEngineJobs(
  table: EngineJob['table'], runs: readonly { instance: EngineInstance; variants: readonly EngineVariant[] }[], workers: number, repsOverride: number | null,
  onResults: (run: number, variant: number, repFrom: number, results: EngineResult[]) => void,
): Promise<{ decisions: number; cpuMs: number }> {
  const jobs: EngineJob[] = [];
  runs.forEach(({ instance, variants }, run) => variants.forEach((_, variant) => {
    const n = repsOverride ?? instance.reps;
    const chunk = Math.max(1, Math.round(200_000 / instance.horizon));
    for (let r = 0; r < n; r += chunk) jobs.push({ id: jobs.length, table, run, variant, repFrom: r, repTo: Math.min(n, r + chunk) });
  }));
  let cpuMs = 0;
  let decisions = 0;
  await runJobs<EngineJob, EngineJobResult>(new URL('./engine-worker-boot.mjs', import.meta.url), workers, jobs, (job, res) => {
    onResults(job.run, job.variant, job.repFrom, res.results);
    cpuMs += res.ms;
    decisions += res.results.length * runs[job.run].instance.horizon;
  });
  return { decisions, cpuMs };
}
