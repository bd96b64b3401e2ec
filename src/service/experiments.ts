/** The admin use cases: create, read, list, patch experiments, and the per-arm kill switch. */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { CreateExperimentBody, PatchExperimentBody } from '../contract/experiment.js';
import type { ExperimentResponse } from '../contract/experiment-config.js';
import { mergeGuardrails } from './guardrails-patch.js';
import { checkExperimentCap } from './experiment-cap.js';
import { DEFAULT_BETA_PRIOR, DEFAULT_NORMAL_GAMMA_PRIOR } from '../bandit/posterior.js';
import { ApiError, invalidAt, experimentNotFound } from '../errors.js';
import { nullProto } from '../store/null-proto.js';
import type { DisabledInfo, ExperimentConfig, ExperimentState, HoldbackPeriod, Promotion } from '../contract/domain.js';
import type { PromoteBody } from '../contract/lifecycle.js';
import type { ServiceContext } from './context.js';
import { changeDetectionOf, engineConfigOf } from './engine-config.js';
import { claimRange, patchLayer, releaseRange, restoreClaim } from './layers.js';
import { patchedMetrics } from './signals.js';

/** What the experiment routes answer (ExperimentResponse): the config with each arm's state, and the version. */
export type ExperimentView = z.infer<typeof ExperimentResponse>;

export function view(state: ExperimentState): ExperimentView {
  const { config, disabled } = state;
  return {
    ...config,
    arms: config.arms.map((a) => ({
      id: a.id, payload: a.payload ?? null, ...(a.weight !== undefined && { weight: a.weight }),
      baseline: a.id === config.baselineArmId,
      status: disabled[a.id] ? 'disabled' : 'active', disabled: disabled[a.id] ?? null,
    })),
    version: state.version,
  };
}

export async function createExperiment(ctx: ServiceContext, body: CreateExperimentBody): Promise<ExperimentView> {
  const config = buildConfig(body, new Date(ctx.clock.now()).toISOString());
  await checkExperimentCap(ctx);
  const exists = (): ApiError => new ApiError('experiment_exists', `experiment '${body.id}' already exists`);
  if (config.layer) {
    // Claimed first, atomically in the layer; given back when the create then fails (create mode: no one else holds this id's claim).
    if (await ctx.store.getExperiment(config.id)) throw exists();
    await claimRange(ctx, config.id, config.layer, config.endsAt, 'create');
  }
  if (!(await ctx.store.createExperiment(config))) {
    if (config.layer) await restoreClaim(ctx, config);
    throw exists();
  }
  return view({ config, disabled: nullProto(), version: 1 });
}

function buildConfig(body: CreateExperimentBody, now: string): ExperimentConfig {
  const ids = body.arms.map((a) => a.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw invalidAt('invalid_config', `arms.${ids.lastIndexOf(dup)}.id`, `arm id '${dup}' appears twice`);
  const baselineArmId = body.baselineArmId ?? ids[0];
  if (!ids.includes(baselineArmId)) throw invalidAt('invalid_config', 'baselineArmId', `'${baselineArmId}' is not one of the arms`);
  if (body.prior) {
    const wantsNormalGamma = body.rewardModel === 'gaussian';
    if (wantsNormalGamma !== 'mu' in body.prior) {
      const shape = wantsNormalGamma ? '{mu, lambda, alpha, beta}' : '{alpha, beta}';
      throw invalidAt('invalid_config', 'prior', `a ${body.rewardModel} experiment takes a prior of the form ${shape}`);
    }
  }
  const weighted = body.arms.findIndex((a) => a.weight !== undefined);
  if (body.policy !== 'fixed' && weighted >= 0) {
    throw invalidAt('invalid_config', `arms.${weighted}.weight`, 'weights are used by the fixed policy only; set policy to "fixed" or drop them');
  }
  return {
    id: body.id, arms: body.arms, baselineArmId, rewardModel: body.rewardModel,
    prior: body.prior ?? (body.rewardModel === 'bernoulli' ? { ...DEFAULT_BETA_PRIOR } : { ...DEFAULT_NORMAL_GAMMA_PRIOR }),
    policy: body.policy, holdbackPercent: body.holdbackPercent, trafficPercent: body.trafficPercent,
    stickiness: body.stickiness, stickyTtlSeconds: body.stickyTtlSeconds, rewardWindowSeconds: body.rewardWindowSeconds,
    guardrails: body.guardrails ?? null, endsAt: body.endsAt ?? null, seed: body.seed ?? null,
    status: 'active', createdAt: now, updatedAt: now, life: randomBytes(6).toString('base64url'), startsAt: body.startsAt ?? null, decisionRule: body.decisionRule ?? null,
    bucketing: 'multiply-shift', eventRetentionSeconds: body.eventRetentionSeconds,
    ...(body.targeting && { targeting: body.targeting }), ...(body.layer && { layer: { id: body.layer.id, range: body.layer.range } }),
    ...(body.metrics && body.metrics.length > 0 && { metrics: body.metrics }),
    ...engineConfigOf(body),
  };
}

export async function getExperiment(ctx: ServiceContext, id: string): Promise<ExperimentView> {
  return view(await mustGet(ctx, id));
}

export async function listExperiments(ctx: ServiceContext): Promise<ExperimentView[]> {
  return (await ctx.store.listExperiments()).map(view);
}

export async function patchExperiment(ctx: ServiceContext, id: string, body: PatchExperimentBody): Promise<ExperimentView> {
  const now = new Date(ctx.clock.now()).toISOString();
  const { guardrails: g, metrics: ms, changeDetection: cd, ...rest } = body;
  if (body.layer !== undefined || body.endsAt !== undefined) await patchLayer(ctx, await mustGet(ctx, id), body.layer, body.endsAt);
  const guardrails = g === undefined ? {} : { guardrails: g === null ? null : mergeGuardrails((await mustGet(ctx, id)).config.guardrails, g) };
  const metrics = ms === undefined ? {} : { metrics: patchedMetrics((await mustGet(ctx, id)).config.metrics, ms) };
  const before = cd === undefined ? undefined : (await mustGet(ctx, id)).config;
  const changes = before === undefined ? {} : { changeDetection: changeDetectionOf(cd, before) };
  const periods = body.holdbackPercent === undefined ? undefined : await closeHoldbackPeriod(ctx, id, body.holdbackPercent, now);
  const state = await ctx.store.updateExperiment(id, { ...rest, ...guardrails, ...metrics, ...changes, updatedAt: now, ...(periods && { holdbackPeriods: periods }) });
  return view(stored(ctx, id, state));
}

export async function setArmEnabled(ctx: ServiceContext, id: string, armId: string, enabled: boolean, reason?: string): Promise<ExperimentView> {
  const { config } = await mustGet(ctx, id);
  if (!config.arms.some((a) => a.id === armId)) throw new ApiError('arm_not_found', `experiment '${id}' has no arm '${armId}'`);
  if (!enabled && armId === config.baselineArmId) {
    throw new ApiError('baseline_arm', `'${armId}' is the baseline arm: it serves the holdback and the fallback, so it cannot be disabled`);
  }
  const info: DisabledInfo | null = enabled ? null : { source: 'manual', reason: reason ?? 'disabled by hand', at: new Date(ctx.clock.now()).toISOString() };
  return view(stored(ctx, id, await ctx.store.setArmState(id, armId, info)));
}

/**
 * A change of holdbackPercent closes the current period: its share and the user counts so far are
 * kept, so the split check tests each period's new users against that period's share. (The counts
 * are read just before the change; decisions in between land in the new period: a few users at most.)
 */
async function closeHoldbackPeriod(ctx: ServiceContext, id: string, percent: number, now: string): Promise<HoldbackPeriod[] | undefined> {
  const [state, stats] = await Promise.all([ctx.store.getExperiment(id), ctx.store.getStats(id)]);
  if (!state || !stats || state.config.holdbackPercent === percent) return undefined;
  const users = (pop: 'bandit' | 'holdback') => stats.arms.reduce((s, a) => s + a[pop].users, 0);
  return [...(state.config.holdbackPeriods ?? []),
    { percent: state.config.holdbackPercent, until: now, holdbackUsers: users('holdback'), banditUsers: users('bandit') }];
}

/** DELETE: archive. /select answers 404 from then on; the report (and the events) stay readable. Idempotent. */
export async function archiveExperiment(ctx: ServiceContext, id: string): Promise<ExperimentView> {
  const { config } = await mustGet(ctx, id);
  const now = new Date(ctx.clock.now()).toISOString();
  const state = config.archivedAt ? await mustGet(ctx, id) : stored(ctx, id, await ctx.store.updateExperiment(id, { archivedAt: now, updatedAt: now }));
  await releaseRange(ctx, config); // again on a repeat: a DELETE whose release failed is retried
  return view(state);
}

/** POST .../promote: store a staged rollout of an enabled arm; every replica follows it from the stored config. */
export async function promoteArm(ctx: ServiceContext, id: string, body: PromoteBody): Promise<ExperimentView> {
  const { config, disabled } = await mustGet(ctx, id);
  if (config.archivedAt) throw new ApiError('invalid_request', `experiment '${id}' is archived`);
  if (!config.arms.some((a) => a.id === body.armId)) throw new ApiError('arm_not_found', `experiment '${id}' has no arm '${body.armId}'`);
  if (disabled[body.armId]) throw new ApiError('invalid_request', `arm '${body.armId}' is disabled (${disabled[body.armId].reason}); enable it before promoting it`);
  const now = new Date(ctx.clock.now()).toISOString();
  const promotion: Promotion = { armId: body.armId, stages: body.stages, startedAt: now };
  return view(stored(ctx, id, await ctx.store.updateExperiment(id, { promotion, updatedAt: now })));
}

async function mustGet(ctx: ServiceContext, id: string): Promise<ExperimentState> {
  return stored(ctx, id, await ctx.store.getExperiment(id));
}

/** Throws 404 for a missing experiment; otherwise refreshes this replica's cache with the new state. */
function stored(ctx: ServiceContext, id: string, state: ExperimentState | null): ExperimentState {
  if (!state) throw experimentNotFound(id);
  ctx.cache.putState(state);
  return state;
}
