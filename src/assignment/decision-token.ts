/**
 * Decision ids: a signed token carrying everything `/reward` needs, so no per-decision storage.
 *
 * Format: base64url(JSON payload) "." base64url(first 16 bytes of HMAC-SHA256(secret, payload)).
 * The nonce `k` is the dedupe key of the exactly-once rule. Every replica must share the secret
 * (configured, or created once in the store).
 */
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { Population } from '../store/store.js';

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
}

const SIG_BYTES = 16;
const NONCE_BYTES = 12;

/**
 * Nonces are cut from a pool of CSPRNG bytes refilled 4 KiB at a time (each byte used once):
 * `randomBytes(12)` per decision cost about as much as the HMAC itself.
 */
const pool = Buffer.alloc(NONCE_BYTES * 341);
let poolOffset = pool.length;

function nonce(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += NONCE_BYTES;
  return pool.toString('base64url', poolOffset - NONCE_BYTES, poolOffset);
}

export class DecisionSigner {
  constructor(private readonly secret: string) {}

  sign(claims: Omit<DecisionClaims, 'k'>): string {
    const body = Buffer.from(JSON.stringify({ ...claims, k: nonce() })).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The claims of a genuine token, or null for anything forged, altered or malformed. */
  verify(token: string): DecisionClaims | null {
    if (typeof token !== 'string' || token.length > 2048) return null;
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), 'base64url');
    if (sig.length !== SIG_BYTES || !timingSafeEqual(sig, this.mac(body))) return null;
    try {
      const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as DecisionClaims;
      const ok = typeof c.e === 'string' && typeof c.a === 'string' && ['b', 'h', 'x'].includes(c.p)
        && Number.isFinite(c.t) && Number.isFinite(c.q) && typeof c.k === 'string';
      return ok ? c : null;
    } catch {
      return null;
    }
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(body).digest().subarray(0, SIG_BYTES);
  }
}
