/** POST /reward and /rewards: check the decision id and the value, then record it exactly once. */
import type { z } from 'zod';
import { clip } from '../bandit/bounded.js';
import { RewardSchema, type RewardBody, type RewardResponse } from '../contract/decision.js';
import { preview } from '../contract/bounded-json.js';
import { ApiError, invalidAt } from '../errors.js';
import { DEFAULT_EVENT_RETENTION_SECONDS } from '../contract/event-log.js';
import { DEFAULT_WINDOW_SIZE } from '../bandit/guardrails.js';
import { StoreUnavailableError } from '../store/store.js';
import type { DisabledInfo, ExperimentConfig } from '../contract/domain.js';
import type { DecisionClaims } from '../assignment/decision-token.js';
import { decisionSnapshot, verifiedClaims } from './decision-claims.js';
import type { ServiceContext } from './context.js';
import type { Snapshot } from './snapshot.js';
import { changeSpecOf, engineSumsInput } from './engine-config.js';
import { answerEach, type BatchAnswer } from './batch.js';
import { rewardMetrics } from './signals.js';
import { encodeCompact } from '../bandit/features.js';

/** RewardResponse, with what the document leaves open: autoDisabled, set when this reward made a guardrail disable the arm. */
export type RewardResult = Omit<z.infer<typeof RewardResponse>, 'autoDisabled'> & { autoDisabled?: { armId: string } & DisabledInfo };

/** A reward decided with an old config is refused by the store; reload and decide again, this many times. */
const MAX_ATTEMPTS = 3;

export async function reward(ctx: ServiceContext, body: RewardBody): Promise<RewardResult> {
  const claims = verifiedClaims(ctx, body.decisionId);
  const nowMs = ctx.clock.now();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const res = await recordWith(ctx, body, claims, await decisionSnapshot(ctx, claims, attempt, nowMs), nowMs);
    if (res) return res;
  }
  throw new StoreUnavailableError(`experiment '${claims.e}' kept changing while the reward was recorded`);
}

/** Records with the config of `snap`; null when the store says that config is stale. */
async function recordWith(ctx: ServiceContext, body: RewardBody, claims: DecisionClaims, snap: Snapshot, nowMs: number): Promise<RewardResult | null> {
  const { config } = snap;
  const value = rewardValue(config, body);
  const metrics = rewardMetrics(config, body.metrics);
  const res = await ctx.store.recordReward({
    experimentId: config.id, armId: claims.a, population: claims.p, decisionKey: claims.k, issuedAt: claims.t,
    rewardWindowSeconds: config.rewardWindowSeconds, reward: value,
    event: { latencyMs: body.latencyMs, cost: body.cost, error: body.error ?? false },
    guardrails: config.guardrails, windowSize: config.guardrails?.windowSize ?? DEFAULT_WINDOW_SIZE,
    baseline: claims.a === config.baselineArmId, nowMs, version: snap.version,
    userKey: claims.u, userSumsTtlSeconds: config.stickyTtlSeconds + config.rewardWindowSeconds, engine: engineSumsInput(config),
    // Default rewards (issue 11): past afterSeconds the default is what counts (default-rewards.ts); a repeat is still a duplicate.
    ...(config.defaultReward && { defaults: { apply: false, late: Math.floor(nowMs / 1000) - claims.t > config.defaultReward.afterSeconds } }),
    ...(metrics && { metrics }),
    changes: changeSpecOf(config, claims.p, value),
    // Issue 23: a linear policy's decision carried its features; the store adds them to the arm's model.
    ...(config.features && claims.x && { linear: { x: Array.from(encodeCompact(config.features, claims.x)) } }),
    log: {
      propensity: claims.q, retentionSeconds: config.eventRetentionSeconds ?? DEFAULT_EVENT_RETENTION_SECONDS,
      ...(body.metadata !== undefined && { metadata: JSON.stringify(body.metadata) }),
    },
  });
  if (res.kind === 'stale') return null;
  if (res.kind === 'not_found') ctx.cache.invalidate(config.id);
  if (res.kind === 'not_found') throw new ApiError('decision_not_found', `the experiment of this decision ('${claims.e}') no longer exists`);
  if (res.kind === 'duplicate') {
    ctx.metrics.duplicate(config.id);
    return { accepted: true, duplicate: true };
  }
  if (res.kind === 'expired') {
    throw new ApiError('decision_expired', `no reward came within defaultReward.afterSeconds (${config.defaultReward?.afterSeconds} s): the default (${config.defaultReward?.value}) counts for this decision`, { issuedAt: new Date(claims.t * 1000).toISOString() });
  }
  ctx.metrics.reward(config.id, claims.a, claims.p);
  if (res.changeDetected) changeDetected(ctx, config.id, claims.a);
  // A value whose (decision, name) a signal recorded first is counted here as it arrived; the report counts it once.
  for (const m of metrics ?? []) ctx.metrics.signal(config.id, m.name, 'reward');
  if (!res.autoDisabled) return { accepted: true, duplicate: false };
  ctx.metrics.guardrailDisable(config.id, claims.a, res.autoDisabled.guardrail?.guardrail ?? 'unknown');
  ctx.cache.invalidate(config.id);
  return { accepted: true, duplicate: false, autoDisabled: { armId: claims.a, ...res.autoDisabled } };
}

/** A change of the arm (issue 24): counted, and the snapshot refreshed so the policy reads the restarted evidence. */
export function changeDetected(ctx: ServiceContext, experimentId: string, armId: string): void {
  ctx.metrics.changeDetected(experimentId, armId);
  ctx.cache.invalidate(experimentId);
}

/** The reward as a number, checked against the experiment's model; undefined when left out with error: true. */
function rewardValue(config: ExperimentConfig, body: RewardBody): number | undefined {
  const r = body.reward;
  if (r === undefined || r === null) {
    if (body.error === true) return undefined;
    throw invalidAt('invalid_reward', 'reward', 'required unless error is true');
  }
  if (config.rewardModel === 'bernoulli') {
    if (r === true || r === 1) return 1;
    if (r === false || r === 0) return 0;
    throw invalidAt('invalid_reward', 'reward', `must be 0, 1, true or false for a bernoulli experiment, got ${preview(r)}`);
  }
  if (typeof r !== 'number' || !Number.isFinite(r) || Math.abs(r) > 1e15) {
    throw invalidAt('invalid_reward', 'reward', `must be a finite number (|x| <= 1e15) for a gaussian experiment, got ${preview(r)}`);
  }
  if (config.rewardShape === 'hurdle-lognormal' && r < 0) {
    throw invalidAt('invalid_reward', 'reward', `must be 0 or positive for an experiment with rewardShape hurdle-lognormal, got ${preview(r)}`);
  }
  // A stated cap (rewardBounds): every figure is of the clipped reward (bandit/bounded.ts).
  return config.rewardBounds ? clip(r, config.rewardBounds) : r;
}

export type BatchItem = BatchAnswer<RewardResult>;

/** Each event answered as POST /reward would answer it, in order. Events run concurrently (the store serialises per decision). */
export function rewardBatch(ctx: ServiceContext, events: unknown[]): Promise<BatchItem[]> {
  return answerEach(events, RewardSchema, (body) => reward(ctx, body), 'reward');
}
