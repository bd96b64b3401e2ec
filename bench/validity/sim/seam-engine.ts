/**
 * One seeded repetition of a second-round instance through the engine's pure parts: the policy
 * registry (`policyFor`, floor included), the settings a policy reads, and the discounted
 * evidence of `src/bandit/discount.ts` (`addObservation` per reward, `decayTo` before each
 * prepare: the arithmetic the stores apply). One decision per simulated second.
 *
 * Not through the HTTP service or the store: this loop keeps the per-arm evidence itself with the
 * same functions the stores apply (src/store/engine-sums.ts and reward.lua decay the sums the same
 * way since the discount was wired into the stores), which keeps the tables fast on worker threads.
 */
import { addObservation, decayTo, EMPTY_EVIDENCE, evidenceOf, type DecayedEvidence } from '../../../src/bandit/discount.js';
import { emptyGlrState, observe, restartsEvidence, type GlrState } from '../../../src/bandit/glr.js';
import { policyFor } from '../../../src/bandit/policies.js';
import type { ArmEvidence, PolicySettings } from '../../../src/bandit/policy.js';
import { DEFAULT_BETA_PRIOR, DEFAULT_NORMAL_GAMMA_PRIOR, normalGammaPosterior, posteriorFor, posteriorMean, type NormalGammaPrior } from '../../../src/bandit/posterior.js';
import type { ThompsonModel } from '../../../src/bandit/thompson.js';
import { makeRng, sampleNormal } from '../../../src/bandit/random.js';
import type { EngineInstance, EngineVariant } from './engine-instances.js';

export interface EngineResult {
  /** Cumulative pseudo-regret of the net value at the horizon. */
  regret: number;
  /** Share of the last 10% of decisions on the arm best (net) at that time. */
  lastShareBest: number;
  /** Decisions per arm, and (trackPropensities) the sum of each arm's propensity over all decisions and of p (1 - p). */
  counts: number[];
  expected: number[];
  variance: number[];
  /** Change detection: detections, and restarts of the evidence, over all arms. */
  detections: number;
  restarts: number;
}

/**
 * The frontier's candidate (EngineVariant.varianceHalfLifeSeconds): the mean (mu, lambda) from the
 * evidence at the half-life, the variance (alpha, beta) from the evidence at the variance's own.
 */
function splitVarianceModel(prior: NormalGammaPrior, mean: DecayedEvidence[], variance: DecayedEvidence[], t: number, h: number, hv: number): ThompsonModel {
  return {
    posteriors: mean.map((e, a) => {
      const m = normalGammaPosterior(prior, decayTo(e, t, h));
      const v = normalGammaPosterior(prior, decayTo(variance[a], t, hv));
      return { ...m, alpha: v.alpha, beta: v.beta };
    }),
    memo: null,
  };
}

/** The arm with the highest posterior mean of the evidence the policy reads (the first on a tie). */
function leaderOf(ev: readonly ArmEvidence[], settings: PolicySettings): number {
  let best = 0;
  let bestMean = -Infinity;
  ev.forEach((e, i) => {
    const m = posteriorMean(posteriorFor(settings.rewardModel, settings.prior, e));
    if (m > bestMean) { best = i; bestMean = m; }
  });
  return best;
}

export function simulateEngine(inst: EngineInstance, variant: EngineVariant, rep: number): EngineResult {
  const k = inst.costs.length;
  const T = inst.horizon;
  const H = variant.halfLifeSeconds;
  const policy = policyFor(variant.policy, variant.minArmShare);
  const settings: PolicySettings = {
    rewardModel: inst.model, prior: inst.model === 'bernoulli' ? DEFAULT_BETA_PRIOR : DEFAULT_NORMAL_GAMMA_PRIOR,
    weights: inst.costs.map(() => 1), costWeight: variant.costWeight,
  };
  // The same world (rewards) for every variant of a repetition; the policy's own generator apart.
  const world = makeRng(`engine-world/${inst.key}/${rep}`);
  // Change-detection variants share the policy's generator with plain Thompson (common random
  // numbers): until a first detection they make the same decisions, so a detector that never
  // fires shows a ratio of exactly 1.
  const rng = makeRng(variant.sharedPolicySeed ? `engine-policy/${inst.key}/shared/${rep}` : `engine-policy/${inst.key}/${variant.label}/${rep}`);
  const eligible = inst.costs.map(() => true);
  let ev: DecayedEvidence[] = inst.costs.map(() => ({ ...EMPTY_EVIDENCE, at: 0 }));
  const Hv = variant.varianceHalfLifeSeconds;
  if (Hv !== undefined && inst.model !== 'gaussian') throw new Error('varianceHalfLifeSeconds is for the Normal-Gamma model');
  let evVar: DecayedEvidence[] = inst.costs.map(() => ({ ...EMPTY_EVIDENCE, at: 0 }));
  const counts = inst.costs.map(() => 0);
  const expected = inst.costs.map(() => 0);
  const variance = inst.costs.map(() => 0);
  const cd = variant.changeDetection;
  if (cd && (H !== Infinity || Hv !== undefined)) throw new Error('changeDetection runs on undiscounted evidence');
  let glr: GlrState[] = inst.costs.map(() => emptyGlrState());
  let detections = 0;
  let restarts = 0;
  const tail = Math.floor(T * 0.9);
  let regret = 0;
  let tailBest = 0;
  let model: unknown = null;
  for (let t = 0; t < T; t++) {
    if (t % variant.batch === 0) {
      model = Hv === undefined
        ? policy.prepare(ev.map((e) => evidenceOf(decayTo(e, t, H))), settings)
        : splitVarianceModel(settings.prior as NormalGammaPrior, ev, evVar, t, H, Hv);
      if (variant.trackPropensities) {
        const n = Math.min(variant.batch, T - t);
        for (let a = 0; a < k; a++) {
          const p = policy.propensity(model, eligible, a, undefined);
          expected[a] += n * p;
          variance[a] += n * p * (1 - p);
        }
      }
    }
    const c = policy.choose(model, eligible, rng, rng(), undefined);
    const a = c.armIndex;
    const mu = inst.means(t);
    let best = -Infinity;
    let bestArm = 0;
    for (let j = 0; j < k; j++) {
      const net = mu[j] - inst.lambda * inst.costs[j];
      if (net > best) { best = net; bestArm = j; }
    }
    regret += best - (mu[a] - inst.lambda * inst.costs[a]);
    if (t >= tail && a === bestArm) tailBest++;
    counts[a]++;
    const reward = inst.model === 'bernoulli' ? (world() < mu[a] ? 1 : 0) : mu[a] + inst.sd * sampleNormal(world);
    const cost = inst.costs[a] > 0 ? inst.costs[a] * (0.5 + world()) : undefined;
    ev[a] = addObservation(ev[a], t, H, reward, cost);
    if (Hv !== undefined) evVar[a] = addObservation(evVar[a], t, Hv, reward, cost);
    if (cd) {
      const r = observe(glr[a], inst.model, cd.falseAlarmRate, reward, t, !cd.firstRule);
      glr[a] = r.state;
      if (r.detection) {
        detections++;
        const leads = leaderOf(ev, settings) === a;
        if (restartsEvidence(r.detection, leads, cd.always)) {
          restarts++;
          const s = r.detection.after;
          ev[a] = { rewards: s.n, sum: s.s, sumSq: s.q, costs: 0, costSum: 0, costSumSq: 0, at: t };
          // A fall of the leader restarts every other arm's evidence (change-evidence.ts restartOther).
          if (!cd.firstRule && !cd.keepOthers && leads && restartsEvidence(r.detection, true)) ev = ev.map((e, j) => (j === a ? e : { ...EMPTY_EVIDENCE, at: t }));
        }
      }
    }
  }
  ev = [];
  evVar = [];
  glr = [];
  return { regret, lastShareBest: tailBest / (T - tail), counts, expected, variance, detections, restarts };
}
