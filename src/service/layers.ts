/**
 * Layers (issue 21): an experiment's claim on a range of its layer's buckets, taken atomically in
 * the store at create (and when a PATCH grows the range or moves the end), freed by the end date
 * or by archiving; GET /layers/:id. Who is in is decided per request by assignment/eligibility.ts.
 */
import type { z } from 'zod';
import { BUCKETS } from '../assignment/buckets.js';
import type { LayerResponse } from '../contract/targeting.js';
import { ApiError } from '../errors.js';
import { liveAt, type ClaimMode, type LayerClaim } from '../store/layer-claims.js';
import type { ExperimentConfig, ExperimentState } from '../contract/domain.js';
import type { ServiceContext } from './context.js';

type Layer = NonNullable<ExperimentConfig['layer']>;
export type LayerView = z.infer<typeof LayerResponse>;

const endsAtMs = (endsAt: string | null | undefined): number | null => (endsAt ? Date.parse(endsAt) : null);

/** Claims the range for the experiment, or throws 409 layer_conflict naming the experiment that holds an overlapping one. */
export async function claimRange(ctx: ServiceContext, id: string, layer: Layer, endsAt: string | null | undefined, mode: ClaimMode): Promise<void> {
  const claim: LayerClaim = { experimentId: id, range: [layer.range[0], layer.range[1]], endsAtMs: endsAtMs(endsAt) };
  const res = await ctx.store.claimLayerRange(layer.id, claim, ctx.clock.now(), mode);
  if (res.kind === 'claimed') return;
  // A claim of this very id with no experiment behind it was left by a create whose store call failed
  // (it may or may not have run, so it was kept): this create takes it over.
  if (mode === 'create' && res.with.experimentId === id && !(await ctx.store.getExperiment(id))) return claimRange(ctx, id, layer, endsAt, 'update');
  const [from, to] = res.with.range;
  const message = res.with.experimentId === id
    ? `experiment '${id}' already holds a range of layer '${layer.id}'`
    : `layer '${layer.id}': range [${layer.range[0]}, ${layer.range[1]}) overlaps [${from}, ${to}) of live experiment '${res.with.experimentId}'`;
  throw new ApiError('layer_conflict', message, { layerId: layer.id, experimentId: res.with.experimentId, range: [from, to] });
}

/**
 * A PATCH of `layer` or `endsAt` on an experiment in a layer: the id stays, the range may only grow
 * (a user in stays in; no bucket changes hands while its experiment is live), and the claim follows
 * (a later end keeps the range, an end in the past frees it).
 */
export async function patchLayer(ctx: ServiceContext, state: ExperimentState, layer: Layer | undefined, endsAt: string | null | undefined): Promise<void> {
  const current = state.config.layer ?? null;
  if (layer !== undefined) {
    const bad = (message: string): never => { throw new ApiError('invalid_config', `layer: ${message}`, { issues: [{ path: 'layer', message }] }); };
    if (!current) bad('an experiment joins a layer when it is created (its users would otherwise move between experiments)');
    if (layer.id !== current!.id) bad(`the layer of an experiment stays '${current!.id}'`);
    if (layer.range[0] > current!.range[0] || layer.range[1] < current!.range[1]) {
      bad(`a range may only grow: [${layer.range[0]}, ${layer.range[1]}) does not contain [${current!.range[0]}, ${current!.range[1]})`);
    }
  }
  if (!current || state.config.archivedAt || (layer === undefined && endsAt === undefined)) return;
  await claimRange(ctx, state.config.id, layer ?? current, endsAt === undefined ? state.config.endsAt : endsAt, 'update');
}

/**
 * A create that lost to a concurrent create of the same id (experiment_exists after its claim):
 * the claim of this id now holds the loser's range (it took over a claim whose experiment was not
 * stored yet), so it is written again from the experiment that won, or released when that one is
 * in no layer or another. A third experiment claiming the winner's range in between is answered
 * 409 here and leaves the claim as it is (docs/targeting.md).
 */
export async function restoreClaim(ctx: ServiceContext, lost: ExperimentConfig): Promise<void> {
  const winner = (await ctx.store.getExperiment(lost.id))?.config;
  if (!winner?.layer || winner.layer.id !== lost.layer?.id) return releaseRange(ctx, lost);
  await claimRange(ctx, winner.id, winner.layer, winner.endsAt, 'update').catch((err: unknown) => {
    if (!(err instanceof ApiError && err.code === 'layer_conflict')) throw err;
  });
}

/** DELETE: an archived experiment frees its range at once. */
export async function releaseRange(ctx: ServiceContext, config: ExperimentConfig): Promise<void> {
  if (config.layer) await ctx.store.releaseLayerRange(config.layer.id, config.id);
}

/** GET /layers/:id: the live experiments with their ranges, and the free ranges between them. An unknown layer is all free. */
export async function getLayer(ctx: ServiceContext, layerId: string): Promise<LayerView> {
  const now = ctx.clock.now();
  const live = (await ctx.store.readLayer(layerId)).filter((c) => liveAt(c, now));
  const free: [number, number][] = [];
  let at = 0;
  for (const c of live) {
    if (c.range[0] > at) free.push([at, c.range[0]]);
    at = Math.max(at, c.range[1]);
  }
  if (at < BUCKETS) free.push([at, BUCKETS]);
  return {
    id: layerId, buckets: BUCKETS, free,
    experiments: live.map((c) => ({ experimentId: c.experimentId, range: c.range, endsAt: c.endsAtMs === null ? null : new Date(c.endsAtMs).toISOString() })),
  };
}
