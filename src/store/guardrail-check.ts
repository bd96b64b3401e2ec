/**
 * The guardrail rule, shared by the memory store and mirrored line for line by `lua/reward.lua`.
 *
 * Each limit is checked once its own sample count reaches `minSamples`: latencies for the p95,
 * events with a cost for the mean cost, all events for the error rate. The first breached limit,
 * in that order, is the one reported.
 */
import type { DisabledInfo, GuardrailWindow, Guardrails } from './store.js';

export type Breach = NonNullable<DisabledInfo['guardrail']>;

/** Default number of recent events an arm's guardrail window keeps. */
export const DEFAULT_WINDOW_SIZE = 1000;
export const DEFAULT_MIN_SAMPLES = 50;

/** Nearest-rank p95: the smallest value with at least 95% of the values at or below it. */
export function p95(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}

export function checkGuardrails(w: GuardrailWindow, g: Guardrails): Breach | null {
  const n = w.latencies.length;
  if (g.latencyP95Ms !== undefined && n >= g.minSamples) {
    // p95 > limit exactly when fewer than ceil(0.95 n) values are at or below it: a count, no sort
    // on the hot path (reward.lua counts the same way).
    let atOrBelow = 0;
    for (const v of w.latencies) if (v <= g.latencyP95Ms) atOrBelow += 1;
    if (atOrBelow < Math.ceil(0.95 * n)) return { guardrail: 'latencyP95Ms', observed: p95(w.latencies)!, limit: g.latencyP95Ms };
  }
  if (g.meanCost !== undefined && w.costSamples >= g.minSamples) {
    const observed = w.costSum / w.costSamples;
    if (observed > g.meanCost) return { guardrail: 'meanCost', observed, limit: g.meanCost };
  }
  if (g.errorRate !== undefined && w.samples >= g.minSamples) {
    const observed = w.errors / w.samples;
    if (observed > g.errorRate) return { guardrail: 'errorRate', observed, limit: g.errorRate };
  }
  return null;
}

export function breachReason(b: Breach): string {
  return `guardrail ${b.guardrail}: observed ${+b.observed.toPrecision(6)} above limit ${b.limit}`;
}
