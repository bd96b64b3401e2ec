/** Change detection in the Redis store (issue 24): the tallies hash fields lua/changes.lua writes, as Tally.beforeChange and Tally.changes; the reward reply it wraps. */
import type { DetectedChange, Tally } from '../contract/domain.js';
import type { Population } from '../contract/population.js';

export function decodeChanges(tallies: Record<string, string>, pop: Population, armId: string): Pick<Tally, 'beforeChange' | 'changes'> {
  if (pop !== 'b') return {};
  const out: Pick<Tally, 'beforeChange' | 'changes'> = {};
  const n = tallies[`bBr:${armId}`];
  if (n !== undefined) out.beforeChange = { rewards: Number(n), sum: Number(tallies[`bBs:${armId}`]), sumSq: Number(tallies[`bBq:${armId}`]) };
  const list = tallies[`bCh:${armId}`];
  if (list !== undefined) {
    out.changes = list.split(';').map((c) => {
      const [detectedAt, at] = c.split(',').map(Number);
      return { detectedAt, at };
    });
  }
  return out;
}

/** Unwraps the reward script's reply (redis-store.ts rewardScript): the step's own, and the change it detected. */
export function changeOf(reply: unknown): { reply: unknown; change?: DetectedChange } {
  if (!Array.isArray(reply) || reply[0] !== '~change') return { reply };
  return { reply: reply[3], change: { detectedAt: Number(reply[1]), at: Number(reply[2]) } };
}
