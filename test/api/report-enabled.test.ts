/** Issue 8 item 6: probabilityBest, expectedLoss and the regret's best arm are over the enabled arms. */
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('GET /arms over enabled arms ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('gives a disabled arm null, and the enabled arms the whole probability', async () => {
    await t.post('/experiments', experimentBody({ id: 'en', policy: 'fixed', arms: [{ id: 'control' }, { id: 'b' }, { id: 'great' }] }));
    for (let i = 0; i < 120; i++) {
      const d = (await t.post('/select', { experimentId: 'en', userId: `u${i}` })).body;
      await t.post('/reward', { decisionId: d.decisionId, reward: d.armId === 'great' ? 1 : i % 3 === 0 ? 1 : 0 });
    }
    const before = (await t.get('/arms?experimentId=en')).body;
    expect(before.arms[2].probabilityBest).toBeGreaterThan(0.99);
    await t.post('/experiments/en/arms/great/disable', { reason: 'test' });
    const rep = (await t.get('/arms?experimentId=en')).body;
    const [c, b, g] = rep.arms;
    expect(g).toMatchObject({ status: 'disabled', probabilityBest: null, expectedLoss: null });
    expect(c.probabilityBest + b.probabilityBest).toBeCloseTo(1, 9);
    expect(Math.min(c.expectedLoss, b.expectedLoss)).toBeLessThan(0.05);
    // The regret is against the best enabled arm: 'great' (mean ~1) no longer sets the bar.
    const best = Math.max(c.posteriorMean, b.posteriorMean);
    const expected = [c, b, g].reduce((s, a) => s + a.decisions * (best - a.posteriorMean), 0);
    expect(rep.regret.estimatedCumulative).toBeCloseTo(expected, 3);
  });
});
