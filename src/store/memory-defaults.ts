/**
 * The embedded store's default-reward state (issue 11), per experiment: the due set (decisions
 * waiting for their default) and the decisions whose default was applied (until their reward
 * window ends). Mirrors the due and defaulted sorted sets of reward.lua and RedisStore.
 */
import type { DueDefault } from './store.js';

interface PerExperiment {
  due: Map<string, DueDefault>;
  /** decisionKey -> unix seconds after which the entry may be forgotten. */
  defaulted: Map<string, number>;
}

export class MemoryDefaults {
  private readonly byId = new Map<string, PerExperiment>();

  private of(id: string): PerExperiment {
    let e = this.byId.get(id);
    if (!e) this.byId.set(id, (e = { due: new Map(), defaulted: new Map() }));
    return e;
  }

  schedule(id: string, due: DueDefault): void {
    this.of(id).due.set(due.decisionKey, { ...due });
  }

  /** Due at `now`, oldest first (by due time, then key, as ZRANGEBYSCORE orders equal scores). */
  due(id: string, now: number, limit: number): DueDefault[] {
    const all = [...(this.byId.get(id)?.due.values() ?? [])].filter((d) => d.dueAt <= now);
    all.sort((a, b) => a.dueAt - b.dueAt || (a.decisionKey < b.decisionKey ? -1 : a.decisionKey > b.decisionKey ? 1 : 0));
    return all.slice(0, limit).map((d) => ({ ...d }));
  }

  /** Until forgotten (the next applied default forgets those whose reward window is over), as reward.lua's ZSCORE. */
  isDefaulted(id: string, key: string): boolean {
    return this.byId.get(id)?.defaulted.has(key) ?? false;
  }

  /** A reward was recorded for `key`: off the due set; `applied`: it was the default, remembered until `until`. */
  settle(id: string, key: string, applied: boolean, until: number, now: number): void {
    const e = this.of(id);
    e.due.delete(key);
    if (!applied) return;
    for (const [k, u] of e.defaulted) if (u < now) e.defaulted.delete(k); // forget expired ones, as ZREMRANGEBYSCORE does
    e.defaulted.set(key, until);
  }
}
