/** POST /plan: users and days needed for a minimum detectable lift over the holdback. */
import type { z } from 'zod';
import type { PlanBody, PlanResponse } from '../contract/lifecycle.js';
import { alwaysValidPlan, fixedHorizonPlan, type Plan, type PlanInput } from '../bandit/power.js';
import { ApiError } from '../errors.js';

export function plan(body: PlanBody): z.infer<typeof PlanResponse> {
  const effect = body.effectType === 'relative' ? body.baselineMean * body.minDetectableEffect : body.minDetectableEffect;
  const treatmentMean = body.baselineMean + effect;
  if (body.rewardModel === 'bernoulli') {
    if (!(body.baselineMean > 0 && body.baselineMean < 1)) throw new ApiError('invalid_request', 'baselineMean must be a rate in (0, 1) for bernoulli');
    if (!(treatmentMean > 0 && treatmentMean < 1)) throw new ApiError('invalid_request', `baselineMean + effect = ${treatmentMean} is not a rate in (0, 1)`);
  } else if (body.standardDeviation === undefined) {
    throw new ApiError('invalid_request', 'standardDeviation is required for gaussian: the effect is measured against the spread of one user\'s reward');
  } else if (effect === 0) {
    throw new ApiError('invalid_request', 'a relative effect of a baselineMean of 0 is 0; give effectType "absolute"');
  }
  const input: PlanInput = {
    rewardModel: body.rewardModel, baselineMean: body.baselineMean, effect, standardDeviation: body.standardDeviation,
    holdbackShare: body.holdbackPercent / 100, alpha: body.alpha, power: body.power, tuningUsers: body.sequentialTuningUsers,
    varianceFactor: body.designEffect / body.visitsPerUser,
  };
  const figures = (p: Plan) => ({ ...p, usersPerArm: Math.ceil(p.banditUsers / body.arms), days: +(p.totalUsers / body.dailyUsers).toFixed(2) });
  let fixedHorizon: ReturnType<typeof figures>;
  let alwaysValid: ReturnType<typeof figures>;
  try {
    fixedHorizon = figures(fixedHorizonPlan(input));
    alwaysValid = figures(alwaysValidPlan(input));
  } catch (err) {
    if (err instanceof RangeError) throw new ApiError('invalid_request', `minDetectableEffect: ${err.message}`);
    throw err;
  }
  const finite = [treatmentMean, effect, ...Object.values(fixedHorizon), ...Object.values(alwaysValid)].every(Number.isFinite);
  if (!finite) throw new ApiError('invalid_request', 'these inputs give a plan beyond what can be computed (an effect too small, a mean too large, or too few daily users)');
  const visits = body.visitsPerUser === 1 && body.designEffect === 1 ? ', one reward per user' : `, ${body.visitsPerUser} rewarded visits per user at a design effect of ${body.designEffect}`;
  return {
    sizes: `users for the lift of the bandit population over the holdback (${+effect.toPrecision(6)} absolute${visits}): the population mixes every arm, exploration included, `
      + 'so its lift is smaller than the best arm\'s; enter the lift you expect of the population (e.g. the best arm\'s lift times the share of traffic you expect it to get), not the best arm\'s own',
    varianceFactor: +(body.designEffect / body.visitsPerUser).toPrecision(12),
    effect: { baselineMean: body.baselineMean, treatmentMean: +treatmentMean.toPrecision(12), absolute: +effect.toPrecision(12) },
    fixedHorizon,
    alwaysValid,
    method: body.rewardModel === 'bernoulli'
      ? 'two-sided z-test on Cohen\'s h (arcsine), per rewarded decision with each user\'s variance times designEffect / visitsPerUser (as statsmodels NormalIndPower for one reward per user); always valid: the asymptotic confidence sequence (Waudby-Smith et al.)'
      : 'two-sided test on d = effect / standardDeviation with Guenther\'s t correction (as statsmodels TTestIndPower), each user\'s variance times designEffect / visitsPerUser; always valid: the asymptotic confidence sequence (Waudby-Smith et al.)',
  };
}
