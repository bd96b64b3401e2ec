/**
 * The metric guardrail rule (issue 22), written once: the stores run it inside their signal and
 * reward steps (memory-metrics.ts, sqlite-metrics.ts) and lua/metrics.lua mirrors it line for
 * line. Once the arm's window of the metric holds `minSamples` values, its mean above `max` (or
 * below `min`) is a breach, reported as `metric:<name>`.
 */
import type { MetricWindow } from '../contract/metrics.js';
import type { Breach } from './guardrails.js';

export interface MetricLimit { max?: number; min?: number; minSamples: number }

export function metricBreach(name: string, w: MetricWindow, g: MetricLimit): Breach | null {
  if (w.samples < g.minSamples || w.samples === 0) return null;
  const observed = w.sum / w.samples;
  if (g.max !== undefined && observed > g.max) return { guardrail: `metric:${name}`, observed, limit: g.max };
  if (g.min !== undefined && observed < g.min) return { guardrail: `metric:${name}`, observed, limit: g.min };
  return null;
}
