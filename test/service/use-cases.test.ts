/**
 * The use cases called directly, without HTTP (the HTTP tests in test/api/ cover the envelope): select,
 * reward and signal on a real memory store and a real SQLite file, with the clock the test moves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateExperimentSchema } from '../../src/contract/experiment.js';
import { RewardSchema } from '../../src/contract/decision.js';
import { SignalSchema } from '../../src/contract/metrics.js';
import { ApiError } from '../../src/errors.js';
import { ServiceContext } from '../../src/service/context.js';
import { createExperiment } from '../../src/service/experiments.js';
import { report } from '../../src/service/report.js';
import { reward } from '../../src/service/reward.js';
import { select } from '../../src/service/select.js';
import { signal } from '../../src/service/signals.js';
import type { Store } from '../../src/store/store.js';
import { TestClock, TEST_SECRET } from '../helpers/app.js';
import { memoryKind, sqliteKind } from '../helpers/stores.js';

const experiment = (over: Record<string, unknown> = {}) => CreateExperimentSchema.parse({
  id: 'e', arms: [{ id: 'a' }, { id: 'b' }], rewardModel: 'bernoulli', holdbackPercent: 0,
  metrics: [{ name: 'judge', kind: 'mean', direction: 'increase' }], ...over,
});

describe.each([memoryKind, sqliteKind])('use cases ($name store)', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let clock: TestClock;
  let ctx: ServiceContext;
  beforeEach(async () => {
    ({ store, cleanup } = await kind.make());
    clock = new TestClock();
    ctx = new ServiceContext(store, TEST_SECRET, clock);
    await createExperiment(ctx, experiment());
  });
  afterEach(async () => cleanup());

  it('select: a signed decision on an arm of the experiment, sticky for the user, counted once', async () => {
    const d = await select(ctx, 'e', 'u-1');
    expect(d).toMatchObject({ experimentId: 'e', population: 'bandit', sticky: false });
    expect(['a', 'b']).toContain(d.armId);
    expect(d.propensity).toBeGreaterThan(0);
    const again = await select(ctx, 'e', 'u-1');
    expect([again.armId, again.sticky]).toEqual([d.armId, true]);
    const r = await report(ctx, 'e');
    expect(r.totals.decisions).toBe(2); // a sticky repeat is a decision too, of the same arm
    expect(r.arms.find((a) => a.armId === d.armId)!.decisions).toBe(2);
    await expect(select(ctx, 'nope', 'u-1')).rejects.toBeInstanceOf(ApiError);
  });

  it('reward: counted exactly once per decision; a forged decision id is refused', async () => {
    const d = await select(ctx, 'e', 'u-1');
    expect(await reward(ctx, RewardSchema.parse({ decisionId: d.decisionId, reward: 1 }))).toEqual({ accepted: true, duplicate: false });
    expect(await reward(ctx, RewardSchema.parse({ decisionId: d.decisionId, reward: 1 }))).toEqual({ accepted: true, duplicate: true });
    const r = await report(ctx, 'e');
    expect(r.totals.rewards).toBe(1);
    expect(r.arms.find((a) => a.armId === d.armId)!.rewards).toBe(1);
    const forged = `${d.decisionId!.slice(0, -4)}AAAA`;
    await expect(reward(ctx, RewardSchema.parse({ decisionId: forged, reward: 1 }))).rejects.toBeInstanceOf(ApiError);
  });

  it('signal: once per decision and name; an undeclared name is refused', async () => {
    const d = await select(ctx, 'e', 'u-1');
    const body = (over: Record<string, unknown> = {}) => SignalSchema.parse({ decisionId: d.decisionId, name: 'judge', value: 0.7, ...over });
    expect(await signal(ctx, body())).toEqual({ accepted: true, duplicate: false });
    expect(await signal(ctx, body({ value: 0.1 }))).toEqual({ accepted: true, duplicate: true });
    await expect(signal(ctx, body({ name: 'other' }))).rejects.toBeInstanceOf(ApiError);
    const judged = (await report(ctx, 'e')).metrics!.judge.arms.find((a) => a.armId === d.armId)!;
    expect([judged.n, judged.mean]).toEqual([1, 0.7]);
  });
});
