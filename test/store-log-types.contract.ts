/**
 * Pages of one type of the event log (issue 19: a filtered page finds its rows through an index),
 * run by describeStore on every store: readEventsOfType is the log filtered by type, page by page
 * from any cursor, also for events appended after an earlier read (Redis indexes them then).
 */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/contract/event-log.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import type { AssignInput, RewardInput, Store } from '../src/store/store.js';

interface Inputs { config: () => ExperimentConfig; assign: (over?: Partial<AssignInput>) => AssignInput; reward: (over?: Partial<RewardInput>) => RewardInput }

async function pagesOf(store: Store, type: StoredEvent['type'], after: string | null, size: number): Promise<StoredEvent[][]> {
  const pages: StoredEvent[][] = [];
  for (let cursor = after; ;) {
    const page = (await store.readEventsOfType('exp-1', type, cursor, size))!;
    if (page.length === 0) return pages;
    pages.push(page);
    cursor = page[page.length - 1].eventId;
  }
}

export function describeLogTypes(current: () => Store, input: Inputs): void {
  describe('event log pages of one type', () => {
    it('is the log filtered by type, by cursor, and sees events appended since an earlier read', async () => {
      const store = current();
      await store.createExperiment(input.config());
      const append = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          await store.assign(input.assign());
          if (i % 7 === 0) await store.recordReward(input.reward({ decisionKey: `t-${i}` }));
        }
      };
      await append(0, 40);
      const all = async () => (await store.readEvents('exp-1', null, 10_000))!;
      const rewards = (await all()).filter((e) => e.type === 'reward');
      expect(rewards).toHaveLength(6);
      const pages = await pagesOf(store, 'reward', null, 4);
      expect(pages.map((p) => p.length)).toEqual([4, 2]);
      expect(pages.flat()).toEqual(rewards);
      expect((await pagesOf(store, 'decision', null, 16)).flat()).toEqual((await all()).filter((e) => e.type === 'decision'));

      await append(40, 80); // after a read: the new events are found too, from an old cursor
      const later = (await all()).filter((e) => e.type === 'reward');
      expect(later).toHaveLength(12);
      expect((await pagesOf(store, 'reward', rewards[3].eventId, 3)).flat()).toEqual(later.slice(4));
      expect(await store.readEventsOfType('exp-1', 'signal', null, 10)).toEqual([]);
      expect(await store.readEventsOfType('nope', 'reward', null, 10)).toBeNull();
    });
  });
}
