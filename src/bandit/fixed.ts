// Static traffic split: the arm whose slice of the cumulative weights contains `unit`.
import type { Policy } from './policy.js';
import type { Choice } from './ucb.js';

/**
 * `unit` in [0, 1) (a hash of the user, or a uniform draw) walks the cumulative weights of the
 * eligible arms; propensity = weight / total eligible weight. Weights are taken as given, except
 * that negative or non-finite ones count as 0 (the caller passes 1 for a missing weight). If every
 * eligible weight is 0 the split is even, so that an eligible arm is always returned.
 */
export function fixedChoose(weights: readonly number[], eligible: readonly boolean[], unit: number): Choice {
  if (eligible.length !== weights.length) throw new RangeError('eligible must have one flag per arm');
  if (!(unit >= 0 && unit < 1)) throw new RangeError(`unit must be in [0, 1), got ${unit}`);
  const arms = weights.map((_, i) => i).filter((i) => eligible[i]);
  if (arms.length === 0) throw new Error('no eligible arm');
  let w = arms.map((i) => (Number.isFinite(weights[i]) && weights[i] > 0 ? weights[i] : 0));
  let total = w.reduce((a, b) => a + b, 0);
  if (total === 0) {
    w = arms.map(() => 1);
    total = arms.length;
  }
  const target = unit * total;
  let cumulative = 0;
  let last = -1;
  for (let a = 0; a < arms.length; a++) {
    if (w[a] === 0) continue;
    cumulative += w[a];
    last = a;
    if (target < cumulative) return { index: arms[a], propensity: w[a] / total };
  }
  // Rounding can leave target a hair above the last cumulative sum: that is the last arm's slice.
  return { index: arms[last], propensity: w[last] / total };
}

/** The fixed split behind the policy seam: the model is the weights; the user's `unit` picks the slice. */
export const fixedPolicy: Policy<readonly number[]> = {
  name: 'fixed',
  prepare: (_evidence, settings) => settings.weights,
  choose: (weights, eligible, _rng, unit) => {
    const c = fixedChoose(weights, eligible, unit);
    return { armIndex: c.index, propensity: c.propensity };
  },
  propensity: (weights, eligible, armIndex) => {
    if (!eligible[armIndex]) return 0;
    let w = eligible.map((e, i) => (e && Number.isFinite(weights[i]) && weights[i] > 0 ? weights[i] : 0));
    if (w.every((x) => x === 0)) w = eligible.map((e) => (e ? 1 : 0));
    return w[armIndex] / w.reduce((a, b) => a + b, 0);
  },
};
