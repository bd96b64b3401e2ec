/**
 * The plug-in regret's bias (issue 8 item 6): Thompson Sampling on Bernoulli 0.04 / 0.05 / 0.07
 * through select / reward / report on the embedded store, the report's estimatedCumulative against
 * the true pseudo-regret sum_t (0.07 - mu_{a_t}) at each checkpoint.
 */
import { CreateExperimentSchema } from '../../src/contract/experiment.js';
import { makeRng } from '../../src/bandit/random.js';
import { ServiceContext } from '../../src/service/context.js';
import { createExperiment } from '../../src/service/experiments.js';
import { report } from '../../src/service/report.js';
import { reward } from '../../src/service/reward.js';
import { select } from '../../src/service/select.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const RATES: Record<string, number> = { a: 0.04, b: 0.05, c: 0.07 };

/** [checkpoint, estimated, true] for one seeded run. */
export async function regretRun(seed: string, checkpoints: number[]): Promise<[number, number, number][]> {
  let ms = Date.parse('2026-06-01T00:00:00Z');
  const ctx = new ServiceContext(new MemoryStore(), 'regret-bias-secret-0123456789', { now: () => ms });
  await createExperiment(ctx, CreateExperimentSchema.parse({ id: 'rb', arms: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], rewardModel: 'bernoulli', seed }));
  const world = makeRng(`world/${seed}`);
  const out: [number, number, number][] = [];
  let truth = 0;
  const last = checkpoints[checkpoints.length - 1];
  for (let t = 1; t <= last; t++) {
    ms += 10;
    const d = await select(ctx, 'rb');
    truth += 0.07 - RATES[d.armId];
    await reward(ctx, { decisionId: d.decisionId, reward: world() < RATES[d.armId] ? 1 : 0 });
    if (checkpoints.includes(t)) out.push([t, (await report(ctx, 'rb')).regret.estimatedCumulative!, truth]);
  }
  return out;
}
