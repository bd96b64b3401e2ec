/**
 * The `metrics` block of GET /arms (issue 22): each declared metric per arm (bandit population)
 * with an always-valid interval, the holdback's, each arm against the baseline (always-valid, at
 * the user level; Bonferroni over arms x metrics says which differences are established), and the metric
 * guardrail's window (a breach is shown for the baseline, which is never disabled).
 */
import type { z } from 'zod';
import { bonferroni, compareUsersToBaseline, meanInterval } from '../bandit/metric-compare.js';
import { metricBreach } from '../bandit/metric-guardrail.js';
import type { DecisionRule } from '../bandit/decision-rule.js';
import type { DisabledInfo, ExperimentConfig, HistoryPoint } from '../contract/domain.js';
import type { MetricArmStats, MetricConfig, MetricReportSchema, MetricStats, MetricSums } from '../contract/metrics.js';
import type { ServiceContext } from './context.js';

const round = (x: number | null, digits = 6): number | null => (x === null || !Number.isFinite(x) ? null : +x.toFixed(digits));
const roundPair = (p: [number, number] | null) => (p ? p.map((x) => round(x)) : null);
const meanOf = (s: MetricSums): number | null => (s.n > 0 ? s.sum / s.n : null);

type MetricReport = z.infer<typeof MetricReportSchema>;

/** The declared metrics' sums, or null for an experiment without metrics (nothing is read). */
export async function metricStatsOf(ctx: ServiceContext, config: ExperimentConfig): Promise<MetricStats | null> {
  const declared = config.metrics ?? [];
  return declared.length === 0 ? null : ctx.store.getMetricStats(config.id, declared.map((m) => m.name));
}

/** The report's `metrics` and `metricComparisons`, or nothing for an experiment without metrics. */
export async function metricsBlock(ctx: ServiceContext, config: ExperimentConfig, disabled: Record<string, DisabledInfo>, rule: DecisionRule) {
  const stats = await metricStatsOf(ctx, config);
  return stats ? metricsReport(config, config.metrics!, stats, disabled, rule) : {};
}

/** A history point with each arm's metric means (bandit population); unchanged without metrics. */
export function withMetricMeans(point: HistoryPoint, stats: MetricStats | null): HistoryPoint {
  if (!stats) return point;
  const names = Object.keys(stats);
  return {
    ...point,
    arms: point.arms.map((a) => ({
      ...a, metrics: Object.fromEntries(names.map((n) => [n, round(meanOf(stats[n].find((s) => s.armId === a.armId)?.bandit ?? { n: 0, sum: 0, sumSq: 0 }))])),
    })),
  };
}

export function metricsReport(config: ExperimentConfig, declared: readonly MetricConfig[], stats: MetricStats, disabled: Record<string, DisabledInfo>, rule: DecisionRule) {
  const comparisons = bonferroni(rule.alpha, (config.arms.length - 1) * declared.length);
  const metrics: Record<string, MetricReport> = {};
  for (const m of declared) metrics[m.name] = metricReport(config, m, stats[m.name], disabled, rule, comparisons.perComparisonAlpha);
  return { metrics, metricComparisons: comparisons };
}

function metricReport(config: ExperimentConfig, m: MetricConfig, arms: MetricArmStats[], disabled: Record<string, DisabledInfo>, rule: DecisionRule, perComparisonAlpha: number): MetricReport {
  const tuning = rule.sequentialTuningUsers;
  const base = arms.find((a) => a.armId === config.baselineArmId)!;
  const holdback = arms.reduce((s, a) => ({ n: s.n + a.holdback.n, sum: s.sum + a.holdback.sum, sumSq: s.sumSq + a.holdback.sumSq }), { n: 0, sum: 0, sumSq: 0 });
  return {
    kind: m.kind,
    direction: m.direction,
    arms: arms.map((a) => {
      const breach = m.guardrail && !disabled[a.armId] ? metricBreach(m.name, a.window, m.guardrail) : null;
      return {
        armId: a.armId, n: a.bandit.n, mean: round(meanOf(a.bandit)), interval95: roundPair(meanInterval(a.bandit, tuning)),
        ...(m.guardrail && { window: { samples: a.window.samples, mean: round(a.window.samples > 0 ? a.window.sum / a.window.samples : null), ...(breach && { breach }) } }),
      };
    }),
    holdback: { n: holdback.n, mean: round(meanOf(holdback)) },
    vsBaseline: arms.filter((a) => a !== base).map((a) => {
      const d = compareUsersToBaseline(a.bandit, a.users.bandit, base.bandit, base.users.bandit, tuning);
      const established = d !== null && d.pValue <= perComparisonAlpha;
      return {
        armId: a.armId, difference: round(d?.difference ?? null),
        alwaysValid: { interval95: roundPair(d?.interval95 ?? null), pValue: round(d?.pValue ?? null, 9) },
        ...(d && { unit: d.unit }),
        established,
        better: established ? (m.direction === 'increase') === d!.difference > 0 : null,
      };
    }),
  };
}
