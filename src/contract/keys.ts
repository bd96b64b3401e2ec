/**
 * The bodies of the run-time API key routes (issue 10) and the scopes: the source of their types
 * and of their part of openapi/openapi.json.
 */
import { z } from 'zod';

/** decide: the decision routes only; read: every read, no write (no /select, /reward, /signals, OFREP); admin: everything. */
export const SCOPES = ['decide', 'read', 'admin'] as const;
const Scope = z.enum(SCOPES);

/** A key's characters (API_KEYS and POST /keys). */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{24,256}$/;

/** API_KEYS (`<scope>:<key>,...`) split into entries; throws naming the bad entry (by position, never echoing a key). */
export function apiKeyEntries(value: string | undefined): { scope: (typeof SCOPES)[number]; key: string }[] {
  if (!value || value.trim() === '') return [];
  return value.split(',').map((entry, i) => {
    const at = entry.indexOf(':');
    const scope = entry.slice(0, at).trim() as (typeof SCOPES)[number];
    const key = entry.slice(at + 1).trim();
    if (at < 0 || !SCOPES.includes(scope)) throw new Error(`API_KEYS entry ${i + 1}: expected <scope>:<key> with scope one of ${SCOPES.join(', ')}`);
    if (!KEY_PATTERN.test(key)) throw new Error(`API_KEYS entry ${i + 1} (${scope}): the key must be 24-256 characters of A-Z a-z 0-9 _ -`);
    return { scope, key };
  });
}

export const CreateKeySchema = z.strictObject({
  scope: Scope.describe('decide (select, reward, OFREP), read (every GET, read-only), or admin (everything, keys included); the first key of open mode must be admin'),
  name: z.string().min(1).max(200).describe('Who uses the key, e.g. checkout-service'),
});
export const CreatedKey = z.object({
  id: z.string(), key: z.string().describe('The secret: shown this once, stored only as its SHA-256.'), scope: Scope, name: z.string(), createdAt: z.string(),
});
/** A key as GET /keys lists it: no secret, no hash. */
export const ListedKeySchema = z.object({
  id: z.string(), scope: Scope, name: z.string(),
  createdAt: z.string().nullable().describe('Null for a key from API_KEYS.'),
  lastUsedAt: z.string().nullable().describe('Flushed by each replica every 10 s, so up to that old.'),
  source: z.enum(['environment', 'api']),
});
