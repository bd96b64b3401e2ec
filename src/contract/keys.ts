/**
 * The bodies of the run-time API key routes (issue 10) and the scopes: the source of their types
 * and of their part of openapi/openapi.json.
 */
import { z } from 'zod';

/** In order of what they allow: decide < read < admin (a wider scope may do what a narrower one may). */
export const SCOPES = ['decide', 'read', 'admin'] as const;
const Scope = z.enum(SCOPES);

export const CreateKeySchema = z.strictObject({
  scope: Scope.describe('decide (select, reward), read (every GET), or admin (everything, keys included)'),
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
