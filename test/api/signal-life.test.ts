/**
 * A signal, like a reward, counts only for a decision of the experiment's current life: after the
 * store lost the experiment and it was created again (same id, same secret), a decision id of the
 * earlier life answers 404 on /signals and on /reward, and nothing is counted.
 */
import { expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { experimentBody, makeTestApp } from '../helpers/app.js';

const body = experimentBody({ metrics: [{ name: 'judge', kind: 'mean', direction: 'increase' }] });

it('refuses a signal and a reward for a decision issued before the experiment was created again', async () => {
  const before = await makeTestApp(new MemoryStore());
  expect((await before.post('/experiments', body)).status).toBe(201);
  const { decisionId } = (await before.post('/select', { experimentId: 'exp-1' })).body;
  await before.app.close();

  // The data is lost (a new store) and the experiment is created again in the same millisecond.
  const after = await makeTestApp(new MemoryStore(), before.clock);
  expect((await after.post('/experiments', body)).status).toBe(201);
  const signal = await after.post('/signals', { decisionId, name: 'judge', value: 0.5 });
  expect([signal.status, signal.body.error]).toEqual([404, 'decision_not_found']);
  const reward = await after.post('/reward', { decisionId, reward: 1 });
  expect([reward.status, reward.body.error]).toEqual([404, 'decision_not_found']);
  const report = (await after.get('/arms?experimentId=exp-1')).body;
  expect(report.metrics.judge.arms.every((a: { n: number }) => a.n === 0)).toBe(true);
  await after.app.close();
});
