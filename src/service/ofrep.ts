/**
 * OpenFeature remote evaluation (OFREP): a flag is an experiment, its value the arm's payload, its
 * variant the arm. Every evaluation is a /select decision (same stickiness, holdback, kill switch and
 * fallback), and its decision id travels in the flag metadata so the caller can send the reward.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { FlagValueSchema, OfrepFailure, OfrepSuccess } from '../contract/ofrep.js';
import { ApiError } from '../errors.js';
import { StoreUnavailableError } from '../store/store.js';
import type { ExperimentState } from '../contract/domain.js';
import type { ServiceContext } from './context.js';
import { promotionStatus } from '../bandit/promotion.js';
import { select } from './select.js';

/** A JSON value other than null (OFREP has no null flag value). */
export type FlagValue = z.infer<typeof FlagValueSchema>;
export type FlagEvaluation = z.infer<typeof OfrepSuccess>;
/** A flag of a bulk answer that could not be evaluated: only these two codes, always with details. */
export type FlagFailure = z.infer<typeof OfrepFailure> & { errorCode: 'FLAG_NOT_FOUND' | 'GENERAL'; errorDetails: string };

export type BulkEvaluation =
  | { etag: string; notModified: true }
  | { etag: string; notModified: false; flags: (FlagEvaluation | FlagFailure)[] };

/** `context`: the evaluation context; its targetingKey is the user, and all its attributes are what targeting sees. */
export async function evaluateFlag(ctx: ServiceContext, key: string, context: Record<string, unknown> = {}): Promise<FlagEvaluation> {
  const targetingKey = typeof context.targetingKey === 'string' ? context.targetingKey : undefined;
  const d = await select(ctx, key, targetingKey, { attributes: context });
  return {
    key: d.experimentId,
    // OFREP has no null value: an arm without a payload is its id, a string flag.
    value: (d.payload ?? d.armId) as FlagValue,
    variant: d.armId,
    // An excluded evaluation (targeting, layer, traffic, paused...) is the default value, not a split.
    reason: d.population === 'excluded' ? 'DEFAULT' : 'SPLIT',
    metadata: {
      decisionId: d.decisionId, propensity: d.propensity, population: d.population, sticky: d.sticky,
      ...(d.fallback && { fallback: true as const }), ...(d.excludedBy && { excludedBy: d.excludedBy }),
    },
  };
}

/**
 * Every active experiment (status active, not archived, not ended), evaluated for one context. The ETag is taken
 * from what decides the answer before any decision is made: the context and each active
 * experiment's id and version (bumped by every change, the kill switch included). A client that
 * polls with If-None-Match therefore gets a 304 and records no new decision while nothing changed;
 * its cached arms (sticky for a targetingKey) and decision ids still stand.
 */
/** `spend(n)` is told the number of decisions about to be made (after the ETag check) and may throw to refuse them (the rate limit). */
export async function evaluateFlags(ctx: ServiceContext, context: Record<string, unknown>, ifNoneMatch?: string, spend: (decisions: number) => void = () => {}): Promise<BulkEvaluation> {
  const nowMs = ctx.clock.now();
  const active = (await ctx.store.listExperiments()).filter((s) => isActive(s, nowMs));
  const etag = bulkEtag(context, active, nowMs);
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) return { etag, notModified: true };
  spend(active.length);
  const flags = await Promise.all(active.map((s) => evaluateFlag(ctx, s.config.id, context).catch((err: unknown) => flagFailure(s.config.id, err))));
  return { etag, notModified: false, flags };
}

function isActive({ config }: ExperimentState, nowMs: number): boolean {
  return config.status === 'active' && !config.archivedAt && (config.endsAt === null || Date.parse(config.endsAt) > nowMs);
}

/** One flag of a bulk answer that could not be evaluated; anything but a missing experiment or an unreachable store is a bug. */
function flagFailure(key: string, err: unknown): FlagFailure {
  if (err instanceof ApiError && err.code === 'experiment_not_found') return { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: err.message };
  if (err instanceof StoreUnavailableError || (err instanceof ApiError && err.code === 'store_unavailable')) {
    return { key, errorCode: 'GENERAL', errorDetails: `the store is unavailable: ${err.message}` };
  }
  throw err;
}

/** What decides the answer and changes without a version bump is in the tag too: a `startsAt` passing, a promotion's stage. */
function bulkEtag(context: Record<string, unknown>, active: ExperimentState[], nowMs: number): string {
  const basis = stableJson([context, active.map((s) => {
    const started = !s.config.startsAt || Date.parse(s.config.startsAt) <= nowMs;
    return [s.config.id, s.version, started, promotionStatus(s.config.promotion, s.disabled, nowMs)?.percent ?? null];
  })]);
  return `"${createHash('sha256').update(basis).digest('base64url').slice(0, 27)}"`;
}

/** If-None-Match: a list of (possibly weak) tags, or `*`. */
function etagMatches(header: string, etag: string): boolean {
  return header.split(',').map((t) => t.trim()).some((t) => t === '*' || t.replace(/^W\//, '') === etag);
}

/** JSON with object keys sorted, so the same context always hashes the same. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
