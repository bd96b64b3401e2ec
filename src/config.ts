/** Configuration from the environment, parsed once at boot. */
import { z } from 'zod';
import { apiKeyEntries } from './contract/keys.js';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** `sqlite` (durable, one process), `redis` or `memory` (nothing survives a restart). Unset: redis when REDIS_URL is set, else sqlite. */
  STORE: z.enum(['sqlite', 'redis', 'memory']).optional(),
  /** Where the SQLite store keeps its database (created at start). */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Redis (`redis://host:port`, or a comma-separated list of cluster nodes); without STORE, setting it chooses Redis. */
  REDIS_URL: z.string().min(1).optional(),
  /** Namespace for every Redis key, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().default('bandit:'),
  /** Redis command timeout: past it /select falls back to the baseline and /reward answers 503. */
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Decision-signing secret. Unset: created once and shared through the store (Redis), or per process (embedded). */
  DECISION_SECRET: z.string().min(16).regex(/^[^<>\s]+$/, 'replace the placeholder with a random secret (e.g. openssl rand -hex 32)').optional(),
  /** One history point per experiment per this many seconds (GET /experiments/:id/history). */
  HISTORY_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** History points older than this are dropped (default 7 days: 10,080 points at 60 s). */
  HISTORY_RETENTION_SECONDS: z.coerce.number().int().min(60).max(400 * 86_400).default(7 * 86_400),
  /** `<scope>:<key>,...` (scopes decide, read, admin; keys 24+ characters of A-Z a-z 0-9 _ -). More keys: POST /keys. */
  API_KEYS: z.string().optional().superRefine((v, ctx) => {
    try { apiKeyEntries(v); } catch (err) { ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^API_KEYS /, '') }); }
  }),
  /** `off` serves without any key check on any address (warned at every start). */
  AUTH: z.enum(['on', 'off']).default('on'),
  /** Requests per second allowed per API key (in open mode, per client address); 0 turns limiting off. */
  RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(1000),
  /** Comma-separated origins allowed by CORS (e.g. https://admin.example.com); unset: CORS off. */
  CORS_ORIGINS: z.string().optional().transform((v) => (v ? v.split(',').map((o) => o.trim()).filter(Boolean) : [])),
  /** The largest request body accepted (413 above); /select and /reward accept 64 KiB and 16 KiB. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(16 * 1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
  /** The most experiments the store may hold. */
  MAX_EXPERIMENTS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** The embedded store keeps at most this many sticky users per experiment (least recently served evicted first). */
  STICKY_MAX_USERS: z.coerce.number().int().min(1).max(100_000_000).default(500_000),
  /** A request's headers and body must arrive within this (ms; 408 and the connection closed after). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** A request's headers must arrive within this (ms). */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  /** An idle keep-alive connection is closed after this (ms; above a load balancer's idle timeout, e.g. AWS ALB's 60 s). */
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(72_000),
  /** Open connections per client address; those beyond are closed at once. 0: no cap (behind a proxy, every connection is its address). */
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(256),
  /** SIGTERM: drain and exit within this many ms (keep it below the orchestrator's stop timeout; compose: 15 s). */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema>;

/** A setting the service cannot start with; its message names every bad variable, on one line. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => ({ variable: i.path.join('.'), message: i.message })));
  if (parsed.data.STORE === 'redis' && !parsed.data.REDIS_URL) throw new ConfigError([{ variable: 'REDIS_URL', message: 'required with STORE=redis' }]);
  return parsed.data;
}
