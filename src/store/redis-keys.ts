/**
 * Every Redis key of the store, built in one place.
 *
 * All keys of one experiment carry the hash tag `{exp:<id>}`, so each Lua script touches a single
 * slot and runs unchanged on Redis Cluster. Only the experiment index and the secret live outside
 * any experiment's slot; they are read and written by single-key commands.
 *
 *   <prefix>experiments             SET    ids of all experiments (for listExperiments)
 *   <prefix>secret                  STRING decision-signing secret
 *   <prefix>{exp:<id>}:m            HASH   config JSON, patches p:<field>, version v, arm index
 *                                          a:<armId> -> i, i:<i> -> armId, arms JSON, d:<armId> -> DisabledInfo
 *   <prefix>{exp:<id>}:t            HASH   tallies <pop><d|r|s|q|u>:<armId> (decisions, rewards, sum, sumSq, users)
 *   <prefix>{exp:<id>}:w            HASH   window counters c:<armId> cost samples, s:<armId> cost sum,
 *                                          e:<armId> errors, q:<armId> event sequence, n:<armId> latencies,
 *                                          u:<armId> latencies at or below ul:<armId> (the p95 limit counted for)
 *   <prefix>{exp:<id>}:e:<armId>    LIST   the arm's window events "seq|latency|cost|error", oldest first
 *   <prefix>{exp:<id>}:s:<epoch>    HASH   sticky users of one TTL epoch: hashed userId -> packed (arm index, expiresAt, propensity, population)
 *   <prefix>{exp:<id>}:d:<bucket>   SET    dedupe keys of decisions issued in one time bucket
 *   <prefix>{exp:<id>}:u            HASH   per-user reward sums <pop><userKey> -> packed (S, N); tallies <pop>~ss|~nn|~sn sum over users
 *   <prefix>{exp:<id>}:M            HASH   metric sums and windows (issue 22): see lua/metrics.lua
 *   <prefix>{exp:<id>}:g            HASH   change detection (issue 24): the arms' GLR detectors; see lua/changes.lua
 *   <prefix>{exp:<id>}:dd           ZSET   decisions waiting for their default reward (issue 11): score due time, member
 *                                          nonce|population|issuedAt|armId|propensity|userKey (dueMember; propensity as
 *                                          16 hex digits of its double, or, written by a release before issue 26, decimal)
 *   <prefix>{exp:<id>}:df           ZSET   decisions whose default was applied: score until when it is remembered
 *   <prefix>{exp:<id>}:h            ZSET   history points: score ts (unix seconds), member the point's JSON
 *   <prefix>{exp:<id>}:l            STREAM the event log: every decision (packed field `d`) and accepted reward
 *                                          (packed field `r`), appended by assign.lua and reward.lua (see them)
 *   <prefix>{exp:<id>}:ld|lr|lg     STREAM the log's decisions, rewards, signals: their ids only, kept by lua/log-of-type.lua
 *   <prefix>{exp:<id>}:li           STRING the last log id those index streams hold (lua/log-of-type.lua)
 */
import * as crypto from 'node:crypto';
import type { Population } from '../contract/population.js';

/** SHA-256 in one call: crypto.hash (Node 20.12+) builds no Hash object (about 1 µs less per /select); createHash before it. */
const sha256: (data: string) => Buffer = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data, 'buffer')
  : (data) => crypto.createHash('sha256').update(data, 'utf8').digest();

/** Decisions are grouped into dedupe sets by the bucket of their issuedAt (seconds). */
export const DEDUPE_BUCKET_SECONDS = 600;
/** Extra life of sticky and dedupe keys beyond the last moment they are needed (seconds). */
export const EXPIRY_MARGIN_SECONDS = 300;

export class ExperimentKeys {
  private readonly base: string;

  constructor(prefix: string, readonly experimentId: string) {
    this.base = `${prefix}{exp:${experimentId}}:`;
  }

  meta(): string { return `${this.base}m`; }
  tallies(): string { return `${this.base}t`; }
  windows(): string { return `${this.base}w`; }
  events(armId: string): string { return `${this.base}e:${armId}`; }
  sticky(epoch: number): string { return `${this.base}s:${epoch}`; }
  dedupe(bucket: number): string { return `${this.base}d:${bucket}`; }
  /** Default rewards (issue 11): decisions waiting for theirs (score: due time), and those that got it (score: forget after). */
  due(): string { return `${this.base}dd`; }
  defaulted(): string { return `${this.base}df`; }
  userSums(): string { return `${this.base}u`; }
  /** Metric sums and windows (issue 22; fields in lua/metrics.lua). */
  metricSums(): string { return `${this.base}M`; }
  /** Change detection (issue 24): the arms' GLR detectors (fields in lua/changes.lua). */
  detectors(): string { return `${this.base}g`; }
  /** A linear policy's per-arm sums (issue 23, lua/linear.lua). */
  linearSums(): string { return `${this.base}L`; }
  history(): string { return `${this.base}h`; }
  log(): string { return `${this.base}l`; }
  /** The log's index of one type (d, r or g: the entries' type field), and how far it goes (lua/log-of-type.lua). */
  logIndex(type: 'd' | 'r' | 'g'): string { return `${this.base}l${type}`; }
  logIndexed(): string { return `${this.base}li`; }
}

export const indexKey = (prefix: string): string => `${prefix}experiments`;
export const secretKey = (prefix: string): string => `${prefix}secret`;
/** A layer's claims (issue 21): HASH experimentId -> "from to endsAtMs|-", its own hash tag (claim-layer.lua touches only it). */
export const layerKey = (prefix: string, layerId: string): string => `${prefix}{layer:${layerId}}`;

/** A prefix with a brace would put its own hash tag ahead of the experiment's. */
export function checkPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) throw new Error(`Redis key prefix must not contain '{' or '}': ${JSON.stringify(prefix)}`);
  return prefix;
}

/**
 * The sticky field of a user: 12 base64url characters (72 bits) of SHA-256, so an entry's size
 * does not depend on how long user ids are, and the field fits jemalloc's 16-byte class. Two users
 * of one experiment share an entry only on a hash collision (for 10^8 users, odds about 1 in 10^6).
 */
export const stickyField = (userId: string): string =>
  sha256(userId).subarray(0, FIELD_BYTES).toString('base64url');
/** 9 bytes are exactly 12 base64url characters. */
const FIELD_BYTES = 9;

/** Sticky entries live in hashes per epoch of `ttl` seconds; an entry is found in its epoch or the next. */
export function stickyEpochs(now: number, ttlSeconds: number): { epoch: number; keyTtl: number } {
  const length = Math.max(1, Math.floor(ttlSeconds));
  const epoch = Math.floor(now / length);
  // Entries written in `epoch` expire before the end of `epoch + 1`.
  return { epoch, keyTtl: Math.max(1, Math.ceil((epoch + 2) * length - now + EXPIRY_MARGIN_SECONDS)) };
}

/** The dedupe bucket of a decision and how long its set must live (from `now`, both in seconds). */
export function dedupeBucket(issuedAt: number, rewardWindowSeconds: number, now: number): { bucket: number; keyTtl: number } {
  const bucket = Math.floor(issuedAt / DEDUPE_BUCKET_SECONDS);
  const end = (bucket + 1) * DEDUPE_BUCKET_SECONDS + rewardWindowSeconds + EXPIRY_MARGIN_SECONDS;
  return { bucket, keyTtl: Math.max(EXPIRY_MARGIN_SECONDS, Math.ceil(end - now)) };
}

/**
 * Run-time API keys (issue 10), in one hash tag so each MULTI touches one slot:
 *   <prefix>{keys}:all      HASH   id -> ApiKeyRecord JSON (the key's SHA-256, never the key)
 *   <prefix>{keys}:used     HASH   id -> lastUsedAt (ISO), written by each replica's periodic flush
 *   <prefix>{keys}:v        STRING version of the key set, bumped by every create and revoke
 *   <prefix>{keys}:epoch    STRING a random number set when missing: a new one means the data was lost (flush, empty failover)
 *   <prefix>{keys}:ack:<v>  STRING replicas that applied version v (expires after a minute)
 *   channel <prefix>keys:changed   the new version, published by every create and revoke
 */
export const apiKeyKeys = (prefix: string) => ({
  all: `${prefix}{keys}:all`,
  used: `${prefix}{keys}:used`,
  version: `${prefix}{keys}:v`,
  epoch: `${prefix}{keys}:epoch`,
  ack: (v: number | string) => `${prefix}{keys}:ack:${v}`,
  /** The live watchers (watcher id -> expiry, ms): on Redis Cluster PUBLISH counts only its own node's subscribers. */
  watchers: `${prefix}{keys}:watchers`,
  channel: `${prefix}keys:changed`,
});

/** A decision on the due set (issue 11). */
export interface DueEntry { decisionKey: string; population: Population; issuedAt: number; armId: string; propensity: number; userKey?: string }

/** A double's IEEE-754 bits as 16 hex digits, big-endian (lua/lib.lua hexDouble writes the same): exact, no decimal formatting. */
export function hexDouble(x: number): string {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(x);
  return b.toString('hex');
}

/** A decision's member of the due set (arm ids have no '|'): what assign.lua writes and reward.lua removes. */
export const dueMember = (d: DueEntry): string =>
  `${d.decisionKey}|${d.population}|${d.issuedAt}|${d.armId}|${hexDouble(d.propensity)}|${d.userKey ?? ''}`;

/** The member as a release before issue 26 wrote it (the propensity as JavaScript's String()): a reward removes this one too. */
export const legacyDueMember = (d: DueEntry): string =>
  `${d.decisionKey}|${d.population}|${d.issuedAt}|${d.armId}|${d.propensity}|${d.userKey ?? ''}`;

/** A due-set member read back (either form). */
export function parseDueMember(member: string): DueEntry {
  const [decisionKey, population, issuedAt, armId, p, userKey] = member.split('|');
  const propensity = /^[0-9a-f]{16}$/.test(p) ? Buffer.from(p, 'hex').readDoubleBE(0) : Number(p);
  return { decisionKey, population: population as Population, issuedAt: Number(issuedAt), armId, propensity, ...(userKey && { userKey }) };
}
