/** GET /arms: the posterior and regret report, read fresh from the store (never from the cache). */
import type { z } from 'zod';
import type { ReportResponse } from '../contract/report.js';
import { armCentre, armInterval } from '../bandit/arm-posterior.js';
import { EMPTY_HURDLE, hurdleSupport } from '../bandit/hurdle.js';
import type { ArmEvidence } from '../bandit/policy.js';
import { bestArm } from '../bandit/prob-best.js';
import { plugInRegret } from '../bandit/regret.js';
import { judgeExperiment } from '../bandit/judge-experiment.js';
import type { LinearArmModel } from '../bandit/linear-judgement.js';
import { toUnits } from '../bandit/bounded.js';
import { normalSupport, type Support } from '../bandit/support.js';
import { decisionRuleOf, recommend } from '../bandit/decision-rule.js';
import { experimentNotFound } from '../errors.js';
import { checkGuardrails, p95, type Breach } from '../bandit/guardrails.js';
import type { DisabledInfo, ExperimentConfig, GuardrailWindow, Guardrails, Tally } from '../contract/domain.js';
import type { ServiceContext } from './context.js';
import { engineArmFields, reportPosteriors } from '../bandit/report-engine-fields.js';
import { engineFor, evidenceAt } from '../bandit/engine-evidence.js';
import { holdbackReport, pooled } from '../bandit/holdback-report.js';
import { promotionStatus } from '../bandit/promotion.js';
import { metricsBlock } from './metrics-report.js';
import { posteriorOf } from './snapshot.js';

export const round = (x: number | null, digits = 6): number | null => (x === null || !Number.isFinite(x) ? null : +x.toFixed(digits));
export const meanOf = (t: Tally): number | null => (t.rewards > 0 ? t.sum / t.rewards : null);

/** The report, typed by its schema (ReportResponse) so that the answer and the document cannot drift apart. */
export async function report(ctx: ServiceContext, experimentId: string): Promise<z.infer<typeof ReportResponse>> {
  const [state, stats, windows] = await Promise.all([
    ctx.store.getExperiment(experimentId), ctx.store.getStats(experimentId), ctx.store.getGuardrailWindows(experimentId),
  ]);
  if (!state || !stats) throw experimentNotFound(experimentId);
  const { config, disabled } = state;
  const nowS = ctx.clock.now() / 1000;
  // Discounted to now when the experiment has a half-life (the posteriors the policy draws from).
  const posteriors = reportPosteriors(config, stats, nowS);
  // With rewardBounds the posteriors are in [0, 1] units (bandit/bounded.ts): means and intervals are mapped back.
  const bounds = config.rewardBounds ?? null;
  const inUnits = (y: number): number => (bounds ? toUnits(y, bounds) : y);
  const means = posteriors.map((p) => inUnits(armCentre(p)));
  const enabled = stats.arms.map((a) => !disabled[a.armId]);
  // One basis (bandit/judgement.ts): what the policy optimises, from the evidence it reads, at the user level.
  const engine = engineFor(config);
  // Issue 23: a contextual experiment is judged by its linear models over the contexts seen (bandit/judge-experiment.ts, bandit/linear-judgement.ts).
  const judged = judgeExperiment(config, stats, enabled, nowS);
  const deff = judged.designEffect;
  const models = judged.models;
  const engineFields = engineArmFields(config, stats, enabled, nowS, judged);
  const regret = judged.regret;

  // Whether each arm's data can support a normal-theory interval yet (gaussian without rewardBounds; bandit/support.ts).
  const support = stats.arms.map((a) => supportOf(config, evidenceAt(engine, a.bandit, nowS)));
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
    credibleInterval95: support[i].supported ? armInterval(posteriors[i], 0.95).map((x) => round(inUnits(x))) : null,
    support: support[i],
    probabilityBest: round(judged.probabilityBest[i]),
    expectedLoss: round(judged.expectedLoss[i]),
    guardrails: guardrailView(windows[a.armId], config.guardrails, disabled[a.armId]),
    ...engineFields[i],
    ...(models && { model: modelView(models[i]) }),
  }));

  const rule = decisionRuleOf(config.decisionRule);
  const holdback = holdbackReport(config, stats, rule);
  const bandit = pooled(stats.arms.map((a) => a.bandit));
  const hold = pooled(stats.arms.map((a) => a.holdback));
  const inExperiment = hold.decisions + bandit.decisions;
  const recommendation = {
    ...recommend(stats.arms.map((a, i) => ({
      armId: a.armId, enabled: enabled[i], baseline: a.armId === config.baselineArmId,
      users: a.bandit.users + (a.armId === config.baselineArmId ? a.holdback.users : 0),
      probabilityBest: judged.probabilityBest[i], expectedLoss: judged.expectedLoss[i], unsupported: support[i].reason,
    })), holdback.srm.pValue, rule, judgedName(engine.settings.costWeight),
    { hasHoldback: config.holdbackPercent > 0 || hold.users > 0, interval: holdback.alwaysValid.interval95 as [number | null, number | null] | null }),
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
    rewardBounds: bounds,
    basis: basisOf(engine.settings.costWeight, engine.halfLifeSeconds, deff, config.changeDetection != null),
    holdback,
    recommendation,
    promotion: promotionStatus(config.promotion, disabled, ctx.clock.now()),
    archivedAt: config.archivedAt ?? null,
    ...(await metricsBlock(ctx, config, disabled, rule)),
  };
}

const judgedName = (costWeight: number): string => (costWeight > 0 ? `net value (reward - ${costWeight} x cost)` : 'reward');

/** An arm's linear model as /arms shows it (issue 23), rounded. */
const modelView = (m: LinearArmModel) => ({
  rewards: m.rewards, noiseSd: round(m.noiseSd), contextProbability: round(m.contextProbability),
  coefficients: Object.fromEntries(Object.entries(m.coefficients).map(([k, c]) => [k, { mean: round(c.mean), interval95: c.interval95.map((x) => round(x)) }])),
});

const SUPPORTED: Support = { supported: true, neededRewards: null, reason: null };

/** Whether the arm's data can support its interval: the hurdle model's check, Cochran's rule for a normal-theory one, else always. */
function supportOf(config: ExperimentConfig, e: ArmEvidence): Support {
  if (config.rewardShape === 'hurdle-lognormal') return hurdleSupport(e.rewards, e.hurdle ?? EMPTY_HURDLE);
  return config.rewardModel === 'gaussian' && !config.rewardBounds ? normalSupport(e) : SUPPORTED;
}

/** The report's basis in words (bandit/judgement.ts). */
function basisOf(costWeight: number, halfLifeSeconds: number | null, deff: number, changes: boolean) {
  const quantity = costWeight > 0 ? 'netValue' as const : 'reward' as const;
  const what = `the ${judgedName(costWeight)}`;
  const when = halfLifeSeconds !== null ? `, from evidence discounted with a half-life of ${halfLifeSeconds} s`
    : changes ? ', from each arm\'s evidence since its last detected change (rewardsSinceChange)' : '';
  const users = deff > 1 ? `, each arm's evidence divided by the design effect ${deff.toFixed(2)} of returning users` : '';
  return { quantity, costWeight, halfLifeSeconds, designEffect: round(deff, 3), description: `probabilityBest, expectedLoss, regret and the recommendation judge ${what}${when}${users}` };
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
