/**
 * The SQLite store's tallies: one row per experiment, arm and population (created with the
 * experiment), the per-user sums over users on the experiment's row. Counting is done by SQL
 * arithmetic on doubles, the same additions in the same order as the memory store makes.
 */
import type Database from 'better-sqlite3';
import type { EngineSums } from '../contract/domain.js';
import { POPULATION_NAMES, type Population } from '../contract/population.js';
import type { ExperimentHead } from './sqlite-experiments.js';
import { emptyTally, type ArmStats, type ExperimentStats, type Tally } from '../contract/domain.js';
import { packLinear, unpackLinear } from '../bandit/linear-model.js';
import { linearAfterReward, linearBeforeAfterReward } from './linear-sums.js';

interface TallyRow { arm: number; pop: Population; decisions: number; rewards: number; sum: number; sum_sq: number; users: number; engine: string | null }
interface UsersRow { bss: number; bnn: number; bsn: number; hss: number; hnn: number; hsn: number }

export class SqliteTallies {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      decision: db.prepare('UPDATE tallies SET decisions = decisions + 1, users = users + ? WHERE rid = ? AND arm = ? AND pop = ?'),
      reward: db.prepare('UPDATE tallies SET rewards = rewards + 1, sum = sum + ?, sum_sq = sum_sq + ? WHERE rid = ? AND arm = ? AND pop = ?'),
      engine: db.prepare<[number, number, Population], { engine: string | null }>('SELECT engine FROM tallies WHERE rid = ? AND arm = ? AND pop = ?'),
      setEngine: db.prepare('UPDATE tallies SET engine = ? WHERE rid = ? AND arm = ? AND pop = ?'),
      all: db.prepare<[number], TallyRow>('SELECT arm, pop, decisions, rewards, sum, sum_sq, users, engine FROM tallies WHERE rid = ?'),
      changes: db.prepare<[number], { arm: number; before_change: string | null; changes: string | null }>('SELECT arm, before_change, changes FROM change_state WHERE rid = ?'),
      users: db.prepare<[number], UsersRow>('SELECT bss, bnn, bsn, hss, hnn, hsn FROM experiments WHERE rid = ?'),
      addB: db.prepare('UPDATE experiments SET bss = bss + ?, bnn = bnn + ?, bsn = bsn + ? WHERE rid = ?'),
      addH: db.prepare('UPDATE experiments SET hss = hss + ?, hnn = hnn + ?, hsn = hsn + ? WHERE rid = ?'),
      // Issue 23: a linear policy's sums (linear-sums.ts).
      linear: db.prepare<[number, number], { sums: Buffer }>('SELECT sums FROM linear_sums WHERE rid = ? AND arm = ?'),
      setLinear: db.prepare('INSERT OR REPLACE INTO linear_sums (rid, arm, sums) VALUES (?, ?, ?)'),
      allLinear: db.prepare<[number], { arm: number; sums: Buffer }>('SELECT arm, sums FROM linear_sums WHERE rid = ?'),
      // Issue 24: the sums as of the arm's last restart (linear-sums.ts linearBeforeAfterReward).
      linearBefore: db.prepare<[number, number], { sums: Buffer }>('SELECT sums FROM linear_before WHERE rid = ? AND arm = ?'),
      setLinearBefore: db.prepare('INSERT OR REPLACE INTO linear_before (rid, arm, sums) VALUES (?, ?, ?)'),
      allLinearBefore: db.prepare<[number], { arm: number; sums: Buffer }>('SELECT arm, sums FROM linear_before WHERE rid = ?'),
    };
  }

  countDecision(rid: number, arm: number, pop: Population, firstExposure: boolean): void {
    this.s.decision.run(firstExposure ? 1 : 0, rid, arm, pop);
  }

  countReward(rid: number, arm: number, pop: Population, reward: number): void {
    this.s.reward.run(reward, reward * reward, rid, arm, pop);
  }

  /** Adds one reward's terms to the sums over users of a population (see reward.lua's per-user block). */
  addUserTerms(rid: number, pop: 'b' | 'h', sumSq: number, countSq: number, cross: number): void {
    (pop === 'b' ? this.s.addB : this.s.addH).run(sumSq, countSq, cross, rid);
  }

  engine(rid: number, arm: number, pop: Population): EngineSums | undefined {
    const text = this.s.engine.get(rid, arm, pop)?.engine;
    return text ? (JSON.parse(text) as EngineSums) : undefined;
  }

  setEngine(rid: number, arm: number, pop: Population, engine: EngineSums): void {
    this.s.setEngine.run(JSON.stringify(engine), rid, arm, pop);
  }

  /**
   * Adds the reward to the arm's linear sums when it is a linear policy's (linear-sums.ts); inside the
   * reward transaction. `step`: the reward's change step (issue 24), which may restart the sums' evidence.
   */
  addLinear(rid: number, arm: number, input: Parameters<typeof linearAfterReward>[1], step?: { restarted: boolean; late: boolean }): void {
    if (!input.linear && !step?.restarted) return;
    const row = this.s.linear.get(rid, arm);
    const prev = row ? unpackLinear(row.sums) : undefined;
    if (step?.restarted || step?.late) {
      const old = this.s.linearBefore.get(rid, arm);
      const before = linearBeforeAfterReward(prev, old ? unpackLinear(old.sums) : undefined, step, input);
      if (before) this.s.setLinearBefore.run(rid, arm, packLinear(before));
    }
    const next = linearAfterReward(prev, input);
    if (next) this.s.setLinear.run(rid, arm, packLinear(next));
  }

  /** Another arm's restart when the leader fell (issue 24): its linear sums as of now. */
  restartLinear(rid: number, arm: number): void {
    const row = this.s.linear.get(rid, arm);
    if (row) this.s.setLinearBefore.run(rid, arm, row.sums);
  }

  stats(head: Pick<ExperimentHead, 'rid' | 'armIds'>): ExperimentStats {
    const arms: ArmStats[] = head.armIds.map((armId) => ({ armId, bandit: emptyTally(), holdback: emptyTally(), excluded: emptyTally() }));
    for (const r of this.s.all.all(head.rid)) {
      const t: Tally = { decisions: r.decisions, rewards: r.rewards, sum: r.sum, sumSq: r.sum_sq, users: r.users };
      if (r.engine) t.engine = JSON.parse(r.engine) as EngineSums;
      arms[r.arm][POPULATION_NAMES[r.pop]] = t;
    }
    // Change detection (issue 24): the bandit rewards from before the last restart and the changes (sqlite-changes.ts writes them).
    for (const r of this.s.changes.all(head.rid)) {
      const b = arms[r.arm].bandit;
      if (r.before_change) b.beforeChange = JSON.parse(r.before_change) as Tally['beforeChange'];
      if (r.changes) b.changes = JSON.parse(r.changes) as Tally['changes'];
    }
    for (const r of this.s.allLinear.all(head.rid)) if (arms[r.arm]) arms[r.arm].linear = unpackLinear(r.sums);
    for (const r of this.s.allLinearBefore.all(head.rid)) if (arms[r.arm]) arms[r.arm].linearBefore = unpackLinear(r.sums);
    const u = this.s.users.get(head.rid)!;
    return { arms, users: { b: { sumSq: u.bss, countSq: u.bnn, cross: u.bsn }, h: { sumSq: u.hss, countSq: u.hnn, cross: u.hsn } } };
  }
}
