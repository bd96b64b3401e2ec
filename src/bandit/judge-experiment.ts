/**
 * The one basis of every judgement (bandit/judgement.ts) applied to an experiment's stored tallies:
 * the policy's settings and evidence (engine-evidence.ts: net value under costWeight, discounted to `nowS`)
 * and the design effect of returning users. The report, the history points (the dashboard's P(best)
 * chart) and /metrics' bandit health all call this, so none of them judges on another basis.
 * A contextual experiment (issue 23) is judged by its linear models over the contexts seen
 * (bandit/linear-judgement.ts), with each arm's model beside the judgement.
 */
import { judge, type Judgement } from './judgement.js';
import { linearJudgement, type LinearArmModel } from './linear-judgement.js';
import type { ExperimentConfig, ExperimentStats } from '../contract/domain.js';
import { engineFor, evidenceAt } from './engine-evidence.js';
import { designEffect } from './holdback-report.js';

/** The judgement of the bandit population at `nowS` (unix seconds); `enabled`: per arm, what /select may choose. */
export function judgeExperiment(config: ExperimentConfig, stats: ExperimentStats, enabled: readonly boolean[], nowS: number):
  Judgement & { designEffect: number; models?: LinearArmModel[] } {
  const engine = engineFor(config);
  const deff = designEffect(stats);
  const evidence = stats.arms.map((a) => evidenceAt(engine, a.bandit, nowS, a.linear, a.linearBefore));
  const decisions = stats.arms.map((a) => a.bandit.decisions);
  if (config.features) return { ...linearJudgement(evidence, engine.settings, enabled, decisions), designEffect: deff };
  return { ...judge(evidence, engine.settings, enabled, decisions, deff), designEffect: deff };
}
