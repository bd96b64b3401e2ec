/**
 * A linear policy's sums in the store contract (issue 23), run by describeStore on every store:
 * each bandit reward with a value adds r x x^T to its arm's sums exactly once, in the same step
 * that dedupes it (repeats and concurrent copies add nothing), equal bit for bit to
 * bandit/linear-model.ts addLinear in the order the rewards were recorded; holdback rewards and
 * rewards without a value add nothing; the sums come back with the stats and with assign's.
 */
import { describe, expect, it } from 'vitest';
import { addLinear } from '../src/bandit/linear-model.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import type { RewardInput, Store } from '../src/store/store.js';
import type { StoreHandle } from './store.contract.js';

interface Helpers {
  config: (over?: Partial<ExperimentConfig>) => ExperimentConfig;
  rewardInput: (over?: Partial<RewardInput>) => RewardInput;
}

const FEATURES = { plan: { type: 'categorical' as const, values: ['free', 'pro'] }, size: { type: 'numeric' as const } };
/** x of 4 dimensions: intercept, plan=free, plan=pro, size (awkward doubles on purpose). */
const xs = [[1, 0, 1, 0.1], [1, 1, 0, -2.5e-7], [1, 0, 0, 3.3333333333333335], [1, 0, 1, 1e6 / 3]];

export function describeLinearSums(current: () => { store: Store; handle: StoreHandle }, h: Helpers): void {
  describe('linear sums (issue 23)', () => {
    const create = (store: Store) => store.createExperiment(h.config({ policy: 'linear-thompson', features: FEATURES }));

    it('adds each bandit reward once, bit for bit as addLinear in order; holdback and valueless rewards add nothing', async () => {
      const { store } = current();
      await create(store);
      let expected: Float64Array | undefined;
      const rewards = [1, 0, 1, 0.37];
      for (let i = 0; i < 12; i++) {
        const x = xs[i % xs.length];
        const r = rewards[i % rewards.length];
        const input = h.rewardInput({ reward: r, linear: { x } });
        expect((await store.recordReward(input)).kind).toBe('accepted');
        expect((await store.recordReward(input)).kind).toBe('duplicate');
        expected = addLinear(expected, x, r);
      }
      await store.recordReward(h.rewardInput({ population: 'h', armId: 'treat', reward: 1, linear: { x: xs[0] } }));
      await store.recordReward(h.rewardInput({ reward: undefined, event: { error: true }, linear: { x: xs[0] } }));
      const stats = (await store.getStats('exp-1'))!;
      const treat = stats.arms.find((a) => a.armId === 'treat')!;
      expect(Array.from(treat.linear!)).toEqual(Array.from(expected!));
      expect(stats.arms.find((a) => a.armId === 'control')!.linear).toBeUndefined();
    });

    it('counts 40 concurrent copies of a reward once and 40 distinct concurrent rewards all, also from a second instance', async () => {
      const { store, handle } = current();
      await create(store);
      const other = handle.another ? await handle.another() : store;
      try {
        const copy = h.rewardInput({ reward: 1, linear: { x: xs[0] } });
        const copies = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? other : store).recordReward(copy)));
        expect(copies.filter((r) => r.kind === 'accepted')).toHaveLength(1);
        await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? other : store).recordReward(h.rewardInput({ reward: i % 3 === 0 ? 1 : 0, linear: { x: xs[1] } }))));
        const s = (await store.getStats('exp-1'))!.arms.find((a) => a.armId === 'treat')!.linear!;
        expect(s[0]).toBe(41); // n
        expect(s[1]).toBe(1 + 14); // sum r^2: the copy once, and i = 0, 3, ..., 39
        expect(s[2]).toBe(1 + 14); // b[intercept] = sum r
        expect(s[2 + 4]).toBe(41); // S[0][0] = sum 1
      } finally {
        if (other !== store) await other.close();
      }
    });

    it('returns the sums with the stats of an assign that asks for them', async () => {
      const { store } = current();
      await create(store);
      await store.recordReward(h.rewardInput({ reward: 1, linear: { x: xs[2] } }));
      const res = await store.assign({
        experimentId: 'exp-1', version: 1, population: 'b', armId: 'treat', propensity: 0.5, sticky: false, stickyTtlSeconds: 100,
        now: 1_750_000_000, withStats: true, log: { nonce: 'linear-assign-nonce', nowMs: 1_750_000_000_000, disabledArms: '', retentionSeconds: 86400 },
      });
      expect(res.kind).toBe('served');
      const linear = res.kind === 'served' ? res.stats!.arms.find((a) => a.armId === 'treat')!.linear : undefined;
      expect(Array.from(linear!)).toEqual(Array.from(addLinear(undefined, xs[2], 1)));
    });
  });
}
