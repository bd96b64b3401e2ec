/**
 * Discounted evidence in wall-clock time (discounted Thompson Sampling, Raj & Kalyani 2017,
 * "Taming non-stationary bandits: a Bayesian approach", arXiv:1707.09727; the discounted UCB of
 * Garivier & Moulines 2011, "On upper-confidence bound policies for switching bandit problems").
 *
 * Raj & Kalyani multiply every arm's success and failure counts by gamma at each step. Here the
 * step is time: an observation made `age` seconds ago weighs 2^(-age / halfLifeSeconds). The
 * store keeps, per arm, the decayed sums and the time `at` they are valued at; adding an
 * observation at `now` first brings the sums to `now` (x 2^(-(now - at) / h)) and then adds it.
 * Any replica reading the sums values them at its own `now` the same way, so replicas agree up to
 * their clock difference, whatever order the writes came in (see addObservation). The posterior is then the prior
 * plus the decayed sums (Beta or Normal-Gamma, fractional counts are fine): old evidence fades
 * back towards the prior, and `rewards` of the decayed sums is the effective sample size.
 */
import type { ArmEvidence } from './policy.js';

/** Decayed sums valued at `at` (unix seconds). */
export interface DecayedEvidence extends ArmEvidence {
  at: number;
}

export const EMPTY_EVIDENCE: ArmEvidence = { rewards: 0, sum: 0, sumSq: 0, costs: 0, costSum: 0, costSumSq: 0 };

/** 2^(-elapsed / halfLife); 1 for a non-positive elapsed time (a clock behind `at` never inflates evidence). */
export function decayFactor(elapsedSeconds: number, halfLifeSeconds: number): number {
  return elapsedSeconds > 0 ? Math.pow(2, -elapsedSeconds / halfLifeSeconds) : 1;
}

/** The sums valued at `now`. */
export function decayTo(e: DecayedEvidence, now: number, halfLifeSeconds: number): DecayedEvidence {
  const f = decayFactor(now - e.at, halfLifeSeconds);
  return {
    rewards: e.rewards * f, sum: e.sum * f, sumSq: e.sumSq * f,
    costs: e.costs * f, costSum: e.costSum * f, costSumSq: e.costSumSq * f, at: Math.max(e.at, now),
  };
}

/**
 * One observation at `now`: a reward (or none) and a cost (or none). The store's scripts do exactly
 * this. An observation older than `at` (a replica whose clock is behind) is added with its own
 * decay 2^(-(at - now) / h), so the sums are sum_i x_i 2^(-(at - t_i) / h) whatever the order of
 * the writes.
 */
export function addObservation(e: DecayedEvidence, now: number, halfLifeSeconds: number, reward?: number, cost?: number): DecayedEvidence {
  const d = decayTo(e, now, halfLifeSeconds);
  const w = decayFactor(d.at - now, halfLifeSeconds);
  if (reward !== undefined) {
    d.rewards += w;
    d.sum += w * reward;
    d.sumSq += w * reward * reward;
  }
  if (cost !== undefined) {
    d.costs += w;
    d.costSum += w * cost;
    d.costSumSq += w * cost * cost;
  }
  return d;
}

/** The same sums without the time (what a policy reads). */
export function evidenceOf(e: DecayedEvidence): ArmEvidence {
  return { rewards: e.rewards, sum: e.sum, sumSq: e.sumSq, costs: e.costs, costSum: e.costSum, costSumSq: e.costSumSq };
}
