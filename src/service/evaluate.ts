/**
 * POST /experiments/:id/evaluate: what the mean reward per decision would have been under another
 * policy, estimated from the bandit population's log (bandit/off-policy.ts).
 *
 * Units: the first exposures of the bandit population that got a reward, each with the propensity
 * of that first decision. A sticky user's later decisions repeat the first arm (propensity of the
 * first choice), so they are not fresh draws of the logging policy and are left out: one unit per
 * user (every decision without a userId is a first exposure), independent given the past, which is
 * what the IPS/SNIPS/DR variances assume.
 */
import { offPolicyEstimates, unsupportedArms, type Estimate, type LoggedUnit } from '../bandit/off-policy.js';
import { posteriorMean } from '../bandit/posterior.js';
import { ApiError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { allEvents } from './replay.js';

export type TargetPolicy = { kind: 'arm'; armId: string } | { kind: 'split'; weights: Record<string, number> } | { kind: 'greedy' };

type Shown = { value: number | null; interval95: [number, number] | null; standardError: number | null };

export interface EvaluateResult {
  policy: TargetPolicy & { probabilities: Record<string, number> };
  decisions: number;
  effectiveSampleSize: number | null;
  logged: Shown;
  estimates: { ips: Shown; snips: Shown; dr: Shown };
  clipping: { method: string; threshold: number | null; clipped: number };
  unit: string;
  left: { laterExposures: number; unrewarded: number };
  /** Why the estimates are null (no overlap, too few units); null when they are given. */
  reason: string | null;
  /** Set when the estimates are given but their intervals are not to be trusted (a small effective sample size). */
  warning: string | null;
}

/**
 * Below this effective sample size the normal intervals under-cover badly when the log comes from an
 * adaptive policy (bench/ope-coverage.ts; Hadad et al. 2021, "Confidence intervals for policy
 * evaluation in adaptive experiments", PNAS 118(15)).
 */
export const MIN_TRUSTED_ESS = 100;

const UNIT = 'first exposures of the bandit population with a reward, at the propensity of that first decision (one per user)';
const CLIPPING = 'IPS weights truncated at sqrt(n) x their mean (Ionides 2008); SNIPS self-normalised and DR (Dudik et al. 2011) untruncated';
const none: Shown = { value: null, interval95: null, standardError: null };
const shown = (e: Estimate): Shown => ({ value: e.value, interval95: e.interval95, standardError: e.standardError });

export async function evaluate(ctx: ServiceContext, experimentId: string, policy: TargetPolicy): Promise<EvaluateResult> {
  const snap = await ctx.cache.get(experimentId, ctx.clock.now());
  if (!snap) throw new ApiError('experiment_not_found', `experiment '${experimentId}' does not exist`);
  const target = targetProbabilities(policy, snap.armIds, snap.posteriors.map(posteriorMean), snap.eligible);
  const { units, laterExposures, unrewarded } = await loggedUnits(ctx, experimentId, snap.armIds);
  const base = {
    policy: { ...policy, probabilities: Object.fromEntries(snap.armIds.map((id, i) => [id, target[i]]).filter(([, p]) => (p as number) > 0)) },
    decisions: units.length, unit: UNIT, left: { laterExposures, unrewarded },
  };
  const undefinedAnswer = (reason: string): EvaluateResult => ({
    ...base, effectiveSampleSize: null, logged: none, estimates: { ips: none, snips: none, dr: none },
    clipping: { method: CLIPPING, threshold: null, clipped: 0 }, reason, warning: null,
  });
  if (snap.config.policy === 'ucb') {
    return undefinedAnswer('UCB chooses deterministically (every propensity is 0 or 1, ties aside), so its log has no overlap with any other policy: off-policy estimates are undefined. Use a thompson or fixed experiment, or the holdback, for counterfactual questions.');
  }
  if (units.length < 2) return undefinedAnswer(`only ${units.length} rewarded first exposure(s) in the bandit population's log; at least 2 are needed`);
  const missing = unsupportedArms(units, target);
  if (missing.length) {
    return undefinedAnswer(`the logging policy never chose ${missing.map((a) => `'${snap.armIds[a]}'`).join(', ')} in these units, which the target plays: no overlap, so the estimate is undefined`);
  }
  const r = offPolicyEstimates(units, target);
  return {
    ...base, effectiveSampleSize: r.effectiveSampleSize, logged: shown(r.logged),
    estimates: { ips: shown(r.ips), snips: shown(r.snips), dr: shown(r.dr) },
    clipping: { method: CLIPPING, threshold: r.clipping.threshold, clipped: r.clipping.clipped }, reason: null,
    warning: r.effectiveSampleSize < MIN_TRUSTED_ESS
      ? `effective sample size ${r.effectiveSampleSize.toFixed(1)} < ${MIN_TRUSTED_ESS}: the logging policy rarely played what the target plays, and the 95% intervals under-cover (see docs/statistics.md)`
      : null,
  };
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

/** The rewarded first exposures of the bandit population, read from the log a page at a time. */
async function loggedUnits(ctx: ServiceContext, experimentId: string, armIds: readonly string[]) {
  const waiting = new Map<string, { arm: number; propensity: number }>();
  const units: LoggedUnit[] = [];
  let laterExposures = 0;
  for await (const ev of allEvents(ctx.store, experimentId)) {
    if (ev.population !== 'b') continue;
    if (ev.type === 'decision') {
      if (ev.firstExposure) waiting.set(ev.nonce, { arm: armIds.indexOf(ev.armId), propensity: ev.propensity });
      else laterExposures += 1;
      continue;
    }
    const d = waiting.get(ev.nonce);
    if (!d || ev.reward === undefined) continue;
    waiting.delete(ev.nonce);
    units.push({ arm: d.arm, propensity: d.propensity, reward: ev.reward });
  }
  return { units, laterExposures, unrewarded: waiting.size };
}
