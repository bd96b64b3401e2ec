/** The snapshot's model is the policy's, prepared from the evidence valued at the refresh time (discount) with its floor and cost weight. */
import { describe, expect, it } from 'vitest';
import { CreateExperimentSchema } from '../src/contract/experiment.js';
import { thompsonPolicy, type ThompsonModel } from '../src/bandit/thompson.js';
import { ServiceContext } from '../src/service/context.js';
import { engineSumsInput } from '../src/service/engine-config.js';
import { createExperiment } from '../src/service/experiments.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { TestClock } from './helpers/app.js';

const H = 600;

async function setup(extra: Record<string, unknown>) {
  const clock = new TestClock();
  const store = new MemoryStore();
  const ctx = new ServiceContext(store, 'engine-snapshot-secret-0123456789', clock);
  await createExperiment(ctx, CreateExperimentSchema.parse({ id: 'e', arms: [{ id: 'a' }, { id: 'b' }], rewardModel: 'bernoulli', stickiness: false, ...extra }));
  const reward = async (armId: string, i: number, reward: number, cost?: number) => store.recordReward({
    experimentId: 'e', armId, population: 'b', decisionKey: `${armId}-${i}`, issuedAt: Math.floor(clock.now() / 1000), rewardWindowSeconds: 86400,
    reward, event: { error: false, cost }, guardrails: null, windowSize: 1000, baseline: false, nowMs: clock.now(),
    engine: engineSumsInput((await store.getExperiment('e'))!.config), log: { propensity: 0.5, retentionSeconds: 86400 },
  });
  return { clock, ctx, reward };
}

describe('the snapshot and the engine settings', () => {
  it('discount: the posteriors and the model are valued at the refresh time', async () => {
    const { clock, ctx, reward } = await setup({ discount: { halfLifeSeconds: H } });
    await ctx.cache.get('e', clock.now());
    for (let i = 0; i < 40; i++) await reward('b', i, 1);
    clock.advance(H * 1000);
    const snap = (await ctx.cache.load('e', clock.now()))!;
    expect(snap.posteriors[1]).toMatchObject({ alpha: expect.closeTo(21, 9), beta: expect.closeTo(1, 9) });
    expect((snap.model as ThompsonModel).posteriors[1]).toEqual(snap.posteriors[1]);
    clock.advance(H * 1000);
    snap.setStats((await ctx.store.getStats('e'))!, clock.now());
    expect(snap.posteriors[1]).toMatchObject({ alpha: expect.closeTo(11, 9) });
  });

  it('minArmShare: the snapshot\'s propensities include the floor', async () => {
    const { clock, ctx, reward } = await setup({ minArmShare: 0.1 });
    await ctx.cache.get('e', clock.now());
    for (let i = 0; i < 200; i++) await reward('b', i, 1);
    const snap = (await ctx.cache.load('e', clock.now()))!;
    const plain = thompsonPolicy.prepare(snap.banditTallies.map((t) => ({ ...t, costs: 0, costSum: 0, costSumSq: 0 })), snap.engine.settings);
    const p = snap.propensities();
    expect(p[0]).toBeCloseTo(0.1 + 0.8 * thompsonPolicy.propensity(plain, [true, true], 0, undefined), 12);
    expect(p[0]).toBeGreaterThanOrEqual(0.1);
  });

  it('objective: the model samples the net value', async () => {
    const { clock, ctx, reward } = await setup({ objective: { costWeight: 10 } });
    await ctx.cache.get('e', clock.now());
    for (let i = 0; i < 300; i++) {
      await reward('a', i, i % 10 < 3 ? 1 : 0, 0.001);
      await reward('b', i, i % 10 < 4 ? 1 : 0, 0.05);
    }
    const snap = (await ctx.cache.load('e', clock.now()))!;
    // b has the better reward (0.4 vs 0.3) but costs 0.5 more in reward units: a is the best net.
    expect(snap.posteriors[1].kind === 'beta' && snap.posteriors[1].alpha).toBeGreaterThan(snap.posteriors[0].kind === 'beta' ? snap.posteriors[0].alpha : 0);
    expect(snap.propensities()[0]).toBeGreaterThan(0.99);
  });
});
