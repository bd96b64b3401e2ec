/**
 * The signal ledger (issue 22): the second kind of ledger step next to the reward. A signal is
 * one value of a declared metric for one decision, counted exactly once per (decision, name) in
 * one atomic step with its dedupe entry, the per-arm per-population sums, the arm's metric
 * window (metrics with a guardrail), the guardrail's automatic disable and the event log append:
 * lua/signal.lua (with lua/metrics.lua) on Redis, one transaction on SQLite (sqlite-metrics.ts),
 * one synchronous block in memory (memory-metrics.ts). The reward step counts the metrics sent
 * with a reward the same way (RewardInput.metrics). The step's interface is SignalLedger (store.ts).
 */

/** One metric value as the steps take it, with the metric's guardrail when it has one. */
export interface MetricValue {
  name: string;
  value: number;
  guardrail?: { max?: number; min?: number; minSamples: number };
}

/** The dedupe key of a decision's metric (decision keys are base64url: no '|'). */
export const signalKey = (decisionKey: string, name: string): string => `${decisionKey}|${name}`;

/** The event log's form of the metrics counted with a reward: a JSON object name -> value; undefined when none. */
export const metricsJson = (counted: readonly MetricValue[] | undefined): string | undefined =>
  counted && counted.length > 0 ? JSON.stringify(Object.fromEntries(counted.map((m) => [m.name, m.value]))) : undefined;
