/**
 * The holdback block of GET /arms (issue 8): user-level lift with its fixed-horizon interval, the
 * always-valid interval, and the sequential split check over users, period by period.
 */
import type { DecisionRule } from './decision-rule.js';
import { alwaysValid } from './sequential.js';
import { sequentialSrm, type SrmPeriod } from './srm.js';
import { normalSupport } from './support.js';
import { EMPTY_HURDLE, hurdleNormalSupport, type HurdleSums } from './hurdle.js';
import { difference, userLevelMean, type UserLevelSums } from './user-level.js';
import type { ExperimentConfig, ExperimentStats, Tally, UserSums } from '../contract/domain.js';

const round = (x: number | null, digits = 6): number | null => (x === null || !Number.isFinite(x) ? null : +x.toFixed(digits));
const roundPair = (p: [number, number] | null): [number | null, number | null] | null => (p ? [round(p[0]), round(p[1])] : null);
const NO_USER_SUMS: UserSums = { sumSq: 0, countSq: 0, cross: 0 };

/** The sum of tallies (e.g. every arm's bandit tallies). */
export function pooled(ts: Tally[]): Tally {
  return ts.reduce((s, t) => ({ decisions: s.decisions + t.decisions, rewards: s.rewards + t.rewards, sum: s.sum + t.sum, sumSq: s.sumSq + t.sumSq, users: s.users + t.users }),
    { decisions: 0, rewards: 0, sum: 0, sumSq: 0, users: 0 });
}

/** The hurdle sums of each population, over the arms. */
function pooledHurdle(stats: ExperimentStats): { b: HurdleSums; h: HurdleSums } {
  const add = (s: HurdleSums, x: HurdleSums | undefined): HurdleSums => (x ? { nonzero: s.nonzero + x.nonzero, logSum: s.logSum + x.logSum, logSumSq: s.logSumSq + x.logSumSq } : s);
  return {
    b: stats.arms.reduce((s, a) => add(s, a.bandit.engine?.hurdle), EMPTY_HURDLE),
    h: stats.arms.reduce((s, a) => add(s, a.holdback.engine?.hurdle), EMPTY_HURDLE),
  };
}

const sumsOf = (t: Tally, u: UserSums): UserLevelSums => ({ users: t.users, sum: t.sum, count: t.rewards, ...u });

/** Why the lift has no interval yet, or null when it has one. */
function tooFew(config: ExperimentConfig, b: Tally, h: Tally, rule: DecisionRule, hurdle?: { b: HurdleSums; h: HurdleSums }): string | null {
  if (h.users < 2 || b.users < 2) return 'fewer than 2 users with a decision in the holdback or the bandit population';
  if (h.rewards === 0 || b.rewards === 0) return 'no reward yet in the holdback or the bandit population';
  if (config.rewardModel !== 'bernoulli') {
    // Skewed rewards (revenue): the normal-theory lift needs what each side's interval needs (bandit/support.ts).
    for (const [name, t, hs] of [['holdback', h, hurdle?.h], ['bandit population', b, hurdle?.b]] as const) {
      // With the hurdle model, the skewness its fit implies (the sums' two-moment bound misses the unseen tail).
      const s = hs ? hurdleNormalSupport(t.rewards, hs) : normalSupport(t);
      if (!s.supported) return `the ${name}'s rewards cannot support a normal interval yet: ${s.reason}`;
    }
    return null;
  }
  for (const [name, t] of [['holdback', h], ['bandit population', b]] as const) {
    const successes = t.sum;
    const failures = t.rewards - t.sum;
    if (successes < rule.minSuccesses || failures < rule.minSuccesses) {
      return `the ${name} has ${successes} successes and ${failures} failures; the interval needs ${rule.minSuccesses} of each on both sides (decisionRule.minSuccesses)`;
    }
  }
  return null;
}

/**
 * The bandit population's design effect: the user-level (delta-method) variance of its mean over
 * the variance the decisions would have if independent (s^2 / n). Returning users make it > 1;
 * the recommendation divides the arms' evidence by it (Kish's effective sample size).
 */
export function designEffect(stats: ExperimentStats): number {
  const b = pooled(stats.arms.map((a) => a.bandit));
  const m = userLevelMean(sumsOf(b, stats.users?.b ?? NO_USER_SUMS));
  if (!m || b.rewards < 2) return 1;
  const naive = Math.max(0, (b.sumSq - (b.sum * b.sum) / b.rewards) / (b.rewards - 1)) / b.rewards;
  return naive > 0 ? Math.max(1, m.variance / naive) : 1;
}

/** The split check's periods: each closed holdback period's users, then the current one's. */
export function srmPeriods(config: ExperimentConfig, holdbackUsers: number, banditUsers: number): SrmPeriod[] {
  const out: SrmPeriod[] = [];
  let h0 = 0;
  let b0 = 0;
  for (const p of config.holdbackPeriods ?? []) {
    out.push({ counts: [p.holdbackUsers - h0, p.banditUsers - b0], shares: [p.percent, 100 - p.percent] });
    h0 = p.holdbackUsers;
    b0 = p.banditUsers;
  }
  out.push({ counts: [holdbackUsers - h0, banditUsers - b0], shares: [config.holdbackPercent, 100 - config.holdbackPercent] });
  return out.filter((p) => p.counts[0] + p.counts[1] > 0);
}

export function holdbackReport(config: ExperimentConfig, stats: ExperimentStats, rule: DecisionRule) {
  const bandit = pooled(stats.arms.map((a) => a.bandit));
  const hold = pooled(stats.arms.map((a) => a.holdback));
  const users = stats.users ?? { b: NO_USER_SUMS, h: NO_USER_SUMS };
  const mb = userLevelMean(sumsOf(bandit, users.b));
  const mh = userLevelMean(sumsOf(hold, users.h));
  const reason = tooFew(config, bandit, hold, rule, config.rewardShape === 'hurdle-lognormal' ? pooledHurdle(stats) : undefined);
  const d = !reason && mb && mh ? difference(mb, mh, 1 - rule.alpha) : null;
  const av = d ? alwaysValid(d.diff, d.se * d.se, bandit.users + hold.users, rule.sequentialTuningUsers) : null;

  const periods = srmPeriods(config, hold.users, bandit.users);
  const inExperiment = hold.users + bandit.users;
  const expectedShare = inExperiment > 0
    ? periods.reduce((s, p) => s + (p.counts[0] + p.counts[1]) * (p.shares[0] / 100), 0) / inExperiment
    : config.holdbackPercent / 100;
  const srm = periods.length > 0 ? sequentialSrm(periods, rule.srmConcentration) : null;
  const lift = hold.rewards > 0 && bandit.rewards > 0 ? bandit.sum / bandit.rewards - hold.sum / hold.rewards : null;

  return {
    armId: config.baselineArmId,
    percent: config.holdbackPercent,
    decisions: hold.decisions,
    rewards: hold.rewards,
    users: hold.users,
    banditUsers: bandit.users,
    meanReward: round(hold.rewards > 0 ? hold.sum / hold.rewards : null),
    banditMeanReward: round(bandit.rewards > 0 ? bandit.sum / bandit.rewards : null),
    lift: round(lift),
    liftInterval95: roundPair(d?.interval95 ?? null),
    pValue: round(d?.pValue ?? null),
    liftStandardError: round(d?.se ?? null),
    /** Why liftInterval95, pValue and alwaysValid are null, in words; null when they are given. */
    liftNote: reason ?? (d ? null : 'not enough data for a variance'),
    alwaysValid: { interval95: roundPair(av?.interval95 ?? null), pValue: round(av?.pValue ?? null), tuningUsers: rule.sequentialTuningUsers },
    srm: {
      expectedShare: round(expectedShare),
      observedShare: inExperiment > 0 ? round(hold.users / inExperiment) : null,
      pValue: srm ? round(srm.pValue, 9) : null,
      bayesFactor: srm ? round(srm.bayesFactor, 6) : null,
      periods: periods.length,
    },
  };
}
