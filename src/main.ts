/** The process: configuration from the environment, the store, the app, listening, graceful shutdown. */
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { drainAndClose } from './lifecycle/shutdown.js';
import { authModeFor } from './plugins/auth-mode.js';
import { createStore, databaseFile, storeKind } from './store/create-store.js';
import { prepareDataDir } from './store/sqlite-data-dir.js';
import type { ConnectionEvent } from './store/redis-connection-events.js';
import { StoreUnavailableError } from './store/store.js';

const config = configOrExit();
const log = pino({ level: config.LOG_LEVEL });

/** A bad setting is one line naming the variable (no stack trace), then exit 1. */
function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    pino().fatal({ variables: err.issues.map((i) => i.variable) }, err.message);
    process.exit(1);
  }
}
// The store is returned even when Redis is unreachable (it keeps dialling): the service listens
// anyway, /health answers 200 and /ready 503 until Redis answers.
const kind = storeKind(config);
const store = await openStore();
const authMode = authModeFor(config);
await checkKeysConfigured();
const rateLimitRedis = kind === 'redis' && config.RATE_LIMIT > 0 ? await rateLimitClient(config.REDIS_URL!) : undefined;
const app = await buildApp({
  store, secret: config.DECISION_SECRET, logger: log, auth: { apiKeys: config.API_KEYS, mode: authMode }, corsOrigins: config.CORS_ORIGINS,
  bodyLimitBytes: config.BODY_LIMIT_BYTES, maxExperiments: config.MAX_EXPERIMENTS,
  connections: {
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS, headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS, maxPerAddress: config.MAX_CONNECTIONS_PER_ADDRESS,
  },
  rateLimit: { perSecond: config.RATE_LIMIT, prefix: config.REDIS_PREFIX, redis: rateLimitRedis },
  history: { intervalSeconds: config.HISTORY_INTERVAL_SECONDS, retentionSeconds: config.HISTORY_RETENTION_SECONDS, writer: true },
});

/** The store STORE names. DATA_DIR or a database it cannot use is one line and exit 1 (no stack: the operator's to fix). */
async function openStore(): Promise<Awaited<ReturnType<typeof createStore>>> {
  if (kind === 'sqlite') {
    const problem = prepareDataDir(config.DATA_DIR);
    if (problem) exitWith(problem);
  }
  if (kind === 'memory') log.warn('STORE=memory: experiments, rewards, keys and the event log live in this process only and are lost when it stops');
  try {
    return await createStore(config, logConnection);
  } catch (err) {
    if ((err as Error).name === 'SqliteOpenError') exitWith((err as Error).message);
    throw err;
  }
}

function exitWith(message: string): never {
  log.fatal(message);
  process.exit(1);
}

/** Once per change of the Redis connection: where it dials and why it fails (ECONNREFUSED, ENOTFOUND...). */
function logConnection(e: ConnectionEvent): void {
  if (e.state === 'up') log.info({ redis: e.target }, 'connected to Redis');
  else log.warn({ redis: e.target, cause: e.cause, err: e.message }, `Redis unreachable at ${e.target} (${e.cause}); retrying, /ready answers 503 meanwhile`);
}

/** The rate limiter's own connection (its Redis store defines its own script), with the store's timeouts. */
async function rateLimitClient(url: string): Promise<import('./store/redis-store.js').RedisClient> {
  const { createRedisClient } = await import('./store/redis-connect.js');
  return createRedisClient(url, config.REDIS_TIMEOUT_MS);
}

/** Bound to a non-loopback address, the service needs a key (API_KEYS, or one stored) or AUTH=off. */
async function checkKeysConfigured(): Promise<void> {
  if (authMode === 'off') {
    log.warn({ host: config.HOST }, 'AUTH=off: every route is served without an API key to anyone who reaches this address');
    return;
  }
  if (authMode !== 'keys' || config.API_KEYS) return;
  const stored = await store.listApiKeys().catch((err: unknown) => {
    if (!(err instanceof StoreUnavailableError)) throw err;
    log.warn({ err: err.message }, 'cannot read the stored API keys yet: every route that needs a key answers 401 until the store answers');
    return null;
  });
  if (stored && stored.length === 0) {
    log.fatal({ host: config.HOST }, `HOST=${config.HOST} is not a loopback address and no API key is configured: set API_KEYS=admin:<24+ characters>,... (or AUTH=off to serve without keys)`);
    process.exit(1);
  }
}

// SIGTERM/SIGINT: drain (see lifecycle/shutdown.ts) within SHUTDOWN_GRACE_MS, else exit 1.
closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger: log }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'shutting down after an uncaught error');
  log.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down: /ready answers 503, new connections refused, finishing in-flight requests');
  const { cut } = await drainAndClose(app, Math.max(0, config.SHUTDOWN_GRACE_MS - 1000));
  if (cut > 0) log.warn({ cut }, 'connections still open at the end of the drain were closed');
  await store.close();
  if (rateLimitRedis) rateLimitRedis.disconnect();
  log.info('shut down');
});

await app.listen({ port: config.PORT, host: config.HOST });
const origin = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
log.info({ store: kind, ...(kind === 'sqlite' && { database: databaseFile(config.DATA_DIR) }), auth: authMode, dashboard: `${origin}/dashboard/`, docs: `${origin}/docs` },
  `bandit service ready: dashboard at ${origin}/dashboard/`);
