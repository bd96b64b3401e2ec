/**
 * Replay: an experiment's tallies rebuilt from its event log alone. While no event has been trimmed
 * (eventRetentionSeconds), they equal what the store holds exactly: the log is appended in the
 * same atomic step that counts, and in the same order, so even the floating-point sums agree.
 */
import { MAX_EVENTS_PER_READ, type StoredEvent } from '../contract/event-log.js';
import { LOG_PAGE, pageTurn } from './log-turns.js';
import type { EventLogStore, ExperimentStore } from '../store/store.js';
import { emptyTally, emptyUserSums, type ExperimentStats } from '../contract/domain.js';
import { POPULATION_NAMES } from '../contract/population.js';

/** Folds events (oldest first) into per-arm tallies, the way assign and recordReward count them. */
export class TallyReplay {
  private readonly arms: ExperimentStats['arms'];
  private readonly byId = new Map<string, ExperimentStats['arms'][number]>();
  /** Each user's reward sum and count per population (`<pop><userKey>`), and the sums over users, as reward.lua keeps them. */
  private readonly perUser = new Map<string, { s: number; n: number }>();
  private readonly users = { b: emptyUserSums(), h: emptyUserSums() };

  constructor(armIds: readonly string[]) {
    this.arms = armIds.map((armId) => ({ armId, bandit: emptyTally(), holdback: emptyTally(), excluded: emptyTally() }));
    for (const a of this.arms) this.byId.set(a.armId, a);
  }

  add(ev: StoredEvent): void {
    const t = this.byId.get(ev.armId)![POPULATION_NAMES[ev.population]];
    if (ev.type === 'decision') {
      t.decisions += 1;
      if (ev.firstExposure) t.users += 1;
    }
    else if (ev.type === 'reward' && ev.reward !== undefined) {
      t.rewards += 1;
      t.sum += ev.reward;
      t.sumSq += ev.reward * ev.reward;
      if (ev.population !== 'x') this.addUserSums(ev.population, ev.userKey, ev.reward);
    }
  }

  /** The same increments, in the same order, as the per-user block of reward.lua and MemoryStore.recordReward. */
  private addUserSums(pop: 'b' | 'h', userKey: string | undefined, r: number): void {
    let s = 0;
    let n = 0;
    if (userKey !== undefined) {
      const prev = this.perUser.get(pop + userKey);
      if (prev) ({ s, n } = prev);
      this.perUser.set(pop + userKey, { s: s + r, n: n + 1 });
    }
    const u = this.users[pop];
    u.sumSq = u.sumSq + (2 * s * r + r * r);
    u.countSq = u.countSq + (2 * n + 1);
    u.cross = u.cross + (s + r * n + r);
  }

  stats(): ExperimentStats {
    return {
      arms: this.arms.map((a) => ({ armId: a.armId, bandit: { ...a.bandit }, holdback: { ...a.holdback }, excluded: { ...a.excluded } })),
      users: { b: { ...this.users.b }, h: { ...this.users.h } },
    };
  }
}

/**
 * Every event of an experiment's log (of `type` only, when given), oldest first, a page at a time:
 * never the whole log at once, and each page in a turn of the event loop of its own (log-turns.ts), so
 * reading logs of a million events costs other requests a page's time at most. With a `type`, the
 * pages are read through the store's index of the type (readEventsOfType): no event of another type is read.
 */
export async function* allEvents(store: EventLogStore, experimentId: string, after: string | null = null, pageSize = LOG_PAGE, type?: StoredEvent['type']): AsyncGenerator<StoredEvent> {
  let cursor = after;
  const size = Math.min(pageSize, MAX_EVENTS_PER_READ);
  for (;;) {
    await pageTurn(); // the first page too: twenty readers starting together take twenty turns
    const page = type === undefined ? await store.readEvents(experimentId, cursor, size) : await store.readEventsOfType(experimentId, type, cursor, size);
    if (!page || page.length === 0) return;
    yield* page;
    if (page.length < size) return;
    cursor = page[page.length - 1].eventId;
  }
}

/** The tallies replayed from the whole log; null when the experiment does not exist. */
export async function replayStats(store: ExperimentStore & EventLogStore, experimentId: string): Promise<ExperimentStats | null> {
  const state = await store.getExperiment(experimentId);
  if (!state) return null;
  const replay = new TallyReplay(state.config.arms.map((a) => a.id));
  for await (const ev of allEvents(store, experimentId)) replay.add(ev);
  return replay.stats();
}
