/**
 * The second-round instances of the regret benchmark (issue 11): drift, cost, exploration floor.
 * One decision per simulated second, so a half-life of H seconds is a half-life of H decisions.
 * References: bench/validity/reference/engine_reference.py (independent numpy implementations), or the
 * same engine without the setting (the paired comparison the issue asks for).
 */
import type { PolicyName } from '../../../src/bandit/policies.js';

export interface EngineInstance {
  key: string;
  title: string;
  model: 'bernoulli' | 'gaussian';
  horizon: number;
  reps: number;
  /** True mean reward of each arm at decision t. */
  means(t: number): readonly number[];
  /** Mean cost per decision of each arm (0: no cost is reported). */
  costs: readonly number[];
  sd: number;
  /** Regret is of the net value reward - lambda * cost (0: of the reward). */
  lambda: number;
}

export interface EngineVariant {
  label: string;
  policy: PolicyName;
  halfLifeSeconds: number;
  costWeight: number;
  minArmShare: number;
  /** The model is prepared again every `batch` decisions (1: immediately after each reward). */
  batch: number;
  /**
   * Candidate (Normal-Gamma only, bench/validity/regret-frontier.ts): the variance evidence (alpha, beta)
   * decays with this half-life instead of halfLifeSeconds; the mean's (mu, lambda) with
   * halfLifeSeconds. West & Harrison's separate variance discount (Bayesian Forecasting and Dynamic
   * Models, 2nd ed. 1997, section 10.8). Undefined: one rate for all the evidence (the service).
   */
  varianceHalfLifeSeconds?: number;
  /**
   * Change detection (src/bandit/glr.ts) on undiscounted evidence: the GLR's delta, and whether
   * every detection restarts the arm (`always`: GLR-klUCB's local restart) or only one that could
   * alter which arm is best (the ranking rule, restartsEvidence). `firstRule`: the split test alone
   * at delta and only the detected arm restarts (the rule before the trend test); `keepOthers`: a
   * fall of the leader leaves the other arms' evidence (restartOther not applied).
   */
  changeDetection?: { falseAlarmRate: number; always: boolean; firstRule?: boolean; keepOthers?: boolean };
  /** Seed the policy's generator without the label, so that variants with it draw the same numbers (bench/validity/regret-changes.ts). */
  sharedPolicySeed?: boolean;
  /** Sum the propensities of every arm at every decision (for the floor check; costs a quadrature per batch for Thompson). */
  trackPropensities?: boolean;
}

const T_DRIFT = 20_000;
/** The half-life of the discounted runs: 5,000 decisions (chosen in RESULTS.md from a sweep on the references). */
export const HALF_LIFE = 5_000;
/** A longer half-life, to show the other side of the trade-off (less cost when nothing drifts, slower recovery). */
export const LONG_HALF_LIFE = 20_000;
const fixedMeans = (m: number[]) => () => m;
const repeat = (x: number, n: number): number[] => Array<number>(n).fill(x);

export const ABRUPT: EngineInstance = {
  key: 'abrupt', title: 'abrupt change: 0.10 vs 0.05, swapped at T/2', model: 'bernoulli', horizon: T_DRIFT, reps: 200,
  means: (t) => (t < T_DRIFT / 2 ? [0.1, 0.05] : [0.05, 0.1]), costs: [0, 0], sd: 0, lambda: 0,
};
export const DRIFT: EngineInstance = {
  key: 'drift', title: 'slow drift: 0.10 -> 0.05 and 0.05 -> 0.10 linearly over T', model: 'bernoulli', horizon: T_DRIFT, reps: 200,
  means: (t) => [0.1 - (0.05 * t) / T_DRIFT, 0.05 + (0.05 * t) / T_DRIFT], costs: [0, 0], sd: 0, lambda: 0,
};
/** Today's stationary instances (bench/validity/sim/instances.ts), for the cost of discounting when nothing drifts. */
export const STATIONARY: EngineInstance[] = [
  { key: 'ten-close', title: '10 arms: 0.10 vs 9 x 0.08', model: 'bernoulli', horizon: 10_000, reps: 200, means: fixedMeans([0.1, ...repeat(0.08, 9)]), costs: repeat(0, 10), sd: 0, lambda: 0 },
  { key: 'two-high', title: '2 arms: 0.9 vs 0.8', model: 'bernoulli', horizon: 5_000, reps: 400, means: fixedMeans([0.9, 0.8]), costs: [0, 0], sd: 0, lambda: 0 },
  { key: 'ten-low', title: '10 arms: 0.1, 3 x 0.05, 3 x 0.02, 3 x 0.01', model: 'bernoulli', horizon: 10_000, reps: 200, means: fixedMeans([0.1, ...repeat(0.05, 3), ...repeat(0.02, 3), ...repeat(0.01, 3)]), costs: repeat(0, 10), sd: 0, lambda: 0 },
  { key: 'gauss-5', title: '5 Gaussian arms: 0, 0.1, 0.2, 0.3, 0.5, sd 1', model: 'gaussian', horizon: 10_000, reps: 200, means: fixedMeans([0, 0.1, 0.2, 0.3, 0.5]), costs: repeat(0, 5), sd: 1, lambda: 0 },
];
/** The best reward (0.12) costs 5x the others; with lambda = 5 the net values are 0.07, 0.09, 0.06. Costs are uniform within +-50% of their mean. */
export const COST: EngineInstance = {
  key: 'cost', title: 'cost: rewards 0.12, 0.10, 0.07; costs 0.01, 0.002, 0.002; lambda 5', model: 'bernoulli', horizon: 10_000, reps: 300,
  means: fixedMeans([0.12, 0.1, 0.07]), costs: [0.01, 0.002, 0.002], sd: 0, lambda: 5,
};
export const COST_WEIGHT = COST.lambda;
export const FLOOR_INSTANCE: EngineInstance = { ...STATIONARY[0], key: 'floor', reps: 200 };
/** Where a 1% floor binds: Thompson gives the 0.01 arms of ten-low far less than 1% by T = 10,000. */
export const FLOOR_BINDING: EngineInstance = { ...STATIONARY[2], key: 'floor-low', reps: 200 };

const v = (label: string, policy: PolicyName, o: Partial<EngineVariant> = {}): EngineVariant => ({
  label, policy, halfLifeSeconds: Infinity, costWeight: 0, minArmShare: 0, batch: 1, ...o,
});

/** Every (instance, variant) the second table runs. */
export const ENGINE_RUNS: { instance: EngineInstance; variants: EngineVariant[] }[] = [
  ...[ABRUPT, DRIFT, ...STATIONARY].map((instance) => ({
    instance, variants: [
      v('Thompson', 'thompson'), v(`discounted Thompson (H ${HALF_LIFE})`, 'thompson', { halfLifeSeconds: HALF_LIFE }),
      v(`discounted Thompson (H ${LONG_HALF_LIFE})`, 'thompson', { halfLifeSeconds: LONG_HALF_LIFE }),
    ],
  })),
  {
    instance: COST, variants: [
      v('Thompson, reward only', 'thompson'),
      v(`cost-aware Thompson (lambda ${COST_WEIGHT})`, 'thompson', { costWeight: COST_WEIGHT }),
      v(`cost-aware UCB (lambda ${COST_WEIGHT})`, 'ucb', { costWeight: COST_WEIGHT }),
    ],
  },
  {
    instance: FLOOR_INSTANCE, variants: [
      v('Thompson, delayed 100', 'thompson', { batch: 100 }),
      v('Thompson + 1% floor, delayed 100', 'thompson', { batch: 100, minArmShare: 0.01, trackPropensities: true }),
      v('UCB1, delayed 100', 'ucb', { batch: 100 }),
      v('UCB1 + 1% floor, delayed 100', 'ucb', { batch: 100, minArmShare: 0.01, trackPropensities: true }),
    ],
  },
  {
    instance: FLOOR_BINDING, variants: [
      v('Thompson, delayed 100', 'thompson', { batch: 100 }),
      v('Thompson + 1% floor, delayed 100', 'thompson', { batch: 100, minArmShare: 0.01, trackPropensities: true }),
    ],
  },
];

/** The half-lives of the frontier (bench/validity/regret-frontier.ts), in seconds = decisions. */
export const FRONTIER_HALF_LIVES = [3_000, 5_000, 7_000, 10_000, 14_000, 20_000, 30_000];

/**
 * The frontier: plain Thompson and discounted Thompson at every half-life of FRONTIER_HALF_LIVES
 * on the drift and stationary instances; on the Gaussian instance also the candidate that keeps
 * the variance evidence undiscounted (varianceHalfLifeSeconds).
 */
export const FRONTIER_RUNS: { instance: EngineInstance; variants: EngineVariant[] }[] = [ABRUPT, DRIFT, ...STATIONARY].map((instance) => ({
  instance, variants: [
    v('Thompson', 'thompson'),
    ...FRONTIER_HALF_LIVES.map((h) => v(`H ${h}`, 'thompson', { halfLifeSeconds: h })),
    ...(instance.model === 'gaussian'
      ? FRONTIER_HALF_LIVES.map((h) => v(`H ${h}, variance undiscounted`, 'thompson', { halfLifeSeconds: h, varianceHalfLifeSeconds: Infinity }))
      : []),
  ],
}));
