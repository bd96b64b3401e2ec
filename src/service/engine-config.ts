/** The engine settings of a new experiment, checked against the rest of its body (issue 11). */
import type { CreateExperimentBody } from '../contract/experiment.js';
import { invalidAt } from '../errors.js';
import type { ExperimentConfig } from '../contract/domain.js';

/** Only the settings that are on, so that an experiment without them is stored as before. */
export function engineConfigOf(body: CreateExperimentBody): Pick<ExperimentConfig, 'discount' | 'objective' | 'minArmShare' | 'defaultReward' | 'rewardBounds' | 'features'> {
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
  const d = body.defaultReward;
  if (d) {
    if (d.afterSeconds >= body.rewardWindowSeconds) {
      throw invalidAt('invalid_config', 'defaultReward.afterSeconds', `${d.afterSeconds} must be less than rewardWindowSeconds (${body.rewardWindowSeconds})`);
    }
    if (body.rewardModel === 'bernoulli' ? d.value !== 0 && d.value !== 1 : !Number.isFinite(d.value) || Math.abs(d.value) > 1e15 || (bounds && (d.value < bounds.min || d.value > bounds.max))) {
      throw invalidAt('invalid_config', 'defaultReward.value', `${d.value} is not a ${body.rewardModel} reward${body.rewardModel === 'bernoulli' ? ' (0 or 1)' : ''}`);
    }
  }
  return {
    ...(d && { defaultReward: { afterSeconds: d.afterSeconds, value: d.value } }),
    ...(body.discount && { discount: { halfLifeSeconds: body.discount.halfLifeSeconds } }),
    ...(body.objective && { objective: { costWeight: body.objective.costWeight } }),
    ...(share > 0 && { minArmShare: share }),
    ...(bounds && { rewardBounds: { min: bounds.min, max: bounds.max } }),
    ...(features && { features }),
  };
}

/**
 * Issue 23: a linear policy needs `features`, and the others take none. The linear model keeps
 * plain (undiscounted, reward-only) sums, and a default reward's decision carries no features, so
 * discount, objective and defaultReward are refused with it (400 naming the setting).
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
export function engineSumsInput(config: ExperimentConfig): { halfLifeSeconds: number | null; costs: boolean } | undefined {
  const halfLifeSeconds = config.discount?.halfLifeSeconds ?? null;
  const costs = (config.objective?.costWeight ?? 0) > 0;
  return halfLifeSeconds === null && !costs ? undefined : { halfLifeSeconds, costs };
}
