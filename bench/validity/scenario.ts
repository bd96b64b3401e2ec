/**
 * One seeded run of the holdback analysis through the service's own use cases (createExperiment,
 * select, reward, patchExperiment, report) on a given store (the embedded one by default): users
 * come back 1-10 times, in random order, each visit rewarded at once; the report is read at
 * `looks` evenly spaced moments. Shared by `npm run bench:validity -- holdback` and test/validity.test.ts.
 */
import { CreateExperimentSchema } from '../../src/contract/experiment.js';
import { makeRng, sampleBeta, sampleNormal, type Rng } from '../../src/bandit/random.js';
import { welch, sampleFromSums } from '../../src/bandit/stats.js';
import { ServiceContext } from '../../src/service/context.js';
import { createExperiment, patchExperiment } from '../../src/service/experiments.js';
import { report } from '../../src/service/report.js';
import { reward } from '../../src/service/reward.js';
import { select } from '../../src/service/select.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';

export interface Scenario {
  users: number;
  /** Visits per user: uniform on [min, max]. */
  visits: [number, number];
  holdbackPercent: number;
  /** Arm rates; the first arm is the baseline. With `ownRates`, each user's rate is rate * f_u. */
  rates: number[];
  /** Each user has their own rate multiplier f_u = Beta(a, b) * (a + b) / a (mean 1), the same for every arm. */
  ownRates?: { a: number; b: number };
  policy: 'fixed' | 'thompson';
  weights?: number[];
  looks: number;
  /** Revenue-like rewards instead of 0/1 (a gaussian experiment): 0 with probability zeroShare, else lognormal(logMu, logSigma); every arm alike (A/A). */
  revenue?: { zeroShare: number; logMu: number; logSigma: number };
  /** The experiment's rewardBounds (gaussian). */
  rewardBounds?: { min: number; max: number };
  /** The experiment's rewardShape (gaussian). */
  rewardShape?: 'hurdle-lognormal';
  /** Each arm's cost per decision, sent with every reward; with objective.costWeight. */
  costs?: number[];
  costWeight?: number;
  halfLifeSeconds?: number;
  /** The arms' rates become `rates` after this fraction of the visits (a change). */
  rateChange?: { atFraction: number; rates: number[] };
  /** Change holdbackPercent to `percent` after this fraction of the visits. */
  holdbackChange?: { atFraction: number; percent: number };
}

export interface Look {
  users: number;
  holdbackUsers: number;
  /** The true lift of the policy as it ran: mean true rate of the rewarded bandit decisions minus the baseline's. */
  trueLift: number;
  lift: number | null;
  fixed: [number, number] | null;
  fixedP: number | null;
  alwaysValid: [number, number] | null;
  alwaysValidP: number | null;
  srmP: number | null;
  /** Decision-level Welch p-value (the method the report used before issue 8), for comparison. */
  naiveP: number | null;
  action: string;
  /** The shipped arm (null unless action is ship) and the arm leading the report's probabilityBest. */
  shipArm: string | null;
  armsLeader: string | null;
  /** The smallest share of the bandit decisions any arm has had so far (starvation). */
  minArmShare: number;
  /** How many arms' intervals the report withholds (support false). */
  unsupportedArms: number;
}

const TEST_SECRET = 'validity-secret-0123456789abcdef';

class StepClock {
  ms = Date.parse('2026-06-01T00:00:00Z');
  now(): number { return this.ms; }
}

function visitOrder(s: Scenario, rng: Rng): Int32Array {
  const owners: number[] = [];
  for (let u = 0; u < s.users; u++) {
    const k = s.visits[0] + Math.floor(rng() * (s.visits[1] - s.visits[0] + 1));
    for (let v = 0; v < k; v++) owners.push(u);
  }
  const order = Int32Array.from(owners);
  for (let i = order.length - 1; i > 0; i--) { // Fisher-Yates
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export async function runScenario(s: Scenario, seed: string, store: Store = new MemoryStore()): Promise<Look[]> {
  const clock = new StepClock();
  const ctx = new ServiceContext(store, TEST_SECRET, clock);
  const id = 'validity';
  const arms = s.rates.map((_, i) => ({ id: `arm${i}`, ...(s.weights && { weight: s.weights[i] }) }));
  await createExperiment(ctx, CreateExperimentSchema.parse({
    id, arms, rewardModel: s.revenue ? 'gaussian' : 'bernoulli', policy: s.policy, holdbackPercent: s.holdbackPercent, seed,
    ...(s.rewardBounds && { rewardBounds: s.rewardBounds }),
    ...(s.rewardShape && { rewardShape: s.rewardShape }),
    ...(s.costWeight !== undefined && { objective: { costWeight: s.costWeight } }),
    ...(s.halfLifeSeconds !== undefined && { discount: { halfLifeSeconds: s.halfLifeSeconds } }),
  }));
  const world = makeRng(`world/${seed}`);
  const factor = Float64Array.from({ length: s.users }, () => (s.ownRates ? sampleBeta(s.ownRates.a, s.ownRates.b, world) * (s.ownRates.a + s.ownRates.b) / s.ownRates.a : 1));
  const order = visitOrder(s, world);
  const lookAt = new Set(Array.from({ length: s.looks }, (_, k) => Math.round(((k + 1) * order.length) / s.looks) - 1));
  const changeAt = s.holdbackChange ? Math.round(s.holdbackChange.atFraction * order.length) : -1;
  const rateChangeAt = s.rateChange ? Math.round(s.rateChange.atFraction * order.length) : -1;
  let rates = s.rates;
  const armIndex = new Map(arms.map((a, i) => [a.id, i]));
  let banditTrue = 0;
  let banditRewards = 0;
  let holdTrue = 0;
  let holdRewards = 0;
  const looks: Look[] = [];
  for (let t = 0; t < order.length; t++) {
    if (t === changeAt) await patchExperiment(ctx, id, { holdbackPercent: s.holdbackChange!.percent });
    if (t === rateChangeAt) rates = s.rateChange!.rates;
    clock.ms += 10;
    const u = order[t];
    const d = await select(ctx, id, `user-${u}`);
    const p = Math.min(1, rates[armIndex.get(d.armId)!] * factor[u]);
    const rv = s.revenue;
    const r = rv ? (world() < rv.zeroShare ? 0 : Math.exp(rv.logMu + rv.logSigma * sampleNormal(world))) : world() < p ? 1 : 0;
    await reward(ctx, { decisionId: d.decisionId, reward: r, ...(s.costs && { cost: s.costs[armIndex.get(d.armId)!] }) });
    if (d.population === 'bandit') { banditTrue += rates[armIndex.get(d.armId)!] * factor[u]; banditRewards++; }
    if (d.population === 'holdback') { holdTrue += rates[0] * factor[u]; holdRewards++; }
    if (!lookAt.has(t)) continue;
    const rep = await report(ctx, id);
    const h = rep.holdback;
    const stats = (await store.getStats(id))!;
    const sumOf = (pop: 'bandit' | 'holdback') => stats.arms.reduce((acc, a) => ({ n: acc.n + a[pop].rewards, s: acc.s + a[pop].sum, q: acc.q + a[pop].sumSq }), { n: 0, s: 0, q: 0 });
    const [sb, sh] = [sumOf('bandit'), sumOf('holdback')];
    const naive = sb.n > 1 && sh.n > 1 ? welch(sampleFromSums(sb.n, sb.s, sb.q), sampleFromSums(sh.n, sh.s, sh.q)) : null;
    looks.push({
      users: h.users + h.banditUsers, holdbackUsers: h.users,
      // With own rates, the truth of each side is the mean true rate of its rewarded decisions.
      trueLift: banditRewards > 0 && holdRewards > 0 ? banditTrue / banditRewards - holdTrue / holdRewards : 0,
      lift: h.lift, fixed: h.liftInterval95 as [number, number] | null, fixedP: h.pValue,
      alwaysValid: h.alwaysValid.interval95 as [number, number] | null, alwaysValidP: h.alwaysValid.pValue,
      srmP: h.srm.pValue, naiveP: naive?.pValue ?? null, action: rep.recommendation.action,
      shipArm: rep.recommendation.action === 'ship' ? rep.recommendation.armId : null,
      armsLeader: rep.arms.reduce((a, b) => ((b.probabilityBest ?? -1) > (a.probabilityBest ?? -1) ? b : a)).armId,
      minArmShare: Math.min(...rep.arms.map((a) => a.decisions)) / Math.max(1, rep.arms.reduce((s, a) => s + a.decisions, 0)),
      unsupportedArms: rep.arms.filter((a) => !a.support.supported).length,
    });
  }
  return looks;
}

export const excludes = (iv: [number, number] | null, x: number): boolean => iv !== null && (iv[0] > x || iv[1] < x);

/** A rate with its binomial Monte-Carlo standard error, as "12.3% +- 0.7%". */
export function rate(k: number, n: number): { p: number; se: number; text: string } {
  const p = k / n;
  const se = Math.sqrt(Math.max(p * (1 - p), 1 / n) / n);
  return { p, se, text: `${(100 * p).toFixed(1)}% +- ${(100 * se).toFixed(1)}% (n = ${n})` };
}
