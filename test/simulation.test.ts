/**
 * A seeded simulation through the service's own use cases (select, reward, report) on the
 * embedded store: Bernoulli arms 0.04 / 0.05 / 0.07, Thompson Sampling, 20,000 decisions.
 */
import { describe, expect, it } from 'vitest';
import { makeRng } from '../src/bandit/random.js';
import { ServiceContext } from '../src/service/context.js';
import { createExperiment } from '../src/service/experiments.js';
import { report } from '../src/service/report.js';
import { reward } from '../src/service/reward.js';
import { select } from '../src/service/select.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { CreateExperimentSchema } from '../src/contract/experiment.js';
import { TestClock } from './helpers/app.js';

const RATES: Record<string, number> = { a: 0.04, b: 0.05, c: 0.07 };
const BEST = 0.07;
const N = 20_000;
/** Requests arrive every 10 ms, so the cached posterior (refreshed each second) lags by up to 100 decisions. */
const STEP_MS = 10;

async function simulate(seed: string) {
  const clock = new TestClock();
  const ctx = new ServiceContext(new MemoryStore(), 'sim-secret-0123456789', clock);
  await createExperiment(ctx, CreateExperimentSchema.parse({ id: 'sim', arms: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], rewardModel: 'bernoulli', seed }));
  const world = makeRng(`world-${seed}`);
  let trueRegret = 0;
  const lastWindow: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < N; i++) {
    clock.advance(STEP_MS);
    const d = await select(ctx, 'sim', `user-${i}`);
    trueRegret += BEST - RATES[d.armId];
    if (i >= N - 5000) lastWindow[d.armId] += 1;
    await reward(ctx, { decisionId: d.decisionId, reward: world() < RATES[d.armId] ? 1 : 0 });
  }
  return { trueRegret, lastWindow, rep: await report(ctx, 'sim') };
}

/**
 * The stated tolerance: the plug-in estimate differs from the true regret only through the error
 * of the estimated means, sum_a n_a * ((m_best - m_a) - (p_best - p_a)). Its standard error, from
 * the binomial variance of each mean (n_a rewards each), is
 * sqrt(sum_{a != best} n_a m_a (1 - m_a) + (sum_{a != best} n_a)^2 m_best (1 - m_best) / n_best).
 * The estimate must be within 3 of those of the truth.
 */
function regretStandardError(arms: { decisions: number; meanReward: number | null }[], best: number): number {
  let v = 0;
  let others = 0;
  arms.forEach((a, i) => {
    if (i === best) return;
    const m = a.meanReward ?? 0;
    v += a.decisions * m * (1 - m);
    others += a.decisions;
  });
  const mb = arms[best].meanReward!;
  return Math.sqrt(v + (others * others * mb * (1 - mb)) / arms[best].decisions);
}

describe('seeded simulation: Thompson Sampling on 0.04 / 0.05 / 0.07', () => {
  it.each(['s1', 's2', 's5'])('seed %s: the best arm takes most of the last 5,000 decisions; estimated regret within 3 standard errors of the true regret', async (seed) => {
    const { trueRegret, lastWindow, rep } = await simulate(seed);
    expect(lastWindow.c).toBeGreaterThan(2500);
    expect(rep.totals.decisions).toBe(N);
    const est = rep.regret.estimatedCumulative!;
    const se = regretStandardError(rep.arms, 2);
    expect(se).toBeGreaterThan(0);
    expect(se).toBeLessThan(trueRegret);
    expect(Math.abs(est - trueRegret)).toBeLessThan(3 * se);
  }, 120_000);
});
