/**
 * The embedded store's metric sums and windows of one experiment (issue 22), and the metric part of
 * its signal and reward steps: called inside MemoryStore's synchronous blocks, so each step is
 * atomic. Mirrors lua/metrics.lua branch for branch (the same order of additions, so the sums are
 * equal bit for bit).
 */
import { metricBreach } from '../bandit/metric-guardrail.js';
import { addUnitValue, emptyUserSums, type UnitState } from '../bandit/metric-compare.js';
import { BoundedMap } from './bounded-map.js';
import type { Breach } from '../bandit/guardrails.js';
import type { MetricArmStats, MetricSums, MetricUserSums } from '../contract/metrics.js';
import type { Population } from '../contract/population.js';
import { signalKey, type MetricValue } from './signals.js';

const emptySums = (): MetricSums => ({ n: 0, sum: 0, sumSq: 0 });

export interface MetricStepInput {
  armId: string;
  population: Population;
  decisionKey: string;
  issuedAt: number;
  rewardWindowSeconds: number;
  windowSize: number;
}

/** Users' metric states kept per experiment (an LRU: a user forgotten early starts a new unit). */
const MAX_UNIT_STATES = 500_000;

export class MemoryMetrics {
  /** `<pop>|<name>|<armId>` -> sums. */
  private readonly sums = new Map<string, MetricSums>();
  /** `<name>|<armId>` -> the window's values (oldest first) and their running sum. */
  private readonly windows = new Map<string, { values: number[]; sum: number }>();
  /** `<pop>|<name>|<armId>` -> the user-level sums (bandit and holdback populations). */
  private readonly userSums = new Map<string, MetricUserSums>();
  /** `<pop>|<userKey>|<name>|<armId>` -> the unit's value sum and count. */
  private readonly units = new BoundedMap<string, UnitState>(MAX_UNIT_STATES);

  /**
   * Counts each metric not yet recorded for the decision (its dedupe entry goes into `dedupe`, the
   * reward's map, so the store's sweep forgets it). Returns how many were counted and the first
   * breach among the counted metrics with a guardrail (the caller decides whether it disables).
   */
  record(dedupe: Map<string, number>, input: MetricStepInput, metrics: readonly MetricValue[], userKey: string | undefined): { counted: MetricValue[]; breach: Breach | null } {
    const counted: MetricValue[] = [];
    let breach: Breach | null = null;
    for (const m of metrics) {
      const key = signalKey(input.decisionKey, m.name);
      if (dedupe.has(key)) continue;
      dedupe.set(key, input.issuedAt + input.rewardWindowSeconds);
      counted.push(m);
      const field = `${input.population}|${m.name}|${input.armId}`;
      const s = this.sums.get(field) ?? emptySums();
      s.n += 1;
      s.sum += m.value;
      s.sumSq += m.value * m.value;
      this.sums.set(field, s);
      if (input.population !== 'x') {
        const u = this.userSums.get(field) ?? emptyUserSums();
        const unit = userKey === undefined ? null : `${input.population}|${userKey}|${m.name}|${input.armId}`;
        const next = addUnitValue(u, unit === null ? null : this.units.get(unit), m.value);
        if (unit !== null) this.units.set(unit, next);
        this.userSums.set(field, u);
      }
      if (!m.guardrail) continue;
      const wKey = `${m.name}|${input.armId}`;
      const w = this.windows.get(wKey) ?? { values: [], sum: 0 };
      w.values.push(m.value);
      w.sum += m.value;
      while (w.values.length > input.windowSize) w.sum -= w.values.shift()!;
      this.windows.set(wKey, w);
      breach ??= metricBreach(m.name, { samples: w.values.length, sum: w.sum }, m.guardrail);
    }
    return { counted, breach };
  }

  stats(armIds: readonly string[], name: string): MetricArmStats[] {
    const sums = (pop: Population, armId: string): MetricSums => ({ ...(this.sums.get(`${pop}|${name}|${armId}`) ?? emptySums()) });
    return armIds.map((armId) => {
      const w = this.windows.get(`${name}|${armId}`);
      return {
        armId, bandit: sums('b', armId), holdback: sums('h', armId), excluded: sums('x', armId),
        users: { bandit: { ...(this.userSums.get(`b|${name}|${armId}`) ?? emptyUserSums()) }, holdback: { ...(this.userSums.get(`h|${name}|${armId}`) ?? emptyUserSums()) } },
        window: { samples: w?.values.length ?? 0, sum: w?.sum ?? 0 },
      };
    });
  }
}
