/**
 * The off-policy estimators over many units run in a worker thread, so a large log's evaluate
 * (about 1 s for a million units) never holds the event loop: the units go over packed in typed
 * arrays whose buffers are transferred, not copied. Small logs are estimated in place (a worker
 * costs some milliseconds to start).
 */
import { Worker } from 'node:worker_threads';
import { offPolicyEstimates, type LoggedUnit, type OffPolicyResult } from '../bandit/off-policy.js';

/** Below this many units the estimate runs on the calling thread (a few milliseconds at most). */
export const OFF_THREAD_UNITS = 20_000;

export interface PackedUnits {
  arm: Int32Array;
  propensity: Float64Array;
  reward: Float64Array;
  /** `arms` probabilities per unit; -1 in a unit's first slot when it logged none. */
  vectors: Float64Array;
  arms: number;
}

function pack(units: readonly LoggedUnit[], arms: number): PackedUnits {
  const n = units.length;
  const p: PackedUnits = { arm: new Int32Array(n), propensity: new Float64Array(n), reward: new Float64Array(n), vectors: new Float64Array(n * arms), arms };
  for (let i = 0; i < n; i++) {
    const u = units[i];
    p.arm[i] = u.arm;
    p.propensity[i] = u.propensity;
    p.reward[i] = u.reward;
    if (u.propensities) p.vectors.set(u.propensities.slice(0, arms), i * arms);
    else p.vectors[i * arms] = -1;
  }
  return p;
}

/** The worker's module: its TypeScript source when this runs from source (tsx, vitest), which a worker must load through tsx. */
function workerCode(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = JSON.stringify(new URL(`./estimate-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href);
  return fromSource ? `import('tsx/esm/api').then((m) => { m.register(); return import(${url}); })` : `import(${url})`;
}

export async function estimateOffThread(units: readonly LoggedUnit[], target: readonly number[]): Promise<OffPolicyResult> {
  if (units.length < OFF_THREAD_UNITS) return offPolicyEstimates(units, target);
  const packed = pack(units, target.length);
  const worker = new Worker(workerCode(), {
    eval: true, workerData: { ...packed, target: [...target] },
    transferList: [packed.arm.buffer, packed.propensity.buffer, packed.reward.buffer, packed.vectors.buffer] as ArrayBuffer[],
  });
  try {
    const reply = await new Promise<{ ok?: OffPolicyResult; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the estimate worker exited with code ${code}`)));
    });
    if (reply.error !== undefined) throw new RangeError(reply.error);
    return reply.ok!;
  } finally {
    void worker.terminate();
  }
}
