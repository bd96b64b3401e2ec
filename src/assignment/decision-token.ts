/**
 * Decision ids: a signed token carrying everything `/reward` needs, so no per-decision storage.
 *
 * Format: base64url(body ‖ first 16 bytes of HMAC-SHA256(secret, body)), the body being binary:
 *
 *   offset  size  field
 *   0       1     format version (2; version 1, without the user key, still verifies)
 *   1       1     population: 0 bandit, 1 holdback, 2 excluded
 *   2       4     issued at, unix seconds (uint32, big-endian)
 *   6       8     propensity (float64, big-endian: exact)
 *   14      12    nonce: unique per decision; its base64url text is the dedupe key `k`. Its first
 *                 4 bytes are the experiment's life tag (stampLife: a hash of its id and createdAt),
 *                 the other 8 random, so a token names the life of the experiment it was issued in
 *   26      1+n   experiment id (length byte, then its bytes)
 *   27+n    1+m   arm id (length byte, then its bytes)
 *   28+n+m  1+u   user key (version 2: length byte, 0 or 9, then 9 bytes = 12 base64url characters),
 *                 the short hash of the userId that keys the per-user reward sums (issue 8)
 *   29+n+m+u 1+8f  version 3 only: a linear policy's decision features (issue 23): a count byte f,
 *                 then f float64 (big-endian), one per declared feature (bandit/features.ts's
 *                 compact form), so that /reward finds the decision's x however large the context
 *
 * A binary body instead of base64url(JSON): signing is on every /select and verifying on every
 * /reward, and the JSON round trip cost about as much as the HMAC itself (bench/RESULTS.md).
 * Every replica must share the secret (configured, or created once in the store). The HMAC is
 * node:crypto's (`createHmac` over a KeyObject made once, so the key is not converted per call);
 * ids signed by the hand-written SHA-256 this replaced are the same bytes and still verify
 * (test/assignment/decision-token.test.ts holds two such ids).
 */
import { createHash, createHmac, createSecretKey, randomFillSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { POPULATIONS, type Population } from '../contract/population.js';

export interface DecisionClaims {
  /** experiment id */
  e: string;
  /** arm id */
  a: string;
  /** population */
  p: Population;
  /** issued at, unix seconds */
  t: number;
  /** propensity */
  q: number;
  /** nonce: unique per decision, the dedupe key */
  k: string;
  /** user key: 12 base64url characters (a hash of the userId); absent without a userId */
  u?: string;
  /** a linear policy's decision features, compact (bandit/features.ts; issue 23); absent otherwise */
  x?: readonly number[];
}

const VERSION = 2;
/** The version of a token that carries features (issue 23); one without keeps version 2's bytes. */
const VERSION_FEATURES = 3;
/** At most 63 features (64 encoded dimensions with the intercept). */
const MAX_FEATURES = 63;
const USER_KEY_BYTES = 9;
const SIG_BYTES = 16;
const NONCE_BYTES = 12;
const NONCE_AT = 14;
const IDS_AT = NONCE_AT + NONCE_BYTES;
/** Ids are at most 64 characters (schemas.ts); a length byte holds up to 255 bytes. */
const MAX_ID_BYTES = 255;
const POPULATION_CODE = Object.fromEntries(POPULATIONS.map((p, i) => [p, i])) as Record<Population, number>;

/**
 * Nonces are cut from a pool of CSPRNG bytes refilled 4 KiB at a time (each byte used once):
 * `randomBytes(12)` per decision cost about as much as the HMAC itself.
 */
const pool = Buffer.alloc(NONCE_BYTES * 341);
let poolOffset = pool.length;

function takeNonce(into: Buffer, at: number): void {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(into, at, poolOffset, poolOffset + NONCE_BYTES);
  poolOffset += NONCE_BYTES;
}

/** A fresh nonce for signWith, as the dedupe key `k` spells it (16 base64url characters). */
export function newNonce(): string {
  const b = Buffer.allocUnsafe(NONCE_BYTES);
  takeNonce(b, 0);
  return b.toString('base64url');
}

const LIFE_TAG_BYTES = 4;

/** The life tag of an experiment: the first bytes of SHA-256(id, createdAt). A new life (created again after a loss) has another. */
export function lifeTag(experimentId: string, createdAt: string): Buffer {
  return createHash('sha256').update(`${experimentId}\0${createdAt}`).digest().subarray(0, LIFE_TAG_BYTES);
}

/** The nonce with its first bytes replaced by the life tag (the other 8 bytes stay random: the dedupe key stays unique). */
export function stampLife(nonce: string, tag: Buffer): string {
  const b = Buffer.from(nonce, 'base64url');
  tag.copy(b, 0);
  return b.toString('base64url');
}

/**
 * Whether a decision was issued in this life of its experiment: its nonce carries the life's tag, or
 * (a token signed before life tags, whose nonce is all random) it was issued after the life began, in
 * a later second (a token of an earlier life is never later than the new life's creation).
 */
export function issuedInLife(claims: DecisionClaims, tag: Buffer, createdAt: string): boolean {
  if (Buffer.from(claims.k, 'base64url').subarray(0, LIFE_TAG_BYTES).equals(tag)) return true;
  return claims.t > Math.floor(Date.parse(createdAt) / 1000);
}

export class DecisionSigner {
  private readonly key: KeyObject;
  /** One body is built at a time (signing is synchronous), so one scratch buffer serves every call. */
  private readonly scratch = Buffer.alloc(IDS_AT + 2 * (1 + MAX_ID_BYTES) + 1 + USER_KEY_BYTES + 1 + 8 * MAX_FEATURES + SIG_BYTES);

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  /** The first SIG_BYTES of HMAC-SHA256(secret, body). */
  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, SIG_BYTES);
  }

  /** A token with a fresh nonce. */
  sign(claims: Omit<DecisionClaims, 'k'>): string {
    return this.write(claims, null);
  }

  /**
   * The token of these claims with the given nonce (`k`, from newNonce): a deterministic function of
   * the claims, so the event log re-signs the very decisionId that /select answered from the fields
   * it stored (the nonce is chosen before the store records the decision, the token signed after).
   */
  signWith(claims: DecisionClaims): string {
    const nonce = Buffer.from(claims.k, 'base64url');
    if (nonce.length !== NONCE_BYTES || nonce.toString('base64url') !== claims.k) throw new RangeError(`not a decision nonce: ${JSON.stringify(claims.k)}`);
    return this.write(claims, nonce);
  }

  private write(claims: Omit<DecisionClaims, 'k'>, nonce: Buffer | null): string {
    const b = this.scratch;
    b[0] = VERSION;
    b[1] = POPULATION_CODE[claims.p];
    b.writeUInt32BE(claims.t, 2);
    b.writeDoubleBE(claims.q, 6);
    if (nonce) nonce.copy(b, NONCE_AT);
    else takeNonce(b, NONCE_AT);
    let end = writeId(b, IDS_AT, claims.e);
    end = writeId(b, end, claims.a);
    if (claims.u === undefined) b[end++] = 0;
    else {
      if (b.write(claims.u, end + 1, USER_KEY_BYTES, 'base64url') !== USER_KEY_BYTES) throw new Error('a user key is 12 base64url characters');
      b[end] = USER_KEY_BYTES;
      end += 1 + USER_KEY_BYTES;
    }
    if (claims.x !== undefined) end = writeFeatures(b, end, claims.x);
    this.mac(b.subarray(0, end)).copy(b, end);
    return b.toString('base64url', 0, end + SIG_BYTES);
  }

  /** The claims of a genuine token, or null for anything forged, altered or malformed. */
  verify(token: string): DecisionClaims | null {
    if (typeof token !== 'string' || token.length > 2048) return null;
    const b = Buffer.from(token, 'base64url');
    const end = b.length - SIG_BYTES;
    if (end < IDS_AT + 2 || (b[0] !== VERSION && b[0] !== 1 && b[0] !== VERSION_FEATURES)) return null;
    // Node's decoder skips characters outside the alphabet and ignores spare trailing bits: only the
    // canonical spelling of a token is one (another spelling of the same bytes is refused).
    if (b.toString('base64url') !== token) return null;
    if (!timingSafeEqual(b.subarray(end), this.mac(b.subarray(0, end)))) return null;
    // Genuine from here on (only this service signs), but checked anyway: a malformed body is null, never a throw.
    const p = POPULATIONS[b[1]];
    const eLength = b[IDS_AT];
    const aAt = IDS_AT + 1 + eLength;
    if (p === undefined || aAt >= end) return null;
    const aEnd = aAt + 1 + b[aAt];
    const uLength = b[0] === 1 ? -1 : b[aEnd];
    const uEnd = aEnd + 1 + uLength;
    const xEnd = b[0] === VERSION_FEATURES && uEnd < end ? uEnd + 1 + 8 * b[uEnd] : uEnd;
    if (b[0] === 1 ? aEnd !== end : aEnd >= end || (uLength !== 0 && uLength !== USER_KEY_BYTES) || xEnd !== end) return null;
    const claims: DecisionClaims = {
      e: b.toString('utf8', IDS_AT + 1, aAt), a: b.toString('utf8', aAt + 1, aEnd), p,
      t: b.readUInt32BE(2), q: b.readDoubleBE(6), k: b.toString('base64url', NONCE_AT, IDS_AT),
    };
    if (uLength > 0) claims.u = b.toString('base64url', aEnd + 1, uEnd);
    if (xEnd > uEnd) claims.x = Array.from({ length: b[uEnd] }, (_, i) => b.readDoubleBE(uEnd + 1 + 8 * i));
    return claims;
  }
}

/** Writes a count byte and the features as float64 at `at`, and marks the token as version 3; returns the offset after them. */
function writeFeatures(b: Buffer, at: number, x: readonly number[]): number {
  if (x.length > MAX_FEATURES) throw new RangeError(`at most ${MAX_FEATURES} features in a decision token`);
  b[0] = VERSION_FEATURES;
  b[at] = x.length;
  x.forEach((v, i) => b.writeDoubleBE(v, at + 1 + 8 * i));
  return at + 1 + 8 * x.length;
}

/** Writes a length byte and the id's bytes at `at`; returns the offset after them. */
function writeId(b: Buffer, at: number, id: string): number {
  const n = b.write(id, at + 1, MAX_ID_BYTES, 'utf8');
  if (n !== Buffer.byteLength(id, 'utf8')) throw new Error(`id too long for a decision token: ${id.length} characters`);
  b[at] = n;
  return at + 1 + n;
}
