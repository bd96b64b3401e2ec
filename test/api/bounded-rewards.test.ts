// Rewards that are not 0/1 over HTTP: rewardBounds clips and switches to the bounded-reward
// posterior; without it, /arms says in `support` when the data cannot support an interval yet.
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { memoryKind } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('rewards that are not 0/1 (memory store)', () => {
  const t = useTestApp(memoryKind);
  // Revenue-like: 0 nine times in ten, the rest spread over two orders of magnitude.
  const revenue = (i: number) => (i % 10 === 9 ? [20, 300, 45, 8, 2500, 60, 12, 150, 30, 90][(i / 10 | 0) % 10] : 0);

  async function feed(id: string, n: number) {
    for (let i = 0; i < n; i++) {
      const d = (await t.post('/select', { experimentId: id })).body;
      await t.post('/reward', { decisionId: d.decisionId, reward: revenue(i) });
    }
  }

  it('rewardBounds: rewards are clipped, posteriors are bounded Betas reported in reward units, every interval is supported', async () => {
    const res = await t.post('/experiments', experimentBody({ id: 'rb', rewardModel: 'gaussian', stickiness: false, seed: 's', rewardBounds: { min: 0, max: 2000 } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await feed('rb', 300);
    const rep = (await t.get('/arms?experimentId=rb')).body;
    expect(rep.rewardBounds).toEqual({ min: 0, max: 2000 });
    for (const a of rep.arms) {
      expect(a.posterior.kind).toBe('beta');
      expect(a.support.supported).toBe(true);
      expect(a.rewardSum).toBeLessThanOrEqual(2000 * a.rewards); // 2500 was clipped to 2000
      expect(a.credibleInterval95[0]).toBeLessThanOrEqual(a.posteriorMean);
      expect(a.credibleInterval95[1]).toBeGreaterThan(a.posteriorMean);
      expect(a.posteriorMean).toBeGreaterThan(0);
      expect(a.posteriorMean).toBeLessThan(2000);
    }
    expect(rep.arms.reduce((s: number, a: { rewardSum: number }) => s + a.rewardSum, 0)).toBe(3 * (20 + 300 + 45 + 8 + 2000 + 60 + 12 + 150 + 30 + 90));
  });

  it('refuses rewardBounds on bernoulli and min >= max', async () => {
    expect((await t.post('/experiments', experimentBody({ id: 'b1', rewardBounds: { min: 0, max: 1 } }))).status).toBe(400);
    expect((await t.post('/experiments', experimentBody({ id: 'b2', rewardModel: 'gaussian', rewardBounds: { min: 5, max: 5 } }))).status).toBe(400);
  });

  it('without bounds: the intervals are withheld and the recommendation waits, saying why', async () => {
    await t.post('/experiments', experimentBody({ id: 'nb', rewardModel: 'gaussian', stickiness: false, seed: 's', decisionRule: { minUsers: 10 } }));
    await feed('nb', 300);
    const rep = (await t.get('/arms?experimentId=nb')).body;
    const unsupported = rep.arms.filter((a: { support: { supported: boolean } }) => !a.support.supported);
    expect(unsupported.length).toBeGreaterThan(0);
    for (const a of unsupported) {
      expect(a.credibleInterval95).toBeNull();
      expect(a.support.reason).toMatch(/Cochran|no spread/);
    }
    expect(rep.recommendation.action).toBe('continue');
    expect(rep.recommendation.reason).toMatch(/the data cannot support a verdict yet/);
  });
});
