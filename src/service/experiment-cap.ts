/**
 * The cap on how many experiments a store holds (MAX_EXPERIMENTS). It is checked before the
 * create, not in the same atomic step, so concurrent creates may pass it by their number.
 */
import { ApiError } from '../errors.js';
import type { ServiceContext } from './context.js';

export async function checkExperimentCap(ctx: ServiceContext): Promise<void> {
  const count = (await ctx.store.experimentIds()).length;
  if (count >= ctx.maxExperiments) {
    throw new ApiError('too_many_experiments', `the store holds ${count} experiments, the most allowed (MAX_EXPERIMENTS=${ctx.maxExperiments})`);
  }
}
