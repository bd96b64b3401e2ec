/**
 * The signal ledger's contract (issue 22), run by the store contract suite (test/store.contract.ts)
 * on every store: each (decision, metric name) counts exactly once, whether it came with the
 * reward or later by itself, under concurrent duplicates and across store instances (two Redis
 * replicas; a second SqliteStore opened on the same file); per-population sums; the metric
 * guardrail disables an arm as the built-in ones do, never the baseline; the event log.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { breachReason, type Breach } from '../src/bandit/guardrails.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import type { MetricValue } from '../src/store/signals.js';
import type { RewardInput, SignalInput, Store } from '../src/store/store.js';

export interface SignalCaseEnv {
  store: () => Store;
  another: () => Promise<Store | null>;
  config: (over?: Partial<ExperimentConfig>) => ExperimentConfig;
  rewardInput: (over?: Partial<RewardInput>) => RewardInput;
  iso: string;
}

let seq = 0;
const T0 = 1_750_000_000;
const guard = (g: MetricValue['guardrail']) => g;

export function signalCases(env: SignalCaseEnv): void {
  const signal = (over: Partial<SignalInput> = {}): SignalInput => ({
    experimentId: 'exp-1', armId: 'treat', population: 'b', decisionKey: `sig-${++seq}`, issuedAt: T0, rewardWindowSeconds: 3600,
    metric: { name: 'judge', value: 0.5 }, windowSize: 1000, baseline: false, nowMs: Date.parse(env.iso),
    log: { propensity: 0.5, retentionSeconds: 86400 }, ...over,
  });
  const sums = async (name = 'judge', armId = 'treat') => (await env.store().getMetricStats('exp-1', [name]))![name].find((a) => a.armId === armId)!;
  const disabledBy = (b: Breach) => ({ source: 'guardrail', reason: breachReason(b), at: env.iso, guardrail: b });

  describe('signals (issue 22)', () => {
    beforeEach(async () => {
      await env.store().createExperiment(env.config());
    });

    it('counts one signal per decision and name under 50 concurrent duplicates, and on another store instance', async () => {
      const input = signal({ metric: { name: 'judge', value: 0.75 } });
      const results = await Promise.all(Array.from({ length: 50 }, () => env.store().recordSignal({ ...input })));
      expect(results.filter((r) => r.kind === 'accepted')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(49);
      const other = await env.another();
      if (other) {
        const again = await Promise.all(Array.from({ length: 10 }, () => other.recordSignal({ ...input })));
        expect(again.every((r) => r.kind === 'duplicate')).toBe(true);
        await other.close();
      }
      expect((await sums()).bandit).toEqual({ n: 1, sum: 0.75, sumSq: 0.5625 });
      // another name of the same decision is its own signal
      expect(await env.store().recordSignal({ ...input, metric: { name: 'thumbs', value: 1 } })).toEqual({ kind: 'accepted' });
      expect((await sums('thumbs')).bandit).toEqual({ n: 1, sum: 1, sumSq: 1 });
    });

    it('keeps user-level sums over units (user, arm): a returning user is one unit, by signal and by reward alike; without a user each value is one', async () => {
      const user = 'user-key-001';
      await env.store().recordSignal(signal({ metric: { name: 'judge', value: 0.5 }, log: { propensity: 0.5, retentionSeconds: 86400, userKey: user } }));
      await env.store().recordReward(env.rewardInput({ decisionKey: `ul-${++seq}`, userKey: user, metrics: [{ name: 'judge', value: 0.25 }] }));
      await env.store().recordSignal(signal({ armId: 'other:3', metric: { name: 'judge', value: 1 }, log: { propensity: 0.5, retentionSeconds: 86400, userKey: user } }));
      await env.store().recordSignal(signal({ metric: { name: 'judge', value: 2 } }));
      await env.store().recordSignal(signal({ population: 'h', armId: 'control', metric: { name: 'judge', value: 3 }, log: { propensity: 0.5, retentionSeconds: 86400, userKey: user } }));
      // treat: the user's unit (S 0.75, N 2) and one unit without a user (S 2, N 1)
      expect((await sums()).users.bandit).toEqual({ units: 2, sum: 2.75, count: 3, sumSq: 0.75 * 0.75 + 4, countSq: 4 + 1, cross: 0.75 * 2 + 2 });
      expect((await sums('judge', 'other:3')).users.bandit).toEqual({ units: 1, sum: 1, count: 1, sumSq: 1, countSq: 1, cross: 1 });
      expect((await sums('judge', 'control')).users).toEqual({ bandit: { units: 0, sum: 0, count: 0, sumSq: 0, countSq: 0, cross: 0 }, holdback: { units: 1, sum: 3, count: 1, sumSq: 9, countSq: 1, cross: 3 } });
    });

    it('counts the metrics of a reward in its step: once, skipping a name already signalled; a later signal of one is a duplicate', async () => {
      const key = `dec-${++seq}`;
      expect(await env.store().recordSignal(signal({ decisionKey: key, metric: { name: 'thumbs', value: 0 } }))).toEqual({ kind: 'accepted' });
      const reward = env.rewardInput({ decisionKey: key, metrics: [{ name: 'judge', value: 0.25 }, { name: 'thumbs', value: 1 }] });
      const results = await Promise.all(Array.from({ length: 20 }, () => env.store().recordReward({ ...reward })));
      expect(results.filter((r) => r.kind === 'accepted')).toHaveLength(1);
      expect((await sums('judge')).bandit).toEqual({ n: 1, sum: 0.25, sumSq: 0.0625 });
      expect((await sums('thumbs')).bandit).toEqual({ n: 1, sum: 0, sumSq: 0 });
      expect(await env.store().recordSignal(signal({ decisionKey: key, metric: { name: 'judge', value: 9 } }))).toEqual({ kind: 'duplicate' });
      expect((await sums('judge')).bandit.n).toBe(1);
      const evs = (await env.store().readEvents('exp-1', null, 100))!.map(({ eventId: _, ts: __, ...e }) => e);
      expect(evs).toEqual([
        { type: 'signal', nonce: key, armId: 'treat', population: 'b', issuedAt: T0, propensity: 0.5, name: 'thumbs', value: 0 },
        { type: 'reward', nonce: key, armId: 'treat', population: 'b', issuedAt: T0, propensity: 0.5, reward: 1, error: false, metrics: { judge: 0.25 } },
      ]);
    });

    it('keeps sums per population and arm; unknown experiments and arms are not_found; another version is stale and writes nothing', async () => {
      await env.store().recordSignal(signal({ population: 'h', armId: 'control', metric: { name: 'judge', value: 2 } }));
      await env.store().recordSignal(signal({ population: 'x', armId: 'control', metric: { name: 'judge', value: 3 } }));
      await env.store().recordSignal(signal({ population: 'b', armId: 'control', metric: { name: 'judge', value: 4 }, log: { propensity: 0.5, retentionSeconds: 86400, userKey: 'AAAAAAAAAAAA' } }));
      const c = await sums('judge', 'control');
      expect([c.bandit.sum, c.holdback.sum, c.excluded.sum]).toEqual([4, 2, 3]);
      expect((await sums('judge', 'treat')).bandit.n).toBe(0);
      expect(await env.store().recordSignal(signal({ experimentId: 'nope' }))).toEqual({ kind: 'not_found' });
      expect(await env.store().recordSignal(signal({ armId: 'nope' }))).toEqual({ kind: 'not_found' });
      expect(await env.store().recordSignal(signal({ version: 9 }))).toEqual({ kind: 'stale' });
      expect((await sums('judge', 'treat')).bandit.n).toBe(0);
      expect(await env.store().getMetricStats('nope', ['judge'])).toBeNull();
      const last = (await env.store().readEvents('exp-1', null, 100))!.at(-1)!;
      expect(last).toMatchObject({ type: 'signal', armId: 'control', population: 'b', name: 'judge', value: 4, userKey: 'AAAAAAAAAAAA' });
    });

    it('a metric guardrail disables the arm once minSamples values are in its window; the next decision cannot get it', async () => {
      const m = (value: number): MetricValue => ({ name: 'judge', value, guardrail: guard({ max: 0.5, minSamples: 3 }) });
      for (const v of [0.5, 0.5, 0.5]) expect(await env.store().recordSignal(signal({ metric: m(v) }))).toEqual({ kind: 'accepted' }); // at the limit
      const breach: Breach = { guardrail: 'metric:judge', observed: (0.5 + 0.5 + 0.5 + 1.3) / 4, limit: 0.5 };
      expect(await env.store().recordSignal(signal({ metric: m(1.3), population: 'h' }))).toEqual({ kind: 'accepted', autoDisabled: disabledBy(breach) });
      const state = (await env.store().getExperiment('exp-1'))!;
      expect(state.disabled.treat).toEqual(disabledBy(breach));
      expect(state.version).toBe(2);
      expect(state.disabled.treat.reason).toBe('guardrail metric:judge: observed 0.7 above limit 0.5');
      // the decision that follows never gets the arm: the old version is stale, and so is the disabled arm at the new one
      const assign = { experimentId: 'exp-1', population: 'b' as const, armId: 'treat', propensity: 0.5, sticky: false, stickyTtlSeconds: 100, now: T0, withStats: false,
        log: { nonce: `n-${++seq}`, nowMs: T0 * 1000, disabledArms: '', retentionSeconds: 86400 } };
      expect(await env.store().assign({ ...assign, version: 1 })).toEqual({ kind: 'stale' });
      expect(await env.store().assign({ ...assign, version: 2 })).toEqual({ kind: 'stale' });
      expect((await sums()).window).toEqual({ samples: 4, sum: 0.5 + 0.5 + 0.5 + 1.3 });
    });

    it('a min guardrail through the reward step, with a window of 2: evicted values no longer count', async () => {
      const m = (value: number): MetricValue[] => [{ name: 'thumbs', value, guardrail: guard({ min: 0.5, minSamples: 2 }) }];
      const send = (value: number) => env.store().recordReward(env.rewardInput({ metrics: m(value), windowSize: 2 }));
      expect(await send(0)).toEqual({ kind: 'accepted' }); // 1 value: below minSamples
      expect(await send(1)).toEqual({ kind: 'accepted' }); // mean 0.5: at the limit
      expect(await send(1)).toEqual({ kind: 'accepted' }); // the 0 is evicted: mean 1
      expect(await send(0)).toEqual({ kind: 'accepted' }); // mean 0.5
      const low: Breach = { guardrail: 'metric:thumbs', observed: 0, limit: 0.5 };
      expect(await send(0)).toEqual({ kind: 'accepted', autoDisabled: disabledBy(low) });
      expect((await env.store().getExperiment('exp-1'))!.disabled.treat?.reason).toBe('guardrail metric:thumbs: observed 0 below limit 0.5');
    });

    it('never disables the baseline (nor an arm already disabled)', async () => {
      const m: MetricValue = { name: 'judge', value: 5, guardrail: { max: 1, minSamples: 1 } };
      expect(await env.store().recordSignal(signal({ armId: 'control', baseline: true, metric: m }))).toEqual({ kind: 'accepted' });
      expect(await env.store().recordReward(env.rewardInput({ armId: 'control', baseline: true, metrics: [{ ...m, name: 'thumbs' }] }))).toEqual({ kind: 'accepted' });
      expect((await env.store().getExperiment('exp-1'))!.disabled).toEqual({});
      const manual = { source: 'manual' as const, reason: 'by hand', at: env.iso };
      await env.store().setArmState('exp-1', 'treat', manual);
      expect(await env.store().recordSignal(signal({ metric: m }))).toEqual({ kind: 'accepted' });
      expect((await env.store().getExperiment('exp-1'))!.disabled.treat).toEqual(manual);
      expect((await sums('judge', 'control')).window).toEqual({ samples: 1, sum: 5 });
    });
  });
}
