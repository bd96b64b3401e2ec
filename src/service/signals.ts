/**
 * POST /signals (issue 22) and the metrics of /reward: a declared metric's value for a decision,
 * checked against the experiment's metrics (400 naming the field), then recorded exactly once per
 * (decision, name) by the store's signal step. 404 and 410 as for /reward: a decision this service
 * did not issue, of an earlier life of the experiment, or older than rewardWindowSeconds (decision-claims.ts).
 */
import type { z } from 'zod';
import { preview } from '../contract/bounded-json.js';
import { DEFAULT_EVENT_RETENTION_SECONDS } from '../contract/event-log.js';
import { MAX_METRIC_ABS, SignalSchema, type MetricConfig, type SignalBody, type SignalResponse } from '../contract/metrics.js';
import type { DisabledInfo, ExperimentConfig } from '../contract/domain.js';
import { DEFAULT_WINDOW_SIZE } from '../bandit/guardrails.js';
import { ApiError } from '../errors.js';
import { StoreUnavailableError } from '../store/store.js';
import type { MetricValue } from '../store/signals.js';
import type { ServiceContext } from './context.js';
import { decisionSnapshot, verifiedClaims } from './decision-claims.js';
import { answerEach, type BatchAnswer } from './batch.js';

export type SignalAnswer = Omit<z.infer<typeof SignalResponse>, 'autoDisabled'> & { autoDisabled?: { armId: string } & DisabledInfo };

/** A signal decided with an old config is refused by the store; reload and record again, this many times. */
const MAX_ATTEMPTS = 3;

/** The value as the metric's kind takes it: a finite number, and for a proportion one in [0, 1]; 400 naming `field` otherwise. */
export function metricValue(m: MetricConfig, value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_METRIC_ABS) {
    throw new ApiError('invalid_request', `${field}: metric '${m.name}' takes a finite number (|x| <= 1e15), got ${preview(value)}`);
  }
  if (m.kind === 'proportion' && (value < 0 || value > 1)) {
    throw new ApiError('invalid_request', `${field}: metric '${m.name}' is a proportion: its value is in [0, 1], got ${value}`);
  }
  return value;
}

function declared(config: ExperimentConfig, name: string, field: string): MetricConfig {
  const m = config.metrics?.find((x) => x.name === name);
  if (!m) {
    const names = config.metrics?.map((x) => x.name).join(', ');
    throw new ApiError('invalid_request', `${field}: '${name}' is not a metric of experiment '${config.id}' (${names ? `declared: ${names}` : 'it declares none'})`);
  }
  return m;
}

/**
 * PATCH `metrics`: the full list, every metric already declared first with its name and kind
 * (direction and guardrail may change), then new ones; a metric is never removed or renamed, so
 * the sums already kept keep their meaning.
 */
export function patchedMetrics(current: readonly MetricConfig[] | undefined, next: readonly MetricConfig[]): MetricConfig[] {
  (current ?? []).forEach((m, i) => {
    const field = `metrics.${i}`;
    if (next[i]?.name !== m.name) {
      throw new ApiError('invalid_config', `${field}: metric '${m.name}' is declared; a PATCH lists every declared metric first, in order (metrics are added, never removed or renamed)`);
    }
    if (next[i].kind !== m.kind) throw new ApiError('invalid_config', `${field}.kind: metric '${m.name}' is a ${m.kind}; its kind cannot change`);
  });
  return next.map((m) => ({ ...m }));
}

const withGuardrail = (m: MetricConfig, value: number): MetricValue => ({ name: m.name, value, ...(m.guardrail && { guardrail: m.guardrail }) });

/** The `metrics` of a /reward body as the store's step takes them; undefined without any. */
export function rewardMetrics(config: ExperimentConfig, metrics: Record<string, unknown> | undefined): MetricValue[] | undefined {
  if (!metrics) return undefined;
  const out = Object.entries(metrics).map(([name, v]) => {
    const field = `metrics.${name}`;
    const m = declared(config, name, field);
    return withGuardrail(m, metricValue(m, v, field));
  });
  return out.length > 0 ? out : undefined;
}

export async function signal(ctx: ServiceContext, body: SignalBody): Promise<SignalAnswer> {
  const claims = verifiedClaims(ctx, body.decisionId);
  const nowMs = ctx.clock.now();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const snap = await decisionSnapshot(ctx, claims, attempt, nowMs);
    const { config } = snap;
    const m = declared(config, body.name, 'name');
    const res = await ctx.store.recordSignal({
      experimentId: config.id, armId: claims.a, population: claims.p, decisionKey: claims.k, issuedAt: claims.t,
      rewardWindowSeconds: config.rewardWindowSeconds, metric: withGuardrail(m, metricValue(m, body.value, 'value')),
      windowSize: config.guardrails?.windowSize ?? DEFAULT_WINDOW_SIZE, baseline: claims.a === config.baselineArmId, nowMs, version: snap.version,
      userSumsTtlSeconds: config.stickyTtlSeconds + config.rewardWindowSeconds,
      log: { propensity: claims.q, retentionSeconds: config.eventRetentionSeconds ?? DEFAULT_EVENT_RETENTION_SECONDS, ...(claims.u && { userKey: claims.u }) },
    });
    if (res.kind === 'stale') continue;
    if (res.kind === 'not_found') throw new ApiError('decision_not_found', `the experiment of this decision ('${claims.e}') no longer exists`);
    if (res.kind === 'duplicate') return { accepted: true, duplicate: true };
    ctx.metrics.signal(config.id, m.name, 'signal');
    if (!res.autoDisabled) return { accepted: true, duplicate: false };
    ctx.metrics.guardrailDisable(config.id, claims.a, res.autoDisabled.guardrail?.guardrail ?? 'unknown');
    ctx.cache.invalidate(config.id);
    return { accepted: true, duplicate: false, autoDisabled: { armId: claims.a, ...res.autoDisabled } };
  }
  throw new StoreUnavailableError(`experiment '${claims.e}' kept changing while the signal was recorded`);
}

export type SignalBatchItem = BatchAnswer<SignalAnswer>;

/** Each signal answered as POST /signals with one would answer it, in order. */
export function signalBatch(ctx: ServiceContext, items: unknown[]): Promise<SignalBatchItem[]> {
  return answerEach(items, SignalSchema, (body) => signal(ctx, body), 'signal');
}
