/** The Redis store's linear sums (issue 23): read beside the tallies, written by lua/linear.lua inside the reward script. */
import { unpackLinear } from '../bandit/linear-model.js';
import type { ExperimentStats } from '../contract/domain.js';

/** The stats with each arm's linear sums from the hash (armId -> packed doubles), when it has any. */
export function withLinear(stats: ExperimentStats, sums: Record<string, Buffer>): ExperimentStats {
  for (const arm of stats.arms) {
    // Own fields only: an arm may be named after an Object.prototype member ('constructor').
    const b = Object.hasOwn(sums, arm.armId) ? sums[arm.armId] : undefined;
    if (Buffer.isBuffer(b) && b.length > 0) arm.linear = unpackLinear(b);
  }
  return stats;
}
