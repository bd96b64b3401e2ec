/**
 * The experiment history: one point per interval per experiment, cumulative figures as of the time
 * it is written, plus each arm's share of the bandit decisions since the previous point.
 *
 * Every replica runs the writer; points sit at multiples of the interval (epoch-aligned), and the
 * store keeps the first point written for an interval (writeHistoryPoint is SET NX), so any
 * number of replicas write each interval once. A replica that sees the point already written
 * skips the work.
 */
import type { z } from 'zod';
import { allocationShares } from '../bandit/allocation.js';
import type { HistoryResponse } from '../contract/history.js';
import { bestArm } from '../bandit/prob-best.js';
import { ApiError, invalidAt } from '../errors.js';
import type { ExperimentState, ExperimentStats, HistoryPoint } from '../contract/domain.js';
import type { ServiceContext } from './context.js';
import { pooled } from './holdback-report.js';
import { meanOf, round } from './report.js';
import { posteriorOf } from './snapshot.js';
import { metricStatsOf, withMetricMeans } from './metrics-report.js';
import { linearJudgement } from '../bandit/linear-judgement.js';
import { engineFor, evidenceAt } from './engine.js';

export interface HistorySettings {
  intervalSeconds: number;
  retentionSeconds: number;
}

/** The point of `ts` from the experiment's state and tallies now, and the previous point (for the allocation). */
export function historyPoint(state: ExperimentState, stats: ExperimentStats, prev: HistoryPoint | null, ts: number): HistoryPoint {
  const { config, disabled } = state;
  const enabled = stats.arms.map((a) => !disabled[a.armId]);
  const enabledIdx = enabled.flatMap((e, i) => (e ? [i] : []));
  const pBest = config.features ? contextualBest(state, stats, enabled, enabledIdx, ts)
    : bestArm(enabledIdx.map((i) => posteriorOf(config, stats.arms[i].bandit))).probabilityBest;
  const before = stats.arms.map((a) => prev?.arms.find((p) => p.armId === a.armId)?.decisions);
  const shares = allocationShares(stats.arms.map((a) => a.bandit.decisions), before);
  const hold = pooled(stats.arms.map((a) => a.holdback));
  return {
    ts,
    arms: stats.arms.map((a, i) => ({
      armId: a.armId,
      decisions: a.bandit.decisions,
      rewards: a.bandit.rewards,
      meanReward: round(meanOf(a.bandit)),
      probabilityBest: enabled[i] ? round(pBest[enabledIdx.indexOf(i)]) : null,
      allocation: round(shares[i]),
      status: enabled[i] ? 'active' : 'disabled',
    })),
    holdback: { users: hold.users, decisions: hold.decisions, rewards: hold.rewards, meanReward: round(meanOf(hold)) },
  };
}

/** Writes the current interval's point of every experiment that lacks it; returns how many this call wrote. */
export async function writeHistory(ctx: ServiceContext, settings: HistorySettings): Promise<number> {
  const ts = Math.floor(ctx.clock.now() / 1000 / settings.intervalSeconds) * settings.intervalSeconds;
  let written = 0;
  for (const state of await ctx.store.listExperiments()) {
    const id = state.config.id;
    const prev = await ctx.store.lastHistoryPoint(id, ts);
    if (prev?.ts === ts) continue;
    const stats = await ctx.store.getStats(id);
    if (!stats) continue;
    const point = withMetricMeans(historyPoint(state, stats, prev, ts), await metricStatsOf(ctx, state.config));
    if (await ctx.store.writeHistoryPoint(id, point, settings.retentionSeconds)) written++;
  }
  return written;
}

/** GET /experiments/:id/history: the points between two times (unix seconds), with ts as ISO 8601. */
export async function readHistory(ctx: ServiceContext, id: string, fromTs: number, toTs: number, settings: HistorySettings): Promise<z.infer<typeof HistoryResponse>> {
  if (fromTs > toTs) throw invalidAt('invalid_request', 'from', 'must not be after to');
  if (!(await ctx.store.getExperiment(id))) throw new ApiError('experiment_not_found', `experiment '${id}' does not exist`);
  const points = await ctx.store.readHistory(id, fromTs, toTs);
  return {
    experimentId: id,
    intervalSeconds: settings.intervalSeconds,
    retentionSeconds: settings.retentionSeconds,
    from: new Date(fromTs * 1000).toISOString(),
    to: new Date(toTs * 1000).toISOString(),
    points: points.map((p) => ({ ...p, ts: new Date(p.ts * 1000).toISOString() })),
  };
}

/** Issue 23: a contextual experiment's P(best) as /arms defines it (over the contexts seen; bandit/linear-judgement.ts), of the enabled arms in order. */
function contextualBest({ config }: ExperimentState, stats: ExperimentStats, enabled: boolean[], enabledIdx: number[], ts: number): number[] {
  const engine = engineFor(config);
  const evidence = stats.arms.map((a) => evidenceAt(engine, a.bandit, ts, a.linear));
  const judged = linearJudgement(evidence, engine.settings, enabled, stats.arms.map((a) => a.bandit.decisions));
  return enabledIdx.map((i) => judged.probabilityBest[i] ?? 0);
}
