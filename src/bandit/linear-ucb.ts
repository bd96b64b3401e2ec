/**
 * LinUCB (Li, Chu, Langford & Schapire 2010, "A Contextual-Bandit Approach to Personalized News
 * Article Recommendation", the disjoint model): play the largest x . mean + alpha sd(x), with
 * sd(x) = sqrt(s2 x^T A^-1 x) the posterior standard deviation of the score (the noise scale s2
 * makes the index independent of the reward's units) and alpha = 1 (MABWiser's default).
 * Deterministic given the sums and x, except for ties, broken uniformly at random: the propensity
 * is 1 / (number of tied arms) for each of them.
 */
import { contextVector, prepareLinear, scores, type LinearModel } from './linear-policy-model.js';
import type { Choice, DecisionContext, Policy } from './policy.js';

export const UCB_ALPHA = 1;
const TIE = 1e-12;

/** Each eligible arm's probability of being played at x: 1/ties for the arms tied at the top, 0 for the others. */
function probabilities(model: LinearModel, eligible: readonly boolean[], context: DecisionContext): number[] {
  const { means, sds } = scores(model, eligible, contextVector(model, context));
  const index = Array.from(means, (m, i) => m + UCB_ALPHA * sds[i]);
  let top = -Infinity;
  for (let i = 0; i < index.length; i++) if (eligible[i] && index[i] > top) top = index[i];
  const tied = index.map((v, i) => eligible[i] && v >= top - TIE * Math.max(1, Math.abs(top)));
  const count = tied.filter(Boolean).length;
  return tied.map((t) => (t ? 1 / count : 0));
}

function choose(model: LinearModel, eligible: readonly boolean[], rng: () => number, _unit: number, context: DecisionContext): Choice {
  const vector = probabilities(model, eligible, context);
  const tied = vector.flatMap((p, i) => (p > 0 ? [i] : []));
  if (tied.length === 0) throw new Error('no eligible arm');
  const armIndex = tied.length === 1 ? tied[0] : tied[Math.min(tied.length - 1, Math.floor(rng() * tied.length))];
  return { armIndex, propensity: vector[armIndex], vector };
}

export const linearUcbPolicy: Policy<LinearModel> = {
  name: 'linear-ucb',
  contextual: true,
  prepare: prepareLinear,
  choose,
  propensity: (model, eligible, armIndex, context) => (eligible[armIndex] ? probabilities(model, eligible, context)[armIndex] : 0),
};
