/**
 * One seeded repetition of a contextual instance (linear-instances.ts) through the service's own
 * code, as bench/validity/sim/engine.ts does for the classic ones: the experiment made by `createExperiment`,
 * the `Snapshot` /select decides with, `decide(snapshot, ..., context)`, the embedded store's
 * `assign` and `recordReward` (with the decision's encoded features, as /reward passes them), the
 * snapshot refreshed from `getStats` every decision (rewards seen at once).
 *
 * Policies: `thompson` (non-contextual, the baseline), `linear-thompson`, `linear-ucb`, and
 * `greedy`: the linear model's posterior mean, no exploration (Bietti, Agarwal & Langford 2021's
 * close second), run through the same seam by swapping the snapshot's policy (bench only).
 */
import { CreateExperimentSchema } from '../../../src/contract/experiment.js';
import { makeRng } from '../../../src/bandit/random.js';
import { compactContext, encodeCompact } from '../../../src/bandit/features.js';
import { contextVector, prepareLinear, scores, type LinearModel } from '../../../src/bandit/linear-policy-model.js';
import type { Policy } from '../../../src/bandit/policy.js';
import { ServiceContext, type Clock } from '../../../src/service/context.js';
import { decide } from '../../../src/service/decide.js';
import { createExperiment } from '../../../src/service/experiments.js';
import { changeSpecOf } from '../../../src/service/engine-config.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { armCount, drawContext, FEATURES, LINEAR_FILE, meansAt } from './linear-instances.js';

export type LinearSimPolicy = 'thompson' | 'linear-thompson' | 'linear-ucb' | 'greedy';
const ID = 'linear-sim';
const NOW_MS = Date.parse('2026-01-01T00:00:00Z');
const NOW_S = NOW_MS / 1000;
const clock: Clock = { now: () => NOW_MS };

const greedyPolicy: Policy<LinearModel> = {
  name: 'greedy', contextual: true, prepare: prepareLinear,
  choose(model, eligible, _rng, _unit, context) {
    const { means } = scores(model, eligible, contextVector(model, context));
    let best = -1;
    for (let i = 0; i < means.length; i++) if (eligible[i] && (best < 0 || means[i] > means[best])) best = i;
    return { armIndex: best, propensity: 1 };
  },
  propensity: () => 1,
};

/**
 * Issue 24 on a contextual instance (bench/validity/regret-linear-swap.ts): `changeDetection` on the
 * experiment (each reward runs the arm's test, as /reward does); `swap`: arms i and j exchange their
 * means (coefficients) from decision T/2 on. Either one makes a decision one second after the last
 * (the test places changes at decision times); without them the clock stands still, as before.
 */
export interface LinearSimOptions { changeDetection?: boolean; swap?: [number, number] }

/** Cumulative pseudo-regret sum_t (max_k mu_k(x_t) - mu_{a_t}(x_t)) at each checkpoint. */
export async function simulateLinear(key: string, policy: LinearSimPolicy, rep: number, opts: LinearSimOptions = {}): Promise<number[]> {
  const k = armCount(key);
  const store = new MemoryStore();
  const ctx = new ServiceContext(store, 'linear-benchmark-secret-0123456789', clock);
  const contextual = policy !== 'thompson';
  await createExperiment(ctx, CreateExperimentSchema.parse({
    id: ID, arms: Array.from({ length: k }, (_, i) => ({ id: `arm-${i}` })), rewardModel: 'bernoulli',
    policy: policy === 'greedy' ? 'linear-ucb' : policy, seed: `${key}/${rep}`, ...(contextual && { features: FEATURES }),
    ...(opts.changeDetection && { changeDetection: { method: 'glr' } }),
  }));
  const tick = opts.changeDetection || opts.swap ? 1 : 0;
  const snap = (await ctx.cache.get(ID, NOW_MS))!;
  if (policy === 'greedy') (snap as unknown as { engine: object }).engine = { ...snap.engine, policy: greedyPolicy };
  snap.setStats((await store.getStats(ID))!, NOW_MS);
  const { config } = snap;
  const rng = ctx.rngFor(ID, config.seed);
  const world = makeRng(`world/${key}/${rep}`);
  const mu = new Float64Array(k);
  const out: number[] = [];
  let next = 0;
  let regret = 0;
  for (let t = 0; t < LINEAR_FILE.horizon; t++) {
    const c = drawContext(world);
    const context = { segment: c.segment, u: c.u, v: c.v };
    meansAt(key, c, mu);
    if (opts.swap && 2 * t >= LINEAR_FILE.horizon) [mu[opts.swap[0]], mu[opts.swap[1]]] = [mu[opts.swap[1]], mu[opts.swap[0]]];
    const nowS = NOW_S + tick * t;
    const d = decide(snap, undefined, rng, nowS * 1000, undefined, context);
    const armId = snap.armIds[d.armIndex];
    const key_ = `d${t}`;
    await store.assign({ experimentId: ID, version: snap.version, population: 'b', armId, propensity: 1, sticky: false, stickyTtlSeconds: 60,
      now: nowS, withStats: false, log: { nonce: key_, nowMs: nowS * 1000, disabledArms: '', retentionSeconds: 60 } });
    let top = mu[0];
    for (let i = 1; i < k; i++) top = Math.max(top, mu[i]);
    regret += top - mu[d.armIndex];
    if (t + 1 === LINEAR_FILE.checkpoints[next]) { out.push(regret); next++; }
    const reward = world() < mu[d.armIndex] ? 1 : 0;
    const x = contextual ? { linear: { x: Array.from(encodeCompact(FEATURES, compactContext(FEATURES, context).values)) } } : {};
    const changes = changeSpecOf(config, 'b', reward);
    await store.recordReward({ experimentId: ID, armId, population: 'b', decisionKey: key_, issuedAt: nowS, rewardWindowSeconds: 3600, reward,
      event: { error: false }, guardrails: null, windowSize: 1, baseline: false, nowMs: nowS * 1000, log: { propensity: 1, retentionSeconds: 60 }, ...x, ...(changes && { changes }) });
    snap.setStats((await store.getStats(ID))!, nowS * 1000);
  }
  return out;
}
