// rewardShape "hurdle-lognormal" over HTTP, on every store (the hurdle sums are kept by each): the
// settings it refuses, the rewards it refuses, and a report whose figures come from the model.
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe.each(storeKinds)('rewardShape hurdle-lognormal ($name store)', (kind) => {
  const t = useTestApp(kind);
  // Revenue-like: 0 nine times in ten, the rest spread over two orders of magnitude.
  const revenue = (i: number) => (i % 10 === 9 ? [20, 300, 45, 8, 2500, 60, 12, 150, 30, 90][(i / 10 | 0) % 10] : 0);
  const body = (over: Record<string, unknown>) => experimentBody({ id: 'h', rewardModel: 'gaussian', rewardShape: 'hurdle-lognormal', stickiness: false, seed: 's', ...over });

  it('refuses it where the model does not apply, naming rewardShape', async () => {
    for (const over of [{ rewardModel: 'bernoulli' }, { policy: 'ucb' }, { rewardBounds: { min: 0, max: 10 } }, { discount: { halfLifeSeconds: 60 } }, { objective: { costWeight: 1 } }, { rewardShape: 'pareto' }]) {
      const res = await t.post('/experiments', body(over));
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body.details.issues[0].path).toMatch(/rewardShape/);
    }
  });

  it('refuses a negative reward, counts zeros, and reports the model\'s posterior, interval and support', async () => {
    expect((await t.post('/experiments', body({}))).status).toBe(201);
    const d0 = (await t.post('/select', { experimentId: 'h' })).body;
    const neg = await t.post('/reward', { decisionId: d0.decisionId, reward: -5 });
    expect(neg.status).toBe(400);
    expect(neg.body.error).toBe('invalid_reward');
    await t.post('/reward', { decisionId: d0.decisionId, reward: 0 });
    let rep = (await t.get('/arms?experimentId=h')).body;
    for (const a of rep.arms) {
      expect(a.posterior.kind).toBe('hurdle-lognormal');
      expect(a.support.supported).toBe(false);
      expect(a.credibleInterval95).toBeNull();
      expect(a.support.reason).toMatch(/nonzero/);
    }
    expect(rep.recommendation.action).toBe('continue');
    for (let i = 0; i < 300; i++) {
      const d = (await t.post('/select', { experimentId: 'h' })).body;
      await t.post('/reward', { decisionId: d.decisionId, reward: revenue(i) });
    }
    rep = (await t.get('/arms?experimentId=h')).body;
    expect(rep.arms.reduce((s: number, a: { rewards: number }) => s + a.rewards, 0)).toBe(301);
    const shown = rep.arms.filter((a: { support: { supported: boolean } }) => a.support.supported);
    expect(shown.length).toBeGreaterThan(0);
    for (const a of shown) {
      expect(a.posterior.conversion.alpha + a.posterior.conversion.beta).toBe(a.rewards + 2);
      expect(a.credibleInterval95[0]).toBeGreaterThan(0);
      expect(a.credibleInterval95[0]).toBeLessThan(a.posteriorMean);
      expect(a.credibleInterval95[1]).toBeGreaterThan(a.posteriorMean);
    }
    const pb = rep.arms.map((a: { probabilityBest: number }) => a.probabilityBest);
    expect(pb.reduce((x: number, y: number) => x + y, 0)).toBeCloseTo(1, 6);
    // Every arm was played: none starved on its first zeros.
    for (const a of rep.arms) expect(a.decisions).toBeGreaterThan(10);
  });

  it('withholds the holdback lift while the skewness the model fits asks for more rewards, and says so', async () => {
    expect((await t.post('/experiments', body({ holdbackPercent: 30 }))).status).toBe(201);
    for (let i = 0; i < 400; i++) {
      const d = (await t.post('/select', { experimentId: 'h', userId: `u${i}` })).body;
      await t.post('/reward', { decisionId: d.decisionId, reward: revenue(i) });
    }
    const h = (await t.get('/arms?experimentId=h')).body.holdback;
    expect(h.users).toBeGreaterThan(50);
    expect(h.alwaysValid.interval95).toBeNull();
    expect(h.liftInterval95).toBeNull();
    expect(h.liftNote).toMatch(/hurdle-lognormal reward skewed by about/);
  });
});
