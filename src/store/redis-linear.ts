/** The Redis store's linear sums (issue 23): read beside the tallies, written by lua/linear.lua inside the reward script. */
import { unpackLinear } from '../bandit/linear-model.js';
import type { ExperimentStats } from '../contract/domain.js';

/** The stats with each arm's linear sums from the hash (armId -> packed doubles), when it has any. */
export function withLinear(stats: ExperimentStats, sums: Record<string, Buffer>): ExperimentStats {
  for (const arm of stats.arms) {
    const b = sums[arm.armId];
    if (b && b.length > 0) arm.linear = unpackLinear(b);
  }
  return stats;
}
