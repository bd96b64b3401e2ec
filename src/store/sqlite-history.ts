/** The SQLite store's history: one row per experiment and ts (what history-point.lua keeps in a sorted set). */
import type Database from 'better-sqlite3';
import type { HistoryPoint } from '../contract/domain.js';

export class SqliteHistory {
  private readonly s;
  readonly write: (experimentId: string, point: HistoryPoint, retentionSeconds: number) => boolean;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare('INSERT OR IGNORE INTO history (exp, ts, point) VALUES (?, ?, ?)'),
      drop: db.prepare('DELETE FROM history WHERE exp = ? AND ts < ?'),
      range: db.prepare<[string, number, number, number], { point: string }>('SELECT point FROM history WHERE exp = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?'),
      last: db.prepare<[string, number], { point: string }>('SELECT point FROM history WHERE exp = ? AND ts <= ? ORDER BY ts DESC LIMIT 1'),
    };
    // One transaction: the point, and the points older than the retention dropped (a few per interval).
    this.write = db.transaction((experimentId: string, point: HistoryPoint, retentionSeconds: number): boolean => {
      if (this.s.insert.run(experimentId, point.ts, JSON.stringify(point)).changes === 0) return false;
      this.s.drop.run(experimentId, point.ts - retentionSeconds);
      return true;
    });
  }

  read(experimentId: string, fromTs: number, toTs: number, limit?: number): HistoryPoint[] {
    return this.s.range.all(experimentId, fromTs, toTs, limit ?? -1).map((r) => JSON.parse(r.point) as HistoryPoint);
  }

  last(experimentId: string, atOrBeforeTs: number): HistoryPoint | null {
    const row = this.s.last.get(experimentId, atOrBeforeTs);
    return row ? (JSON.parse(row.point) as HistoryPoint) : null;
  }
}
