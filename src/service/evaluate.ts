/**
 * POST /experiments/:id/evaluate: what the mean reward per decision would have been under another
 * policy, estimated from the bandit population's log (bandit/off-policy.ts).
 *
 * Units: the first exposures of the bandit population that got a reward, each with the propensity
 * of that first decision. A sticky user's later decisions repeat the first arm (propensity of the
 * first choice), so they are not fresh draws of the logging policy and are left out: one unit per
 * user (every decision without a userId is a first exposure), independent given the past, which is
 * what the IPS/SNIPS/DR variances assume.
 *
 * Weighting: a decision event written since issue 9's change carries the logging policy's
 * probability of every arm (`propensities`); the units that have it are evaluated with adaptive,
 * variance-stabilising weights (Hadad et al. 2021; bandit/off-policy-adaptive.ts), whose intervals
 * hold under Thompson logging. Older units (no vector) are then left out: which units carry a
 * vector depends only on when they were logged, so the rest is still a valid sequence. When fewer
 * than two units (or none that play the target) have a vector, every unit is evaluated with the
 * uniformly weighted estimators of before, and `weighting` says so.
 */
import type { z } from 'zod';
import { armSupport, unsupportedArms, type Estimate, type LoggedUnit } from '../bandit/off-policy.js';
import { posteriorMean } from '../bandit/posterior.js';
import type { EvaluateResponse, EvaluateSchema } from '../contract/events.js';
import { ApiError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { estimateOffThread } from './estimate-off-thread.js';
import { allEvents } from './replay.js';

/** The target policy, as the request names it (the contract's EvaluateSchema). */
export type TargetPolicy = z.infer<typeof EvaluateSchema>['policy'];

type Shown = EvaluateResult['logged'];

/** The answer (the contract's EvaluateResponse), with the policy as it was asked for. */
export type EvaluateResult = Omit<z.infer<typeof EvaluateResponse>, 'policy'> & { policy: TargetPolicy & { probabilities: Record<string, number> } };

/**
 * Below this effective sample size the normal intervals under-cover badly when the log comes from an
 * adaptive policy (bench/validity/ope-coverage.ts; Hadad et al. 2021, "Confidence intervals for policy
 * evaluation in adaptive experiments", PNAS 118(15)). The warning is given whenever the intervals
 * are normal only: uniform weighting, or adaptive weighting with rewards outside [0, 1] (no
 * finite-sample widening; not measured).
 */
export const MIN_TRUSTED_ESS = 100;

const UNIT = 'first exposures of the bandit population with a reward, at the propensity of that first decision (one per user)';
const CLIPPING = 'IPS weights truncated at sqrt(n) x their mean (Ionides 2008); SNIPS self-normalised and DR (Dudik et al. 2011) untruncated';
const NO_CLIPPING = 'none: the adaptive weights h_t = sqrt(e_t) damp the large importance weights (Hadad et al. 2021)';
const WEIGHTING = {
  adaptive: 'adaptive: each unit weighted by h_t = 1/sqrt(sum_a pi(a)^2 / e_t(a)) (sqrt(e_t(k)) for one arm k), e_t the logging policy\'s probabilities at that decision; '
    + 'AW-IPW, self-normalised AW-IPW and AW-AIPW (Hadad, Hirshberg, Zhan, Wager & Athey 2021, PNAS; Zhan et al. 2021, KDD): intervals valid under adaptive (Thompson) logging',
  uniform: 'uniform: plain averages (IPS, SNIPS, DR), because the decision events carry no propensity vector (logged before it was recorded); '
    + 'under adaptive logging their intervals under-cover for rarely played arms',
} as const;
const CONTEXTUAL_WEIGHTING = 'uniform: plain averages (IPS, SNIPS, DR) with each decision\'s propensity given its context; adaptive weights are not used on a contextual log '
  + '(they depend on the context and would weigh contexts unevenly)';
const none: Shown = { value: null, interval95: null, standardError: null };
const shown = (e: Estimate): Shown => ({ value: e.value, interval95: e.interval95, standardError: e.standardError });

export async function evaluate(ctx: ServiceContext, experimentId: string, policy: TargetPolicy): Promise<EvaluateResult> {
  const snap = await ctx.cache.get(experimentId, ctx.clock.now());
  if (!snap) throw new ApiError('experiment_not_found', `experiment '${experimentId}' does not exist`);
  const target = targetProbabilities(policy, snap.armIds, snap.posteriors.map(posteriorMean), snap.eligible);
  const logged = await loggedUnits(ctx, experimentId, snap.armIds);
  const { laterExposures, unrewarded } = logged;
  // Issue 23: a contextual log's probabilities vary with the context, and the adaptive weights (a function of them) would weigh
  // the contexts unevenly: the estimand would drift from the policy's value. Its units are weighted uniformly (plain IPS, SNIPS, DR).
  const contextual = snap.config.features !== undefined;
  const withVector = contextual ? [] : logged.units.filter((u) => u.propensities !== undefined);
  if (contextual) for (const u of logged.units) delete u.propensities;
  const adaptive = withVector.length >= 2 && unsupportedArms(withVector, target).length === 0;
  const units = adaptive ? withVector : logged.units;
  const base = {
    policy: { ...policy, probabilities: Object.fromEntries(snap.armIds.map((id, i) => [id, target[i]]).filter(([, p]) => (p as number) > 0)) },
    decisions: units.length, unit: UNIT, left: { laterExposures, unrewarded, withoutPropensities: adaptive ? logged.units.length - units.length : 0 },
    arms: [] as EvaluateResult['arms'], lowEffectiveSampleSize: false, minEffectiveSampleSize: MIN_TRUSTED_ESS,
  };
  const undefinedAnswer = (reason: string): EvaluateResult => ({
    ...base, effectiveSampleSize: null, logged: none, estimates: { ips: none, snips: none, dr: none },
    clipping: { method: CLIPPING, threshold: null, clipped: 0 }, weighting: { method: 'none', description: 'no estimate' }, reason, warning: null,
  });
  if (snap.config.policy === 'ucb' || snap.config.policy === 'linear-ucb') {
    return undefinedAnswer('UCB chooses deterministically (every propensity is 0 or 1, ties aside), so its log has no overlap with any other policy: off-policy estimates are undefined. Use a thompson or fixed experiment, or the holdback, for counterfactual questions.');
  }
  if (units.length < 2) return undefinedAnswer(`only ${units.length} rewarded first exposure(s) in the bandit population's log; at least 2 are needed`);
  const missing = unsupportedArms(units, target);
  if (missing.length) {
    return undefinedAnswer(`the logging policy never chose ${missing.map((a) => `'${snap.armIds[a]}'`).join(', ')} in these units, which the target plays: no overlap, so the estimate is undefined`);
  }
  const r = await estimateOffThread(units, target);
  const arms = armSupport(units, target).map((a) => ({
    armId: snap.armIds[a.arm], targetProbability: target[a.arm], units: a.units, effectiveSampleSize: a.effectiveSampleSize,
    lowEffectiveSampleSize: a.effectiveSampleSize < MIN_TRUSTED_ESS,
  }));
  const thin = arms.filter((a) => a.lowEffectiveSampleSize);
  // Overall, the finite-sample (betting) widening keeps the intervals valid at any size (bench/validity/ope-coverage.ts).
  const overallLow = !r.finiteSample && r.effectiveSampleSize < MIN_TRUSTED_ESS;
  return {
    ...base, arms, lowEffectiveSampleSize: overallLow || thin.length > 0,
    effectiveSampleSize: r.effectiveSampleSize, logged: shown(r.logged),
    estimates: { ips: shown(r.ips), snips: shown(r.snips), dr: shown(r.dr) },
    clipping: { method: r.weighting === 'adaptive' ? NO_CLIPPING : CLIPPING, threshold: r.clipping.threshold, clipped: r.clipping.clipped },
    weighting: { method: r.weighting, description: contextual ? CONTEXTUAL_WEIGHTING : WEIGHTING[r.weighting] }, reason: null,
    warning: essWarning(r.effectiveSampleSize, thin, r.finiteSample),
  };
}

/** The warning in words: the overall effective sample size and each thin arm's; null when none is too small. */
function essWarning(overall: number, thin: EvaluateResult['arms'], finiteSample: boolean): string | null {
  const parts = [
    ...(!finiteSample && overall < MIN_TRUSTED_ESS ? [`effective sample size ${overall.toFixed(1)} < ${MIN_TRUSTED_ESS}`] : []),
    ...thin.map((a) => `arm '${a.armId}' has an effective sample size of ${a.effectiveSampleSize.toFixed(1)} (${a.units} units) < ${MIN_TRUSTED_ESS}`),
  ];
  if (parts.length === 0) return null;
  const consequence = finiteSample
    ? 'the intervals are widened to finite-sample betting intervals, so they stay valid but say little about it'
    : 'the logging policy rarely played what the target plays, and these normal 95% intervals may under-cover';
  return `${parts.join('; ')}: ${consequence} (see docs/statistics.md, "Off-policy evaluation")`;
}

/** The target's probability of each arm. */
export function targetProbabilities(policy: TargetPolicy, armIds: readonly string[], means: readonly number[], eligible: readonly boolean[]): number[] {
  const known = (id: string): number => {
    const i = armIds.indexOf(id);
    if (i < 0) throw new ApiError('invalid_request', `policy: the experiment has no arm '${id}' (arms: ${armIds.join(', ')})`);
    return i;
  };
  const p = armIds.map(() => 0);
  if (policy.kind === 'arm') p[known(policy.armId)] = 1;
  else if (policy.kind === 'split') {
    const total = Object.values(policy.weights).reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new ApiError('invalid_request', 'policy.weights: at least one weight must be positive');
    for (const [id, w] of Object.entries(policy.weights)) p[known(id)] += w / total;
  } else {
    let best = -1;
    for (let i = 0; i < armIds.length; i++) if (eligible[i] && (best < 0 || means[i] > means[best])) best = i;
    p[best] = 1;
  }
  return p;
}

/** The rewarded first exposures of the bandit population in decision order, read from the log a page at a time. */
async function loggedUnits(ctx: ServiceContext, experimentId: string, armIds: readonly string[]) {
  const waiting = new Map<string, { order: number; arm: number; propensity: number; propensities?: number[] }>();
  // Indexed by the decision's order (rewards arrive in any order; the adaptive estimators' running means need the decisions'):
  // a slot per first exposure, filled when its reward comes, so no sort of the units is needed.
  const byOrder: (LoggedUnit | undefined)[] = [];
  let laterExposures = 0, order = 0;
  for await (const ev of allEvents(ctx.store, experimentId)) {
    if (ev.population !== 'b') continue;
    if (ev.type === 'decision') {
      if (ev.firstExposure) {
        waiting.set(ev.nonce, { order: order++, arm: armIds.indexOf(ev.armId), propensity: ev.propensity, ...(ev.propensities && { propensities: ev.propensities }) });
      } else laterExposures += 1;
      continue;
    }
    if (ev.type === 'signal') continue;
    const d = waiting.get(ev.nonce);
    if (!d || ev.reward === undefined) continue;
    waiting.delete(ev.nonce);
    byOrder[d.order] = { arm: d.arm, propensity: d.propensity, reward: ev.reward, ...(d.propensities && { propensities: d.propensities }) };
  }
  const units: LoggedUnit[] = [];
  for (const u of byOrder) if (u !== undefined) units.push(u);
  return { units, laterExposures, unrewarded: waiting.size };
}
