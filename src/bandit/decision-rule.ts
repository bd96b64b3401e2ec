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
}

export interface Recommendation {
  action: Action;
  armId: string | null;
  reason: string;
}

const pct = (x: number): string => `${+(100 * x).toFixed(2)}%`;

/** `judged`: what P(best) and the loss are of, in words ('reward', or 'net value reward - 5 x cost'; judgement.ts). */
export function recommend(arms: RuleArm[], srmPValue: number | null, rule: DecisionRule, judged = 'reward'): Recommendation {
  if (srmPValue !== null && srmPValue <= rule.srmAlpha) {
    return { action: 'check_split', armId: null, reason: `the split check fails (SRM p-value ${srmPValue.toPrecision(3)} <= ${rule.srmAlpha}): users do not reach the holdback and the bandit in the configured shares, so no figure can be trusted until that is explained` };
  }
  const enabled = arms.filter((a) => a.enabled && a.probabilityBest !== null);
  if (enabled.length === 0) return { action: 'continue', armId: null, reason: 'no enabled arm to judge' };
  const leader = enabled.reduce((a, b) => (b.probabilityBest! > a.probabilityBest! ? b : a));
  const baseline = arms.find((a) => a.baseline);
  const short = [leader, ...(baseline && baseline !== leader ? [baseline] : [])].filter((a) => a.users < rule.minUsers);
  if (short.length > 0) {
    return { action: 'continue', armId: null, reason: `too few users yet: ${short.map((a) => `'${a.armId}' has ${a.users}`).join(', ')} of the ${rule.minUsers} needed (decisionRule.minUsers)` };
  }
  if (leader.probabilityBest! >= rule.probabilityBest && leader.expectedLoss! <= rule.expectedLoss) {
    return { action: 'ship', armId: leader.armId, reason: `'${leader.armId}' is best by ${judged} with probability ${pct(leader.probabilityBest!)} (>= ${pct(rule.probabilityBest)}) and choosing it now costs an expected ${leader.expectedLoss!.toPrecision(3)} of ${judged} per decision (<= ${rule.expectedLoss})` };
  }
  const worst = Math.max(...enabled.map((a) => a.expectedLoss!));
  if (worst <= rule.expectedLoss) {
    return { action: 'stop_no_difference', armId: null, reason: `every enabled arm's expected loss is at most ${worst.toPrecision(3)} (<= ${rule.expectedLoss}): the arms do not differ by more than the threshold; keep whichever is cheapest` };
  }
  return { action: 'continue', armId: null, reason: `the leader '${leader.armId}' is best by ${judged} with probability ${pct(leader.probabilityBest!)} (ship at ${pct(rule.probabilityBest)}) and its expected loss is ${leader.expectedLoss!.toPrecision(3)} (ship at ${rule.expectedLoss})` };
}
