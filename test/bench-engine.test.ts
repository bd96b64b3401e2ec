/**
 * The regret benchmark's engine (bench/validity/sim/engine.ts) makes the decisions the service makes: for
 * the same seeds, `select` + `reward` on the embedded store, with the cache refreshed at the same
 * points, serve exactly the same arm sequence. And the lazily computed Thompson propensity is the
 * one of the posteriors the decision sampled from.
 */
import { describe, expect, it } from 'vitest';
import { drawReward, EXPERIMENT_ID, experimentBody, type RunSpec, simulate, SIM_NOW_MS, worldRng } from '../bench/validity/sim/engine.js';
import { INSTANCES, type Instance, type SimPolicy } from '../bench/validity/sim/instances.js';
import { probabilityBest } from '../src/bandit/prob-best.js';
import { makeRng } from '../src/bandit/random.js';
import { ServiceContext } from '../src/service/context.js';
import { decide } from '../src/service/decide.js';
import { createExperiment } from '../src/service/experiments.js';
import { reward } from '../src/service/reward.js';
import { select } from '../src/service/select.js';
import { Snapshot } from '../src/service/snapshot.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { ExperimentConfig, ExperimentStats } from '../src/contract/domain.js';

const HORIZON = 1000;

function shortened(key: string): Instance {
  const inst = INSTANCES.find((i) => i.key === key)!;
  return { ...inst, horizon: HORIZON, checkpoints: [HORIZON] };
}

/** The same run through the HTTP use cases; the clock stands still, so the cache refreshes only when invalidated. */
async function throughService(spec: RunSpec, rep: number): Promise<{ arms: Int32Array; regret: number }> {
  const inst = spec.instance;
  const ctx = new ServiceContext(new MemoryStore(), 'bench-engine-test-secret-0123', { now: () => SIM_NOW_MS });
  await createExperiment(ctx, experimentBody(spec, rep));
  const world = worldRng(inst, rep);
  const best = Math.max(...inst.means);
  const arms = new Int32Array(inst.horizon);
  let regret = 0;
  for (let t = 0; t < inst.horizon; t++) {
    const d = await select(ctx, EXPERIMENT_ID);
    expect(d.population).toBe('bandit');
    const arm = Number(d.armId.replace('arm-', ''));
    arms[t] = arm;
    regret += best - inst.means[arm];
    expect(await reward(ctx, { decisionId: d.decisionId, reward: drawReward(inst, arm, world) })).toEqual({ accepted: true, duplicate: false });
    if ((t + 1) % spec.batch === 0) ctx.cache.invalidate(EXPERIMENT_ID); // the next select loads the new tallies
  }
  return { arms, regret };
}

const cases: [string, SimPolicy, number][] = [
  ['ten-close', 'thompson', 1],
  ['ten-close', 'ucb', 1],
  ['two-high', 'thompson', 100],
  ['two-high', 'ucb', 100],
  ['gauss-5', 'thompson', 1],
  ['gauss-5', 'ucb', 100],
];

describe('the regret engine decides as /select and /reward do', () => {
  it.each(cases)('%s, %s, rewards every %i decision(s): same arms as the service for the same seed', async (key, policy, batch) => {
    const spec: RunSpec = { instance: shortened(key), policy, batch };
    const trace = new Int32Array(HORIZON);
    const [regret] = await simulate(spec, 7, trace);
    const service = await throughService(spec, 7);
    expect(Array.from(trace)).toEqual(Array.from(service.arms));
    expect(regret).toBeCloseTo(service.regret, 9);
    // Not a degenerate sequence: more than one arm was played.
    expect(new Set(trace).size).toBeGreaterThan(1);
  }, 20_000);
});

describe('the Thompson propensity, computed on first read', () => {
  const iso = new Date(SIM_NOW_MS).toISOString();
  const config: ExperimentConfig = {
    id: 'lazy', arms: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 },
    policy: 'thompson', holdbackPercent: 0, trafficPercent: 100, stickiness: false, stickyTtlSeconds: 60, rewardWindowSeconds: 60,
    guardrails: null, endsAt: null, seed: 's', status: 'active', createdAt: iso, updatedAt: iso,
  };
  const stats = (rs: [number, number][]): ExperimentStats => ({
    arms: rs.map(([n, s], i) => ({
      armId: config.arms[i].id, bandit: { decisions: n, rewards: n, sum: s, sumSq: s, users: n },
      holdback: { decisions: 0, rewards: 0, sum: 0, sumSq: 0, users: 0 }, excluded: { decisions: 0, rewards: 0, sum: 0, sumSq: 0, users: 0 },
    })),
  });
  const beta = (n: number, s: number) => ({ kind: 'beta' as const, alpha: 1 + s, beta: 1 + n - s });

  it('is P(best) under the posteriors the decision sampled from, even after the snapshot is refreshed', () => {
    const snap = new Snapshot({ config, disabled: { c: { source: 'manual', reason: 'off', at: iso } }, version: 1 }, stats([[20, 5], [30, 12], [10, 9]]), SIM_NOW_MS);
    const d = decide(snap, undefined, makeRng('lazy'), SIM_NOW_MS);
    const before = probabilityBest([beta(20, 5), beta(30, 12)]);
    snap.setStats(stats([[200, 150], [30, 12], [10, 9]]), SIM_NOW_MS);
    expect(d.propensity).toBeCloseTo(before[d.armIndex], 12);
    // A decision on the refreshed snapshot uses the new posteriors; the unchanged arm keeps its posterior object.
    const d2 = decide(snap, undefined, makeRng('lazy'), SIM_NOW_MS);
    expect(d2.propensity).toBeCloseTo(probabilityBest([beta(200, 150), beta(30, 12)])[d2.armIndex], 12);
    expect(snap.propensities()[2]).toBe(0);
    expect(JSON.parse(JSON.stringify(d2))).toEqual({ population: 'b', armIndex: d2.armIndex, propensity: d2.propensity });
  });

  it('carries over the posterior of an arm whose sums did not change, and replaces the array', () => {
    const snap = new Snapshot({ config, disabled: {}, version: 1 }, stats([[20, 5], [30, 12], [10, 9]]), SIM_NOW_MS);
    const before = snap.posteriors;
    snap.setStats(stats([[21, 5], [30, 12], [10, 9]]), SIM_NOW_MS);
    expect(snap.posteriors).not.toBe(before);
    expect(snap.posteriors[0]).toEqual(beta(21, 5));
    expect(snap.posteriors[1]).toBe(before[1]);
    expect(before[0]).toEqual(beta(20, 5));
  });
});
