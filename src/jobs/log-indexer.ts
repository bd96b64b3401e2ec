/**
 * Keeps the Redis log's per-type index current in the background (issue 19: a filtered page finds
 * its rows without scanning the log). The index is built after the writes (store/lua/log-of-type.lua),
 * so without this job the first filtered page of a large log would index all of it; with it, a
 * page indexes only what was written since the last tick.
 *
 * Every replica runs it (a timer only triggers it; the index and its position are the store's):
 * each slice is one atomic script call from the position the last call left, so replicas advancing
 * at the same time never index an entry twice or skip one. Bounded: one slice (INDEX_SLICE log
 * entries, about a millisecond of Redis's time) per call, the loop yielding between slices,
 * SLICES_PER_TICK slices per experiment per tick; while an experiment is behind, the next tick
 * comes after CATCH_UP_MS instead of TICK_MS. Only on a store with `advanceLogIndex` (Redis).
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { Store } from '../store/store.js';

export const LOG_INDEX_TICK_MS = 1000;
const CATCH_UP_MS = 20;
const SLICES_PER_TICK = 5;

type IndexedStore = Pick<Store, 'experimentIds' | 'advanceLogIndex'>;

export class LogIndexer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<boolean> | null = null;
  private stopped = false;
  private failing = false;

  /** `onError`: called once when passes start failing (not again until one succeeds). */
  constructor(private readonly store: IndexedStore, private readonly onError: (err: unknown) => void) {}

  /** True when the store has an index to keep (Redis). */
  static needed(store: IndexedStore): boolean { return typeof store.advanceLogIndex === 'function'; }

  start(): void {
    this.stopped = false;
    this.schedule(LOG_INDEX_TICK_MS);
  }

  /**
   * One tick: up to SLICES_PER_TICK slices of every experiment's log; true when every index has
   * caught up. A pass still running is not started again (its result is returned).
   */
  pass(): Promise<boolean> {
    this.running ??= this.run().finally(() => { this.running = null; });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.pass().then((caughtUp) => this.schedule(caughtUp ? LOG_INDEX_TICK_MS : CATCH_UP_MS)), ms);
    this.timer.unref();
  }

  private async run(): Promise<boolean> {
    const advance = this.store.advanceLogIndex?.bind(this.store);
    if (!advance) return true;
    try {
      let caughtUp = true;
      for (const id of await this.store.experimentIds()) {
        let done = false;
        for (let i = 0; i < SLICES_PER_TICK && !done && !this.stopped; i++) {
          done = await advance(id);
          await turn(); // let the requests queued meanwhile run between slices
        }
        caughtUp &&= done;
        if (this.stopped) return caughtUp;
      }
      this.failing = false;
      return caughtUp;
    } catch (err) {
      if (!this.failing && !this.stopped) this.onError(err);
      this.failing = true;
      return true; // retried at the next ordinary tick, not in a tight loop
    }
  }
}
