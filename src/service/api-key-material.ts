/** API key material: the format, hashing, constant-time comparison, what each scope allows, and API_KEYS parsing. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { apiKeyEntries } from '../contract/keys.js';
import type { ApiKeyScope } from '../contract/domain.js';

/** `decide` may decide (and read nothing else), `read` may read (and write nothing), `admin` may do everything. */
export const scopeAllows = (has: ApiKeyScope, needs: ApiKeyScope): boolean => has === needs || has === 'admin';

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

/** Parses API_KEYS (`<scope>:<key>,...`, checked by the contract's apiKeyEntries) into digests. */
export function parseApiKeys(value: string | undefined): ConfiguredKey[] {
  return apiKeyEntries(value).map(({ scope, key }) => {
    const digest = hashKey(key);
    return { id: `env_${digest.toString('hex').slice(0, 12)}`, scope, digest };
  });
}
