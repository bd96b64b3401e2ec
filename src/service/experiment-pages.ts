/**
 * GET /experiments in pages, ordered by id; `after` is the last id of the previous page (the
 * answer's `next`), so a page is stable while experiments are created.
 */
import type { ServiceContext } from './context.js';
import { view, type ExperimentView } from './experiments.js';

export async function listExperimentPage(ctx: ServiceContext, limit: number, after?: string): Promise<{ experiments: ExperimentView[]; next: string | null }> {
  const ids = await ctx.store.experimentIds();
  let start = 0;
  if (after !== undefined) while (start < ids.length && ids[start] <= after) start++;
  const page = ids.slice(start, start + limit);
  const states = await Promise.all(page.map((id) => ctx.store.getExperiment(id)));
  const experiments = states.filter((s) => s !== null).map(view);
  return { experiments, next: start + limit < ids.length ? page[page.length - 1] : null };
}
