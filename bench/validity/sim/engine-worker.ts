/** A worker thread of the second-round regret table: runs the repetitions it is sent (bench/validity/sim/seam-engine.ts). */
import { parentPort } from 'node:worker_threads';
import { ENGINE_RUNS, FRONTIER_RUNS } from './engine-instances.js';
import { CHANGE_RUNS } from './change-instances.js';
import { simulateEngine, type EngineResult } from './seam-engine.js';

export interface EngineJob {
  id: number;
  /** Which list `run` indexes: ENGINE_RUNS (the second table), FRONTIER_RUNS (bench/validity/regret-frontier.ts) or CHANGE_RUNS (bench/validity/regret-changes.ts). */
  table: 'engine' | 'frontier' | 'changes';
  run: number;
  variant: number;
  repFrom: number;
  repTo: number;
}

export interface EngineJobResult {
  id: number;
  results: EngineResult[];
  ms: number;
}

if (!parentPort) throw new Error('bench/validity/sim/engine-worker.ts runs as a worker thread (started by bench/validity/regret.ts)');
const port = parentPort;

port.on('message', (job: EngineJob) => {
  try {
    const { instance, variants } = { engine: ENGINE_RUNS, frontier: FRONTIER_RUNS, changes: CHANGE_RUNS }[job.table][job.run];
    const t0 = performance.now();
    const results: EngineResult[] = [];
    for (let rep = job.repFrom; rep < job.repTo; rep++) results.push(simulateEngine(instance, variants[job.variant], rep));
    port.postMessage({ id: job.id, results, ms: performance.now() - t0 } satisfies EngineJobResult);
  } catch (err) {
    setImmediate(() => { throw err; });
  }
});
