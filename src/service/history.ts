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
import { ApiError, invalidAt } from '../errors.js';
import type { DetectedChange, ExperimentState, ExperimentStats, HistoryPoint } from '../contract/domain.js';
import type { ServiceContext } from './context.js';
import { pooled } from '../bandit/holdback-report.js';
import { meanOf, round } from './report.js';
import { judgeExperiment } from '../bandit/judge-experiment.js';
import { pageTurn } from './log-turns.js';
import { metricStatsOf, withMetricMeans } from './metrics-report.js';

export interface HistorySettings {
  intervalSeconds: number;
  retentionSeconds: number;
}

/**
 * The point of `ts` from the experiment's state and tallies now, and the previous point (for the
 * allocation). Its probabilityBest is the report's (bandit/judge-experiment.ts: the net value under costWeight, the
 * evidence discounted to `nowS`, at the user level; a contextual experiment's over the contexts
 * seen, issue 23), so the chart and /arms agree.
 */
export function historyPoint(state: ExperimentState, stats: ExperimentStats, prev: HistoryPoint | null, ts: number, nowS = ts): HistoryPoint {
  const { config, disabled } = state;
  const enabled = stats.arms.map((a) => !disabled[a.armId]);
  const pBest = judgeExperiment(config, stats, enabled, nowS).probabilityBest;
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
      probabilityBest: round(pBest[i]),
      allocation: round(shares[i]),
      status: enabled[i] ? 'active' : 'disabled',
      ...changeMarks(a.bandit.changes, prev?.ts ?? -Infinity, ts),
    })),
    holdback: { users: hold.users, decisions: hold.decisions, rewards: hold.rewards, meanReward: round(meanOf(hold)) },
  };
}

/** The arm's changes detected in [from, to) (issue 24), newest first, as the point's marks; nothing when none. */
function changeMarks(changes: readonly DetectedChange[] | undefined, from: number, to: number): { changes?: { detectedAt: string; at: string }[] } {
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  const marks = (changes ?? []).filter((c) => c.detectedAt >= from && c.detectedAt < to).map((c) => ({ detectedAt: iso(c.detectedAt), at: iso(c.at) }));
  return marks.length > 0 ? { changes: marks } : {};
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
    const point = withMetricMeans(historyPoint(state, stats, prev, ts, ctx.clock.now() / 1000), await metricStatsOf(ctx, state.config));
    if (await ctx.store.writeHistoryPoint(id, point, settings.retentionSeconds)) written++;
  }
  return written;
}

/**
 * Points read per store call by GET /history: a week of one-minute points is 10,080, so the range
 * is read a page at a time, each page in a turn of the event loop of its own (log-turns.ts, shared
 * with the log's readers), never the whole range in one call.
 */
export const HISTORY_PAGE = 200;

/** The points of [fromTs, toTs], oldest first, a page (HISTORY_PAGE) at a time. */
export async function historyPoints(ctx: ServiceContext, id: string, fromTs: number, toTs: number, pageSize = HISTORY_PAGE): Promise<HistoryPoint[]> {
  const points: HistoryPoint[] = [];
  for (let from = fromTs; from <= toTs;) {
    await pageTurn();
    const page = await ctx.store.readHistory(id, from, toTs, pageSize);
    points.push(...page);
    if (page.length < pageSize) break;
    from = page[page.length - 1].ts + 1;
  }
  return points;
}

/** GET /experiments/:id/history: the points between two times (unix seconds), with ts as ISO 8601. */
export async function readHistory(ctx: ServiceContext, id: string, fromTs: number, toTs: number, settings: HistorySettings): Promise<z.infer<typeof HistoryResponse>> {
  if (fromTs > toTs) throw invalidAt('invalid_request', 'from', 'must not be after to');
  if (!(await ctx.store.getExperiment(id))) throw new ApiError('experiment_not_found', `experiment '${id}' does not exist`);
  const points = await historyPoints(ctx, id, fromTs, toTs);
  return {
    experimentId: id,
    intervalSeconds: settings.intervalSeconds,
    retentionSeconds: settings.retentionSeconds,
    from: new Date(fromTs * 1000).toISOString(),
    to: new Date(toTs * 1000).toISOString(),
    points: points.map((p) => ({ ...p, ts: new Date(p.ts * 1000).toISOString() })),
  };
}
