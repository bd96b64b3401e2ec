/**
 * Who may enter an experiment, beside the traffic and holdback buckets: its targeting condition on
 * the request's context, and its layer's range of buckets. Pure functions of (config, context,
 * user); `decide` calls them, the store only records what was decided.
 */
import murmur from 'murmurhash3js-revisited';
import { bucketOf, BUCKETS } from './buckets.js';
import { compileCondition, type Predicate } from '../contract/condition.js';

/** The bucket of a user in a layer: the hash of buckets.ts with the layer id as salt, so every experiment of the layer sees the same bucket. */
export const layerBucket = (layerId: string, userId: string): number => bucketOf(murmur.x86.hash32(Buffer.from(`${layerId}\0${userId}`)));

/** In the layer range [from, to): by the user's bucket, or (without a userId) a bucket drawn from `rng`. */
export function inLayerRange(layer: { id: string; range: readonly [number, number] | number[] }, userId: string | undefined, rng: () => number): boolean {
  const b = userId === undefined ? Math.floor(rng() * BUCKETS) : layerBucket(layer.id, userId);
  return b >= layer.range[0] && b < layer.range[1];
}

/**
 * Compiled conditions by their JSON text: a snapshot is rebuilt at every version (and reload), the
 * condition is compiled once. Keyed by the text, not the experiment and version, so that two stores
 * in one process (tests, a migration) never share a stale predicate.
 */
const compiled = new Map<string, Predicate>();
const MAX_COMPILED = 10_000;

/** The experiment's targeting as a predicate on the context (null: no targeting). The condition was validated when it was stored. */
export function targetingPredicate(targeting: Record<string, unknown> | null | undefined): Predicate | null {
  if (!targeting) return null;
  const text = JSON.stringify(targeting);
  let test = compiled.get(text);
  if (test) return test;
  test = compileCondition(targeting);
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(text, test);
  return test;
}
