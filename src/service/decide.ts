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
import { inPercent, randomBuckets, userBuckets } from '../assignment/buckets.js';
import type { Population } from '../store/store.js';
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
  readonly excludedBy?: 'paused' | 'ended' | 'traffic' | 'no_eligible_arm';
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
  if (!snap.hasBanditArm) return excluded(snap, 'no_eligible_arm');

  const buckets = userId === undefined ? randomBuckets(rng) : userBuckets(config.id, userId);
  if (!inPercent(buckets.traffic, config.trafficPercent)) return excluded(snap, 'traffic');
  if (recorded ? recorded === 'h' : inPercent(buckets.holdback, config.holdbackPercent)) return { population: 'h', armIndex: snap.baselineIndex, propensity: 1 };

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
      const c = fixedChoose(config.arms.map((a) => a.weight ?? 1), snap.eligible, buckets.unit);
      return { population: 'b', armIndex: c.index, propensity: c.propensity };
    }
  }
}
