/**
 * Change detection's part of the reward step (issue 24), run by the store contract suite
 * (test/store.contract.ts) on every store: the arm's GLR test runs where the reward is counted and
 * restarts the same arm at the same reward, to the same sums, as the pure rule
 * (bandit/change-evidence.ts through store/change-step.ts) does on the same sequence; a duplicate
 * changes nothing; a late reward decided before the change counts in the tally only; concurrent
 * rewards on two store instances report each change exactly once.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { evidenceSums, type ArmDetector, type ChangeSpec } from '../src/bandit/change-evidence.js';
import { makeRng, sampleNormal } from '../src/bandit/random.js';
import type { DetectedChange, ExperimentConfig, Tally } from '../src/contract/domain.js';
import { changeStep, withChanges } from '../src/store/change-step.js';
import type { RewardInput, RewardResult, Store } from '../src/store/store.js';

export interface ChangeCaseEnv {
  store: () => Store;
  another: () => Promise<Store | null>;
  config: (over?: Partial<ExperimentConfig>) => ExperimentConfig;
  rewardInput: (over?: Partial<RewardInput>) => RewardInput;
}

const T0 = 1_750_000_000;
const BERNOULLI: ChangeSpec = { model: 'bernoulli', delta: 0.001, priorSum: 1, priorWeight: 2 };
const GAUSSIAN: ChangeSpec = { model: 'gaussian', delta: 0.001, priorSum: 0, priorWeight: 0.01 };
let seq = 0;

/** The arm 'treat' (index 1 of 3) leads at 0.9, then falls to 0.1 after `n` rewards. */
function fall(n: number, seed: string): number[] {
  const r = makeRng(seed);
  return Array.from({ length: 2 * n }, (_, i) => (r() < (i < n ? 0.9 : 0.1) ? 1 : 0));
}

/** The pure rule on the same rewards (decided at T0 + i, arriving 5 s later): the tally of 'treat' and where it detected. */
function reference(xs: readonly number[], spec: ChangeSpec): { tally: Tally; detectedAt: number[] } {
  const empty = (): Tally => ({ decisions: 0, rewards: 0, sum: 0, sumSq: 0, users: 0 });
  const arms = [empty(), empty(), empty()];
  let det: ArmDetector | undefined;
  const detectedAt: number[] = [];
  xs.forEach((x, i) => {
    const t = arms[1];
    arms[1] = { ...t, rewards: t.rewards + 1, sum: t.sum + x, sumSq: t.sumSq + x * x };
    const step = changeStep(det, arms[1], 1, () => arms, spec, { issuedAt: T0 + i, nowMs: (T0 + i + 5) * 1000 }, x);
    det = step.detector;
    arms[1] = withChanges(arms[1], step);
    if (step.detected) detectedAt.push(i);
  });
  return { tally: arms[1], detectedAt };
}

export function changeCases(env: ChangeCaseEnv): void {
  const reward = (x: number, i: number, spec: ChangeSpec, over: Partial<RewardInput> = {}) => env.rewardInput({
    decisionKey: `chg-${++seq}`, reward: x, issuedAt: T0 + i, nowMs: (T0 + i + 5) * 1000, changes: spec, ...over,
  });
  const treat = async (store = env.store()) => (await store.getStats('exp-1'))!.arms[1].bandit;
  async function feed(xs: readonly number[], spec: ChangeSpec): Promise<RewardResult[]> {
    const out: RewardResult[] = [];
    for (let i = 0; i < xs.length; i++) out.push(await env.store().recordReward(reward(xs[i], i, spec)));
    return out;
  }
  const detections = (rs: RewardResult[]): number[] => rs.flatMap((r, i) => (r.kind === 'accepted' && r.changeDetected ? [i] : []));

  describe('change detection (issue 24)', () => {
    beforeEach(async () => {
      await env.store().createExperiment(env.config());
    });

    it('detects a fall of the leading arm at the same reward as the pure rule, and restarts its evidence to the same sums', async () => {
      const xs = fall(300, 'contract-fall');
      const ref = reference(xs, BERNOULLI);
      expect(ref.detectedAt.length).toBe(1);
      const results = await feed(xs, BERNOULLI);
      expect(detections(results)).toEqual(ref.detectedAt);
      const got = await treat();
      expect(got.beforeChange).toEqual(ref.tally.beforeChange);
      expect(got.changes).toEqual(ref.tally.changes);
      expect(evidenceSums(got).rewards).toBe(got.rewards - got.beforeChange!.rewards);
      expect(evidenceSums(got).rewards).toBeLessThan(got.rewards);
      const first = results[ref.detectedAt[0]] as { changeDetected: DetectedChange };
      expect(first.changeDetected).toEqual(ref.tally.changes![0]);
    });

    it('a fall of the leader restarts every other arm\'s evidence at the detection; a late reward decided before it counts in the tally only', async () => {
      // 'control' (index 0) gets 30 rewards first, then 'treat' leads at 0.9 and falls.
      for (let i = 0; i < 30; i++) await env.store().recordReward(reward(i % 3 === 0 ? 1 : 0, i, BERNOULLI, { armId: 'control' }));
      const xs = fall(300, 'contract-others');
      const results = await feed(xs, BERNOULLI);
      const hit = detections(results);
      expect(hit.length).toBe(1);
      const stats = (await env.store().getStats('exp-1'))!;
      const control = stats.arms[0].bandit;
      expect(control.rewards).toBe(30);
      expect(control.beforeChange).toEqual({ rewards: 30, sum: 10, sumSq: 10 });
      expect(evidenceSums(control).rewards).toBe(0);
      expect(control.changes).toBeUndefined();
      // The third arm, never rewarded, restarts at nothing.
      expect(stats.arms[2].bandit.beforeChange).toEqual({ rewards: 0, sum: 0, sumSq: 0 });
      // The detection arrived at T0 + hit + 5 s: a 'control' reward decided before then counts before the restart, one decided after joins the evidence.
      const arrived = T0 + hit[0] + 5;
      await env.store().recordReward(reward(1, arrived - 1 - T0, BERNOULLI, { armId: 'control', nowMs: (arrived + 50) * 1000 }));
      await env.store().recordReward(reward(1, arrived + 1 - T0, BERNOULLI, { armId: 'control', nowMs: (arrived + 50) * 1000 }));
      const after = (await env.store().getStats('exp-1'))!.arms[0].bandit;
      expect(after.rewards).toBe(32);
      expect(evidenceSums(after)).toEqual({ rewards: 1, sum: 1, sumSq: 1 });
    });

    it('runs the Gaussian test (unknown variance) the same way', async () => {
      const r = makeRng('contract-gauss');
      const xs = Array.from({ length: 800 }, (_, i) => 5 + (i < 400 ? 0 : -2) + sampleNormal(r));
      const ref = reference(xs, GAUSSIAN);
      expect(ref.detectedAt.length).toBeGreaterThan(0);
      await env.store().createExperiment(env.config({ id: 'exp-g', rewardModel: 'gaussian', prior: { mu: 0, lambda: 0.01, alpha: 1, beta: 1 } }));
      const results: RewardResult[] = [];
      for (let i = 0; i < xs.length; i++) results.push(await env.store().recordReward(reward(xs[i], i, GAUSSIAN, { experimentId: 'exp-g' })));
      expect(detections(results)).toEqual(ref.detectedAt);
      const got = (await env.store().getStats('exp-g'))!.arms[1].bandit;
      expect(got.beforeChange).toEqual(ref.tally.beforeChange);
      expect(got.changes).toEqual(ref.tally.changes);
    });

    it('changes nothing on a duplicate; a late reward decided before the change counts in the tally only', async () => {
      const xs = fall(300, 'contract-late');
      await feed(xs, BERNOULLI);
      const before = await treat();
      const change = before.changes![0];
      const key = `chg-dup-${++seq}`;
      const late = reward(1, change.at - T0 - 1, BERNOULLI, { decisionKey: key, nowMs: (T0 + 1000) * 1000 });
      expect(await env.store().recordReward(late)).toEqual({ kind: 'accepted' });
      const after = await treat();
      expect(after.rewards).toBe(before.rewards + 1);
      expect(evidenceSums(after)).toEqual(evidenceSums(before));
      expect(after.changes).toEqual(before.changes);
      expect(await env.store().recordReward(late)).toEqual({ kind: 'duplicate' });
      expect(await treat()).toEqual(after);
      // A reward decided after the change joins the new evidence.
      await env.store().recordReward(reward(1, xs.length, BERNOULLI, { nowMs: (T0 + 1001) * 1000 }));
      expect(evidenceSums(await treat()).rewards).toBe(evidenceSums(before).rewards + 1);
    });

    it('reports each change exactly once under concurrent rewards on two store instances', async () => {
      const xs = fall(300, 'contract-concurrent');
      for (let i = 0; i < 300; i++) await env.store().recordReward(reward(xs[i], i, BERNOULLI));
      const other = (await env.another()) ?? env.store();
      try {
        const stores = [env.store(), other];
        const results = await Promise.all(xs.slice(300).map((x, j) => stores[j % 2].recordReward(reward(x, 300 + j, BERNOULLI))));
        expect(results.every((r) => r.kind === 'accepted')).toBe(true);
        const got = await treat();
        expect(got.rewards).toBe(600);
        expect(got.changes!.length).toBeGreaterThan(0);
        expect(detections(results).length).toBe(got.changes!.length);
        expect(evidenceSums(got).rewards).toBeLessThan(600);
      } finally {
        if (other !== env.store()) await other.close();
      }
    });

    it('keeps nothing for an experiment without change detection', async () => {
      for (const [i, x] of fall(300, 'contract-off').entries()) await env.store().recordReward(reward(x, i, BERNOULLI, { changes: undefined }));
      const t = await treat();
      expect(t.beforeChange).toBeUndefined();
      expect(t.changes).toBeUndefined();
    });
  });
}
