/** GET /arms: the posterior and regret report, read fresh from the store (never from the cache). */
import type { z } from 'zod';
import type { ReportResponse } from '../contract/report.js';
import { credibleInterval } from '../bandit/mean-marginal.js';
import { posteriorMean, type Posterior } from '../bandit/posterior.js';
import { bestArm } from '../bandit/prob-best.js';
import { plugInRegret } from '../bandit/regret.js';
import { decisionRuleOf, recommend } from '../bandit/decision-rule.js';
import { experimentNotFound } from '../errors.js';
import { checkGuardrails, p95, type Breach } from '../bandit/guardrails.js';
import type { DisabledInfo, GuardrailWindow, Guardrails, Tally } from '../contract/domain.js';
import type { ServiceContext } from './context.js';
import { applyDueDefaults } from './default-rewards.js';
import { engineArmFields, reportPosteriors } from './engine-report.js';
import { designEffect, holdbackReport, pooled } from './holdback-report.js';
import { promotionStatus } from './promotion.js';
import { metricsBlock } from './metrics-report.js';
import { posteriorOf } from './snapshot.js';

export const round = (x: number | null, digits = 6): number | null => (x === null || !Number.isFinite(x) ? null : +x.toFixed(digits));
export const meanOf = (t: Tally): number | null => (t.rewards > 0 ? t.sum / t.rewards : null);

/** The report, typed by its schema (ReportResponse) so that the answer and the document cannot drift apart. */
export async function report(ctx: ServiceContext, experimentId: string): Promise<z.infer<typeof ReportResponse>> {
  // Defaults due now are counted before the figures are read (default-rewards.ts).
  const cached = await ctx.cache.get(experimentId, ctx.clock.now());
  if (cached?.config.defaultReward) await applyDueDefaults(ctx, cached.config);
  const [state, stats, windows] = await Promise.all([
    ctx.store.getExperiment(experimentId), ctx.store.getStats(experimentId), ctx.store.getGuardrailWindows(experimentId),
  ]);
  if (!state || !stats) throw experimentNotFound(experimentId);
  const { config, disabled } = state;
  const nowS = ctx.clock.now() / 1000;
  // Discounted to now when the experiment has a half-life (the posteriors the policy draws from).
  const posteriors = reportPosteriors(config, stats, nowS);
  const means = posteriors.map(posteriorMean);
  const enabled = stats.arms.map((a) => !disabled[a.armId]);
  const engineFields = engineArmFields(config, stats, enabled, nowS);
  const { probabilityBest: pBest, expectedLoss: loss } = overEnabled(posteriors, enabled);
  const regret = plugInRegret(means, stats.arms.map((a) => a.bandit.decisions), enabled);

  const arms = stats.arms.map((a, i) => ({
    armId: a.armId,
    baseline: a.armId === config.baselineArmId,
    status: disabled[a.armId] ? 'disabled' as const : 'active' as const,
    disabled: disabled[a.armId] ?? null,
    decisions: a.bandit.decisions,
    rewards: a.bandit.rewards,
    rewardSum: round(a.bandit.sum),
    meanReward: round(meanOf(a.bandit)),
    posterior: posteriors[i],
    posteriorMean: round(means[i]),
    credibleInterval95: credibleInterval(posteriors[i], 0.95).map((x) => round(x)),
    probabilityBest: round(pBest[i]),
    expectedLoss: round(loss[i]),
    guardrails: guardrailView(windows[a.armId], config.guardrails, disabled[a.armId]),
    ...engineFields[i],
  }));

  const rule = decisionRuleOf(config.decisionRule);
  const holdback = holdbackReport(config, stats, rule);
  const bandit = pooled(stats.arms.map((a) => a.bandit));
  const hold = pooled(stats.arms.map((a) => a.holdback));
  const inExperiment = hold.decisions + bandit.decisions;
  // The rule weighs the arms' evidence at the user level: each arm's sums shrunk by the design effect.
  const deff = designEffect(stats);
  const ruleBest = deff > 1
    ? overEnabled(stats.arms.map((a) => posteriorOf(config, shrink(a.bandit, deff))), enabled)
    : { probabilityBest: pBest, expectedLoss: loss };
  const recommendation = {
    ...recommend(stats.arms.map((a, i) => ({
      armId: a.armId, enabled: enabled[i], baseline: a.armId === config.baselineArmId,
      users: a.bandit.users + (a.armId === config.baselineArmId ? a.holdback.users : 0),
      probabilityBest: ruleBest.probabilityBest[i], expectedLoss: ruleBest.expectedLoss[i],
    })), holdback.srm.pValue, rule),
    designEffect: round(deff, 3),
  };

  return {
    experimentId: config.id,
    policy: config.policy,
    rewardModel: config.rewardModel,
    status: config.status,
    ended: config.endsAt !== null && Date.parse(config.endsAt) <= ctx.clock.now(),
    totals: { decisions: inExperiment, rewards: hold.rewards + bandit.rewards, excludedDecisions: pooled(stats.arms.map((a) => a.excluded)).decisions },
    arms,
    regret: { estimatedCumulative: round(regret.cumulative), estimatedPerDecision: round(regret.perDecision) },
    holdback,
    recommendation,
    promotion: promotionStatus(config.promotion, disabled, ctx.clock.now()),
    archivedAt: config.archivedAt ?? null,
    ...(await metricsBlock(ctx, config, disabled, rule)),
  };
}

/** A tally worth 1/deff as many independent rewards (same mean and variance): Kish's effective sample size. */
const shrink = (t: Tally, deff: number): Tally => ({ ...t, rewards: t.rewards / deff, sum: t.sum / deff, sumSq: t.sumSq / deff });

/** P(best) and expected loss among the enabled arms (what /select chooses from); null for a disabled arm. */
function overEnabled(posteriors: Posterior[], enabled: boolean[]): { probabilityBest: (number | null)[]; expectedLoss: (number | null)[] } {
  const idx = enabled.flatMap((e, i) => (e ? [i] : []));
  const best = bestArm(idx.map((i) => posteriors[i]));
  const probabilityBest: (number | null)[] = enabled.map(() => null);
  const expectedLoss: (number | null)[] = enabled.map(() => null);
  idx.forEach((i, j) => { probabilityBest[i] = best.probabilityBest[j]; expectedLoss[i] = best.expectedLoss[j]; });
  return { probabilityBest, expectedLoss };
}

/** The window's observed values; `breach` is set when a limit is exceeded (shown for the baseline, which is never disabled). */
function guardrailView(w: GuardrailWindow | undefined, limits: Guardrails | null, disabledInfo: DisabledInfo | undefined) {
  if (!w) return null;
  const breach: Breach | null = limits && !disabledInfo ? checkGuardrails(w, limits) : null;
  return {
    samples: w.samples,
    latencyP95Ms: round(p95(w.latencies)),
    meanCost: round(w.costSamples > 0 ? w.costSum / w.costSamples : null),
    errorRate: round(w.samples > 0 ? w.errors / w.samples : null),
    ...(breach && { breach }),
  };
}
