/**
 * The worker thread of estimate-off-thread.ts: rebuilds the logged units from the transferred
 * arrays, runs the off-policy estimators (bandit/off-policy.ts) and posts the result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { offPolicyEstimates, type LoggedUnit } from '../bandit/off-policy.js';
import type { PackedUnits } from './estimate-off-thread.js';

const { arm, propensity, reward, vectors, arms, target } = workerData as PackedUnits & { target: number[] };
const units: LoggedUnit[] = new Array(arm.length);
for (let i = 0; i < arm.length; i++) {
  const v = vectors[i * arms];
  units[i] = { arm: arm[i], propensity: propensity[i], reward: reward[i], ...(v >= 0 && { propensities: Array.from(vectors.subarray(i * arms, (i + 1) * arms)) }) };
}
try {
  parentPort!.postMessage({ ok: offPolicyEstimates(units, target) });
} catch (err) {
  parentPort!.postMessage({ error: (err as Error).message });
}
