/**
 * The SQLite store's default-reward state (issue 11): the due set (decisions waiting for their
 * default) and the decisions whose default was applied, until their reward window ends. Mirrors
 * MemoryDefaults and the due and defaulted sorted sets of reward.lua; every write runs inside the
 * caller's ledger transaction.
 */
import type Database from 'better-sqlite3';
import type { DueDefault } from './store.js';
import type { Population } from '../contract/population.js';

interface DueRow { key: string; arm: string; pop: Population; issued_at: number; due_at: number; propensity: number; user_key: string | null }

export class SqliteDefaults {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      schedule: db.prepare('INSERT OR REPLACE INTO due (rid, key, arm, pop, issued_at, due_at, propensity, user_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      due: db.prepare<[number, number, number], DueRow>('SELECT key, arm, pop, issued_at, due_at, propensity, user_key FROM due WHERE rid = ? AND due_at <= ? ORDER BY due_at, key LIMIT ?'),
      unschedule: db.prepare('DELETE FROM due WHERE rid = ? AND key = ?'),
      isDefaulted: db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM defaulted WHERE rid = ? AND key = ?'),
      forget: db.prepare('DELETE FROM defaulted WHERE rid = ? AND until < ?'),
      remember: db.prepare('INSERT OR REPLACE INTO defaulted (rid, key, until) VALUES (?, ?, ?)'),
    };
  }

  schedule(rid: number, d: DueDefault): void {
    this.s.schedule.run(rid, d.decisionKey, d.armId, d.population, d.issuedAt, d.dueAt, d.propensity, d.userKey ?? null);
  }

  /** Due at `now`, oldest first (by due time, then key, as ZRANGEBYSCORE orders equal scores). */
  due(rid: number, now: number, limit: number): DueDefault[] {
    return this.s.due.all(rid, now, limit).map((r) => ({
      decisionKey: r.key, armId: r.arm, population: r.pop, issuedAt: r.issued_at, dueAt: r.due_at, propensity: r.propensity,
      ...(r.user_key !== null && { userKey: r.user_key }),
    }));
  }

  isDefaulted(rid: number, key: string): boolean {
    return this.s.isDefaulted.get(rid, key) !== undefined;
  }

  /** A reward was recorded for `key`: off the due set; `applied`: it was the default, remembered until `until`. */
  settle(rid: number, key: string, applied: boolean, until: number, now: number): void {
    this.s.unschedule.run(rid, key);
    if (!applied) return;
    this.s.forget.run(rid, now); // forget expired ones, as reward.lua's ZREMRANGEBYSCORE does
    this.s.remember.run(rid, key, until);
  }
}
