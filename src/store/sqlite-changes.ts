/**
 * The SQLite store's change-detection call (issue 24), inside the reward transaction after the
 * tally: the arm's detector row is read, the step run (change-step.ts, as the memory store does),
 * and the row written back. The tallies of every arm are read only on a detection (the leader).
 */
import type Database from 'better-sqlite3';
import { restartOther, type ArmDetector, type ChangeSpec, type ChangeStep } from '../bandit/change-evidence.js';
import type { Tally } from '../contract/domain.js';
import { changeStep, withChanges } from './change-step.js';
import type { ExperimentHead } from './sqlite-experiments.js';
import type { SqliteTallies } from './sqlite-tallies.js';
import type { RewardInput } from './store.js';

interface Row { detector: Buffer; before_change: string | null; changes: string | null }

/** The detector as doubles: testFrom, evidenceFrom, then n, s, q, t of each GLR segment (exact, and no JSON on the hot path). */
function encode(d: ArmDetector): Buffer {
  const a = new Float64Array(2 + 4 * d.glr.blocks.length);
  a[0] = d.testFrom;
  a[1] = d.evidenceFrom;
  d.glr.blocks.forEach((b, i) => a.set([b.n, b.s, b.q, b.t], 2 + 4 * i));
  return Buffer.from(a.buffer);
}

function decode(buf: Buffer): ArmDetector {
  const a = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const blocks = [];
  for (let i = 2; i < a.length; i += 4) blocks.push({ n: a[i], s: a[i + 1], q: a[i + 2], t: a[i + 3] });
  return { testFrom: a[0], evidenceFrom: a[1], glr: { blocks } };
}

export class SqliteChanges {
  private readonly s;

  constructor(db: Database.Database, private readonly tallies: SqliteTallies) {
    this.s = {
      get: db.prepare<[number, number], Row>('SELECT detector, before_change, changes FROM change_state WHERE rid = ? AND arm = ?'),
      tally: db.prepare<[number, number], { rewards: number; sum: number; sum_sq: number }>("SELECT rewards, sum, sum_sq FROM tallies WHERE rid = ? AND arm = ? AND pop = 'b'"),
      put: db.prepare('INSERT OR REPLACE INTO change_state (rid, arm, detector, before_change, changes) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  /** Runs the arm's test on a reward already counted in its tally; the step (its `detected`: the change it detected, if any). */
  record(head: Pick<ExperimentHead, 'rid' | 'armIds'>, arm: number, spec: ChangeSpec, input: RewardInput, reward: number): ChangeStep {
    const row = this.s.get.get(head.rid, arm);
    const b = this.s.tally.get(head.rid, arm)!;
    const tally: Tally = {
      decisions: 0, users: 0, rewards: b.rewards, sum: b.sum, sumSq: b.sum_sq,
      ...(row?.before_change && { beforeChange: JSON.parse(row.before_change) as Tally['beforeChange'] }), ...(row?.changes && { changes: JSON.parse(row.changes) as Tally['changes'] }),
    };
    const all = () => this.tallies.stats(head).arms.map((a, i) => (i === arm ? tally : a.bandit));
    const step = changeStep(row ? decode(row.detector) : undefined, tally, arm, all, spec, input, reward);
    const t = withChanges(tally, step);
    this.s.put.run(head.rid, arm, encode(step.detector), t.beforeChange ? JSON.stringify(t.beforeChange) : null, t.changes ? JSON.stringify(t.changes) : null);
    if (step.restartsOthers) this.restartOthers(head, arm, input.nowMs / 1000);
    return step;
  }

  /** The leader fell: every other arm's evidence restarts (change-evidence.ts restartOther). */
  private restartOthers(head: Pick<ExperimentHead, 'rid' | 'armIds'>, arm: number, nowS: number): void {
    for (let i = 0; i < head.armIds.length; i++) {
      if (i === arm) continue;
      const row = this.s.get.get(head.rid, i);
      const b = this.s.tally.get(head.rid, i) ?? { rewards: 0, sum: 0, sum_sq: 0 };
      const r = restartOther(row ? decode(row.detector) : undefined, { rewards: b.rewards, sum: b.sum, sumSq: b.sum_sq }, nowS);
      this.s.put.run(head.rid, i, encode(r.detector), JSON.stringify(r.beforeChange), row?.changes ?? null);
      this.tallies.restartLinear(head.rid, i);
    }
  }
}
