/**
 * The decision rule of one request, as a pure function of the cached snapshot: which population
 * the user is in, which arm, and with what probability. `/select` runs it, and so does the
 * regret benchmark, so what is measured is what is served.
 */
import { fixedChoose } from '../bandit/fixed.js';
import type { Rng } from '../bandit/random.js';
import { thompsonChoose } from '../bandit/thompson.js';
import { ucbChoose } from '../bandit/ucb.js';
import { inPercent, randomBuckets, userBuckets } from '../assignment/buckets.js';
import type { Population } from '../store/store.js';
import type { Snapshot } from './snapshot.js';

export interface Decision {
  population: Population;
  armIndex: number;
  /** Probability of this arm given the population: the policy's (bandit) or 1 (holdback, excluded). */
  propensity: number;
  /** Why the user is excluded, for logs and the response. */
  excludedBy?: 'paused' | 'ended' | 'traffic' | 'no_eligible_arm';
}

export function decide(snap: Snapshot, userId: string | undefined, rng: Rng, nowMs: number): Decision {
  const { config } = snap;
  const excluded = (excludedBy: Decision['excludedBy']): Decision => ({ population: 'x', armIndex: snap.baselineIndex, propensity: 1, excludedBy });
  if (config.status === 'paused') return excluded('paused');
  if (config.endsAt !== null && Date.parse(config.endsAt) <= nowMs) return excluded('ended');
  if (!snap.eligible.some((e, i) => e && i !== snap.baselineIndex)) return excluded('no_eligible_arm');

  const buckets = userId === undefined ? randomBuckets(rng) : userBuckets(config.id, userId);
  if (!inPercent(buckets.traffic, config.trafficPercent)) return excluded('traffic');
  if (inPercent(buckets.holdback, config.holdbackPercent)) return { population: 'h', armIndex: snap.baselineIndex, propensity: 1 };

  switch (config.policy) {
    case 'thompson': {
      const armIndex = thompsonChoose(snap.posteriors, snap.eligible, rng);
      return { population: 'b', armIndex, propensity: snap.thompsonPropensities()[armIndex] };
    }
    case 'ucb': {
      const c = ucbChoose(config.rewardModel, snap.stats.arms.map((a) => a.bandit), snap.eligible, rng);
      return { population: 'b', armIndex: c.index, propensity: c.propensity };
    }
    case 'fixed': {
      const c = fixedChoose(config.arms.map((a) => a.weight ?? 1), snap.eligible, buckets.unit);
      return { population: 'b', armIndex: c.index, propensity: c.propensity };
    }
  }
}
