// The decision rule of the report (issue 8 item 7): ship / continue / stop_no_difference /
// check_split, with the reason in words. Defaults are documented in docs/statistics.md; an
// experiment overrides any of them with `decisionRule`.
//
// - check_split first: a split that fails the sequential SRM check (p <= srmAlpha; 0.001, the
//   threshold GrowthBook and the README use) makes every other figure untrustworthy.
// - continue until the arm to ship and the baseline each have minUsers users.
// - ship the leader when its probability of being best (over the enabled arms) is at least
//   probabilityBest (0.95, the usual Bayesian A/B threshold) and its expected loss is at most
//   expectedLoss (the "threshold of caring", Stucchio 2015, "Bayesian A/B Testing at VWO": what
//   you accept to lose per decision by stopping now, in reward units).
// - stop_no_difference when every enabled arm's expected loss is at most expectedLoss: whichever
//   is kept costs less than the threshold, and more data will not change that much.
//
// Two claims, each stated in the reason and in `claims`: (1) the arm is the best of the arms
// (P(best) and expected loss above, on the report's basis, judgement.ts); (2) the bandit beats
// the holdback (the always-valid lift interval lies above 0; Waudby-Smith et al., sequential.ts).
// `ship` needs (1); it also waits for (2) only with decisionRule.shipWaitsForHoldback (default
// false: a bandit can find the best arm long before its population's mean, diluted by the
// exploration of the others, is shown to beat the holdback).
import type { z } from 'zod';
import type { DecisionRuleSchema } from '../contract/experiment.js';

/** Every threshold, each described (with its default) on DecisionRuleSchema, where it is declared. */
export type DecisionRule = Required<z.output<typeof DecisionRuleSchema>>;

export const DEFAULT_DECISION_RULE: DecisionRule = {
  expectedLoss: 0.001,
  probabilityBest: 0.95,
  minUsers: 100,
  srmAlpha: 0.001,
  alpha: 0.05,
  sequentialTuningUsers: 5000,
  minSuccesses: 10,
  srmConcentration: 10_000,
  shipWaitsForHoldback: false,
};

export const decisionRuleOf = (over?: Partial<DecisionRule> | null): DecisionRule => ({ ...DEFAULT_DECISION_RULE, ...(over ?? {}) });

export type Action = 'continue' | 'ship' | 'stop_no_difference' | 'check_split';

export interface RuleArm {
  armId: string;
  enabled: boolean;
  baseline: boolean;
  /** Bandit users of the arm (plus the holdback's for the baseline). */
  users: number;
  probabilityBest: number | null;
  expectedLoss: number | null;
  /** Why the arm's data cannot support a verdict yet (support.ts), or null/absent when they can. */
  unsupported?: string | null;
}

/** The second claim: does the bandit population beat the holdback (always-valid lift interval)? */
export type HoldbackClaim = 'established' | 'not_yet' | 'holdback_better' | 'no_holdback';
/** The first claim: is the leader the best of the arms (P(best) and expected loss)? */
export type BestArmClaim = 'established' | 'not_yet';

export interface LiftEvidence {
  /** Whether the experiment has a holdback (holdbackPercent > 0, or users in it). */
  hasHoldback: boolean;
  /** The always-valid 95% interval of the lift (bandit - holdback), or null when there is none yet. */
  interval: readonly [number | null, number | null] | null;
}

export interface Recommendation {
  action: Action;
  armId: string | null;
  reason: string;
  claims: { bestArm: BestArmClaim; beatsHoldback: HoldbackClaim };
  /** Whether `ship` waits for beatsHoldback = established (decisionRule.shipWaitsForHoldback). */
  shipWaitsForHoldback: boolean;
}

const NO_LIFT: LiftEvidence = { hasHoldback: false, interval: null };

/** The second claim from the always-valid interval. */
export function holdbackClaim(lift: LiftEvidence): HoldbackClaim {
  if (!lift.hasHoldback) return 'no_holdback';
  const [lo, hi] = lift.interval ?? [null, null];
  if (lo !== null && lo > 0) return 'established';
  if (hi !== null && hi < 0) return 'holdback_better';
  return 'not_yet';
}

const fmt = (x: number | null): string => (x === null ? '?' : `${+x.toPrecision(3)}`);

function holdbackWords(claim: HoldbackClaim, lift: LiftEvidence): string {
  const iv = lift.interval && lift.interval[0] !== null ? ` (always-valid 95% lift interval [${fmt(lift.interval[0])}, ${fmt(lift.interval[1])}])` : ' (no always-valid lift interval yet)';
  switch (claim) {
    case 'established': return `the bandit beats the holdback${iv}`;
    case 'holdback_better': return `the holdback beats the bandit${iv}`;
    case 'not_yet': return `that the bandit beats the holdback is not established yet${iv}`;
    default: return 'there is no holdback to compare the bandit with';
  }
}

const pct = (x: number): string => `${+(100 * x).toFixed(2)}%`;

/**
 * `judged`: what P(best) and the loss are of, in words ('reward', or 'net value (reward - 5 x
 * cost)'; judgement.ts). `lift`: the holdback's always-valid interval, for the second claim.
 */
export function recommend(arms: RuleArm[], srmPValue: number | null, rule: DecisionRule, judged = 'reward', lift: LiftEvidence = NO_LIFT): Recommendation {
  const waits = rule.shipWaitsForHoldback;
  const beats = holdbackClaim(lift);
  const second = holdbackWords(beats, lift);
  const out = (action: Action, armId: string | null, bestArm: BestArmClaim, reason: string): Recommendation =>
    ({ action, armId, reason, claims: { bestArm, beatsHoldback: beats }, shipWaitsForHoldback: waits });
  if (srmPValue !== null && srmPValue <= rule.srmAlpha) {
    return out('check_split', null, 'not_yet', `the split check fails (SRM p-value ${srmPValue.toPrecision(3)} <= ${rule.srmAlpha}): users do not reach the holdback and the bandit in the configured shares, so no figure can be trusted until that is explained`);
  }
  const enabled = arms.filter((a) => a.enabled && a.probabilityBest !== null);
  if (enabled.length === 0) return out('continue', null, 'not_yet', 'no enabled arm to judge');
  const leader = enabled.reduce((a, b) => (b.probabilityBest! > a.probabilityBest! ? b : a));
  const baseline = arms.find((a) => a.baseline);
  const short = [leader, ...(baseline && baseline !== leader ? [baseline] : [])].filter((a) => a.users < rule.minUsers);
  if (short.length > 0) {
    return out('continue', null, 'not_yet', `too few users yet: ${short.map((a) => `'${a.armId}' has ${a.users}`).join(', ')} of the ${rule.minUsers} needed (decisionRule.minUsers); ${second}`);
  }
  const weak = enabled.filter((a) => a.unsupported);
  if (weak.length > 0) {
    return out('continue', null, 'not_yet', `the data cannot support a verdict yet: ${weak.map((a) => `'${a.armId}' has ${a.unsupported}`).join('; ')}; ${second}`);
  }
  const first = `'${leader.armId}' is best of the arms by ${judged} with probability ${pct(leader.probabilityBest!)}`;
  const loss = `${leader.expectedLoss!.toPrecision(3)} of ${judged} per decision`;
  if (leader.probabilityBest! >= rule.probabilityBest && leader.expectedLoss! <= rule.expectedLoss) {
    const claim1 = `${first} (>= ${pct(rule.probabilityBest)}) and choosing it now costs an expected ${loss} (<= ${rule.expectedLoss})`;
    if (waits && beats !== 'established' && beats !== 'no_holdback') {
      return out('continue', null, 'established', `${claim1}; but ${second}, and ship waits for it (decisionRule.shipWaitsForHoldback)`);
    }
    const tail = waits || beats === 'established' || beats === 'no_holdback' ? '' : ' (ship does not wait for it: decisionRule.shipWaitsForHoldback is false)';
    return out('ship', leader.armId, 'established', `${claim1}; ${second}${tail}`);
  }
  const worst = Math.max(...enabled.map((a) => a.expectedLoss!));
  if (worst <= rule.expectedLoss) {
    return out('stop_no_difference', null, 'not_yet', `every enabled arm's expected loss is at most ${worst.toPrecision(3)} (<= ${rule.expectedLoss}): the arms do not differ by more than the threshold; keep whichever is cheapest; ${second}`);
  }
  return out('continue', null, 'not_yet', `${first} (ship at ${pct(rule.probabilityBest)}) and its expected loss is ${loss} (ship at ${rule.expectedLoss}); ${second}`);
}
