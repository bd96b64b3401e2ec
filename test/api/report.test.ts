import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('GET /arms ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('400 without experimentId, 404 for an unknown one', async () => {
    expect((await t.get('/arms')).status).toBe(400);
    const res = await t.get('/arms?experimentId=nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('experiment_not_found');
  });

  it('reports every contract field with values that follow from the tallies', async () => {
    await t.post('/experiments', experimentBody({ id: 'r', policy: 'fixed', holdbackPercent: 20, arms: [{ id: 'control' }, { id: 'b' }] }));
    const rate: Record<string, number> = { control: 0.2, b: 0.6 };
    const seen: Record<string, { n: number; s: number }> = { control: { n: 0, s: 0 }, b: { n: 0, s: 0 }, hold: { n: 0, s: 0 } };
    for (let i = 0; i < 400; i++) {
      const d = (await t.post('/select', { experimentId: 'r', userId: `u-${i}` })).body;
      const reward = (i * 7919) % 100 < rate[d.armId] * 100 ? 1 : 0;
      await t.post('/reward', { decisionId: d.decisionId, reward, latencyMs: 100 + (i % 10), cost: 0.001, error: false });
      const k = d.population === 'holdback' ? 'hold' : d.armId;
      seen[k].n += 1;
      seen[k].s += reward;
    }
    const rep = (await t.get('/arms?experimentId=r')).body;
    expect(rep).toMatchObject({ experimentId: 'r', policy: 'fixed', rewardModel: 'bernoulli', status: 'active', totals: { decisions: 400, rewards: 400 } });
    for (const armId of ['control', 'b']) {
      const a = rep.arms.find((x: any) => x.armId === armId);
      const { n, s } = seen[armId];
      expect(a).toMatchObject({ baseline: armId === 'control', status: 'active', disabled: null, decisions: n, rewards: n, rewardSum: s });
      expect(a.meanReward).toBeCloseTo(s / n, 6);
      expect(a.posterior).toEqual({ kind: 'beta', alpha: 1 + s, beta: 1 + n - s });
      expect(a.posteriorMean).toBeCloseTo((1 + s) / (2 + n), 6);
      expect(a.credibleInterval95[0]).toBeCloseTo(jStat.beta.inv(0.025, 1 + s, 1 + n - s), 5);
      expect(a.credibleInterval95[1]).toBeCloseTo(jStat.beta.inv(0.975, 1 + s, 1 + n - s), 5);
      expect(a.guardrails).toMatchObject({ samples: n + (armId === 'control' ? seen.hold.n : 0), meanCost: 0.001, errorRate: 0 });
      expect(a.guardrails.latencyP95Ms).toBeGreaterThanOrEqual(108);
    }
    const [c, b] = ['control', 'b'].map((id) => rep.arms.find((x: any) => x.armId === id));
    expect(b.probabilityBest + c.probabilityBest).toBeCloseTo(1, 9);
    expect(b.probabilityBest).toBeGreaterThan(0.999);
    expect(c.expectedLoss).toBeGreaterThan(0.3);
    expect(b.expectedLoss).toBeLessThan(1e-4);
    expect(rep.regret.estimatedCumulative).toBeCloseTo(c.decisions * (b.posteriorMean - c.posteriorMean), 3);
    expect(rep.regret.estimatedPerDecision).toBeCloseTo(rep.regret.estimatedCumulative / (b.decisions + c.decisions), 6);

    const h = rep.holdback;
    expect(h).toMatchObject({ armId: 'control', percent: 20, decisions: seen.hold.n });
    const bn = seen.control.n + seen.b.n;
    const bs = seen.control.s + seen.b.s;
    expect(h.meanReward).toBeCloseTo(seen.hold.s / seen.hold.n, 6);
    expect(h.banditMeanReward).toBeCloseTo(bs / bn, 6);
    expect(h.lift).toBeCloseTo(bs / bn - seen.hold.s / seen.hold.n, 6);
    expect(h.liftInterval95[0]).toBeLessThan(h.lift);
    expect(h.liftInterval95[1]).toBeGreaterThan(h.lift);
    expect(h.pValue).toBeGreaterThanOrEqual(0);
    expect(h.pValue).toBeLessThanOrEqual(1);
    const share = seen.hold.n / 400;
    // The sequential check over users (here one decision each): 1 / the Dirichlet-multinomial Bayes factor.
    const [x, conc] = [seen.hold.n, 10_000];
    const logBf = jStat.betaln(0.2 * conc + x, 0.8 * conc + 400 - x) - jStat.betaln(0.2 * conc, 0.8 * conc) - x * Math.log(0.2) - (400 - x) * Math.log(0.8);
    expect(h).toMatchObject({ users: seen.hold.n, banditUsers: 400 - seen.hold.n });
    expect(h.srm.expectedShare).toBe(0.2);
    expect(h.srm.observedShare).toBeCloseTo(share, 6);
    expect(h.srm.pValue).toBeCloseTo(Math.min(1, Math.exp(-logBf)), 5);
  }, 60_000);

  it('reports a normal-gamma posterior for gaussian experiments', async () => {
    await t.post('/experiments', experimentBody({ id: 'n', rewardModel: 'gaussian', policy: 'fixed', arms: [{ id: 'a' }, { id: 'b' }] }));
    for (let i = 0; i < 40; i++) {
      const d = (await t.post('/select', { experimentId: 'n' })).body;
      await t.post('/reward', { decisionId: d.decisionId, reward: d.armId === 'a' ? 1 + (i % 3) : 5 + (i % 2) });
    }
    const rep = (await t.get('/arms?experimentId=n')).body;
    for (const a of rep.arms) {
      expect(a.posterior.kind).toBe('normal-gamma');
      expect(Object.keys(a.posterior).sort()).toEqual(['alpha', 'beta', 'kind', 'lambda', 'mu']);
      expect(a.credibleInterval95[0]).toBeLessThan(a.posteriorMean);
      expect(a.credibleInterval95[1]).toBeGreaterThan(a.posteriorMean);
    }
    expect(rep.arms[1].probabilityBest).toBeGreaterThan(0.99);
  });

  it('an empty experiment reports zeros and nulls, not NaN', async () => {
    await t.post('/experiments', experimentBody({ id: 'e', holdbackPercent: 10 }));
    const res = await t.get('/arms?experimentId=e');
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({ decisions: 0, rewards: 0 });
    expect(res.body.regret).toEqual({ estimatedCumulative: 0, estimatedPerDecision: 0 });
    expect(res.body.holdback).toMatchObject({ meanReward: null, lift: null, pValue: null, srm: { expectedShare: 0.1, observedShare: null, pValue: null } });
    expect(JSON.stringify(res.body)).not.toContain('NaN');
    for (const a of res.body.arms) expect(a.probabilityBest).toBeCloseTo(1 / 3, 3);
  });
});
