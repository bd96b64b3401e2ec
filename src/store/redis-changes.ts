/** Change detection's fields of the Redis tallies hash (issue 24; written by lua/changes.lua), as Tally.since and Tally.changes. */
import type { Tally } from '../contract/domain.js';
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
