/**
 * The decision rule of one request, as a pure function of the cached snapshot: which population
 * the user is in, which arm, and with what probability. `/select` runs it, and so does the
 * regret benchmark (`bench/sim/engine.ts`), so what is measured is what is served.
 */
import type { Choice, DecisionContext } from '../bandit/policy.js';
import type { Rng } from '../bandit/random.js';
import { inPercent, randomBuckets, userBuckets } from '../assignment/buckets.js';
import type { Population } from '../store/store.js';
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
  readonly excludedBy?: 'paused' | 'ended' | 'traffic' | 'no_eligible_arm';
}

/** A bandit decision: the policy's choice, whose propensity is that of the model it was made with (even after a refresh). */
class BanditDecision implements Decision {
  readonly population = 'b';
  constructor(private readonly choice: Choice) {}

  get armIndex(): number {
    return this.choice.armIndex;
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

export function decide(snap: Snapshot, userId: string | undefined, rng: Rng, nowMs: number, context?: DecisionContext): Decision {
  const { config } = snap;
  if (config.status === 'paused') return excluded(snap, 'paused');
  if (snap.endsAtMs !== null && snap.endsAtMs <= nowMs) return excluded(snap, 'ended');
  if (!snap.hasBanditArm) return excluded(snap, 'no_eligible_arm');

  const buckets = userId === undefined ? randomBuckets(rng) : userBuckets(config.id, userId);
  if (!inPercent(buckets.traffic, config.trafficPercent)) return excluded(snap, 'traffic');
  if (inPercent(buckets.holdback, config.holdbackPercent)) return { population: 'h', armIndex: snap.baselineIndex, propensity: 1 };

  return new BanditDecision(snap.engine.policy.choose(snap.model, snap.eligible, rng, buckets.unit, context));
}
