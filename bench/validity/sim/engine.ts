/**
 * One seeded repetition of a bandit instance through the service's own code:
 *
 *   - the experiment is created by the service's `createExperiment` use case (request schema
 *     defaults included: Beta(1, 1) or the default Normal-Gamma prior, no holdback, all traffic);
 *   - the cached `Snapshot` is the one `SnapshotCache` loads for `/select`;
 *   - each decision is `decide(snapshot, undefined, rng, now)` with the experiment's seeded
 *     generator from `ServiceContext.rngFor`, exactly as `select` calls it;
 *   - the decision is counted by the embedded store's `assign`, and its reward is written by
 *     `MemoryStore.recordReward` (tally, dedupe entry, guardrail window), as `/reward` does;
 *   - the snapshot is refreshed with `Snapshot.setStats(store.getStats())` every `batch` decisions:
 *     batch 1 is "immediate" (every reward seen before the next decision), batch 100 is the
 *     service's situation of a cache refreshed while rewards arrive late.
 *
 * What `select`/`reward` do and this does not: sign and verify the decision token (HMAC; it only
 * carries the arm, population and time, which the loop knows) and read the propensity (the store
 * keeps it only in sticky entries, and there is no user id here, so it never changes a decision;
 * reading a Thompson propensity would cost a quadrature per refresh). `test/bench-engine.test.ts`
 * checks that `select` + `reward` make the same decisions as this loop for the same seeds.
 *
 * Regret is the pseudo-regret sum_t (mu* - mu_{a_t}), in units of the reward.
 */
import { CreateExperimentSchema } from '../../../src/contract/experiment.js';
import { makeRng, sampleNormal, type Rng } from '../../../src/bandit/random.js';
import { ServiceContext, type Clock } from '../../../src/service/context.js';
import { decide } from '../../../src/service/decide.js';
import { createExperiment } from '../../../src/service/experiments.js';
import { DEFAULT_WINDOW_SIZE } from '../../../src/bandit/guardrails.js';
import { DEFAULT_EVENT_RETENTION_SECONDS } from '../../../src/contract/event-log.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import type { GuardrailEvent } from '../../../src/store/store.js';
import type { Instance, SimPolicy } from './instances.js';

export const EXPERIMENT_ID = 'regret-sim';
/** The simulated clock stands still: nothing in these experiments depends on time (no end date, no expiry within a run). */
export const SIM_NOW_MS = Date.parse('2026-01-01T00:00:00Z');
const SIM_NOW_S = Math.floor(SIM_NOW_MS / 1000);
const SECRET = 'regret-benchmark-secret-0123456789';
const NO_EVENT: GuardrailEvent = { error: false };
/** Passed to `assign` in place of the propensity: without a user id the store only echoes it back. */
const UNREAD_PROPENSITY = 1;

export interface RunSpec {
  instance: Instance;
  policy: SimPolicy;
  /** Rewards reach the decisions (the snapshot is refreshed) every `batch` decisions; 1 = immediately. */
  batch: number;
}

/** The experiment's seed: the same for both policies and both delays, so they face comparable worlds. */
export const experimentSeed = (inst: Instance, rep: number): string => `${inst.key}/${rep}`;
/** The generator of the rewards (the "world"), apart from the service's own. */
export const worldRng = (inst: Instance, rep: number): Rng => makeRng(`world/${inst.key}/${rep}`);

/** One reward of arm `arm`: 0/1 with its rate (bernoulli) or Normal(mean, sd) (gaussian). */
export function drawReward(inst: Instance, arm: number, world: Rng): number {
  const mu = inst.means[arm];
  return inst.model === 'bernoulli' ? (world() < mu ? 1 : 0) : mu + inst.sd * sampleNormal(world);
}

/** The body a client would POST to /experiments for this run. */
export function experimentBody(spec: RunSpec, rep: number) {
  const { instance: inst, policy } = spec;
  return CreateExperimentSchema.parse({
    id: EXPERIMENT_ID,
    arms: inst.means.map((_, i) => ({ id: `arm-${i}` })),
    rewardModel: inst.model,
    policy,
    seed: experimentSeed(inst, rep),
  });
}

const fixedClock: Clock = { now: () => SIM_NOW_MS };

/** Decision keys (the dedupe keys of the rewards), made once: unique within a run. */
let keys: string[] = [];
function decisionKeys(n: number): string[] {
  if (keys.length < n) keys = Array.from({ length: n }, (_, i) => `d${i.toString(36)}`);
  return keys;
}

/**
 * Runs one repetition; returns the cumulative pseudo-regret at each of the instance's checkpoints.
 * `trace`, when given, receives the arm index of each decision (for the equivalence test).
 */
export async function simulate(spec: RunSpec, rep: number, trace?: Int32Array): Promise<number[]> {
  const { instance: inst, batch } = spec;
  const T = inst.horizon;
  const store = new MemoryStore();
  const ctx = new ServiceContext(store, SECRET, fixedClock);
  await createExperiment(ctx, experimentBody(spec, rep));
  const snap = (await ctx.cache.get(EXPERIMENT_ID, SIM_NOW_MS))!;
  const { config } = snap;
  const rng = ctx.rngFor(EXPERIMENT_ID, config.seed);
  const world = worldRng(inst, rep);
  const dk = decisionKeys(T);
  const best = Math.max(...inst.means);
  const gaps = inst.means.map((m) => best - m);

  const out: number[] = [];
  let next = 0;
  let regret = 0;
  for (let t = 0; t < T; t++) {
    const d = decide(snap, undefined, rng, SIM_NOW_MS);
    const arm = d.armIndex;
    const armId = snap.armIds[arm];
    const served = await store.assign({
      experimentId: EXPERIMENT_ID, version: snap.version, population: d.population, armId, propensity: UNREAD_PROPENSITY,
      userId: undefined, sticky: config.stickiness, stickyTtlSeconds: config.stickyTtlSeconds, now: SIM_NOW_S, withStats: false,
      log: { nonce: dk[t], nowMs: SIM_NOW_MS, disabledArms: '', retentionSeconds: DEFAULT_EVENT_RETENTION_SECONDS },
    });
    if (served.kind !== 'served' || served.armId !== armId || d.population !== 'b') throw new Error(`unexpected decision at t=${t}: ${JSON.stringify(served)}`);
    if (trace) trace[t] = arm;
    regret += gaps[arm];
    if (t + 1 === inst.checkpoints[next]) { out.push(regret); next++; }

    const res = await store.recordReward({
      experimentId: EXPERIMENT_ID, armId, population: d.population, decisionKey: dk[t], issuedAt: SIM_NOW_S,
      rewardWindowSeconds: config.rewardWindowSeconds, reward: drawReward(inst, arm, world), event: NO_EVENT,
      guardrails: config.guardrails, windowSize: config.guardrails?.windowSize ?? DEFAULT_WINDOW_SIZE,
      baseline: armId === config.baselineArmId, nowMs: SIM_NOW_MS,
      log: { propensity: UNREAD_PROPENSITY, retentionSeconds: DEFAULT_EVENT_RETENTION_SECONDS },
    });
    if (res.kind !== 'accepted' || res.autoDisabled) throw new Error(`unexpected reward result at t=${t}: ${JSON.stringify(res)}`);
    // The rewards of the batch were written as they came, but the decisions see them only now:
    // tallies are sums, so writing them at the end of the batch would give the same snapshot.
    if ((t + 1) % batch === 0) snap.setStats((await store.getStats(EXPERIMENT_ID))!, SIM_NOW_MS);
  }
  return out;
}
