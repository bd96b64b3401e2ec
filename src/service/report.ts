/** GET /arms: the posterior and regret report, read fresh from the store (never from the cache). */
import { credibleInterval, posteriorMean } from '../bandit/posterior.js';
import { bestArm } from '../bandit/prob-best.js';
import { plugInRegret } from '../bandit/regret.js';
import { chiSquareGof, sampleFromSums, welch } from '../bandit/stats.js';
import { experimentNotFound } from '../errors.js';
import { checkGuardrails, p95, type Breach } from '../bandit/guardrails.js';
import type { DisabledInfo, GuardrailWindow, Guardrails, Tally } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { applyDueDefaults } from './default-rewards.js';
import { engineArmFields, reportPosteriors } from './engine-report.js';

const round = (x: number | null, digits = 6): number | null => (x === null || !Number.isFinite(x) ? null : +x.toFixed(digits));
const meanOf = (t: Tally): number | null => (t.rewards > 0 ? t.sum / t.rewards : null);

export async function report(ctx: ServiceContext, experimentId: string) {
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
  const engineFields = engineArmFields(config, stats, stats.arms.map((a) => !disabled[a.armId]), nowS);
  const means = posteriors.map(posteriorMean);
  const { probabilityBest: pBest, expectedLoss: loss } = bestArm(posteriors);
  const regret = plugInRegret(means, stats.arms.map((a) => a.bandit.decisions));

  const arms = stats.arms.map((a, i) => ({
    armId: a.armId,
    baseline: a.armId === config.baselineArmId,
    status: disabled[a.armId] ? 'disabled' : 'active',
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

  const bandit = pooled(stats.arms.map((a) => a.bandit));
  const hold = pooled(stats.arms.map((a) => a.holdback));
  const w = hold.rewards > 1 && bandit.rewards > 1
    ? welch(sampleFromSums(bandit.rewards, bandit.sum, bandit.sumSq), sampleFromSums(hold.rewards, hold.sum, hold.sumSq))
    : null;
  const expectedShare = config.holdbackPercent / 100;
  const inExperiment = hold.decisions + bandit.decisions;
  const srm = inExperiment > 0 ? chiSquareGof([hold.decisions, bandit.decisions], [expectedShare, 1 - expectedShare]) : null;

  return {
    experimentId: config.id,
    policy: config.policy,
    rewardModel: config.rewardModel,
    status: config.status,
    ended: config.endsAt !== null && Date.parse(config.endsAt) <= ctx.clock.now(),
    totals: { decisions: inExperiment, rewards: hold.rewards + bandit.rewards, excludedDecisions: pooled(stats.arms.map((a) => a.excluded)).decisions },
    arms,
    regret: { estimatedCumulative: round(regret.cumulative), estimatedPerDecision: round(regret.perDecision) },
    holdback: {
      armId: config.baselineArmId,
      percent: config.holdbackPercent,
      decisions: hold.decisions,
      rewards: hold.rewards,
      meanReward: round(meanOf(hold)),
      banditMeanReward: round(meanOf(bandit)),
      lift: round(w?.diff ?? null),
      liftInterval95: w?.interval ? w.interval.map((x) => round(x)) : null,
      pValue: round(w?.pValue ?? null),
      srm: { expectedShare, observedShare: inExperiment > 0 ? round(hold.decisions / inExperiment) : null, pValue: round(srm?.pValue ?? null) },
    },
  };
}

function pooled(ts: Tally[]): Tally {
  return ts.reduce((s, t) => ({ decisions: s.decisions + t.decisions, rewards: s.rewards + t.rewards, sum: s.sum + t.sum, sumSq: s.sumSq + t.sumSq }),
    { decisions: 0, rewards: 0, sum: 0, sumSq: 0 });
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
