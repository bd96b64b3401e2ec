/**
 * The guardrail rule (a domain rule, pure), written once: used by the report, by the memory store
 * (`autoDisable`) and by the Redis store (`mayAutoDisable`, `guardrailDisabled`), and mirrored line
 * for line by `store/lua/reward.lua`, which must run it inside its atomic step. One table of cases
 * (test/guardrail-cases.ts, run by the store contract suite) holds both to it.
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
  return `guardrail ${b.guardrail}: observed ${+b.observed.toPrecision(6)} ${b.observed < b.limit ? 'below' : 'above'} limit ${b.limit}`;
}

/** Whether a reward event may disable its arm at all: guardrails on, and not the baseline (reward.lua's A.guard). */
export const mayAutoDisable = (g: Guardrails | null, baseline: boolean): g is Guardrails => Boolean(g) && !baseline;

/** The arm's state after a breach at `at` (ISO time). */
export const guardrailDisabled = (breach: Breach, at: string): DisabledInfo => ({ source: 'guardrail', reason: breachReason(breach), at, guardrail: breach });

/**
 * The automatic disable after a reward event is added to the arm's window: none unless
 * `mayAutoDisable` and the arm is enabled; otherwise the first breached limit, disabled at `nowMs`.
 */
export function autoDisable(w: GuardrailWindow, g: Guardrails | null, arm: { baseline: boolean; disabled: boolean }, nowMs: number, atOrBelow?: number): DisabledInfo | null {
  if (!mayAutoDisable(g, arm.baseline) || arm.disabled) return null;
  const breach = checkGuardrails(w, g, atOrBelow);
  return breach && guardrailDisabled(breach, new Date(nowMs).toISOString());
}
