/** No decision (and no propensity) uses a posterior more than a second old, whatever the traffic. */
import { describe, expect, it } from 'vitest';
import { CreateExperimentSchema } from '../src/contract/experiment.js';
import { ServiceContext } from '../src/service/context.js';
import { createExperiment } from '../src/service/experiments.js';
import { select } from '../src/service/select.js';
import { STATS_MAX_AGE_MS } from '../src/service/snapshot.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { TestClock } from './helpers/app.js';

async function setup() {
  const clock = new TestClock();
  const store = new MemoryStore();
  const ctx = new ServiceContext(store, 'age-test-secret-0123456789', clock);
  await createExperiment(ctx, CreateExperimentSchema.parse({ id: 'age', arms: [{ id: 'a' }, { id: 'b' }], rewardModel: 'bernoulli', stickiness: false }));
  // 300 successes for b, written by "another replica" straight into the store.
  const addEvidence = async () => {
    for (let i = 0; i < 300; i++) {
      await store.recordReward({
        experimentId: 'age', armId: 'b', population: 'b', decisionKey: `k-${i}`, issuedAt: Math.floor(clock.now() / 1000),
        rewardWindowSeconds: 3600, reward: 1, event: { error: false }, guardrails: null, windowSize: 1000, baseline: false, nowMs: clock.now(),
        log: { propensity: 0.5, retentionSeconds: 86400 },
      });
    }
  };
  return { clock, ctx, addEvidence, usedCached: () => ctx.cache.lastKnown('age')!.statsAt };
}

describe('posterior age', () => {
  it('under traffic: refreshed through assign once half the limit has passed', async () => {
    const { clock, ctx, addEvidence, usedCached } = await setup();
    const first = await select(ctx, 'age');
    expect(first.propensity).toBeCloseTo(0.5, 6);
    await addEvidence();
    clock.advance(STATS_MAX_AGE_MS / 2 - 1);
    expect((await select(ctx, 'age')).propensity).toBeCloseTo(0.5, 6);
    clock.advance(1);
    const t = clock.now();
    await select(ctx, 'age');
    expect(usedCached()).toBe(t);
    const next = await select(ctx, 'age');
    expect(next.propensity).toBeCloseTo(next.armId === 'b' ? 1 : 0, 2);
  });

  it('after an idle spell: reloaded before deciding', async () => {
    const { clock, ctx, addEvidence } = await setup();
    await select(ctx, 'age');
    await addEvidence();
    clock.advance(5 * STATS_MAX_AGE_MS);
    const d = await select(ctx, 'age');
    expect(d.propensity).toBeCloseTo(d.armId === 'b' ? 1 : 0, 2);
  });
});
