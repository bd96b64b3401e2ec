/** API key material: the format, hashing, constant-time comparison, what each scope allows, and API_KEYS parsing. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SCOPES } from '../contract/keys.js';
import type { ApiKeyScope } from '../store/store.js';

/** `decide` may decide (and read nothing else), `read` may read (and write nothing), `admin` may do everything. */
export const scopeAllows = (has: ApiKeyScope, needs: ApiKeyScope): boolean => has === needs || has === 'admin';

export const KEY_PATTERN = /^[A-Za-z0-9_-]{24,256}$/;

/** SHA-256 of a key, as stored. Keys are 24+ random characters, so an unsalted fast hash is enough. */
export const hashKey = (key: string): Buffer => createHash('sha256').update(key).digest();

/** Constant-time equality of two digests (the lookup is by digest, so it leaks nothing of the key). */
export const sameDigest = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** A new key: `bk_` and 32 characters of base64url (192 random bits). */
export const newKey = (): string => `bk_${randomBytes(24).toString('base64url')}`;
export const newKeyId = (): string => `key_${randomBytes(8).toString('hex')}`;

export interface ConfiguredKey {
  /** `env_` and the first 12 hex digits of the hash: stable across restarts, names no secret. */
  id: string;
  scope: ApiKeyScope;
  digest: Buffer;
}

/** Parses API_KEYS (`<scope>:<key>,...`); throws naming the bad entry (by position, never echoing a key). */
export function parseApiKeys(value: string | undefined): ConfiguredKey[] {
  if (!value || value.trim() === '') return [];
  return value.split(',').map((entry, i) => {
    const at = entry.indexOf(':');
    const scope = entry.slice(0, at).trim() as ApiKeyScope;
    const key = entry.slice(at + 1).trim();
    if (at < 0 || !SCOPES.includes(scope)) throw new Error(`API_KEYS entry ${i + 1}: expected <scope>:<key> with scope one of ${SCOPES.join(', ')}`);
    if (!KEY_PATTERN.test(key)) throw new Error(`API_KEYS entry ${i + 1} (${scope}): the key must be 24-256 characters of A-Z a-z 0-9 _ -`);
    const digest = hashKey(key);
    return { id: `env_${digest.toString('hex').slice(0, 12)}`, scope, digest };
  });
}
