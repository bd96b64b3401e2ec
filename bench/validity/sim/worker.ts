/**
 * A worker thread of the regret benchmark: runs the repetitions it is sent (bench/validity/sim/engine.ts)
 * and posts back the cumulative regret of each at each checkpoint.
 */
import { parentPort } from 'node:worker_threads';
import { simulate } from './engine.js';
import { INSTANCES, type SimPolicy } from './instances.js';

export interface Job {
  id: number;
  instanceKey: string;
  policy: SimPolicy;
  batch: number;
  /** Repetitions repFrom .. repTo - 1. */
  repFrom: number;
  repTo: number;
}

export interface JobResult {
  id: number;
  /** (repTo - repFrom) x checkpoints, repetition-major. */
  regret: Float64Array;
  /** CPU-bound milliseconds spent in this job. */
  ms: number;
}

if (!parentPort) throw new Error('bench/validity/sim/worker.ts runs as a worker thread (started by bench/validity/regret.ts)');
const port = parentPort;

port.on('message', (job: Job) => {
  run(job).then((res) => port.postMessage(res, [res.regret.buffer as ArrayBuffer]), (err: unknown) => {
    // Let the error escape the worker: the parent's 'error' handler reports it and stops the run.
    setImmediate(() => { throw err; });
  });
});

async function run(job: Job): Promise<JobResult> {
  const instance = INSTANCES.find((i) => i.key === job.instanceKey);
  if (!instance) throw new Error(`unknown instance ${job.instanceKey}`);
  const k = instance.checkpoints.length;
  const regret = new Float64Array((job.repTo - job.repFrom) * k);
  const t0 = performance.now();
  for (let rep = job.repFrom; rep < job.repTo; rep++) {
    const out = await simulate({ instance, policy: job.policy, batch: job.batch }, rep);
    for (let c = 0; c < k; c++) regret[(rep - job.repFrom) * k + c] = out[c];
  }
  return { id: job.id, regret, ms: performance.now() - t0 };
}
