/**
 * The reward path obeys the current config on every replica: replica B only takes rewards, A
 * patches the guardrails; B's next rewards are judged by the new limits (the store refuses a
 * reward decided with an old version, B reloads), on both stores.
 */
import { describe, expect, it } from 'vitest';
import { experimentBody, makeTestApp } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('reward path and config changes on another replica ($name store)', (kind) => {
  it('applies guardrails patched on replica A to the next rewards taken by replica B', async () => {
    const made = await kind.make();
    const a = await makeTestApp(made.store);
    const b = await makeTestApp(made.store, a.clock);
    try {
      expect((await a.post('/experiments', experimentBody({ arms: [{ id: 'control' }, { id: 'bad' }], policy: 'fixed' }))).status).toBe(201);
      const decisions = [];
      for (let i = 0; decisions.length < 30 && i < 200; i++) {
        const d = (await a.post('/select', { experimentId: 'exp-1', userId: `u${i}` })).body;
        if (d.armId === 'bad') decisions.push(d.decisionId);
      }
      // B takes a reward first, so it caches the config without guardrails.
      expect((await b.post('/reward', { decisionId: decisions[0], error: true })).body).toMatchObject({ accepted: true });
      const patched = await a.patch('/experiments/exp-1', { guardrails: { errorRate: 0.5, minSamples: 5, windowSize: 100 } });
      expect(patched.status).toBe(200);
      let disabledBy: unknown;
      for (const decisionId of decisions.slice(1, 10)) {
        const r = await b.post('/reward', { decisionId, error: true });
        expect(r.status).toBe(200);
        disabledBy ??= r.body.autoDisabled;
      }
      expect(disabledBy).toMatchObject({ armId: 'bad', source: 'guardrail', guardrail: { guardrail: 'errorRate', limit: 0.5 } });
      const arm = (await a.get('/experiments/exp-1')).body.arms.find((x: { id: string }) => x.id === 'bad');
      expect(arm.status).toBe('disabled');
      // Every reward B accepted was counted once.
      const report = (await a.get('/arms?experimentId=exp-1')).body;
      expect(report.arms.find((x: { armId: string }) => x.armId === 'bad').guardrails.samples).toBe(10);
    } finally {
      await a.app.close();
      await b.app.close();
      await made.cleanup();
    }
  });
});
