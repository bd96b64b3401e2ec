/**
 * Bandit health for /metrics, read from the store at scrape time: per arm the probability of
 * being best (over the enabled arms, as /select chooses among them) and the allocation share, per
 * experiment the entropy of the allocation. The allocation is the arms' shares of the bandit
 * decisions since the newest history point (so, over the current interval); when none was made
 * since, the newest point's own allocation (the interval before); with no point yet, since the start.
 */
import { allocationShares, entropyBits } from '../bandit/allocation.js';
import type { ServiceContext } from './context.js';
import { MAX_EXPERIMENT_LABELS } from '../observability/metrics.js';
import { judgeExperiment } from '../bandit/judge-experiment.js';

export interface ExperimentHealth {
  experimentId: string;
  arms: { armId: string; disabled: boolean; probabilityBest: number | null; allocation: number | null }[];
  allocationEntropyBits: number | null;
}

export async function banditHealth(ctx: ServiceContext): Promise<ExperimentHealth[]> {
  const nowTs = Math.floor(ctx.clock.now() / 1000);
  const states = (await ctx.store.listExperiments()).slice(0, MAX_EXPERIMENT_LABELS);
  return Promise.all(states.map(async ({ config, disabled }) => {
    const [stats, last] = await Promise.all([ctx.store.getStats(config.id), ctx.store.lastHistoryPoint(config.id, nowTs)]);
    const arms = stats?.arms ?? [];
    // The report's basis (bandit/judge-experiment.ts), so /metrics and /arms agree.
    const pBest = stats ? judgeExperiment(config, stats, arms.map((a) => !disabled[a.armId]), ctx.clock.now() / 1000).probabilityBest : [];
    const lastArms = arms.map((a) => last?.arms.find((p) => p.armId === a.armId));
    let shares = allocationShares(arms.map((a) => a.bandit.decisions), lastArms.map((p) => p?.decisions));
    if (shares.every((s) => s === null) && last) shares = lastArms.map((p) => p?.allocation ?? null);
    return {
      experimentId: config.id,
      arms: arms.map((a, i) => ({
        armId: a.armId,
        disabled: Boolean(disabled[a.armId]),
        probabilityBest: pBest[i] ?? null,
        allocation: shares[i],
      })),
      allocationEntropyBits: entropyBits(shares),
    };
  }));
}
