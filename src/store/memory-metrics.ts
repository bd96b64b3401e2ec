/**
 * The embedded store's metric sums and windows of one experiment (issue 22), and the metric part of
 * its signal and reward steps: called inside MemoryStore's synchronous blocks, so each step is
 * atomic. Mirrors lua/metrics.lua branch for branch (the same order of additions, so the sums are
 * equal bit for bit).
 */
import { metricBreach } from '../bandit/metric-guardrail.js';
import type { Breach } from '../bandit/guardrails.js';
import type { MetricArmStats, MetricSums } from '../contract/metrics.js';
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

export class MemoryMetrics {
  /** `<pop>|<name>|<armId>` -> sums. */
  private readonly sums = new Map<string, MetricSums>();
  /** `<name>|<armId>` -> the window's values (oldest first) and their running sum. */
  private readonly windows = new Map<string, { values: number[]; sum: number }>();

  /**
   * Counts each metric not yet recorded for the decision (its dedupe entry goes into `dedupe`, the
   * reward's map, so the store's sweep forgets it). Returns how many were counted and the first
   * breach among the counted metrics with a guardrail (the caller decides whether it disables).
   */
  record(dedupe: Map<string, number>, input: MetricStepInput, metrics: readonly MetricValue[]): { counted: MetricValue[]; breach: Breach | null } {
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
        window: { samples: w?.values.length ?? 0, sum: w?.sum ?? 0 },
      };
    });
  }
}
