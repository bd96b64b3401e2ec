/**
 * The guardrail rule (a domain rule, pure): used by the report and the memory store, and mirrored
 * line for line by `store/lua/reward.lua`.
 *
 * Each limit is checked once its own sample count reaches `minSamples`: latencies for the p95,
 * events with a cost for the mean cost, all events for the error rate. The first breached limit,
 * in that order, is the one reported.
 */
import type { DisabledInfo, GuardrailWindow, Guardrails } from '../contract/domain.js';

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

export function countAtOrBelow(values: readonly number[], limit: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] <= limit) n += 1;
  return n;
}

/**
 * p95 > limit exactly when fewer than ceil(0.95 n) latencies are at or below the limit: a count,
 * no sort. The stores keep that count up to date event by event (`atOrBelow`, counted for the
 * current limit; reward.lua keeps the same count); without it, it is counted here.
 */
export function checkGuardrails(w: GuardrailWindow, g: Guardrails, atOrBelow?: number): Breach | null {
  const n = w.latencies.length;
  if (g.latencyP95Ms !== undefined && n >= g.minSamples) {
    const count = atOrBelow ?? countAtOrBelow(w.latencies, g.latencyP95Ms);
    if (count < Math.ceil(0.95 * n)) return { guardrail: 'latencyP95Ms', observed: p95(w.latencies)!, limit: g.latencyP95Ms };
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
