/**
 * Deterministic assignment of a user to buckets: MurmurHash3 (x86, 32-bit) of "<experiment>\0<user>".
 *
 * One hash serves both splits: its value modulo 10,000 is the traffic bucket, and the next
 * decimal digits (hash / 10,000, modulo 10,000) the holdback bucket. The two are independent for
 * practical purposes (2^32 / 10^4 is far above 10^4), so raising `trafficPercent` only adds users,
 * and the holdback share is the same at every traffic level.
 */
import murmur from 'murmurhash3js-revisited';

export const BUCKETS = 10_000;

export interface UserBuckets {
  /** In the experiment when below trafficPercent * 100. */
  traffic: number;
  /** In the holdback when below holdbackPercent * 100. */
  holdback: number;
  /** A uniform number in [0,1) for the fixed split, from a second seed of the same hash. */
  unit: number;
}

export function userBuckets(experimentId: string, userId: string): UserBuckets {
  const bytes = Buffer.from(`${experimentId}\0${userId}`);
  const h = murmur.x86.hash32(bytes);
  return {
    traffic: h % BUCKETS,
    holdback: Math.floor(h / BUCKETS) % BUCKETS,
    unit: murmur.x86.hash32(bytes, 1) / 2 ** 32,
  };
}

/** Buckets for a request without a userId: drawn from the random source instead of a hash. */
export function randomBuckets(rng: () => number): UserBuckets {
  return { traffic: Math.floor(rng() * BUCKETS), holdback: Math.floor(rng() * BUCKETS), unit: rng() };
}

export const inPercent = (bucket: number, percent: number): boolean => bucket < percent * (BUCKETS / 100);
