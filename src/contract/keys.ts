/**
 * The bodies of the run-time API key routes (issue 10) and the scopes: the source of their types
 * and of their part of openapi/openapi.json.
 */
import { z } from 'zod';

/** decide: the decision routes only; read: every read, no write (no /select, /reward, /signals, OFREP); admin: everything. */
export const SCOPES = ['decide', 'read', 'admin'] as const;
const Scope = z.enum(SCOPES);

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
