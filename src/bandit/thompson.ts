// Thompson sampling: draw each eligible arm's mean from its posterior, play the largest draw.
import { sampleMean, type Posterior } from './posterior.js';
import type { Rng } from './random.js';

/** Index of the eligible arm with the highest sampled mean. Throws if no arm is eligible. */
export function thompsonChoose(ps: readonly Posterior[], eligible: readonly boolean[], rng: Rng): number {
  if (eligible.length !== ps.length) throw new RangeError('eligible must have one flag per arm');
  let best = -1;
  let bestDraw = -Infinity;
  for (let i = 0; i < ps.length; i++) {
    if (!eligible[i]) continue;
    const draw = sampleMean(ps[i], rng);
    // Ties have probability ~0 for continuous draws; `best < 0` keeps a -Infinity draw selectable.
    if (draw > bestDraw || best < 0) {
      best = i;
      bestDraw = draw;
    }
  }
  if (best < 0) throw new Error('no eligible arm');
  return best;
}
