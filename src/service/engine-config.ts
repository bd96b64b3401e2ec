/** The engine settings of a new experiment, checked against the rest of its body (issue 11). */
import type { CreateExperimentBody } from '../contract/experiment.js';
import { invalidAt } from '../errors.js';
import type { ExperimentConfig } from '../contract/domain.js';
import type { EngineSumsInput } from '../store/engine-sums.js';
import { DEFAULT_FALSE_ALARM_RATE } from '../contract/engine.js';
import type { Population } from '../contract/population.js';
import type { ChangeSpec } from '../bandit/change-evidence.js';

/** Only the settings that are on, so that an experiment without them is stored as before. */
export function engineConfigOf(body: CreateExperimentBody): Pick<ExperimentConfig, 'discount' | 'objective' | 'minArmShare' | 'defaultReward' | 'rewardBounds' | 'rewardShape' | 'changeDetection'> {
  const share = body.minArmShare ?? 0;
  const adaptive = body.policy !== 'fixed';
  if (!adaptive && (share > 0 || body.discount || body.objective)) {
    const which = share > 0 ? 'minArmShare' : body.discount ? 'discount' : 'objective';
    throw invalidAt('invalid_config', which, `the fixed policy splits by weight and learns nothing; use thompson or ucb`);
  }
  if (share * body.arms.length > 1) {
    throw invalidAt('invalid_config', 'minArmShare', `${share} x ${body.arms.length} arms is more than all the decisions; at most ${1 / body.arms.length}`);
  }
  const bounds = body.rewardBounds;
  if (bounds && body.rewardModel !== 'gaussian') {
    throw invalidAt('invalid_config', 'rewardBounds', 'bernoulli rewards are already bounded (0 or 1); rewardBounds is for gaussian experiments');
  }
  const shape = body.rewardShape ?? null;
  if (shape) checkRewardShape(body);
  const d = body.defaultReward;
  if (d) {
    if (d.afterSeconds >= body.rewardWindowSeconds) {
      throw invalidAt('invalid_config', 'defaultReward.afterSeconds', `${d.afterSeconds} must be less than rewardWindowSeconds (${body.rewardWindowSeconds})`);
    }
    if (body.rewardModel === 'bernoulli' ? d.value !== 0 && d.value !== 1 : !Number.isFinite(d.value) || Math.abs(d.value) > 1e15 || (bounds && (d.value < bounds.min || d.value > bounds.max)) || (shape && d.value < 0)) {
      throw invalidAt('invalid_config', 'defaultReward.value', `${d.value} is not a ${body.rewardModel} reward${body.rewardModel === 'bernoulli' ? ' (0 or 1)' : ''}`);
    }
  }
  const changeDetection = changeDetectionOf(body.changeDetection, body.discount);
  return {
    ...(changeDetection && { changeDetection }),
    ...(d && { defaultReward: { afterSeconds: d.afterSeconds, value: d.value } }),
    ...(body.discount && { discount: { halfLifeSeconds: body.discount.halfLifeSeconds } }),
    ...(body.objective && { objective: { costWeight: body.objective.costWeight } }),
    ...(share > 0 && { minArmShare: share }),
    ...(bounds && { rewardBounds: { min: bounds.min, max: bounds.max } }),
    ...(shape && { rewardShape: shape }),
  };
}

/** The hurdle model (bandit/hurdle.ts) is built for Thompson's draws and the plain sums of non-negative rewards. */
function checkRewardShape(body: CreateExperimentBody): void {
  const why = body.rewardModel !== 'gaussian' ? 'is for gaussian experiments (bernoulli rewards are already a conversion)'
    : body.policy !== 'thompson' && body.policy !== 'fixed' ? `works with the thompson or fixed policy, not ${body.policy}`
      : body.rewardBounds ? 'replaces rewardBounds (a cap); choose one'
        : body.discount ? 'does not keep discounted sums yet; leave discount out'
          : body.objective ? 'does not combine with a cost weight yet; leave objective out'
            : body.changeDetection ? 'does not restart its sums at a detected change yet; leave changeDetection out'
              : null;
  if (why) throw invalidAt('invalid_config', 'rewardShape', `rewardShape "hurdle-lognormal" ${why}`);
}

/** What a reward of this experiment must keep besides its tally (engine-sums.ts); undefined: nothing. */
export function engineSumsInput(config: ExperimentConfig): EngineSumsInput | undefined {
  const halfLifeSeconds = config.discount?.halfLifeSeconds ?? null;
  const costs = (config.objective?.costWeight ?? 0) > 0;
  const hurdle = config.rewardShape === 'hurdle-lognormal';
  return halfLifeSeconds === null && !costs && !hurdle ? undefined : { halfLifeSeconds, costs, ...(hurdle && { hurdle }) };
}

/**
 * The stored `changeDetection` (issue 24) of a body's setting, with the documented default filled
 * in; null when off. Change detection restarts undiscounted evidence: not with `discount`.
 */
export function changeDetectionOf(cd: ExperimentConfig['changeDetection'], discount: ExperimentConfig['discount'], rewardShape?: ExperimentConfig['rewardShape']): ExperimentConfig['changeDetection'] {
  if (!cd) return null;
  if (rewardShape) throw invalidAt('invalid_config', 'changeDetection', `rewardShape "${rewardShape}" does not restart its sums at a detected change yet; leave changeDetection out`);
  if (discount) throw invalidAt('invalid_config', 'changeDetection', 'change detection restarts an arm\'s evidence at a change; discount forgets it at a fixed rate: use one of them (docs/statistics.md, "When to use which")');
  return { method: cd.method, falseAlarmRate: cd.falseAlarmRate ?? DEFAULT_FALSE_ALARM_RATE };
}

/** The change test a reward of this experiment runs (bandit rewards with a value only); undefined: none. */
export function changeSpecOf(config: ExperimentConfig, population: Population, reward: number | undefined): ChangeSpec | undefined {
  const cd = config.changeDetection;
  if (!cd || population !== 'b' || reward === undefined) return undefined;
  const p = config.prior;
  // The prior as pseudo-observations, for the leader's posterior mean (Beta: alpha of alpha + beta; Normal-Gamma: lambda mu of lambda).
  const [priorSum, priorWeight] = 'lambda' in p ? [p.lambda * p.mu, p.lambda] : [p.alpha, p.alpha + p.beta];
  return { model: config.rewardModel, delta: cd.falseAlarmRate ?? DEFAULT_FALSE_ALARM_RATE, priorSum, priorWeight };
}
