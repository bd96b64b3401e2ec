/**
 * A linear policy's sums in the store contract (issue 23), run by describeStore on every store:
 * each bandit reward with a value adds r x x^T to its arm's sums exactly once, in the same step
 * that dedupes it (repeats and concurrent copies add nothing), equal bit for bit to
 * bandit/linear-model.ts addLinear in the order the rewards were recorded; holdback rewards and
 * rewards without a value add nothing; the sums come back with the stats and with assign's.
 * With changeDetection (issue 24): a restart of an arm's evidence (its own change, or the leader's
 * fall for the others) keeps its sums as of the detection (linearBefore), bit for bit the sums of
 * the rewards before it, so its linear evidence is the rewards since; a late reward decided before
 * the restart joins linearBefore; a duplicate changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { linearEvidence, type ChangeSpec } from '../src/bandit/change-evidence.js';
import { addLinear } from '../src/bandit/linear-model.js';
import { makeRng } from '../src/bandit/random.js';
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

    it('with changeDetection, a restart restarts the linear evidence; a late reward joins the sums before it; a duplicate changes nothing', async () => {
      const { store } = current();
      const spec: ChangeSpec = { model: 'bernoulli', delta: 0.001, priorSum: 1, priorWeight: 2 };
      await store.createExperiment(h.config({ policy: 'linear-thompson', features: FEATURES, changeDetection: { method: 'glr', falseAlarmRate: 0.001 } }));
      const T0 = 1_750_000_000;
      let key = 0;
      const reward = (armId: string, r: number, x: readonly number[], issuedAt: number, arrival = issuedAt + 5) => h.rewardInput({
        armId, decisionKey: `lin-chg-${++key}`, reward: r, linear: { x }, issuedAt, nowMs: arrival * 1000, changes: spec,
      });
      // 'control' gets 30 rewards, then 'treat' leads at 0.9 and falls to 0.1.
      let control: Float64Array | undefined;
      for (let i = 0; i < 30; i++) {
        const r = i % 3 === 0 ? 1 : 0;
        await store.recordReward(reward('control', r, xs[i % 4], T0 + i));
        control = addLinear(control, xs[i % 4], r);
      }
      const rng = makeRng('linear-fall');
      const fall = Array.from({ length: 600 }, (_, i) => (rng() < (i < 300 ? 0.9 : 0.1) ? 1 : 0));
      let hit = -1;
      let beforeHit: Float64Array | undefined;
      let all: Float64Array | undefined;
      for (let i = 0; i < fall.length; i++) {
        const res = await store.recordReward(reward('treat', fall[i], xs[i % 4], T0 + 100 + i));
        if (res.kind === 'accepted' && res.changeDetected && hit < 0) { hit = i; beforeHit = all; }
        all = addLinear(all, xs[i % 4], fall[i]);
      }
      expect(hit).toBeGreaterThan(300);
      const stats = (await store.getStats('exp-1'))!;
      const [c, t] = [stats.arms[0], stats.arms[1]];
      const change = t.bandit.changes!.at(-1)!;
      // The arm that changed: its sums as of the detection are those of the rewards before the detecting one.
      expect(Array.from(t.linear!)).toEqual(Array.from(all!));
      expect(Array.from(t.linearBefore!)).toEqual(Array.from(beforeHit!));
      expect(t.bandit.changes).toHaveLength(1);
      expect(linearEvidence(t.linear, t.linearBefore)![0]).toBe(fall.length - hit);
      // The leader fell: the other arms restart at their whole sums; the unrewarded one has none.
      expect(Array.from(c.linearBefore!)).toEqual(Array.from(control!));
      expect(linearEvidence(c.linear, c.linearBefore)![0]).toBe(0);
      expect(stats.arms[2].linear).toBeUndefined();
      expect(stats.arms[2].linearBefore).toBeUndefined();
      // Late rewards: decided before the restart, they join the sums before it (evidence unchanged).
      const arrival = T0 + 100 + hit + 5;
      const lateTreat = reward('treat', 1, xs[2], change.at - 1, arrival + 100);
      expect((await store.recordReward(lateTreat)).kind).toBe('accepted');
      await store.recordReward(reward('control', 1, xs[3], arrival - 1, arrival + 100));
      await store.recordReward(reward('control', 0, xs[1], arrival + 1, arrival + 100));
      const after = (await store.getStats('exp-1'))!;
      expect(Array.from(after.arms[1].linearBefore!)).toEqual(Array.from(addLinear(t.linearBefore, xs[2], 1)));
      // (the same evidence, up to the rounding of adding the same terms to both sums)
      const [e0, e1] = [linearEvidence(t.linear, t.linearBefore)!, linearEvidence(after.arms[1].linear, after.arms[1].linearBefore)!];
      e1.forEach((v, i) => expect(v).toBeCloseTo(e0[i], 6));
      expect(e1[0]).toBe(e0[0]);
      expect(Array.from(after.arms[0].linearBefore!)).toEqual(Array.from(addLinear(control, xs[3], 1)));
      expect(Array.from(after.arms[0].linear!)).toEqual(Array.from(addLinear(addLinear(control, xs[3], 1), xs[1], 0)));
      expect(linearEvidence(after.arms[0].linear, after.arms[0].linearBefore)![0]).toBe(1);
      // A duplicate changes nothing.
      expect((await store.recordReward(lateTreat)).kind).toBe('duplicate');
      const again = (await store.getStats('exp-1'))!;
      expect(Array.from(again.arms[1].linear!)).toEqual(Array.from(after.arms[1].linear!));
      expect(Array.from(again.arms[1].linearBefore!)).toEqual(Array.from(after.arms[1].linearBefore!));
    });

    it('with a linear policy\'s spec (eachArm), a detection restarts its arm alone, even a fall of an arm that does not lead', async () => {
      const { store } = current();
      await store.createExperiment(h.config({ policy: 'linear-thompson', features: FEATURES, changeDetection: { method: 'glr', falseAlarmRate: 0.001 } }));
      await store.createExperiment(h.config({ id: 'exp-rank', changeDetection: { method: 'glr', falseAlarmRate: 0.001 } }));
      const base: ChangeSpec = { model: 'bernoulli', delta: 0.001, priorSum: 1, priorWeight: 2 };
      const T0 = 1_750_000_000;
      const rng = makeRng('linear-each-arm');
      // 'treat' falls from 0.3 to 0.02; the unrewarded arms' prior mean is 0.5, so it never leads.
      const fall = Array.from({ length: 600 }, (_, i) => (rng() < (i < 300 ? 0.3 : 0.02) ? 1 : 0));
      let hit = -1;
      let beforeHit: Float64Array | undefined;
      let all: Float64Array | undefined;
      for (let i = 0; i < fall.length; i++) {
        const at = { reward: fall[i], issuedAt: T0 + i, nowMs: (T0 + i + 5) * 1000, linear: { x: xs[i % 4] } };
        const res = await store.recordReward(h.rewardInput({ ...at, decisionKey: `each-${i}`, changes: { ...base, eachArm: true } }));
        await store.recordReward(h.rewardInput({ ...at, experimentId: 'exp-rank', decisionKey: `rank-${i}`, changes: base }));
        if (res.kind === 'accepted' && res.changeDetected && hit < 0) { hit = i; beforeHit = all; }
        all = addLinear(all, xs[i % 4], fall[i]);
      }
      expect(hit).toBeGreaterThan(300);
      const [each, rank] = [(await store.getStats('exp-1'))!, (await store.getStats('exp-rank'))!];
      expect(Array.from(each.arms[1].linearBefore!)).toEqual(Array.from(beforeHit!));
      expect(each.arms[1].bandit.beforeChange!.rewards).toBeGreaterThan(0);
      for (const i of [0, 2]) expect([each.arms[i].bandit.beforeChange, each.arms[i].linearBefore]).toEqual([undefined, undefined]);
      // The ranking rule: the same fall of an arm that does not lead restarts nothing.
      expect(rank.arms[1].bandit.changes!.length).toBeGreaterThan(0);
      expect(rank.arms.map((a) => [a.bandit.beforeChange, a.linearBefore])).toEqual([[undefined, undefined], [undefined, undefined], [undefined, undefined]]);
    });
  });
}
