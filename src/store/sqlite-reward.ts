/**
 * The SQLite store's reward step: one transaction that records a reward exactly once per decision
 * key (dedupe), with its tally, per-user sums, engine sums, guardrail window, event and, when a
 * limit is breached, the automatic disable. Mirrors reward.lua and MemoryStore.recordReward branch
 * for branch; the guardrail rule itself is bandit/guardrails.ts.
 */
import type Database from 'better-sqlite3';
import { breachReason, checkGuardrails } from '../bandit/guardrails.js';
import { addEngineSums } from './engine-sums.js';
import type { SqliteDefaults } from './sqlite-defaults.js';
import type { SqliteEvents } from './sqlite-events.js';
import type { SqliteExperiments } from './sqlite-experiments.js';
import type { SqliteTallies } from './sqlite-tallies.js';
import type { Counters, SqliteWindow } from './sqlite-window.js';
import type { SqliteMetrics } from './sqlite-metrics.js';
import type { SqliteUserSums } from './sqlite-user-sums.js';
import { metricsJson } from './signals.js';
import { SqliteChanges } from './sqlite-changes.js';
import type { RewardInput, RewardResult } from './store.js';
import type { DetectedChange, DisabledInfo, GuardrailWindow, Guardrails } from '../contract/domain.js';

export class SqliteReward {
  private readonly s;
  readonly run: (input: RewardInput) => RewardResult;
  private readonly changes: SqliteChanges;

  constructor(
    db: Database.Database, private readonly experiments: SqliteExperiments, private readonly tallies: SqliteTallies,
    private readonly window: SqliteWindow, private readonly events: SqliteEvents, private readonly defaults: SqliteDefaults,
    private readonly metrics: SqliteMetrics, private readonly users: SqliteUserSums,
  ) {
    this.s = {
      seen: db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM dedupe WHERE rid = ? AND key = ?'),
      remember: db.prepare('INSERT INTO dedupe (rid, key, until) VALUES (?, ?, ?)'),
    };
    this.changes = new SqliteChanges(db, tallies);
    const tx = db.transaction((input: RewardInput, found: { change?: DetectedChange }) => this.step(input, found));
    this.run = (input) => {
      const found: { change?: DetectedChange } = {};
      const res = tx.immediate(input, found);
      return res.kind === 'accepted' && found.change ? { ...res, changeDetected: found.change } : res;
    };
  }

  /** `found.change`: the change the step detected (issue 24). */
  private step(input: RewardInput, found: { change?: DetectedChange }): RewardResult {
    const head = this.experiments.head(input.experimentId);
    const arm = head?.armIndex.get(input.armId);
    if (!head || arm === undefined) return { kind: 'not_found' };
    if (input.version !== undefined && head.version !== input.version) return { kind: 'stale' };
    const { rid } = head;
    const nowS = Math.floor(input.nowMs / 1000);
    // Default rewards (issue 11): a reward after the default was applied is expired.
    if (input.defaults && !input.defaults.apply && this.defaults.isDefaulted(rid, input.decisionKey)) return { kind: 'expired' };
    if (this.s.seen.get(rid, input.decisionKey)) return { kind: 'duplicate' };
    if (input.defaults?.late) return { kind: 'expired' };
    this.s.remember.run(rid, input.decisionKey, input.issuedAt + input.rewardWindowSeconds);
    if (input.defaults) this.defaults.settle(rid, input.decisionKey, input.defaults.apply, input.issuedAt + input.rewardWindowSeconds, nowS);

    if (input.reward !== undefined) this.tallies.countReward(rid, arm, input.population, input.reward);
    // Change detection (issue 24): the arm's GLR test, after the tally (sqlite-changes.ts; reward.lua's changes.lua call).
    const step = input.changes && input.reward !== undefined ? this.changes.record(head, arm, input.changes, input, input.reward) : undefined;
    if (step?.detected) found.change = step.detected;
    if (input.reward !== undefined && input.population !== 'x') this.userSums(rid, input, input.reward, nowS);
    // Engine sums (issue 11): costs and discounted sums, as reward.lua's block of the same name.
    if (input.engine) {
      const engine = addEngineSums(this.tallies.engine(rid, arm, input.population), input.engine, input.nowMs / 1000, input.reward, input.event.cost);
      if (engine) this.tallies.setEngine(rid, arm, input.population, engine);
    }
    // Linear sums (issue 23), as reward.lua's call of linear.lua.
    this.tallies.addLinear(rid, arm, input, step);
    // Metrics sent with the reward (issue 22): counted in this step, each once per decision and name (reward.lua's block).
    const metrics = input.metrics ? this.metrics.record(rid, arm, input, input.metrics, input.userKey) : null;
    // A default reward (issue 11) is counted and logged, but it is no event of the arm's guardrail window.
    const applyDefault = input.defaults?.apply === true;
    const counters = applyDefault ? null : this.window.push(rid, arm, input.event, input.windowSize, input.guardrails?.latencyP95Ms);
    this.events.appendReward(rid, arm, input, metricsJson(metrics?.counted));
    if (!counters) return { kind: 'accepted' };
    const byMetric = metrics && this.metrics.disable(head, input, metrics.breach);
    if (byMetric) return { kind: 'accepted', autoDisabled: byMetric };

    if (!input.guardrails || input.baseline || head.disabled[input.armId]) return { kind: 'accepted' };
    const breach = checkGuardrails(this.windowFor(rid, arm, counters, input.guardrails), input.guardrails, counters.at_or_below);
    if (!breach) return { kind: 'accepted' };
    const info: DisabledInfo = { source: 'guardrail', reason: breachReason(breach), at: new Date(input.nowMs).toISOString(), guardrail: breach };
    this.experiments.disableInTx(head, input.armId, info);
    return { kind: 'accepted', autoDisabled: structuredClone(info) };
  }

  /** Per-user sums (mirrors reward.lua's block of the same name); a new generation replaces them all when they expired, as the Redis hash does. */
  private userSums(rid: number, input: RewardInput, r: number, nowS: number): void {
    let s = 0;
    let n = 0;
    if (input.userKey !== undefined) {
      const gen = this.users.generation(rid, input.userSumsTtlSeconds ?? input.rewardWindowSeconds, nowS);
      const key = input.population + input.userKey;
      const prev = this.users.get(rid, gen, key);
      if (prev) ({ s, n } = prev);
      this.users.set(rid, gen, key, s + r, n + 1);
    }
    this.tallies.addUserTerms(rid, input.population as 'b' | 'h', 2 * s * r + r * r, 2 * n + 1, s + r * n + r);
  }

  /**
   * The window as checkGuardrails reads it. The latencies are read only when the p95 is breached
   * (the counts say so); otherwise only their number is read, so the hot path reads no list.
   */
  private windowFor(rid: number, arm: number, c: Counters, g: Guardrails): GuardrailWindow {
    const p95Breached = g.latencyP95Ms !== undefined && c.latencies >= g.minSamples && c.at_or_below < Math.ceil(0.95 * c.latencies);
    const latencies = p95Breached ? this.window.latencies(rid, arm) : new Array<number>(c.latencies);
    return { samples: c.samples, latencies, costSamples: c.cost_samples, costSum: c.cost_sum, errors: c.errors };
  }
}
