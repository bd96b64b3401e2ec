/**
 * Group commit for the SQLite store's ledger steps: the steps that arrive in one turn of the event
 * loop run in one transaction, each in a savepoint of its own (a step that fails leaves nothing),
 * and the transaction commits before the turn ends (setImmediate). No step's caller hears back
 * before its commit, so a crash still loses nothing answered; a commit that fails fails every step
 * of the group (none of them was answered). One commit per group instead of per step spares the WAL
 * writes and locking calls that dominate a step's cost under load.
 */
import type Database from 'better-sqlite3';

interface Waiting { resolve: () => void; reject: (err: unknown) => void }

export class GroupCommit {
  private waiting: Waiting[] = [];
  private open = false;

  constructor(private readonly db: Database.Database) {}

  /** Runs `step` (a better-sqlite3 transaction function: nested, it is a savepoint) in the group's transaction; resolves once committed. */
  run<T>(step: () => T): Promise<T> {
    if (!this.open) {
      this.db.exec('BEGIN IMMEDIATE');
      this.open = true;
      setImmediate(() => this.commit());
    }
    let value: T;
    try {
      value = step();
    } catch (err) {
      // Some errors (SQLITE_FULL, IOERR, BUSY, NOMEM) roll the whole transaction back: the group's earlier steps are gone too.
      if (!this.db.inTransaction) this.fail(err);
      return Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => this.waiting.push({ resolve: () => resolve(value), reject }));
  }

  /** Commits the open group now (before a read, or a write that is not a ledger step, so neither sees or joins uncommitted steps). */
  commit(): void {
    if (!this.open) return;
    const group = this.waiting;
    this.waiting = [];
    this.open = false;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const w of group) w.reject(err);
      return;
    }
    for (const w of group) w.resolve();
  }

  private fail(err: unknown): void {
    const group = this.waiting;
    this.waiting = [];
    this.open = false;
    for (const w of group) w.reject(err);
  }
}
