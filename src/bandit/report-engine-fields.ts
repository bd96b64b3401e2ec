/**
 * The report's engine figures (issue 11), per arm: the effective sample size of a discounted
 * experiment, and the net value reward - lambda * cost with its P(best) for a cost-aware one.
 * Computed from the same evidence the snapshot's policy reads (engine-evidence.ts), valued at `nowS`.
 */
import type { z } from 'zod';
import { costEstimates } from './cost.js';
import type { ENGINE_ARM_FIELDS } from '../contract/report.js';
import type { Judgement } from './judgement.js';
import { posteriorFor } from './posterior.js';
import type { ArmPosterior } from './posterior-types.js';
import { probabilityBestAmong, samplingPosteriors } from './thompson.js';
import type { ExperimentConfig, ExperimentStats } from '../contract/domain.js';
import { engineFor, evidenceAt } from './engine-evidence.js';

const round = (x: number): number | null => (Number.isFinite(x) ? +x.toFixed(6) : null);

/** The report arm's engine figures (ENGINE_ARM_FIELDS): effectiveSampleSize with a discount, netValue with an objective, changes with change detection. */
export type EngineArmFields = z.infer<z.ZodObject<typeof ENGINE_ARM_FIELDS>>;

/** The reward posteriors the report shows: discounted to `nowS` when the experiment has a half-life. */
export function reportPosteriors(config: ExperimentConfig, stats: ExperimentStats, nowS: number): ArmPosterior[] {
  const engine = engineFor(config);
  // The hurdle model's posteriors are the ones Thompson draws from (they share a pooled prior).
  if (config.rewardShape) return samplingPosteriors(stats.arms.map((a) => evidenceAt(engine, a.bandit, nowS)), engine.settings);
  return stats.arms.map((a) => posteriorFor(config.rewardModel, config.prior, evidenceAt(engine, a.bandit, nowS), config.rewardBounds));
}

/** `judged`: the report's one basis (bandit/judgement.ts); the net value's mean and P(best) are its. */
export function engineArmFields(config: ExperimentConfig, stats: ExperimentStats, enabled: readonly boolean[], nowS: number, judged: Judgement): EngineArmFields[] {
  const engine = engineFor(config);
  const evidence = stats.arms.map((a) => evidenceAt(engine, a.bandit, nowS));
  const out: EngineArmFields[] = stats.arms.map(() => ({}));
  if (engine.halfLifeSeconds !== null) evidence.forEach((e, i) => { out[i].effectiveSampleSize = round(e.rewards); });
  if (config.changeDetection) {
    const iso = (s: number): string => new Date(s * 1000).toISOString();
    stats.arms.forEach((a, i) => {
      out[i].changes = (a.bandit.changes ?? []).map((c) => ({ detectedAt: iso(c.detectedAt), at: iso(c.at) }));
      out[i].rewardsSinceChange = evidence[i].rewards;
    });
  }
  const lambda = engine.settings.costWeight;
  if (lambda > 0) {
    const costs = costEstimates(evidence);
    judged.means.forEach((m, i) => {
      const pBest = judged.probabilityBest[i];
      out[i].netValue = { costWeight: lambda, meanCost: round(costs[i].mean), mean: round(m), probabilityBest: pBest === null ? null : round(pBest) };
    });
  }
  return out;
}
