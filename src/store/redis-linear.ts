/** The Redis store's linear sums (issue 23): read beside the tallies, written by lua/linear.lua inside the reward script. */
import { unpackLinear } from '../bandit/linear-model.js';
import type { ExperimentStats } from '../contract/domain.js';

/**
 * The stats with each arm's linear sums from the hash (armId -> packed doubles), when it has any,
 * and (issue 24, lua/changes.lua) its sums as of its last restart (~armId).
 */
export function withLinear(stats: ExperimentStats, sums: Record<string, Buffer>): ExperimentStats {
  // Own fields only: an arm may be named after an Object.prototype member ('constructor').
  const field = (f: string): Float64Array | undefined => {
    const b = Object.hasOwn(sums, f) ? sums[f] : undefined;
    return Buffer.isBuffer(b) && b.length > 0 ? unpackLinear(b) : undefined;
  };
  for (const arm of stats.arms) {
    const linear = field(arm.armId);
    const before = field(`~${arm.armId}`);
    if (linear) arm.linear = linear;
    if (before) arm.linearBefore = before;
  }
  return stats;
}
