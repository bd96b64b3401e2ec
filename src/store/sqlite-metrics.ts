/**
 * The SQLite store's metrics (issue 22): the signal step (one transaction: dedupe, sums, window,
 * the automatic disable, the event) and the metric part of the reward step (inside its
 * transaction). Mirrors lua/metrics.lua and memory-metrics.ts branch for branch, in the same order
 * of additions, so the sums are equal bit for bit.
 */
import type Database from 'better-sqlite3';
import { guardrailDisabled, type Breach } from '../bandit/guardrails.js';
import { metricBreach } from '../bandit/metric-guardrail.js';
import { addUnitValue, emptyUserSums } from '../bandit/metric-compare.js';
import type { DisabledInfo } from '../contract/domain.js';
import { POPULATION_NAMES, type Population } from '../contract/population.js';
import type { MetricStats, MetricSums, MetricUserSums } from '../contract/metrics.js';
import type { MetricStepInput } from './memory-metrics.js';
import type { SqliteEvents } from './sqlite-events.js';
import type { ExperimentHead, SqliteExperiments } from './sqlite-experiments.js';
import type { SqliteUserSums } from './sqlite-user-sums.js';
import { signalKey, type MetricValue } from './signals.js';
import type { SignalInput, SignalResult } from './store.js';

type Record3 = MetricSums;
/** metric_sums' user-level columns as MetricUserSums. */
const USER_COLUMNS = 'units, u_sum AS sum, u_count AS count, u_sum_sq AS sumSq, u_count_sq AS countSq, u_cross AS cross';

export class SqliteMetrics {
  private readonly s;
  readonly signal: (input: SignalInput) => SignalResult;

  constructor(db: Database.Database, private readonly experiments: SqliteExperiments, private readonly events: SqliteEvents, private readonly users: SqliteUserSums) {
    this.s = {
      seen: db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM dedupe WHERE rid = ? AND key = ?'),
      remember: db.prepare('INSERT INTO dedupe (rid, key, until) VALUES (?, ?, ?)'),
      sums: db.prepare<[number, string, number, string], Record3>('SELECT n, sum, sum_sq AS sumSq FROM metric_sums WHERE rid = ? AND name = ? AND arm = ? AND pop = ?'),
      userSums: db.prepare<[number, string, number, string], MetricUserSums>(`SELECT ${USER_COLUMNS} FROM metric_sums WHERE rid = ? AND name = ? AND arm = ? AND pop = ?`),
      setSums: db.prepare(`INSERT OR REPLACE INTO metric_sums (rid, name, arm, pop, n, sum, sum_sq, units, u_sum, u_count, u_sum_sq, u_count_sq, u_cross)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      window: db.prepare<[number, string, number], { vals: Buffer; sum: number }>('SELECT vals, sum FROM metric_windows WHERE rid = ? AND name = ? AND arm = ?'),
      setWindow: db.prepare('INSERT OR REPLACE INTO metric_windows (rid, name, arm, vals, sum) VALUES (?, ?, ?, ?, ?)'),
      allSums: db.prepare<[number], { name: string; arm: number; pop: string } & Record3>('SELECT name, arm, pop, n, sum, sum_sq AS sumSq FROM metric_sums WHERE rid = ?'),
      allUserSums: db.prepare<[number], { name: string; arm: number; pop: string } & MetricUserSums>(`SELECT name, arm, pop, ${USER_COLUMNS} FROM metric_sums WHERE rid = ?`),
      allWindows: db.prepare<[number], { name: string; arm: number; vals: Buffer; sum: number }>('SELECT name, arm, vals, sum FROM metric_windows WHERE rid = ?'),
    };
    const tx = db.transaction((input: SignalInput) => this.signalStep(input));
    this.signal = (input) => tx.immediate(input);
  }

  /** Inside a transaction: counts each metric not yet recorded for the decision; the counted ones and the first breach among them. */
  record(rid: number, arm: number, input: MetricStepInput & Pick<SignalInput, 'userSumsTtlSeconds' | 'nowMs'>, metrics: readonly MetricValue[], userKey: string | undefined): { counted: MetricValue[]; breach: Breach | null } {
    const counted: MetricValue[] = [];
    let breach: Breach | null = null;
    const userLevel = input.population !== 'x';
    let gen: number | undefined;
    for (const m of metrics) {
      const key = signalKey(input.decisionKey, m.name);
      if (this.s.seen.get(rid, key)) continue;
      this.s.remember.run(rid, key, input.issuedAt + input.rewardWindowSeconds);
      counted.push(m);
      const s = this.s.sums.get(rid, m.name, arm, input.population) ?? { n: 0, sum: 0, sumSq: 0 };
      // The user-level sums (reward.lua's order: the unit's state, then the sums over units).
      const u = this.s.userSums.get(rid, m.name, arm, input.population) ?? emptyUserSums();
      if (userLevel) {
        if (userKey === undefined) addUnitValue(u, null, m.value);
        else {
          gen ??= this.users.generation(rid, input.userSumsTtlSeconds ?? input.rewardWindowSeconds, Math.floor(input.nowMs / 1000));
          const key = `${input.population}${userKey}|${m.name}|${input.armId}`;
          const next = addUnitValue(u, this.users.get(rid, gen, key), m.value);
          this.users.set(rid, gen, key, next.s, next.n);
        }
      }
      this.s.setSums.run(rid, m.name, arm, input.population, s.n + 1, s.sum + m.value, s.sumSq + m.value * m.value, u.units, u.sum, u.count, u.sumSq, u.countSq, u.cross);
      if (!m.guardrail) continue;
      const w = this.s.window.get(rid, m.name, arm);
      const values = w ? [...new Float64Array(w.vals.buffer.slice(w.vals.byteOffset, w.vals.byteOffset + w.vals.byteLength))] : [];
      values.push(m.value);
      let sum = (w?.sum ?? 0) + m.value;
      while (values.length > input.windowSize) sum -= values.shift()!;
      this.s.setWindow.run(rid, m.name, arm, Buffer.from(new Float64Array(values).buffer), sum);
      breach ??= metricBreach(m.name, { samples: values.length, sum }, m.guardrail);
    }
    return { counted, breach };
  }

  /** A breach disables the arm as the built-in guardrails do: never the baseline, never an arm already disabled. */
  disable(head: ExperimentHead, input: { armId: string; baseline: boolean; nowMs: number }, breach: Breach | null): DisabledInfo | null {
    if (!breach || input.baseline || head.disabled[input.armId]) return null;
    const info = guardrailDisabled(breach, new Date(input.nowMs).toISOString());
    this.experiments.disableInTx(head, input.armId, info);
    return structuredClone(info);
  }

  private signalStep(input: SignalInput): SignalResult {
    const head = this.experiments.head(input.experimentId);
    const arm = head?.armIndex.get(input.armId);
    if (!head || arm === undefined) return { kind: 'not_found' };
    if (input.version !== undefined && head.version !== input.version) return { kind: 'stale' };
    const { counted, breach } = this.record(head.rid, arm, input, [input.metric], input.log.userKey);
    if (counted.length === 0) return { kind: 'duplicate' };
    this.events.appendSignal(head.rid, arm, input);
    const info = this.disable(head, input, breach);
    return info ? { kind: 'accepted', autoDisabled: info } : { kind: 'accepted' };
  }

  stats(head: ExperimentHead, names: readonly string[]): MetricStats {
    const zero = (): MetricSums => ({ n: 0, sum: 0, sumSq: 0 });
    const out = Object.create(null) as MetricStats;
    for (const name of names) {
      out[name] = head.armIds.map((armId) => ({ armId, bandit: zero(), holdback: zero(), excluded: zero(), window: { samples: 0, sum: 0 }, users: { bandit: emptyUserSums(), holdback: emptyUserSums() } }));
    }
    for (const r of this.s.allSums.all(head.rid)) {
      const a = out[r.name]?.[r.arm];
      if (a) a[POPULATION_NAMES[r.pop as Population]] = { n: r.n, sum: r.sum, sumSq: r.sumSq };
    }
    for (const { name, arm, pop, ...u } of this.s.allUserSums.all(head.rid)) {
      const a = out[name]?.[arm];
      if (a && pop !== 'x') a.users[pop === 'b' ? 'bandit' : 'holdback'] = u;
    }
    for (const r of this.s.allWindows.all(head.rid)) {
      const a = out[r.name]?.[r.arm];
      if (a) a.window = { samples: r.vals.byteLength / 8, sum: r.sum };
    }
    return out;
  }
}
