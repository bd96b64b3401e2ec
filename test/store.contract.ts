/**
 * The ONE suite every store must pass (memory, Redis, Redis Cluster): every method of the Store
 * interface and every branch of its semantics. Run it with `describeStore(name, makeStore)`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replayStats } from '../src/service/replay.js';
import { eventIdBefore, type StoredEvent } from '../src/contract/event-log.js';
import { breachReason } from '../src/bandit/guardrails.js';
import { guardrailCases, limits, repeat } from './guardrail-cases.js';
import { signalCases } from './signal-cases.js';
import { changeCases } from './change-cases.js';
import type { AssignInput, GuardrailEvent, RewardInput, RewardResult, Store } from '../src/store/store.js';
import type { DisabledInfo, ExperimentConfig, HistoryPoint } from '../src/contract/domain.js';
import { describeLayerClaims } from './store-layers.contract.js';
import { describeLogTypes } from './store-log-types.contract.js';
import { describeLinearSums } from './store-linear.contract.js';

export interface StoreHandle {
  store: Store;
  /** Deletes what the store wrote and closes it. */
  cleanup: () => Promise<void>;
  /** A second store instance on the same backend (the caller closes it); absent: the same instance. */
  another?: () => Promise<Store>;
}

/** Unix seconds at an epoch boundary of every sticky TTL used below (a multiple of 100). */
const T0 = 1_750_000_000;
const ISO0 = new Date(T0 * 1000).toISOString();
const TTL = 100;

function config(over: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return {
    id: 'exp-1',
    arms: [
      { id: 'control', payload: { model: 'small', prompt: 'v1', nested: { list: [], n: [1, 2.5, null] }, text: 'é ✓ "q"' } },
      { id: 'treat', payload: { model: 'large' } },
      { id: 'other:3', weight: 2 },
    ],
    baselineArmId: 'control',
    rewardModel: 'bernoulli',
    prior: { alpha: 1, beta: 1 },
    policy: 'thompson',
    holdbackPercent: 10,
    trafficPercent: 100,
    stickiness: true,
    stickyTtlSeconds: TTL,
    rewardWindowSeconds: 3600,
    guardrails: null,
    endsAt: null,
    seed: null,
    status: 'active',
    createdAt: ISO0,
    updatedAt: ISO0,
    ...over,
  };
}

const assignInput = (over: Partial<AssignInput> = {}): AssignInput => ({
  experimentId: 'exp-1', version: 1, population: 'b', armId: 'treat', propensity: 0.25,
  sticky: true, stickyTtlSeconds: TTL, now: T0, withStats: false,
  log: { nonce: `nonce-${++keySeq}`, nowMs: T0 * 1000, disabledArms: '', retentionSeconds: 86400 }, ...over,
});

let keySeq = 0;
const rewardInput = (over: Partial<RewardInput> = {}): RewardInput => ({
  experimentId: 'exp-1', armId: 'treat', population: 'b', decisionKey: `key-${++keySeq}`, issuedAt: T0,
  rewardWindowSeconds: 3600, reward: 1, event: { error: false }, guardrails: null, windowSize: 1000,
  baseline: false, nowMs: Date.parse(ISO0), log: { propensity: 0.5, retentionSeconds: 86400 }, ...over,
});

export function describeStore(name: string, makeStore: () => Promise<StoreHandle>): void {
  describe(`store contract: ${name}`, () => {
    let handle: StoreHandle;
    let store: Store;
    beforeEach(async () => {
      handle = await makeStore();
      store = handle.store;
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    /** Sends events one after another to `armId` with the same settings; returns every result. */
    async function events(evs: GuardrailEvent[], over: Partial<RewardInput> = {}): Promise<RewardResult[]> {
      const out: RewardResult[] = [];
      for (const event of evs) out.push(await store.recordReward(rewardInput({ event, ...over })));
      return out;
    }
    describeLayerClaims(() => ({ store, handle }));
    describeLogTypes(() => store, { config, assign: assignInput, reward: rewardInput });
    describeLinearSums(() => ({ store, handle }), { config, rewardInput });

    signalCases({ store: () => store, another: async () => (handle.another ? handle.another() : null), config, rewardInput, iso: ISO0 });
    changeCases({ store: () => store, another: async () => (handle.another ? handle.another() : null), config, rewardInput });

    describe('experiments', () => {
      it('creates once: the second create of an id is refused and changes nothing', async () => {
        expect(await store.createExperiment(config())).toBe(true);
        expect(await store.createExperiment(config({ policy: 'ucb' }))).toBe(false);
        expect(await store.getExperiment('exp-1')).toEqual({ config: config(), disabled: {}, version: 1 });
      });

      it('returns null for an unknown experiment, and copies that callers cannot alter', async () => {
        expect(await store.getExperiment('nope')).toBeNull();
        await store.createExperiment(config());
        const got = (await store.getExperiment('exp-1'))!;
        got.config.arms.pop();
        got.disabled.treat = { source: 'manual', reason: 'x', at: ISO0 };
        expect(await store.getExperiment('exp-1')).toEqual({ config: config(), disabled: {}, version: 1 });
      });

      it('lists every experiment ordered by id', async () => {
        expect(await store.listExperiments()).toEqual([]);
        for (const id of ['b-exp', 'a-exp', 'c-exp']) await store.createExperiment(config({ id }));
        await store.updateExperiment('b-exp', { status: 'paused' });
        const list = await store.listExperiments();
        expect(list.map((s) => s.config.id)).toEqual(['a-exp', 'b-exp', 'c-exp']);
        expect(list.map((s) => s.version)).toEqual([1, 2, 1]);
        expect(list[1].config.status).toBe('paused');
      });

      it('patches the config and bumps the version each time', async () => {
        await store.createExperiment(config({ guardrails: limits({ errorRate: 0.1 }) }));
        const later = new Date((T0 + 60) * 1000).toISOString();
        const s1 = await store.updateExperiment('exp-1', { status: 'paused', trafficPercent: 50, updatedAt: later });
        expect(s1).toEqual({ config: config({ guardrails: limits({ errorRate: 0.1 }), status: 'paused', trafficPercent: 50, updatedAt: later }), disabled: {}, version: 2 });
        const s2 = await store.updateExperiment('exp-1', { guardrails: null, endsAt: '2030-01-01T00:00:00.000Z', holdbackPercent: 0 });
        expect(s2!.version).toBe(3);
        expect(s2!.config).toEqual(config({ status: 'paused', trafficPercent: 50, updatedAt: later, guardrails: null, endsAt: '2030-01-01T00:00:00.000Z', holdbackPercent: 0 }));
        expect(await store.getExperiment('exp-1')).toEqual(s2);
        expect(await store.updateExperiment('nope', { status: 'paused' })).toBeNull();
      });

      it('disables and enables an arm, bumping the version each time', async () => {
        await store.createExperiment(config());
        const info: DisabledInfo = { source: 'manual', reason: 'looks broken', at: ISO0 };
        expect(await store.setArmState('exp-1', 'treat', info)).toEqual({ config: config(), disabled: { treat: info }, version: 2 });
        expect(await store.getExperiment('exp-1')).toEqual({ config: config(), disabled: { treat: info }, version: 2 });
        expect(await store.setArmState('exp-1', 'treat', null)).toEqual({ config: config(), disabled: {}, version: 3 });
        expect(await store.setArmState('nope', 'treat', info)).toBeNull();
      });
    });

    describe('assign', () => {
      beforeEach(async () => {
        await store.createExperiment(config());
      });

      it('serves the chosen arm and counts the decision in its population', async () => {
        expect(await store.assign(assignInput())).toEqual({ kind: 'served', armId: 'treat', propensity: 0.25, sticky: false, firstExposure: true });
        await store.assign(assignInput({ population: 'h', armId: 'control', propensity: 1 }));
        await store.assign(assignInput({ population: 'x', armId: 'control', propensity: 1 }));
        await store.assign(assignInput({ population: 'x', armId: 'control', propensity: 1 }));
        const stats = await store.getStats('exp-1');
        const zero = { decisions: 0, rewards: 0, sum: 0, sumSq: 0, users: 0 };
        expect(stats).toEqual({
          arms: [
            { armId: 'control', bandit: zero, holdback: { ...zero, decisions: 1, users: 1 }, excluded: { ...zero, decisions: 2, users: 2 } },
            { armId: 'treat', bandit: { ...zero, decisions: 1, users: 1 }, holdback: zero, excluded: zero },
            { armId: 'other:3', bandit: zero, holdback: zero, excluded: zero },
          ],
          users: { b: { sumSq: 0, countSq: 0, cross: 0 }, h: { sumSq: 0, countSq: 0, cross: 0 } },
        });
      });

      it('is not_found for an unknown experiment, stale for another version, a disabled or an unknown arm', async () => {
        expect(await store.assign(assignInput({ experimentId: 'nope' }))).toEqual({ kind: 'not_found' });
        expect(await store.assign(assignInput({ version: 2 }))).toEqual({ kind: 'stale' });
        expect(await store.assign(assignInput({ armId: 'ghost' }))).toEqual({ kind: 'stale' });
        await store.setArmState('exp-1', 'treat', { source: 'manual', reason: 'off', at: ISO0 });
        expect(await store.assign(assignInput({ version: 1 }))).toEqual({ kind: 'stale' });
        expect(await store.assign(assignInput({ version: 2 }))).toEqual({ kind: 'stale' });
        expect(await store.assign(assignInput({ version: 2, armId: 'control' }))).toMatchObject({ kind: 'served', armId: 'control' });
        expect((await store.getStats('exp-1'))!.arms[1].bandit.decisions).toBe(0);
      });

      it('returns every tally after this decision with withStats', async () => {
        await store.assign(assignInput({ armId: 'control' }));
        const res = await store.assign(assignInput({ withStats: true }));
        expect(res.kind === 'served' && res.stats).toEqual(await store.getStats('exp-1'));
        expect(res.kind === 'served' && res.stats!.arms.map((a) => a.bandit.decisions)).toEqual([1, 1, 0]);
      });

      it('keeps a bandit user on the first arm, with its first propensity, counting the served arm', async () => {
        const first = await store.assign(assignInput({ userId: 'u1', armId: 'treat', propensity: 1 / 3 }));
        expect(first).toEqual({ kind: 'served', armId: 'treat', propensity: 1 / 3, sticky: false, firstExposure: true });
        const again = await store.assign(assignInput({ userId: 'u1', armId: 'control', propensity: 0.6, now: T0 + 10 }));
        expect(again).toEqual({ kind: 'served', armId: 'treat', propensity: 1 / 3, sticky: true, firstExposure: false });
        const other = await store.assign(assignInput({ userId: 'u2', armId: 'control', propensity: 0.6 }));
        expect(other).toEqual({ kind: 'served', armId: 'control', propensity: 0.6, sticky: false, firstExposure: true });
        const stats = (await store.getStats('exp-1'))!;
        expect(stats.arms.map((a) => a.bandit.decisions)).toEqual([1, 2, 0]);
      });

      it('is not sticky outside the bandit population, without a userId, or with stickiness off', async () => {
        const cases = [{ population: 'h' as const }, { population: 'x' as const }, { userId: undefined }, { sticky: false }];
        for (const [i, over] of cases.entries()) {
          await store.assign(assignInput({ userId: `u${i}`, armId: 'treat', ...over }));
          const res = await store.assign(assignInput({ userId: `u${i}`, armId: 'control', propensity: 0.5, ...over }));
          expect(res).toMatchObject({ kind: 'served', armId: 'control', propensity: 0.5, sticky: false });
        }
        // None of those stored a sticky arm: the x record is replaced when the user enters.
        expect(await store.assign(assignInput({ userId: 'u1', armId: 'other:3' }))).toMatchObject({ armId: 'other:3', sticky: false });
      });

      it('expires a sticky assignment stickyTtlSeconds after it was made, by the `now` passed in', async () => {
        await store.assign(assignInput({ userId: 'u1', armId: 'treat', now: T0 + 50 }));
        // Still sticky one second before expiry (in the next TTL epoch, too).
        expect(await store.assign(assignInput({ userId: 'u1', armId: 'control', now: T0 + 149 }))).toMatchObject({ armId: 'treat', sticky: true });
        // Expired at assignedAt + ttl: the new choice is served and becomes the sticky arm.
        expect(await store.assign(assignInput({ userId: 'u1', armId: 'control', propensity: 0.7, now: T0 + 150 })))
          .toEqual({ kind: 'served', armId: 'control', propensity: 0.7, sticky: false, firstExposure: true });
        expect(await store.assign(assignInput({ userId: 'u1', armId: 'treat', now: T0 + 151 })))
          .toEqual({ kind: 'served', armId: 'control', propensity: 0.7, sticky: true, firstExposure: false });
        // Long after: expired again.
        expect(await store.assign(assignInput({ userId: 'u1', armId: 'other:3', now: T0 + 10 * TTL })))
          .toMatchObject({ armId: 'other:3', sticky: false });
      });

      it('replaces a sticky arm that became disabled, and keeps the replacement after re-enabling', async () => {
        await store.assign(assignInput({ userId: 'u1', armId: 'treat' }));
        await store.setArmState('exp-1', 'treat', { source: 'manual', reason: 'off', at: ISO0 });
        expect(await store.assign(assignInput({ version: 2, userId: 'u1', armId: 'control', propensity: 0.9, now: T0 + 1 })))
          .toEqual({ kind: 'served', armId: 'control', propensity: 0.9, sticky: false, firstExposure: false });
        await store.setArmState('exp-1', 'treat', null);
        expect(await store.assign(assignInput({ version: 3, userId: 'u1', armId: 'treat', now: T0 + 2 })))
          .toEqual({ kind: 'served', armId: 'control', propensity: 0.9, sticky: true, firstExposure: false });
      });

      it('gives concurrent first decisions of one user one arm', async () => {
        const arms = ['treat', 'control', 'other:3'];
        const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
          store.assign(assignInput({ userId: 'u-race', armId: arms[i % 3], propensity: (i % 3 + 1) / 10 }))));
        const served = results.map((r) => (r.kind === 'served' ? `${r.armId}@${r.propensity}` : r.kind));
        expect(new Set(served).size).toBe(1);
        expect(results.filter((r) => r.kind === 'served' && !r.sticky)).toHaveLength(1);
      });
    });

    describe('rewards', () => {
      beforeEach(async () => {
        await store.createExperiment(config({ rewardModel: 'gaussian', prior: { mu: 0, lambda: 1, alpha: 1, beta: 1 } }));
      });

      it('tallies rewards per arm and population, with sums equal to summing in order', async () => {
        const values = [0.1, 0.2, 0.3, -1.7, 1e-9, 12345.678];
        for (const reward of values) expect(await store.recordReward(rewardInput({ reward }))).toEqual({ kind: 'accepted' });
        await store.recordReward(rewardInput({ armId: 'control', population: 'h', reward: 2 }));
        await store.recordReward(rewardInput({ armId: 'control', population: 'x', reward: 3 }));
        let sum = 0;
        let sumSq = 0;
        for (const r of values) { sum += r; sumSq += r * r; }
        const stats = (await store.getStats('exp-1'))!;
        expect(stats.arms[1].bandit).toEqual({ decisions: 0, rewards: values.length, sum, sumSq, users: 0 });
        expect(stats.arms[0].holdback).toEqual({ decisions: 0, rewards: 1, sum: 2, sumSq: 4, users: 0 });
        expect(stats.arms[0].excluded).toEqual({ decisions: 0, rewards: 1, sum: 3, sumSq: 9, users: 0 });
        expect(stats.arms[0].bandit).toEqual({ decisions: 0, rewards: 0, sum: 0, sumSq: 0, users: 0 });
        expect(await store.getStats('nope')).toBeNull();
      });

      it('records a decision key once: a repeat is a duplicate and changes nothing', async () => {
        const input = rewardInput({ reward: 5, event: { latencyMs: 10, cost: 1, error: true } });
        expect(await store.recordReward(input)).toEqual({ kind: 'accepted' });
        const before = [await store.getStats('exp-1'), await store.getGuardrailWindows('exp-1')];
        expect(await store.recordReward(input)).toEqual({ kind: 'duplicate' });
        expect(await store.recordReward({ ...input, reward: 7, armId: 'control' })).toEqual({ kind: 'duplicate' });
        expect([await store.getStats('exp-1'), await store.getGuardrailWindows('exp-1')]).toEqual(before);
        // Dedupe is per experiment.
        await store.createExperiment(config({ id: 'exp-2' }));
        expect(await store.recordReward({ ...input, experimentId: 'exp-2' })).toEqual({ kind: 'accepted' });
      });

      it('is not_found for an unknown experiment or arm', async () => {
        expect(await store.recordReward(rewardInput({ experimentId: 'nope' }))).toEqual({ kind: 'not_found' });
        expect(await store.recordReward(rewardInput({ armId: 'ghost' }))).toEqual({ kind: 'not_found' });
      });

      it('without a reward adds only the guardrail event', async () => {
        await store.recordReward(rewardInput({ reward: undefined, event: { error: true, latencyMs: 30 } }));
        expect((await store.getStats('exp-1'))!.arms[1].bandit).toEqual({ decisions: 0, rewards: 0, sum: 0, sumSq: 0, users: 0 });
        expect((await store.getGuardrailWindows('exp-1')).treat).toEqual({ samples: 1, latencies: [30], costSamples: 0, costSum: 0, errors: 1 });
      });

      it('still records rewards of a disabled arm', async () => {
        await store.setArmState('exp-1', 'treat', { source: 'manual', reason: 'off', at: ISO0 });
        expect(await store.recordReward(rewardInput({ reward: 2 }))).toEqual({ kind: 'accepted' });
        expect((await store.getStats('exp-1'))!.arms[1].bandit.sum).toBe(2);
      });

      it('counts 50 concurrent copies of one reward once', async () => {
        const input = rewardInput({ reward: 3, event: { error: false, latencyMs: 5 } });
        const results = await Promise.all(repeat(50, input).map((r) => store.recordReward(r)));
        expect(results.filter((r) => r.kind === 'accepted')).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(49);
        expect((await store.getStats('exp-1'))!.arms[1].bandit).toEqual({ decisions: 0, rewards: 1, sum: 3, sumSq: 9, users: 0 });
        expect((await store.getGuardrailWindows('exp-1')).treat.samples).toBe(1);
      });

      it('counts 50 concurrent rewards with different keys all', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.recordReward(rewardInput({ reward: i % 4 }))));
        expect(results.every((r) => r.kind === 'accepted')).toBe(true);
        const sum = Array.from({ length: 50 }, (_, i) => i % 4).reduce((a, b) => a + b, 0);
        const sumSq = Array.from({ length: 50 }, (_, i) => (i % 4) ** 2).reduce((a, b) => a + b, 0);
        expect((await store.getStats('exp-1'))!.arms[1].bandit).toEqual({ decisions: 0, rewards: 50, sum, sumSq, users: 0 });
        expect((await store.getGuardrailWindows('exp-1')).treat.samples).toBe(50);
      });
    });

    describe('guardrail windows', () => {
      beforeEach(async () => {
        await store.createExperiment(config());
      });

      it('has an empty window for every arm, and none for an unknown experiment', async () => {
        const empty = { samples: 0, latencies: [], costSamples: 0, costSum: 0, errors: 0 };
        expect(await store.getGuardrailWindows('exp-1')).toEqual({ control: empty, treat: empty, 'other:3': empty });
        expect(await store.getGuardrailWindows('nope')).toEqual({});
      });

      it('keeps the last windowSize events of an arm across populations, latencies oldest first', async () => {
        const evs: GuardrailEvent[] = [
          { latencyMs: 1, cost: 0.1, error: true },
          { cost: 0.2, error: false },
          { latencyMs: 3.5, error: true },
          { latencyMs: 4, cost: 0.3, error: false },
          { latencyMs: 5, cost: 0.4, error: false },
        ];
        const pops = ['b', 'h', 'x', 'b', 'h'] as const;
        for (let i = 0; i < evs.length; i++) await store.recordReward(rewardInput({ event: evs[i], population: pops[i], windowSize: 3 }));
        // The cost sum is kept running (added, then the evicted subtracted), as floating point does it.
        const costSum = 0.1 + 0.2 + 0.3 - 0.1 + 0.4 - 0.2;
        expect((await store.getGuardrailWindows('exp-1')).treat).toEqual({ samples: 3, latencies: [3.5, 4, 5], costSamples: 2, costSum, errors: 1 });
        // A smaller window size on a later event evicts down to it.
        await store.recordReward(rewardInput({ event: { error: false }, windowSize: 1 }));
        expect((await store.getGuardrailWindows('exp-1')).treat).toEqual({ samples: 1, latencies: [], costSamples: 0, costSum: costSum - 0.3 - 0.4, errors: 0 });
      });

      it('checks only the events still in the window', async () => {
        await events(repeat(4, { latencyMs: 1000, cost: 5, error: true }), { windowSize: 4 });
        await events(repeat(4, { latencyMs: 10, cost: 0.1, error: false }), { windowSize: 4 });
        const on = limits({ latencyP95Ms: 100, meanCost: 1, errorRate: 0.1, windowSize: 4 });
        expect(await events([{ latencyMs: 10, cost: 0.1, error: false }], { windowSize: 4, guardrails: on })).toEqual([{ kind: 'accepted' }]);
        expect((await store.getExperiment('exp-1'))!.disabled).toEqual({});
      });
    });

    describe('guardrails', () => {
      beforeEach(async () => {
        await store.createExperiment(config());
      });
      guardrailCases(() => store, events, ISO0);

      it('latency: a nearest-rank p95 at the limit passes, one above it disables the arm', async () => {
        const g = limits({ latencyP95Ms: 100, minSamples: 20 });
        // 20 events, 19 at the limit: the p95 (19th of 20) is 100.
        const ok = await events([...repeat(19, { latencyMs: 100, error: false }), { latencyMs: 101, error: false }], { guardrails: g });
        expect(ok.every((r) => !('autoDisabled' in r && r.autoDisabled))).toBe(true);
        // 21 events: the p95 is the 20th, 101.
        const [res] = await events([{ latencyMs: 101, error: false }], { guardrails: g, nowMs: Date.parse('2026-01-02T03:04:05.678Z') });
        const guardrail = { guardrail: 'latencyP95Ms' as const, observed: 101, limit: 100 };
        const info: DisabledInfo = { source: 'guardrail', reason: breachReason(guardrail), at: '2026-01-02T03:04:05.678Z', guardrail };
        expect(res).toEqual({ kind: 'accepted', autoDisabled: info });
        expect(await store.getExperiment('exp-1')).toEqual({ config: config(), disabled: { treat: info }, version: 2 });
      });

      it('latency: reports the nearest-rank p95 of unordered values', async () => {
        const values = Array.from({ length: 40 }, (_, i) => ((i * 17) % 40) + 1); // 1..40, shuffled
        const res = await events(values.map((latencyMs) => ({ latencyMs: latencyMs + 0.5, error: false })), { guardrails: limits({ latencyP95Ms: 30, minSamples: 40 }) });
        expect(res.slice(0, 39).some((r) => r.kind === 'accepted' && r.autoDisabled)).toBe(false);
        expect(res[39]).toMatchObject({ autoDisabled: { guardrail: { guardrail: 'latencyP95Ms', observed: 38.5, limit: 30 } } });
      });

      it('latency: counts the window again when the limit changes', async () => {
        // 10 events recorded with guardrails off, 5 of them slow (200): nothing to check yet.
        await events([...repeat(5, { latencyMs: 200, error: false }), ...repeat(5, { latencyMs: 50, error: false })]);
        // A limit of 300 counted over the window as it is: the 11th event passes.
        expect(await events([{ latencyMs: 50, error: false }], { guardrails: limits({ latencyP95Ms: 300, minSamples: 5 }) }))
          .toEqual([{ kind: 'accepted' }]);
        // Lowered to 100: the five 200s, recorded before, now count as above it.
        const [res] = await events([{ latencyMs: 50, error: false }], { guardrails: limits({ latencyP95Ms: 100, minSamples: 5 }) });
        expect(res).toMatchObject({ autoDisabled: { guardrail: { guardrail: 'latencyP95Ms', observed: 200, limit: 100 } } });
      });

      it('latency: values evicted from the window leave the count', async () => {
        const g = limits({ latencyP95Ms: 100, minSamples: 4, windowSize: 4 });
        const run = (latencyMs: number, n: number) => events(repeat(n, { latencyMs, error: false }), { guardrails: g, windowSize: 4 });
        expect(await run(10, 4)).toEqual(repeat(4, { kind: 'accepted' }));
        // The slow value evicts a fast one: 3 of 4 at or below the limit, the p95 (4th of 4) is 500.
        expect((await run(500, 1))[0]).toMatchObject({ autoDisabled: { guardrail: { observed: 500 } } });
        // Four fast values (recorded while disabled, not checked) push the slow one out again:
        // once enabled, 4 of 4 are at or below the limit, no breach.
        await run(10, 4);
        await store.setArmState('exp-1', 'treat', null);
        expect(await run(10, 1)).toEqual([{ kind: 'accepted' }]);
      });

      it('mean cost: at the limit passes, above it disables the arm', async () => {
        const g = limits({ meanCost: 0.5, minSamples: 4 });
        expect(await events(repeat(4, { cost: 0.5, error: false }), { guardrails: g })).toEqual(repeat(4, { kind: 'accepted' }));
        const [res] = await events([{ cost: 0.75, error: false }], { guardrails: g });
        const guardrail = { guardrail: 'meanCost' as const, observed: 2.75 / 5, limit: 0.5 };
        expect(res).toEqual({ kind: 'accepted', autoDisabled: { source: 'guardrail', reason: breachReason(guardrail), at: ISO0, guardrail } });
      });

      it('error rate: at the limit passes, above it disables the arm', async () => {
        const g = limits({ errorRate: 0.25, minSamples: 4 });
        const evs = [{ error: true }, { error: false }, { error: false }, { error: false }];
        expect(await events(evs, { guardrails: g })).toEqual(repeat(4, { kind: 'accepted' }));
        const [res] = await events([{ error: true }], { guardrails: g });
        const guardrail = { guardrail: 'errorRate' as const, observed: 0.4, limit: 0.25 };
        expect(res).toEqual({ kind: 'accepted', autoDisabled: { source: 'guardrail', reason: breachReason(guardrail), at: ISO0, guardrail } });
      });

      it('checks nothing before minSamples events', async () => {
        const res = await events(repeat(5, { error: true }), { guardrails: limits({ errorRate: 0, minSamples: 5 }) });
        expect(res.slice(0, 4)).toEqual(repeat(4, { kind: 'accepted' }));
        expect(res[4]).toMatchObject({ autoDisabled: { guardrail: { guardrail: 'errorRate', observed: 1, limit: 0 } } });
      });

      it('counts for each limit only the events that carry its value', async () => {
        const g = limits({ latencyP95Ms: 100, meanCost: 0.5, minSamples: 3 });
        const quiet = await events([
          { latencyMs: 500, error: false }, { latencyMs: 500, error: false }, { cost: 1, error: false }, { cost: 1, error: false },
          ...repeat(4, { error: false }),
        ], { guardrails: g });
        expect(quiet).toEqual(repeat(8, { kind: 'accepted' }));
        const [cost] = await events([{ cost: 1, error: false }], { guardrails: g });
        expect(cost).toMatchObject({ autoDisabled: { guardrail: { guardrail: 'meanCost', observed: 1, limit: 0.5 } } });
        const [latency] = await events([{ latencyMs: 500, error: false }], { guardrails: g, armId: 'other:3' });
        expect(latency).toEqual({ kind: 'accepted' }); // other:3 has one latency only
      });

      it('reports latency before cost before errors', async () => {
        const all = limits({ latencyP95Ms: 10, meanCost: 0.1, errorRate: 0.1, minSamples: 2 });
        const [, first] = await events(repeat(2, { latencyMs: 50, cost: 1, error: true }), { guardrails: all });
        expect(first).toMatchObject({ autoDisabled: { guardrail: { guardrail: 'latencyP95Ms' } } });
        const [, second] = await events(repeat(2, { latencyMs: 5, cost: 1, error: true }), { guardrails: all, armId: 'other:3' });
        expect(second).toMatchObject({ autoDisabled: { guardrail: { guardrail: 'meanCost' } } });
      });

      it('never disables the baseline arm', async () => {
        const res = await events(repeat(6, { latencyMs: 999, cost: 9, error: true }),
          { armId: 'control', baseline: true, guardrails: limits({ latencyP95Ms: 1, meanCost: 1, errorRate: 0 }) });
        expect(res).toEqual(repeat(6, { kind: 'accepted' }));
        expect(await store.getExperiment('exp-1')).toMatchObject({ disabled: {}, version: 1 });
      });

      it('does not disable an arm already disabled, nor disable it twice', async () => {
        const manual: DisabledInfo = { source: 'manual', reason: 'by hand', at: ISO0 };
        await store.setArmState('exp-1', 'treat', manual);
        const g = limits({ errorRate: 0 });
        expect(await events(repeat(5, { error: true }), { guardrails: g })).toEqual(repeat(5, { kind: 'accepted' }));
        expect(await store.getExperiment('exp-1')).toMatchObject({ disabled: { treat: manual }, version: 2 });

        const res = await events(repeat(6, { error: true }), { guardrails: g, armId: 'other:3' });
        expect(res.filter((r) => r.kind === 'accepted' && r.autoDisabled)).toHaveLength(1);
        expect(await store.getExperiment('exp-1')).toMatchObject({ version: 3 });
      });

      it('checks nothing when guardrails are off', async () => {
        expect(await events(repeat(6, { latencyMs: 1e6, cost: 1e6, error: true }))).toEqual(repeat(6, { kind: 'accepted' }));
        expect(await store.getExperiment('exp-1')).toMatchObject({ disabled: {}, version: 1 });
      });

      it('makes assignments to an automatically disabled arm stale, and moves its sticky users', async () => {
        await store.assign(assignInput({ userId: 'u1', armId: 'treat' }));
        await events(repeat(4, { error: true }), { guardrails: limits({ errorRate: 0.5 }) });
        expect(await store.assign(assignInput({ version: 1, armId: 'control' }))).toEqual({ kind: 'stale' });
        expect(await store.assign(assignInput({ version: 2, armId: 'treat' }))).toEqual({ kind: 'stale' });
        expect(await store.assign(assignInput({ version: 2, userId: 'u1', armId: 'control', propensity: 0.5 })))
          .toEqual({ kind: 'served', armId: 'control', propensity: 0.5, sticky: false, firstExposure: false });
      });
    });

    describe('secret and health', () => {
      it('creates the secret once and shares it with every instance on the same backend', async () => {
        expect(await store.getOrCreateSecret('first')).toBe('first');
        expect(await store.getOrCreateSecret('second')).toBe('first');
        const other = handle.another ? await handle.another() : store;
        try {
          expect(await other.getOrCreateSecret('third')).toBe('first');
          await store.createExperiment(config());
          expect(await other.getExperiment('exp-1')).toEqual({ config: config(), disabled: {}, version: 1 });
        } finally {
          if (other !== store) await other.close();
        }
      });

      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('issue 10: the reward version, API keys, prototype names', () => {
      it('refuses a reward decided with another version as stale and writes nothing', async () => {
        await store.createExperiment(config());
        await store.setArmState('exp-1', 'other:3', { source: 'manual', reason: 'x', at: ISO0 }); // version 2
        const input = rewardInput({ version: 1 });
        expect(await store.recordReward(input)).toEqual({ kind: 'stale' });
        expect((await store.getStats('exp-1'))!.arms[1].bandit.rewards).toBe(0);
        expect(await store.recordReward({ ...input, version: 2 })).toEqual({ kind: 'accepted' });
        expect(await store.recordReward({ ...input, version: 2 })).toEqual({ kind: 'duplicate' });
      });

      it('keeps Object.prototype names as ordinary arm ids in every record it returns', async () => {
        await store.createExperiment(config({ arms: [{ id: 'control' }, { id: '__proto__' }, { id: 'constructor' }, { id: 'toString' }] }));
        const fresh = (await store.getExperiment('exp-1'))!;
        expect(fresh.disabled.constructor).toBeUndefined();
        expect(fresh.disabled.toString).toBeUndefined();
        const info: DisabledInfo = { source: 'manual', reason: 'r', at: ISO0 };
        await store.setArmState('exp-1', '__proto__', info);
        const after = (await store.getExperiment('exp-1'))!;
        expect(Object.keys(after.disabled)).toEqual(['__proto__']);
        expect(after.disabled.constructor).toBeUndefined();
        expect(Object.getPrototypeOf(after.disabled)).toBeNull();
        expect(await store.assign(assignInput({ version: 2, armId: 'constructor' }))).toMatchObject({ kind: 'served', armId: 'constructor' });
        expect(await store.assign(assignInput({ version: 2, armId: '__proto__' }))).toEqual({ kind: 'stale' });
        const windows = await store.getGuardrailWindows('exp-1');
        expect(Object.keys(windows).sort()).toEqual(['__proto__', 'constructor', 'control', 'toString']);
      });

      it('creates, lists, touches and revokes API keys, bumping the version, and tells a watcher before revoke returns', async () => {
        const seen: number[] = [];
        const watch = store.watchApiKeys(async () => { seen.push(await store.apiKeysVersion()); });
        try {
          const v0 = await store.apiKeysVersion();
          const key = { id: 'key_1', scope: 'read' as const, name: 'n', hash: 'ab'.repeat(32), createdAt: ISO0, lastUsedAt: null };
          await store.createApiKey(key);
          expect(await store.apiKeysVersion()).toBe(v0 + 1);
          expect(await store.listApiKeys()).toEqual([key]);
          await store.touchApiKeys({ key_1: '2026-01-01T00:00:00.000Z', env_abc: '2026-01-02T00:00:00.000Z' });
          expect((await store.listApiKeys())[0].lastUsedAt).toBe('2026-01-01T00:00:00.000Z');
          expect(await store.apiKeysLastUsed()).toMatchObject({ env_abc: '2026-01-02T00:00:00.000Z' });
          const live = watch.live();
          expect(await store.revokeApiKey('key_1')).toEqual({ found: true, unconfirmed: 0 });
          if (live) expect(seen).toContain(v0 + 2); // the watcher reloaded before revoke returned
          expect(await store.listApiKeys()).toEqual([]);
          expect(await store.revokeApiKey('key_1')).toEqual({ found: false, unconfirmed: 0 });
          expect(await store.apiKeysVersion()).toBe(v0 + 2);
        } finally {
          await watch.close();
        }
      });
    });

    describe('event log', () => {
      beforeEach(async () => {
        await store.createExperiment(config());
      });
      const all = async () => (await store.readEvents('exp-1', null, 10_000))!;

      it('appends one decision event per served decision, with its fields; nothing for stale or not_found', async () => {
        await store.assign(assignInput({ userId: 'u1', log: { nonce: 'n-1', nowMs: T0 * 1000 + 5, disabledArms: '', context: '{"plan":"pro"}', traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, retentionSeconds: 86400 } }));
        await store.assign(assignInput({ population: 'h', armId: 'control', propensity: 1, log: { nonce: 'n-2', nowMs: T0 * 1000, disabledArms: '2', retentionSeconds: 86400 } }));
        expect(await store.assign(assignInput({ version: 7 }))).toEqual({ kind: 'stale' });
        expect(await store.assign(assignInput({ experimentId: 'nope' }))).toEqual({ kind: 'not_found' });
        const evs = await all();
        expect(evs.map(({ eventId: _, ts: __, ...e }) => e)).toEqual([
          { type: 'decision', nonce: 'n-1', armId: 'treat', population: 'b', issuedAt: T0, propensity: 0.25, version: 1, firstExposure: true,
            userId: 'u1', context: '{"plan":"pro"}', eligibleArms: ['control', 'treat', 'other:3'], traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
          { type: 'decision', nonce: 'n-2', armId: 'control', population: 'h', issuedAt: T0, propensity: 1, version: 1, firstExposure: true,
            eligibleArms: ['control', 'treat'] },
        ]);
        expect(evs[0].ts).toBeGreaterThan(0);
        expect(await store.readEvents('nope', null, 10)).toBeNull();
      });

      it('logs the arm a sticky user is served, with its first propensity', async () => {
        await store.assign(assignInput({ userId: 'u1', armId: 'treat', propensity: 0.3 }));
        await store.assign(assignInput({ userId: 'u1', armId: 'other:3', propensity: 0.6 }));
        expect((await all()).map((e) => e.type === 'decision' && [e.armId, e.propensity, e.firstExposure])).toEqual([['treat', 0.3, true], ['treat', 0.3, false]]);
      });

      it('appends one reward event per accepted reward; a duplicate or an unknown arm appends nothing', async () => {
        await store.recordReward(rewardInput({ decisionKey: 'k1', reward: 0.5, event: { latencyMs: 12, cost: 0.25, error: false }, log: { propensity: 0.125, metadata: '{"a":[1]}', retentionSeconds: 86400 } }));
        expect(await store.recordReward(rewardInput({ decisionKey: 'k1' }))).toEqual({ kind: 'duplicate' });
        expect(await store.recordReward(rewardInput({ armId: 'nope' }))).toEqual({ kind: 'not_found' });
        await store.recordReward(rewardInput({ decisionKey: 'k2', armId: 'control', population: 'h', reward: undefined, event: { error: true } }));
        expect((await all()).map(({ eventId: _, ts: __, ...e }) => e)).toEqual([
          { type: 'reward', nonce: 'k1', armId: 'treat', population: 'b', issuedAt: T0, propensity: 0.125, reward: 0.5, latencyMs: 12, cost: 0.25, error: false, metadata: '{"a":[1]}' },
          { type: 'reward', nonce: 'k2', armId: 'control', population: 'h', issuedAt: T0, propensity: 0.5, error: true },
        ]);
      });

      it('pages by cursor and limit, oldest first, with increasing ids', async () => {
        for (let i = 0; i < 25; i++) await store.assign(assignInput({ log: { nonce: `p-${i}`, nowMs: T0 * 1000, disabledArms: '', retentionSeconds: 86400 } }));
        const seen: string[] = [];
        let cursor: string | null = null;
        for (;;) {
          const page: StoredEvent[] = (await store.readEvents('exp-1', cursor, 10))!;
          if (page.length === 0) break;
          seen.push(...page.map((e) => e.nonce));
          cursor = page[page.length - 1].eventId;
        }
        expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `p-${i}`));
        const ids = (await all()).map((e) => e.eventId);
        for (let i = 1; i < ids.length; i++) expect(eventIdBefore(ids[i - 1], ids[i])).toBe(true);
        expect(await store.readEvents('exp-1', ids[24], 10)).toEqual([]);
      });

      it('replays to exactly the stored tallies, also after concurrent decisions and rewards with repeats', async () => {
        const rewards = Array.from({ length: 120 }, (_, i) => rewardInput({
          decisionKey: `r-${i % 100}`, armId: ['control', 'treat', 'other:3'][i % 3], population: (['b', 'h', 'x'] as const)[i % 3 === 0 ? i % 2 : 0],
          reward: i % 7 === 0 ? undefined : (i * 0.1) % 1.3, event: { error: i % 7 === 0 },
        }));
        await Promise.all([
          ...Array.from({ length: 60 }, (_, i) => store.assign(assignInput({ userId: `u${i % 20}`, armId: i % 2 ? 'treat' : 'other:3', population: i % 5 ? 'b' : 'x' }))),
          ...rewards.map((r) => store.recordReward(r)),
        ]);
        expect(await replayStats(store, 'exp-1')).toEqual(await store.getStats('exp-1'));
        expect((await all()).filter((e) => e.type === 'reward')).toHaveLength(100);
      });

      it('trims events older than the retention', async () => {
        const at = (ms: number, nonce: string) => assignInput({ log: { nonce, nowMs: ms, disabledArms: '', retentionSeconds: 1 } });
        for (let i = 0; i < 250; i++) await store.assign(at(T0 * 1000, `old-${i}`));
        await new Promise((r) => setTimeout(r, 1100)); // Redis trims by its own clock, the embedded store by nowMs
        await store.assign(at(T0 * 1000 + 1100, 'new'));
        const evs = await all();
        expect(evs[evs.length - 1].nonce).toBe('new');
        // Redis trims whole stream nodes (MINID ~, at most 100 entries each): what is left of the old ones is one node's worth.
        expect(evs.length).toBeLessThanOrEqual(101);
      });
    });

    describe('the user record (issue 8)', () => {
      beforeEach(async () => {
        await store.createExperiment(config());
      });
      const usersOf = async (pop: 'bandit' | 'holdback' | 'excluded') =>
        (await store.getStats('exp-1'))!.arms.map((a) => a[pop].users);

      it('counts a first exposure once per user and population, on the served arm; every decision without a userId', async () => {
        const r = [
          await store.assign(assignInput({ userId: 'u1', armId: 'treat' })),
          await store.assign(assignInput({ userId: 'u1', armId: 'control', now: T0 + 1 })),
          await store.assign(assignInput({ userId: 'u2', armId: 'other:3', sticky: false })),
          await store.assign(assignInput({ userId: 'u2', armId: 'treat', sticky: false, now: T0 + 1 })),
          await store.assign(assignInput({ armId: 'treat' })),
          await store.assign(assignInput({ armId: 'treat' })),
          await store.assign(assignInput({ userId: 'h1', population: 'h', armId: 'control', propensity: 1 })),
          await store.assign(assignInput({ userId: 'h1', population: 'h', armId: 'control', propensity: 1 })),
        ];
        expect(r.map((x) => x.kind === 'served' && x.firstExposure)).toEqual([true, false, true, false, true, true, true, false]);
        expect(await usersOf('bandit')).toEqual([0, 3, 1]);
        expect(await usersOf('holdback')).toEqual([1, 0, 0]);
        expect((await store.getStats('exp-1'))!.arms.map((a) => a.bandit.decisions)).toEqual([0, 5, 1]);
      });

      it('keeps a user in the population of their record: the other one answers moved', async () => {
        await store.assign(assignInput({ userId: 'ub', armId: 'treat' }));
        await store.assign(assignInput({ userId: 'uh', population: 'h', armId: 'control', propensity: 1 }));
        // As after a change of holdbackPercent: the caller now computes the other population.
        expect(await store.assign(assignInput({ userId: 'ub', population: 'h', armId: 'control', propensity: 1, now: T0 + 1 })))
          .toEqual({ kind: 'moved', population: 'b' });
        expect(await store.assign(assignInput({ userId: 'uh', armId: 'treat', now: T0 + 1 }))).toEqual({ kind: 'moved', population: 'h' });
        expect(await store.assign(assignInput({ userId: 'uh', armId: 'treat', sticky: false, now: T0 + 1 }))).toEqual({ kind: 'moved', population: 'h' });
        // Nothing was counted by the refused decisions.
        expect((await store.getStats('exp-1'))!.arms.map((a) => a.holdback.decisions + a.bandit.decisions)).toEqual([1, 1, 0]);
        // Choosing again in the recorded population is served, not a first exposure.
        expect(await store.assign(assignInput({ userId: 'uh', population: 'h', armId: 'control', propensity: 1, now: T0 + 2 })))
          .toEqual({ kind: 'served', armId: 'control', propensity: 1, sticky: false, firstExposure: false });
        // Stickiness off: the record's population still holds, the arm is the caller's.
        await store.updateExperiment('exp-1', { holdbackPercent: 50 });
        expect(await store.assign(assignInput({ version: 2, userId: 'ub', sticky: false, armId: 'other:3', now: T0 + 2 })))
          .toEqual({ kind: 'served', armId: 'other:3', propensity: 0.25, sticky: false, firstExposure: false });
      });

      it('leaves the record alone on an excluded decision, and counts an excluded user once when they enter', async () => {
        await store.assign(assignInput({ userId: 'u1', armId: 'treat' }));
        expect(await store.assign(assignInput({ userId: 'u1', population: 'x', armId: 'control', propensity: 1, now: T0 + 1 })))
          .toMatchObject({ armId: 'control', firstExposure: false });
        expect(await store.assign(assignInput({ userId: 'u1', armId: 'control', now: T0 + 2 }))).toMatchObject({ armId: 'treat', sticky: true });
        // Excluded first (traffic, paused): one excluded user; entering later is their first exposure in the bandit.
        expect(await store.assign(assignInput({ userId: 'u2', population: 'x', armId: 'control', propensity: 1 }))).toMatchObject({ firstExposure: true });
        expect(await store.assign(assignInput({ userId: 'u2', population: 'x', armId: 'control', propensity: 1 }))).toMatchObject({ firstExposure: false });
        expect(await store.assign(assignInput({ userId: 'u2', population: 'h', armId: 'control', propensity: 1, now: T0 + 3 }))).toMatchObject({ firstExposure: true });
        expect(await store.assign(assignInput({ userId: 'u2', armId: 'treat', now: T0 + 4 }))).toEqual({ kind: 'moved', population: 'h' });
        expect(await usersOf('excluded')).toEqual([1, 0, 0]);
        expect(await usersOf('holdback')).toEqual([1, 0, 0]);
        expect(await usersOf('bandit')).toEqual([0, 1, 0]);
      });

      it('forgets the record stickyTtlSeconds after it was written: the user is exposed anew', async () => {
        await store.assign(assignInput({ userId: 'u1', population: 'h', armId: 'control', propensity: 1, now: T0 + 50 }));
        expect(await store.assign(assignInput({ userId: 'u1', armId: 'treat', now: T0 + 149 }))).toEqual({ kind: 'moved', population: 'h' });
        expect(await store.assign(assignInput({ userId: 'u1', armId: 'treat', now: T0 + 150 }))).toMatchObject({ armId: 'treat', firstExposure: true });
        expect(await usersOf('bandit')).toEqual([0, 1, 0]);
      });

      it('keeps per-user reward sums and their sums over users, per population', async () => {
        const rw = (reward: number, userKey?: string, population: 'b' | 'h' | 'x' = 'b') =>
          store.recordReward(rewardInput({ reward, userKey, population, armId: population === 'b' ? 'treat' : 'control', userSumsTtlSeconds: 3600 }));
        for (const r of [1, 0, 1]) await rw(r, 'AAAAAAAAAAAA'); // S = 2, N = 3
        await rw(1, 'BBBBBBBBBBBB'); // S = 1, N = 1
        await rw(1); // no userId: its own user
        await rw(0.5, 'AAAAAAAAAAAA', 'h'); // another population: its own sums
        await rw(1, 'AAAAAAAAAAAA', 'x'); // excluded: none
        await store.recordReward(rewardInput({ reward: undefined, userKey: 'BBBBBBBBBBBB', event: { error: true } })); // no value: none
        expect((await store.getStats('exp-1'))!.users).toEqual({
          b: { sumSq: 4 + 1 + 1, countSq: 9 + 1 + 1, cross: 6 + 1 + 1 },
          h: { sumSq: 0.25, countSq: 1, cross: 0.5 },
        });
      });

      it('counts concurrent first decisions of one user once', async () => {
        const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
          store.assign(assignInput({ userId: 'u-race', armId: i % 2 ? 'treat' : 'control', sticky: i % 3 === 0 }))));
        expect(results.filter((r) => r.kind === 'served' && r.firstExposure)).toHaveLength(1);
        expect((await usersOf('bandit')).reduce((a, b) => a + b, 0)).toBe(1);
      });
    });

    describe('history', () => {
      const point = (ts: number, decisions = 1): HistoryPoint => ({
        ts,
        arms: [
          { armId: 'control', decisions, rewards: 1, meanReward: 1, probabilityBest: 0.25, allocation: 0.5, status: 'active' },
          { armId: 'treat', decisions, rewards: 0, meanReward: null, probabilityBest: null, allocation: null, status: 'disabled' },
        ],
        holdback: { users: null, decisions: 0, rewards: 0, meanReward: null },
      });
      const DAY = 86_400;

      it('writes one point per ts: the first writer wins, on every instance of the backend', async () => {
        const other = handle.another ? await handle.another() : store;
        try {
          const results = await Promise.all([store, other, store, other].map((s, i) => s.writeHistoryPoint('exp-1', point(T0, i + 1), DAY)));
          expect(results.filter(Boolean)).toHaveLength(1);
          const [stored] = await other.readHistory('exp-1', T0, T0);
          expect(stored).toEqual(point(T0, results.indexOf(true) + 1));
          expect(await store.writeHistoryPoint('exp-1', point(T0, 9), DAY)).toBe(false);
          expect(await store.readHistory('exp-1', 0, T0 + DAY)).toEqual([stored]);
        } finally {
          if (other !== store) await other.close();
        }
      });

      it('reads a range oldest first, the last point at or before a time, and keeps experiments apart', async () => {
        for (const ts of [T0 + 120, T0, T0 + 60, T0 + 180]) await store.writeHistoryPoint('exp-1', point(ts), DAY);
        await store.writeHistoryPoint('exp-2', point(T0 + 30), DAY);
        expect((await store.readHistory('exp-1', T0 + 60, T0 + 120)).map((p) => p.ts)).toEqual([T0 + 60, T0 + 120]);
        expect((await store.readHistory('exp-1', 0, T0 + DAY)).map((p) => p.ts)).toEqual([T0, T0 + 60, T0 + 120, T0 + 180]);
        // A page: the first `limit` points of the range (GET /history reads a long range this way).
        expect((await store.readHistory('exp-1', 0, T0 + DAY, 2)).map((p) => p.ts)).toEqual([T0, T0 + 60]);
        expect((await store.readHistory('exp-1', T0 + 61, T0 + DAY, 2)).map((p) => p.ts)).toEqual([T0 + 120, T0 + 180]);
        expect((await store.lastHistoryPoint('exp-1', T0 + 179))?.ts).toBe(T0 + 120);
        expect((await store.lastHistoryPoint('exp-1', T0 + 180))?.ts).toBe(T0 + 180);
        expect(await store.lastHistoryPoint('exp-1', T0 - 1)).toBeNull();
        expect((await store.readHistory('exp-2', 0, T0 + DAY)).map((p) => p.ts)).toEqual([T0 + 30]);
        expect(await store.readHistory('nope', 0, T0 + DAY)).toEqual([]);
        expect(await store.lastHistoryPoint('nope', T0 + DAY)).toBeNull();
      });

      it('drops points older than the retention when a newer one is written', async () => {
        await store.writeHistoryPoint('exp-1', point(T0), 3600);
        await store.writeHistoryPoint('exp-1', point(T0 + 3600), 3600);
        expect((await store.readHistory('exp-1', 0, T0 + DAY)).map((p) => p.ts)).toEqual([T0, T0 + 3600]);
        await store.writeHistoryPoint('exp-1', point(T0 + 3660), 3600);
        expect((await store.readHistory('exp-1', 0, T0 + DAY)).map((p) => p.ts)).toEqual([T0 + 3600, T0 + 3660]);
      });
    });

    describe('engine sums (issue 11: costs and discounted sums)', () => {
      const H = 600;
      beforeEach(async () => {
        await store.createExperiment(config({ discount: { halfLifeSeconds: H }, objective: { costWeight: 2 } }));
      });
      const at = (s: number) => Date.parse(ISO0) + s * 1000;

      it('keeps no engine sums for a reward without the engine input', async () => {
        await store.recordReward(rewardInput({ event: { error: false, cost: 0.5 } }));
        expect((await store.getStats('exp-1'))!.arms[1].bandit).toEqual({ decisions: 0, rewards: 1, sum: 1, sumSq: 1, users: 0 });
      });

      it('keeps the cost sums per population, only for events that carried a cost', async () => {
        const engine = { halfLifeSeconds: null, costs: true };
        await store.recordReward(rewardInput({ engine, event: { error: false, cost: 0.5 } }));
        await store.recordReward(rewardInput({ engine, event: { error: false, cost: 0.25 }, reward: 0 }));
        await store.recordReward(rewardInput({ engine, event: { error: false } }));
        await store.recordReward(rewardInput({ engine, armId: 'control', event: { error: false } }));
        const stats = (await store.getStats('exp-1'))!;
        expect(stats.arms[1].bandit).toEqual({ decisions: 0, rewards: 3, sum: 2, sumSq: 2, users: 0, engine: { costs: 2, costSum: 0.75, costSumSq: 0.3125 } });
        expect(stats.arms[1].holdback.engine).toBeUndefined();
        expect(stats.arms[0].bandit.engine).toBeUndefined();
      });

      it('keeps the discounted sums valued at the latest write, equal to the sums by hand whatever the order of the times', async () => {
        const engine = { halfLifeSeconds: H, costs: true };
        const log = [{ t: 0, r: 1, c: 0.2 }, { t: 600, r: 0, c: 0.4 }, { t: 300, r: 1, c: 0.1 }, { t: 1200, r: 1 }];
        for (const o of log) {
          await store.recordReward(rewardInput({ engine, reward: o.r, event: { error: false, ...(o.c !== undefined && { cost: o.c }) }, nowMs: at(o.t) }));
        }
        const e = (await store.getStats('exp-1'))!.arms[1].bandit.engine!;
        const w = (t: number) => 2 ** (-(1200 - t) / H);
        expect(e.decayed!.at).toBe(T0 + 1200);
        const byHand = {
          rewards: w(0) + w(600) + w(300) + w(1200), sum: w(0) + w(300) + w(1200), sumSq: w(0) + w(300) + w(1200),
          costs: w(0) + w(600) + w(300), costSum: 0.2 * w(0) + 0.4 * w(600) + 0.1 * w(300), costSumSq: 0.04 * w(0) + 0.16 * w(600) + 0.01 * w(300),
        };
        for (const [k, v] of Object.entries(byHand)) expect(e.decayed![k as keyof typeof byHand]).toBeCloseTo(v, 12);
        expect(e).toMatchObject({ costs: 3, costSum: expect.closeTo(0.7, 12) });
      });

      it('keeps the hurdle sums (rewardShape hurdle-lognormal): a zero counts in the tally only, a positive reward adds its log', async () => {
        const engine = { halfLifeSeconds: null, costs: false, hurdle: true };
        await store.recordReward(rewardInput({ engine, reward: 0 }));
        expect((await store.getStats('exp-1'))!.arms[1].bandit.engine).toEqual({ costs: 0, costSum: 0, costSumSq: 0, hurdle: { nonzero: 0, logSum: 0, logSumSq: 0 } });
        for (const r of [20, 0, 300.5]) await store.recordReward(rewardInput({ engine, reward: r }));
        await store.recordReward(rewardInput({ engine, reward: undefined, event: { error: true } }));
        const t = (await store.getStats('exp-1'))!.arms[1].bandit;
        expect(t.rewards).toBe(4);
        const l = [Math.log(20), Math.log(300.5)];
        expect(t.engine!.hurdle!.nonzero).toBe(2);
        expect(t.engine!.hurdle!.logSum).toBeCloseTo(l[0] + l[1], 12);
        expect(t.engine!.hurdle!.logSumSq).toBeCloseTo(l[0] ** 2 + l[1] ** 2, 12);
        expect((await store.getStats('exp-1'))!.arms[1].holdback.engine).toBeUndefined();
      });
    });

    describe('default rewards (issue 11: the due set)', () => {
      beforeEach(async () => {
        await store.createExperiment(config({ defaultReward: { afterSeconds: 60, value: 0 } }));
      });
      const due = (key: string, dueAt: number, armId = 'treat') => ({ decisionKey: key, armId, population: 'b' as const, issuedAt: T0, dueAt, propensity: 0.5 }); // the decision's propensity, as its rewards' log carries it
      /** The only way onto the due set: an assign with a default reward (the decision is counted in the same step). */
      const schedule = async (key: string, dueAt: number, armId = 'treat', over: Partial<AssignInput> = {}) => {
        const res = await store.assign(assignInput({ armId, propensity: 0.5, log: { nonce: key, nowMs: T0 * 1000, disabledArms: '', retentionSeconds: 86400 }, defaultReward: { dueAt }, ...over }));
        expect(res.kind).toBe('served');
        return res;
      };
      const apply = (key: string, armId = 'treat') => store.recordReward(rewardInput({ decisionKey: key, armId, reward: 0, defaults: { apply: true }, nowMs: (T0 + 100) * 1000 }));
      const real = (key: string, reward = 1) => store.recordReward(rewardInput({ decisionKey: key, reward, defaults: { apply: false }, nowMs: (T0 + 100) * 1000 }));

      it('an assign with a default counts the decision and puts it on the due set in one step; without one, or refused, nothing is scheduled', async () => {
        await store.assign(assignInput({ log: { nonce: 'plain', nowMs: T0 * 1000, disabledArms: '', retentionSeconds: 86400 } }));
        expect(await store.dueDefaultRewards('exp-1', T0 + 10_000, 10)).toEqual([]);
        expect(await store.assign(assignInput({ version: 2, defaultReward: { dueAt: T0 + 60 } }))).toEqual({ kind: 'stale' });
        expect(await store.assign(assignInput({ experimentId: 'nope', defaultReward: { dueAt: T0 + 60 } }))).toEqual({ kind: 'not_found' });
        expect(await store.dueDefaultRewards('exp-1', T0 + 10_000, 10)).toEqual([]);
        const before = (await store.getStats('exp-1'))!.arms[1].bandit.decisions;
        await schedule('k1', T0 + 60, 'treat', { userId: 'u-1', propensity: 0.25, defaultReward: { dueAt: T0 + 60, userKey: 'user-key-12c' } });
        expect((await store.getStats('exp-1'))!.arms[1].bandit.decisions).toBe(before + 1);
        expect(await store.dueDefaultRewards('exp-1', T0 + 59, 10)).toEqual([]);
        expect(await store.dueDefaultRewards('exp-1', T0 + 60, 10)).toEqual([{ ...due('k1', T0 + 60), propensity: 0.25, userKey: 'user-key-12c' }]);
      });

      it('a sticky decision is due with the arm and propensity it served, as its token carries them: the reward it allows takes it off the due set', async () => {
        // Short, full-precision, fixed and exponent forms: the due member built from the token must be the one assign wrote.
        const ps = [0.1, 1 / 3, 2 / 3, 1e-5, 1.5e-7, 1e-7, 9.5e-7, 0.30000000000000004, 0.4123456789, 1, 5e-324,
          ...Array.from({ length: 12 }, (_, i) => ((i * 7919 + 104729) % 65521) / 65521 / 10 ** (i % 9))];
        for (const [i, p] of ps.entries()) {
          await store.assign(assignInput({ userId: `sticky-${i}`, armId: 'treat', propensity: p }));
          const res = await schedule(`s${String(i).padStart(2, '0')}`, T0 + 60, 'control', { userId: `sticky-${i}`, propensity: 0.9, defaultReward: { dueAt: T0 + 60, userKey: `uk${i}` } });
          expect(res).toMatchObject({ armId: 'treat', propensity: p, sticky: true });
        }
        const listed = await store.dueDefaultRewards('exp-1', T0 + 60, 100);
        expect(listed.map((d) => [d.armId, d.propensity, d.userKey])).toEqual(ps.map((p, i) => ['treat', p, `uk${i}`]));
        for (const [i, p] of ps.entries()) {
          const r = await store.recordReward(rewardInput({ decisionKey: `s${String(i).padStart(2, '0')}`, armId: 'treat', userKey: `uk${i}`, defaults: { apply: false }, log: { propensity: p, retentionSeconds: 86400 } }));
          expect(r).toEqual({ kind: 'accepted' });
        }
        expect(await store.dueDefaultRewards('exp-1', T0 + 60, 100)).toEqual([]);
      });

      it('lists the due decisions oldest first, up to the limit, and not those due later', async () => {
        await schedule('k2', T0 + 70);
        await schedule('k1', T0 + 60, 'other:3');
        await schedule('k3', T0 + 500);
        expect(await store.dueDefaultRewards('exp-1', T0 + 100, 10)).toEqual([due('k1', T0 + 60, 'other:3'), due('k2', T0 + 70)]);
        expect(await store.dueDefaultRewards('exp-1', T0 + 100, 1)).toEqual([due('k1', T0 + 60, 'other:3')]);
        expect(await store.dueDefaultRewards('nope', T0 + 100, 10)).toEqual([]);
      });

      it('applies a default once: counted in the tally, not in the guardrail window, off the due set; a later reward is expired', async () => {
        await schedule('k1', T0 + 60);
        const windowBefore = (await store.getGuardrailWindows('exp-1')).treat;
        expect(await apply('k1')).toEqual({ kind: 'accepted' });
        expect(await apply('k1')).toEqual({ kind: 'duplicate' });
        expect(await store.dueDefaultRewards('exp-1', T0 + 100, 10)).toEqual([]);
        expect((await store.getStats('exp-1'))!.arms[1].bandit).toEqual({ decisions: 1, rewards: 1, sum: 0, sumSq: 0, users: 1 });
        expect((await store.getGuardrailWindows('exp-1')).treat).toEqual(windowBefore);
        expect(await real('k1')).toEqual({ kind: 'expired' });
        expect((await store.getStats('exp-1'))!.arms[1].bandit.rewards).toBe(1);
      });

      it('a reward before the default takes the decision off the due set, and the default is then a duplicate', async () => {
        await schedule('k1', T0 + 60);
        expect(await real('k1')).toEqual({ kind: 'accepted' });
        expect(await store.dueDefaultRewards('exp-1', T0 + 100, 10)).toEqual([]);
        expect(await apply('k1')).toEqual({ kind: 'duplicate' });
        expect((await store.getStats('exp-1'))!.arms[1].bandit).toEqual({ decisions: 1, rewards: 1, sum: 1, sumSq: 1, users: 1 });
      });

      it('a late reward (after afterSeconds) is expired and records nothing, unless it repeats one already recorded', async () => {
        await schedule('k1', T0 + 60);
        await schedule('k2', T0 + 60);
        expect(await real('k2')).toEqual({ kind: 'accepted' });
        const late = (key: string) => store.recordReward(rewardInput({ decisionKey: key, reward: 1, defaults: { apply: false, late: true }, nowMs: (T0 + 100) * 1000 }));
        expect(await late('k1')).toEqual({ kind: 'expired' });
        expect(await late('k2')).toEqual({ kind: 'duplicate' });
        expect((await store.getStats('exp-1'))!.arms[1].bandit.rewards).toBe(1);
        expect((await store.dueDefaultRewards('exp-1', T0 + 100, 10)).map((d) => d.decisionKey)).toEqual(['k1']);
      });

      it('counts a default exactly once when two instances apply it at the same time', async () => {
        const other = handle.another ? await handle.another() : store;
        try {
          await schedule('k1', T0 + 60);
          const input = rewardInput({ decisionKey: 'k1', reward: 0, defaults: { apply: true }, nowMs: (T0 + 100) * 1000 });
          const results = await Promise.all([store.recordReward(input), other.recordReward(input), store.recordReward(input)]);
          expect(results.filter((r) => r.kind === 'accepted')).toHaveLength(1);
          expect((await store.getStats('exp-1'))!.arms[1].bandit.rewards).toBe(1);
        } finally {
          if (other !== store) await other.close();
        }
      });
    });
  });
}
