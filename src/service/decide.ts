/**
 * The decision rule of one request, as a pure function of the cached snapshot: which population
 * the user is in, which arm, and with what probability. `/select` runs it, and so does the
 * regret benchmark (`bench/validity/sim/engine.ts`), so what is measured is what is served.
 */
import type { Choice, DecisionContext } from '../bandit/policy.js';
import type { Rng } from '../bandit/random.js';
import { inLayerRange } from '../assignment/eligibility.js';
import type { ExcludedBy } from '../contract/targeting.js';
import { inPercent, legacyUserBuckets, randomBuckets, userBuckets } from '../assignment/buckets.js';
import { encodePropensities } from '../contract/event-log.js';
import type { Population } from '../contract/population.js';
import { promotionStatus } from '../bandit/promotion.js';
import type { Snapshot } from './snapshot.js';

export interface Decision {
  readonly population: Population;
  readonly armIndex: number;
  /**
   * Probability of this arm given the population: the policy's (bandit) or 1 (holdback, excluded).
   * A policy may compute it on first read (Thompson: a quadrature, memoised in the model of the
   * refresh it chose from), so a caller that does not need it (the regret benchmark) does not pay for it.
   */
  readonly propensity: number;
  /** Why the user is excluded, for logs and the response. */
  readonly excludedBy?: ExcludedBy;
  /** Served the promoted arm by the staged rollout: the store must not put back a sticky arm. */
  readonly promoted?: boolean;
  /** Bandit decisions: every arm's probability under the rule this decision was drawn with, encoded for the log (contract/event-log.ts). */
  readonly propensityVector?: string;
}

/** A bandit decision under a promotion at `share`: the promoted arm's share plus the policy's for the rest. */
class PromotedDecision implements Decision {
  readonly population = 'b';
  constructor(private readonly snap: Snapshot, private readonly inner: BanditDecision, readonly armIndex: number, private readonly share: number,
    private readonly promotedIndex: number, readonly promoted: boolean) {}

  get propensity(): number {
    if (this.armIndex !== this.promotedIndex) return (1 - this.share) * this.inner.propensity;
    return this.share + (1 - this.share) * this.policyPropensityOfPromoted();
  }

  /** The rollout's mixture: the promoted arm's share plus (1 - share) times the policy's probabilities. */
  get propensityVector(): string {
    const ps = this.inner.vectorValues().map((p, i) => (1 - this.share) * p + (i === this.promotedIndex ? this.share : 0));
    return encodePropensities(ps);
  }

  /** The probability that the policy alone would have picked the promoted arm (under the model the choice was made with). */
  private policyPropensityOfPromoted(): number {
    if (this.inner.armIndex === this.promotedIndex) return this.inner.propensity;
    return this.snap.engine.policy.propensity(this.inner.model, this.snap.eligible, this.promotedIndex, this.inner.context);
  }

  toJSON(): { population: Population; armIndex: number; propensity: number } {
    return { population: this.population, armIndex: this.armIndex, propensity: this.propensity };
  }
}

/** A bandit decision: the policy's choice, whose propensity is that of the model it was made with (even after a refresh). */
class BanditDecision implements Decision {
  readonly population = 'b';
  constructor(private readonly snap: Snapshot, private readonly choice: Choice, readonly model: unknown, readonly context: DecisionContext) {}

  get armIndex(): number {
    return this.choice.armIndex;
  }

  get propensityVector(): string {
    // A contextual policy's vector is this decision's (issue 23); the others' is the model's, encoded once per refresh.
    const v = this.choice.vector;
    return v ? encodePropensities(v) : this.snap.propensityVector(this.model);
  }

  vectorValues(): readonly number[] {
    return this.choice.vector ?? this.snap.propensities(this.model);
  }

  get propensity(): number {
    return this.choice.propensity;
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
 * the experiment keeps it whatever `holdbackPercent` says now. `attributes`: what targeting sees
 * (default: the context).
 */
export function decide(snap: Snapshot, userId: string | undefined, rng: Rng, nowMs: number, recorded?: 'b' | 'h', context?: DecisionContext,
  attributes: DecisionContext = context): Decision {
  const { config } = snap;
  if (config.status === 'paused') return excluded(snap, 'paused');
  if (snap.endsAtMs !== null && snap.endsAtMs <= nowMs) return excluded(snap, 'ended');
  if (snap.startsAtMs !== null && nowMs < snap.startsAtMs) return excluded(snap, 'not_started');
  if (!snap.hasBanditArm) return excluded(snap, 'no_eligible_arm');
  // Issue 21: who may enter. Targeting is evaluated on every request (a request that does not match
  // is excluded whatever the user's record); the layer range only grows, so a user in stays in.
  if (snap.targeting && !snap.targeting(attributes ?? {})) return excluded(snap, 'targeting');
  if (config.layer && !inLayerRange(config.layer, userId, rng)) return excluded(snap, 'layer');

  const buckets = userId === undefined ? randomBuckets(rng)
    : config.bucketing === 'multiply-shift' ? userBuckets(config.id, userId) : legacyUserBuckets(config.id, userId);
  if (!inPercent(buckets.traffic, config.trafficPercent)) return excluded(snap, 'traffic');
  if (recorded ? recorded === 'h' : inPercent(buckets.holdback, config.holdbackPercent)) return { population: 'h', armIndex: snap.baselineIndex, propensity: 1 };

  const { model } = snap;
  const chosen = new BanditDecision(snap, snap.engine.policy.choose(model, snap.eligible, rng, buckets.unit, context), model, context);
  const promotion = promotionStatus(config.promotion, snap.state.disabled, nowMs);
  const promotedIndex = promotion ? snap.armIds.indexOf(promotion.armId) : -1;
  if (!promotion || promotion.percent === 0 || promotedIndex < 0 || !snap.eligible[promotedIndex]) return chosen;
  const share = promotion.percent / 100;
  const inRollout = (buckets.promotion ?? rng()) < share;
  return new PromotedDecision(snap, chosen, inRollout ? promotedIndex : chosen.armIndex, share, promotedIndex, inRollout);
}
