/** A worker thread of the contextual regret table (bench/validity/regret-linear.ts): runs the repetitions it is sent. */
import { parentPort } from 'node:worker_threads';
import { simulateLinear, type LinearSimPolicy } from './linear-engine.js';

export interface LinearJob { id: number; key: string; policy: LinearSimPolicy; repFrom: number; repTo: number }
export interface LinearJobResult { id: number; regret: number[][]; ms: number }

if (!parentPort) throw new Error('bench/validity/sim/linear-worker.ts runs as a worker thread');
const port = parentPort;
port.on('message', (job: LinearJob) => {
  (async () => {
    const t0 = performance.now();
    const regret: number[][] = [];
    for (let rep = job.repFrom; rep < job.repTo; rep++) regret.push(await simulateLinear(job.key, job.policy, rep));
    return { id: job.id, regret, ms: performance.now() - t0 };
  })().then((res) => port.postMessage(res), (err: unknown) => setImmediate(() => { throw err; }));
});
