/** The engine settings of a new experiment, checked against the rest of its body (issue 11). */
import type { CreateExperimentBody } from '../contract/experiment.js';
import { invalidAt } from '../errors.js';
import type { ExperimentConfig } from '../contract/domain.js';
import type { EngineSumsInput } from '../store/engine-sums.js';

/** Only the settings that are on, so that an experiment without them is stored as before. */
export function engineConfigOf(body: CreateExperimentBody): Pick<ExperimentConfig, 'discount' | 'objective' | 'minArmShare' | 'defaultReward' | 'rewardBounds' | 'rewardShape'> {
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
  return {
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
