/**
 * The decision rule of one request, as a pure function of the cached snapshot: which population
 * the user is in, which arm, and with what probability. `/select` runs it, and so does the
 * regret benchmark (`bench/sim/engine.ts`), so what is measured is what is served.
 */
import { fixedChoose } from '../bandit/fixed.js';
import type { Posterior } from '../bandit/posterior.js';
import type { Rng } from '../bandit/random.js';
import { thompsonChoose } from '../bandit/thompson.js';
import { ucbChoose } from '../bandit/ucb.js';
import { inPercent, legacyUserBuckets, randomBuckets, userBuckets } from '../assignment/buckets.js';
import type { Population } from '../store/store.js';
import { promotionStatus } from './promotion.js';
import type { Snapshot } from './snapshot.js';

export interface Decision {
  readonly population: Population;
  readonly armIndex: number;
  /**
   * Probability of this arm given the population: the policy's (bandit) or 1 (holdback, excluded).
   * For Thompson Sampling it is computed on first read (a quadrature, cached per snapshot refresh),
   * so a caller that does not need it (the regret benchmark) does not pay for it.
   */
  readonly propensity: number;
  /** Why the user is excluded, for logs and the response. */
  readonly excludedBy?: 'paused' | 'ended' | 'traffic' | 'no_eligible_arm' | 'not_started';
  /** Served the promoted arm by the staged rollout: the store must not put back a sticky arm. */
  readonly promoted?: boolean;
}

/** A bandit decision under a promotion at `share`: the promoted arm's share plus the policy's for the rest. */
class PromotedDecision implements Decision {
  readonly population = 'b';
  constructor(private readonly snap: Snapshot, private readonly inner: Decision, readonly armIndex: number, private readonly share: number,
    private readonly promotedIndex: number, readonly promoted: boolean) {}

  get propensity(): number {
    if (this.armIndex !== this.promotedIndex) return (1 - this.share) * this.inner.propensity;
    return this.share + (1 - this.share) * this.policyPropensityOfPromoted();
  }

  /** The probability that the policy alone would have picked the promoted arm. */
  private policyPropensityOfPromoted(): number {
    if (this.inner.armIndex === this.promotedIndex) return this.inner.propensity;
    const { config, eligible } = this.snap;
    if (config.policy === 'thompson') return this.snap.thompsonPropensities()[this.promotedIndex];
    if (config.policy === 'fixed') {
      const w = config.arms.map((a, i) => (eligible[i] ? a.weight ?? 1 : 0));
      return w[this.promotedIndex] / w.reduce((x, y) => x + y, 0);
    }
    return 0; // UCB is deterministic: it chose another arm (ties aside)
  }

  toJSON(): { population: Population; armIndex: number; propensity: number } {
    return { population: this.population, armIndex: this.armIndex, propensity: this.propensity };
  }
}

/** A Thompson decision: remembers the posteriors it sampled from, so its propensity is theirs even after a refresh. */
class ThompsonDecision implements Decision {
  readonly population = 'b';
  constructor(private readonly snap: Snapshot, private readonly posteriors: readonly Posterior[], readonly armIndex: number) {}

  get propensity(): number {
    return this.snap.propensityFor(this.posteriors, this.armIndex);
  }

  toJSON(): { population: Population; armIndex: number; propensity: number } {
    return { population: this.population, armIndex: this.armIndex, propensity: this.propensity };
  }
}

function excluded(snap: Snapshot, excludedBy: Decision['excludedBy']): Decision {
  return { population: 'x', armIndex: snap.baselineIndex, propensity: 1, excludedBy };
}

/**
 * `recorded`: the population of the user's record (the store answered `moved`): a user already in
 * the experiment keeps it whatever `holdbackPercent` says now.
 */
export function decide(snap: Snapshot, userId: string | undefined, rng: Rng, nowMs: number, recorded?: 'b' | 'h'): Decision {
  const { config } = snap;
  if (config.status === 'paused') return excluded(snap, 'paused');
  if (snap.endsAtMs !== null && snap.endsAtMs <= nowMs) return excluded(snap, 'ended');
  if (snap.startsAtMs !== null && nowMs < snap.startsAtMs) return excluded(snap, 'not_started');
  if (!snap.hasBanditArm) return excluded(snap, 'no_eligible_arm');

  const buckets = userId === undefined ? randomBuckets(rng)
    : config.bucketing === 'multiply-shift' ? userBuckets(config.id, userId) : legacyUserBuckets(config.id, userId);
  if (!inPercent(buckets.traffic, config.trafficPercent)) return excluded(snap, 'traffic');
  if (recorded ? recorded === 'h' : inPercent(buckets.holdback, config.holdbackPercent)) return { population: 'h', armIndex: snap.baselineIndex, propensity: 1 };

  const chosen = policyChoice(snap, buckets.unit, rng);
  const promotion = promotionStatus(config.promotion, snap.state.disabled, nowMs);
  const promotedIndex = promotion ? snap.armIds.indexOf(promotion.armId) : -1;
  if (!promotion || promotion.percent === 0 || promotedIndex < 0 || !snap.eligible[promotedIndex]) return chosen;
  const share = promotion.percent / 100;
  const inRollout = (buckets.promotion ?? rng()) < share;
  return new PromotedDecision(snap, chosen, inRollout ? promotedIndex : chosen.armIndex, share, promotedIndex, inRollout);
}

/** The policy's choice among the eligible arms (the bandit population). */
function policyChoice(snap: Snapshot, unit: number, rng: Rng): Decision {
  const { config } = snap;
  switch (config.policy) {
    case 'thompson': {
      const { posteriors } = snap;
      return new ThompsonDecision(snap, posteriors, thompsonChoose(posteriors, snap.eligible, rng));
    }
    case 'ucb': {
      const c = ucbChoose(config.rewardModel, snap.banditTallies, snap.eligible, rng);
      return { population: 'b', armIndex: c.index, propensity: c.propensity };
    }
    case 'fixed': {
      const c = fixedChoose(config.arms.map((a) => a.weight ?? 1), snap.eligible, unit);
      return { population: 'b', armIndex: c.index, propensity: c.propensity };
    }
  }
}
