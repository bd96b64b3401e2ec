/**
 * Deterministic assignment of a user to buckets, from MurmurHash3 (x86, 32-bit) of
 * "<experiment>\0<user>": seed 0 gives the traffic bucket, seed 2 the holdback bucket (independent
 * hashes, so raising `trafficPercent` only adds users and the holdback share is the same at every
 * traffic level), seed 1 the unit number of the fixed split.
 *
 * A 32-bit hash h goes to bucket floor(h * 10^4 / 2^32) (multiply-shift, Dietzfelbinger et al.
 * 1997; exact in a double since h * 10^4 < 2^53). The hash values of buckets 0..k-1 are then exactly
 * h < ceil(k * 2^32 / 10^4), so every share of buckets is off by less than 2^-32 (2.3e-10). The
 * modulo mapping it replaces, floor(h / 10^4) % 10^4, gave 10% holdbacks 10.0117% (issue 8).
 */
import murmur from 'murmurhash3js-revisited';

import { BUCKETS } from '../contract/targeting.js';

export { BUCKETS };
const TWO_POW_32 = 2 ** 32;
const HOLDBACK_SEED = 2;
const PROMOTION_SEED = 3;

export interface UserBuckets {
  /** In the experiment when below trafficPercent * 100. */
  traffic: number;
  /** In the holdback when below holdbackPercent * 100. */
  holdback: number;
  /** A uniform number in [0,1) for the fixed split, from a second seed of the same hash. */
  unit: number;
  /** A uniform number in [0,1) for a staged rollout (seed 3): in the rollout when below its share. Absent without a userId (drawn when needed). */
  promotion?: number;
}

/** The bucket of a 32-bit hash value: multiply-shift, unbiased to 2^-32 for every prefix of buckets. */
export const bucketOf = (hash32: number): number => Math.floor((hash32 * BUCKETS) / TWO_POW_32);

export function userBuckets(experimentId: string, userId: string): UserBuckets {
  const bytes = Buffer.from(`${experimentId}\0${userId}`);
  return {
    traffic: bucketOf(murmur.x86.hash32(bytes)),
    holdback: bucketOf(murmur.x86.hash32(bytes, HOLDBACK_SEED)),
    unit: murmur.x86.hash32(bytes, 1) / TWO_POW_32,
    promotion: murmur.x86.hash32(bytes, PROMOTION_SEED) / TWO_POW_32,
  };
}

/**
 * The mapping of experiments created before multiply-shift (their config has no `bucketing`):
 * traffic h mod 10^4, holdback floor(h / 10^4) mod 10^4 (biased by 1.2e-4, see above), kept so
 * that a running experiment's users are not reshuffled by an upgrade.
 */
export function legacyUserBuckets(experimentId: string, userId: string): UserBuckets {
  const bytes = Buffer.from(`${experimentId}\0${userId}`);
  const h = murmur.x86.hash32(bytes);
  return {
    traffic: h % BUCKETS,
    holdback: Math.floor(h / BUCKETS) % BUCKETS,
    unit: murmur.x86.hash32(bytes, 1) / TWO_POW_32,
    promotion: murmur.x86.hash32(bytes, PROMOTION_SEED) / TWO_POW_32,
  };
}

/** Buckets for a request without a userId: drawn from the random source instead of a hash. */
export function randomBuckets(rng: () => number): UserBuckets {
  return { traffic: Math.floor(rng() * BUCKETS), holdback: Math.floor(rng() * BUCKETS), unit: rng() };
}

export const inPercent = (bucket: number, percent: number): boolean => bucket < percent * (BUCKETS / 100);
