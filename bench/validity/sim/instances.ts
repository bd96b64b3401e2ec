/**
 * The instances of the regret benchmark, their reference values and their Lai-Robbins constants.
 *
 * References: mean cumulative pseudo-regret with its standard error, from an independent numpy
 * implementation on the same instances (given with the issue that asked for this benchmark;
 * recorded in bench/RESULTS.md). UCB1 there is plain UCB1: each arm once, then
 * mean + sqrt(2 ln t / n).
 */

export type SimPolicy = 'thompson' | 'ucb';

export interface Reference {
  horizon: number;
  mean: number;
  se: number;
}

export interface Instance {
  /** Short name, used in seeds and the table. */
  key: string;
  title: string;
  model: 'bernoulli' | 'gaussian';
  /** True mean reward of each arm (success rate for bernoulli). */
  means: number[];
  /** Standard deviation of the rewards (gaussian only). */
  sd: number;
  horizon: number;
  reps: number;
  /** Decisions after which the cumulative regret is recorded; the last is the horizon. */
  checkpoints: number[];
  reference: Partial<Record<SimPolicy, Reference>>;
}

const repeat = (x: number, n: number): number[] => Array<number>(n).fill(x);

export const INSTANCES: Instance[] = [
  {
    key: 'ten-close',
    title: '10 arms: 0.10 vs 9 x 0.08',
    model: 'bernoulli',
    means: [0.1, ...repeat(0.08, 9)],
    sd: 0,
    horizon: 10_000,
    reps: 500,
    checkpoints: [1_000, 10_000],
    reference: { thompson: { horizon: 10_000, mean: 127.8, se: 0.7 }, ucb: { horizon: 10_000, mean: 173.7, se: 0.1 } },
  },
  {
    key: 'two-high',
    title: '2 arms: 0.9 vs 0.8 (Garivier & Cappe 2011)',
    model: 'bernoulli',
    means: [0.9, 0.8],
    sd: 0,
    horizon: 5_000,
    reps: 2_000,
    checkpoints: [5_000],
    reference: { thompson: { horizon: 5_000, mean: 9.1, se: 0.05 }, ucb: { horizon: 5_000, mean: 64.4, se: 0.06 } },
  },
  {
    key: 'ten-low',
    title: '10 arms: 0.1, 3 x 0.05, 3 x 0.02, 3 x 0.01 (Garivier & Cappe 2011)',
    model: 'bernoulli',
    means: [0.1, ...repeat(0.05, 3), ...repeat(0.02, 3), ...repeat(0.01, 3)],
    sd: 0,
    horizon: 10_000,
    reps: 500,
    checkpoints: [10_000],
    reference: { thompson: { horizon: 10_000, mean: 81.0, se: 0.24 }, ucb: { horizon: 10_000, mean: 500.3, se: 0.23 } },
  },
  {
    key: 'gauss-5',
    title: '5 Gaussian arms: 0, 0.1, 0.2, 0.3, 0.5, sd 1 (Normal-Gamma)',
    model: 'gaussian',
    means: [0, 0.1, 0.2, 0.3, 0.5],
    sd: 1,
    horizon: 10_000,
    reps: 500,
    checkpoints: [10_000],
    reference: {},
  },
];

/** Bernoulli KL divergence KL(p || q), in nats. */
export function bernoulliKl(p: number, q: number): number {
  const term = (a: number, b: number) => (a === 0 ? 0 : a * Math.log(a / b));
  return term(p, q) + term(1 - p, 1 - q);
}

/**
 * The Lai-Robbins constant C: any uniformly good policy has regret >= (C - o(1)) ln T.
 * Bernoulli: sum over suboptimal arms of (mu* - mu_a) / KL(mu_a, mu*).
 * Gaussian with known variance sd^2: KL = (mu* - mu_a)^2 / (2 sd^2), so sum 2 sd^2 / (mu* - mu_a).
 * (The Normal-Gamma model does not know the variance; the known-variance bound is the usual yardstick.)
 */
export function laiRobbins(inst: Instance): number {
  const best = Math.max(...inst.means);
  let c = 0;
  for (const mu of inst.means) {
    if (mu === best) continue;
    const gap = best - mu;
    c += inst.model === 'bernoulli' ? gap / bernoulliKl(mu, best) : (2 * inst.sd * inst.sd) / gap;
  }
  return c;
}
