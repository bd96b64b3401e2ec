/** Configuration from the environment, parsed once at boot. */
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Unset: the embedded in-process store. Set: Redis (`redis://host:port`, or a comma-separated list of cluster nodes). */
  REDIS_URL: z.string().min(1).optional(),
  /** Namespace for every Redis key, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().default('bandit:'),
  /** Redis command timeout: past it /select falls back to the baseline and /reward answers 503. */
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Decision-signing secret. Unset: created once and shared through the store (Redis), or per process (embedded). */
  DECISION_SECRET: z.string().min(16).optional(),
  /** One history point per experiment per this many seconds (GET /experiments/:id/history). */
  HISTORY_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** History points older than this are dropped (default 7 days: 10,080 points at 60 s). */
  HISTORY_RETENTION_SECONDS: z.coerce.number().int().min(60).max(400 * 86_400).default(7 * 86_400),
  /** `<scope>:<key>,...` (scopes decide, read, admin; keys 24+ characters of A-Z a-z 0-9 _ -). More keys: POST /keys. */
  API_KEYS: z.string().optional(),
  /** `off` serves without any key check on any address (warned at every start). */
  AUTH: z.enum(['on', 'off']).default('on'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
