/** Change detection in the Redis store (issue 24): the tallies hash fields lua/changes.lua writes, as Tally.since and Tally.changes; the reward reply it wraps. */
import type { DetectedChange, Tally } from '../contract/domain.js';
import type { Population } from '../contract/population.js';

export function decodeChanges(tallies: Record<string, string>, pop: Population, armId: string): Pick<Tally, 'since' | 'changes'> {
  if (pop !== 'b') return {};
  const out: Pick<Tally, 'since' | 'changes'> = {};
  const n = tallies[`bEr:${armId}`];
  if (n !== undefined) out.since = { rewards: Number(n), sum: Number(tallies[`bEs:${armId}`]), sumSq: Number(tallies[`bEq:${armId}`]) };
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
