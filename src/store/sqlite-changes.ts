/**
 * The SQLite store's change-detection call (issue 24), inside the reward transaction after the
 * tally: the arm's detector row is read, the step run (change-step.ts, as the memory store does),
 * and the row written back. The tallies of every arm are read only on a detection (the leader).
 */
import type Database from 'better-sqlite3';
import type { ArmDetector, ChangeSpec } from '../bandit/change-evidence.js';
import type { DetectedChange, Tally } from '../contract/domain.js';
import { changeStep, withChanges } from './change-step.js';
import type { ExperimentHead } from './sqlite-experiments.js';
import type { SqliteTallies } from './sqlite-tallies.js';
import type { RewardInput } from './store.js';

interface Row { detector: string; since: string | null; changes: string | null }

export class SqliteChanges {
  private readonly s;

  constructor(db: Database.Database, private readonly tallies: SqliteTallies) {
    this.s = {
      get: db.prepare<[number, number], Row>('SELECT detector, since, changes FROM change_state WHERE rid = ? AND arm = ?'),
      tally: db.prepare<[number, number], { rewards: number; sum: number; sum_sq: number }>("SELECT rewards, sum, sum_sq FROM tallies WHERE rid = ? AND arm = ? AND pop = 'b'"),
      put: db.prepare('INSERT OR REPLACE INTO change_state (rid, arm, detector, since, changes) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  /** Runs the arm's test on a reward already counted in its tally; the change it detected, if any. */
  record(head: Pick<ExperimentHead, 'rid' | 'armIds'>, arm: number, spec: ChangeSpec, input: RewardInput, reward: number): DetectedChange | null {
    const row = this.s.get.get(head.rid, arm);
    const b = this.s.tally.get(head.rid, arm)!;
    const tally: Tally = {
      decisions: 0, users: 0, rewards: b.rewards, sum: b.sum, sumSq: b.sum_sq,
      ...(row?.since && { since: JSON.parse(row.since) as Tally['since'] }), ...(row?.changes && { changes: JSON.parse(row.changes) as Tally['changes'] }),
    };
    const all = () => this.tallies.stats(head).arms.map((a, i) => (i === arm ? tally : a.bandit));
    const step = changeStep(row ? (JSON.parse(row.detector) as ArmDetector) : undefined, tally, arm, all, spec, input, reward);
    const t = withChanges(tally, step);
    this.s.put.run(head.rid, arm, JSON.stringify(step.detector), t.since ? JSON.stringify(t.since) : null, t.changes ? JSON.stringify(t.changes) : null);
    return step.detected;
  }
}
