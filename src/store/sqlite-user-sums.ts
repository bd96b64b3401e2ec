/**
 * The SQLite store's per-user sums (issue 8, and the metrics' units of issue 22): rows of
 * user_sums (rid, gen, key) -> S, N, for the reward step and the metric steps. They expire as a
 * whole, as the Redis hash <prefix>{exp:<id>}:u does (its TTL renewed by each write): a write after
 * sums_until starts a new generation, and the sweeper deletes the old one in batches.
 */
import type Database from 'better-sqlite3';
import { EXPIRY_MARGIN_SECONDS } from './redis-keys.js';

export class SqliteUserSums {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      sumsOf: db.prepare<[number], { sums_gen: number; sums_until: number }>('SELECT sums_gen, sums_until FROM experiments WHERE rid = ?'),
      setSumsOf: db.prepare('UPDATE experiments SET sums_gen = ?, sums_until = ? WHERE rid = ?'),
      get: db.prepare<[number, number, string], { s: number; n: number }>('SELECT s, n FROM user_sums WHERE rid = ? AND gen = ? AND key = ?'),
      set: db.prepare('INSERT OR REPLACE INTO user_sums (rid, gen, key, s, n) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  /** Inside a step's transaction: the live generation at `nowS`, its life renewed for ttlSeconds (+ margin). */
  generation(rid: number, ttlSeconds: number, nowS: number): number {
    let { sums_gen: gen, sums_until: until } = this.s.sumsOf.get(rid)!;
    if (nowS >= until) gen += 1; // the old generation's rows are swept in batches
    until = nowS + Math.ceil(ttlSeconds + EXPIRY_MARGIN_SECONDS);
    this.s.setSumsOf.run(gen, until, rid);
    return gen;
  }

  get(rid: number, gen: number, key: string): { s: number; n: number } | undefined {
    return this.s.get.get(rid, gen, key);
  }

  set(rid: number, gen: number, key: string, s: number, n: number): void {
    this.s.set.run(rid, gen, key, s, n);
  }
}
