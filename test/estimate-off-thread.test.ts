/** Issue 19 item 1: evaluate's estimators over many units run in a worker thread and answer exactly what they answer in place. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { offPolicyEstimates, type LoggedUnit } from '../src/bandit/off-policy.js';
import { estimateOffThread, OFF_THREAD_UNITS } from '../src/service/estimate-off-thread.js';

it('gives the in-place answer, without holding the event loop', async () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const units: LoggedUnit[] = Array.from({ length: 4 * OFF_THREAD_UNITS }, (_, i) => {
    const ps = [0.2 + 0.6 * rand(), 0];
    ps[1] = 1 - ps[0];
    const arm = rand() < ps[0] ? 0 : 1;
    return { arm, propensity: ps[arm], reward: rand() < (arm ? 0.6 : 0.4) ? 1 : 0, ...(i % 3 !== 0 && { propensities: ps }) };
  });
  const target = [0.5, 0.5];
  const inPlace = offPolicyEstimates(units.filter((u) => u.propensities), target);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const offThread = await estimateOffThread(units.filter((u) => u.propensities), target);
  delay.disable();
  expect(offThread).toEqual(inPlace);
  expect(delay.max / 1e6).toBeLessThan(100);
}, 30_000);
