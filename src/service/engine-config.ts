/** The engine settings of a new experiment, checked against the rest of its body (issue 11). */
import type { CreateExperimentBody } from '../contract/experiment.js';
import { invalidAt } from '../errors.js';
import type { ExperimentConfig } from '../contract/domain.js';
import type { EngineSumsInput } from '../store/engine-sums.js';
import { DEFAULT_FALSE_ALARM_RATE } from '../contract/engine.js';
import type { Population } from '../contract/population.js';
import type { ChangeSpec } from '../bandit/change-evidence.js';

/** Only the settings that are on, so that an experiment without them is stored as before. */
export function engineConfigOf(body: CreateExperimentBody): Pick<ExperimentConfig, 'discount' | 'objective' | 'minArmShare' | 'defaultReward' | 'rewardBounds' | 'rewardShape' | 'changeDetection' | 'features'> {
  const share = body.minArmShare ?? 0;
  const features = linearFeaturesOf(body);
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
  const changeDetection = changeDetectionOf(body.changeDetection, { discount: body.discount });
  return {
    ...(changeDetection && { changeDetection }),
    ...(d && { defaultReward: { afterSeconds: d.afterSeconds, value: d.value } }),
    ...(body.discount && { discount: { halfLifeSeconds: body.discount.halfLifeSeconds } }),
    ...(body.objective && { objective: { costWeight: body.objective.costWeight } }),
    ...(share > 0 && { minArmShare: share }),
    ...(bounds && { rewardBounds: { min: bounds.min, max: bounds.max } }),
    ...(shape && { rewardShape: shape }),
    ...(features && { features }),
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

/**
 * Issue 23: a linear policy needs `features`, and the others take none. The linear model keeps
 * plain (undiscounted, reward-only) sums, and a default reward's decision carries no features, so
 * discount, objective and defaultReward are refused with it (400 naming the setting), as are
 * rewardShape (checkRewardShape: thompson or fixed only). changeDetection is accepted: a restart
 * restarts the linear sums' evidence too (bandit/change-evidence.ts linearEvidence).
 */
function linearFeaturesOf(body: CreateExperimentBody): ExperimentConfig['features'] {
  const linear = isLinearPolicy(body.policy);
  if (!linear) {
    if (body.features) throw invalidAt('invalid_config', 'features', `features are read by the linear-thompson and linear-ucb policies only, not by '${body.policy}'`);
    return undefined;
  }
  if (!body.features) throw invalidAt('invalid_config', 'features', `required by the ${body.policy} policy: declare the context features it models`);
  const other = body.discount ? 'discount' : body.objective ? 'objective' : body.defaultReward ? 'defaultReward' : null;
  if (other) throw invalidAt('invalid_config', other, `not supported with the ${body.policy} policy (its model keeps plain reward sums per arm)`);
  return structuredClone(body.features) as ExperimentConfig['features'];
}

export const isLinearPolicy = (policy: string): boolean => policy === 'linear-thompson' || policy === 'linear-ucb';

/** What a reward of this experiment must keep besides its tally (engine-sums.ts); undefined: nothing. */
export function engineSumsInput(config: ExperimentConfig): EngineSumsInput | undefined {
  const halfLifeSeconds = config.discount?.halfLifeSeconds ?? null;
  const costs = (config.objective?.costWeight ?? 0) > 0;
  const hurdle = config.rewardShape === 'hurdle-lognormal';
  return halfLifeSeconds === null && !costs && !hurdle ? undefined : { halfLifeSeconds, costs, ...(hurdle && { hurdle }) };
}

/**
 * The stored `changeDetection` (issue 24) of a body's setting, with the documented default filled
 * in; null when off. Change detection restarts undiscounted evidence: not with `discount`. With a
 * linear policy (issue 23) a restart restarts the arm's linear sums' evidence too (store/linear-sums.ts).
 */
export function changeDetectionOf(cd: ExperimentConfig['changeDetection'], { discount, rewardShape }: Pick<ExperimentConfig, 'discount' | 'rewardShape'>): ExperimentConfig['changeDetection'] {
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
  // A linear policy: each detection restarts its arm alone (change-evidence.ts ChangeSpec.eachArm).
  return { model: config.rewardModel, delta: cd.falseAlarmRate ?? DEFAULT_FALSE_ALARM_RATE, priorSum, priorWeight, ...(config.features && { eachArm: true }) };
}
