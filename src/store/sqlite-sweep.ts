/**
 * The SQLite store's expiry: user records, dedupe entries and superseded per-user sums are deleted
 * in bounded batches on a timer (what Redis does with key TTLs), by the newest `now` the ledger
 * steps were given (as the memory store sweeps), so each batch is one short transaction.
 */
import type Database from 'better-sqlite3';

/** Rows deleted per table and batch, and the pause between batches. */
export const SWEEP_BATCH = 1000;
const SWEEP_EVERY_MS = 2000;

export class SqliteSweep {
  /** The newest unix seconds a ledger step was given. */
  now = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly batch: () => number;

  constructor(db: Database.Database, onError: (err: unknown) => void) {
    const users = db.prepare('DELETE FROM users WHERE (rid, user_id) IN (SELECT rid, user_id FROM users WHERE expires_at <= ? LIMIT ?)');
    const dedupe = db.prepare('DELETE FROM dedupe WHERE (rid, key) IN (SELECT rid, key FROM dedupe WHERE until < ? LIMIT ?)');
    const sums = db.prepare(`DELETE FROM user_sums WHERE (rid, gen, key) IN (SELECT u.rid, u.gen, u.key FROM user_sums u
      JOIN experiments e ON e.rid = u.rid WHERE u.gen < e.sums_gen LIMIT ?)`);
    this.batch = db.transaction(() => users.run(this.now, SWEEP_BATCH).changes + dedupe.run(this.now, SWEEP_BATCH).changes + sums.run(SWEEP_BATCH).changes);
    this.timer = setInterval(() => {
      try {
        if (this.now > 0) this.batch();
      } catch (err) {
        onError(err);
      }
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  /** One batch now (tests); how many rows it deleted. */
  runOnce(): number {
    return this.batch();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
