/**
 * The SQLite store's decision step: one transaction that checks the version and the arm, keeps the
 * user record (also the sticky arm), counts the decision, appends its event and, with a default
 * reward, puts it on the due set. Mirrors assign.lua and MemoryStore.assign branch for branch.
 */
import type Database from 'better-sqlite3';
import type { SqliteDefaults } from './sqlite-defaults.js';
import type { SqliteEvents } from './sqlite-events.js';
import type { SqliteExperiments } from './sqlite-experiments.js';
import type { SqliteTallies } from './sqlite-tallies.js';
import type { AssignInput, AssignResult } from './store.js';
import type { Population } from '../contract/population.js';

interface UserRow { arm: number; propensity: number; pop: Population; expires_at: number }

export class SqliteAssign {
  private readonly s;
  readonly run: (input: AssignInput) => AssignResult;

  constructor(
    db: Database.Database, private readonly experiments: SqliteExperiments, private readonly tallies: SqliteTallies,
    private readonly events: SqliteEvents, private readonly defaults: SqliteDefaults,
  ) {
    this.s = {
      user: db.prepare<[number, string], UserRow>('SELECT arm, propensity, pop, expires_at FROM users WHERE rid = ? AND user_id = ?'),
      setUser: db.prepare('INSERT OR REPLACE INTO users (rid, user_id, arm, propensity, assigned_at, pop, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    };
    const tx = db.transaction((input: AssignInput) => this.step(input));
    this.run = (input) => tx.immediate(input);
  }

  private step(input: AssignInput): AssignResult {
    const head = this.experiments.head(input.experimentId);
    if (!head) return { kind: 'not_found' };
    const chosen = head.armIndex.get(input.armId);
    if (head.version !== input.version || chosen === undefined || head.disabled[input.armId]) return { kind: 'stale' };
    let arm = chosen;
    let served: AssignResult = { kind: 'served', armId: input.armId, propensity: input.propensity, sticky: false, firstExposure: true };
    // The user record (mirrors assign.lua's block of the same name).
    if (input.userId !== undefined) {
      const pop = input.population;
      const live = this.s.user.get(head.rid, input.userId);
      const prev = live && live.expires_at > input.now ? live : undefined;
      let write = true;
      if (prev && pop === 'x') {
        served.firstExposure = false;
        write = false;
      } else if (prev && prev.pop !== 'x') {
        if (prev.pop !== pop) return { kind: 'moved', population: prev.pop as 'b' | 'h' };
        served.firstExposure = false;
        write = false;
        if (pop === 'b' && input.sticky) {
          const prevArmId = head.armIds[prev.arm];
          if (!head.disabled[prevArmId]) {
            served = { ...served, armId: prevArmId, propensity: prev.propensity, sticky: true };
            arm = prev.arm;
          } else write = true; // the sticky arm was disabled: the replacement becomes the user's arm
        }
      }
      if (write) this.s.setUser.run(head.rid, input.userId, chosen, input.propensity, input.now, pop, input.now + input.stickyTtlSeconds);
    }
    this.tallies.countDecision(head.rid, arm, input.population, served.firstExposure);
    // Event log: the decision, in the same step that counts it.
    this.events.appendDecision(head.rid, arm, input, served.propensity, served.firstExposure, served.sticky);
    // Default reward (issue 11): on the due set in the same step.
    if (input.defaultReward) {
      const { dueAt, userKey } = input.defaultReward;
      this.defaults.schedule(head.rid, {
        decisionKey: input.log.nonce, armId: served.armId, population: input.population, issuedAt: input.now, dueAt, propensity: served.propensity,
        ...(userKey !== undefined && { userKey }),
      });
    }
    if (input.withStats) served.stats = this.tallies.stats(head);
    return served;
  }
}
