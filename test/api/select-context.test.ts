/** /select hands the request's `context` to the policy (the seam a contextual policy will use). */
import { afterEach, expect, it, vi } from 'vitest';
import { thompsonPolicy } from '../../src/bandit/thompson.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { makeTestApp } from '../helpers/app.js';

afterEach(() => vi.restoreAllMocks());

it('passes the /select context to the policy\'s choose', async () => {
  const t = await makeTestApp(new MemoryStore());
  const choose = vi.spyOn(thompsonPolicy, 'choose');
  try {
    expect((await t.post('/experiments', { id: 'ctx', rewardModel: 'bernoulli', arms: [{ id: 'a' }, { id: 'b' }] })).status).toBe(201);
    expect((await t.post('/select', { experimentId: 'ctx', userId: 'u-1', context: { plan: 'pro', seats: 3 } })).status).toBe(200);
    expect(choose).toHaveBeenCalled();
    expect(choose.mock.calls.at(-1)![4]).toEqual({ plan: 'pro', seats: 3 });
  } finally {
    await t.app.close();
  }
});
