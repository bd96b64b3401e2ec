/** The process: configuration from the environment, the store, the app, listening, graceful shutdown. */
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { authModeFor } from './plugins/auth-mode.js';
import { createStore } from './store/create-store.js';
import { randomSecret } from './store/memory-store.js';
import { StoreUnavailableError, type Store } from './store/store.js';

const config = loadConfig();
const log = pino({ level: config.LOG_LEVEL });
const store = await createStore(config);
const secret = await decisionSecret(store);
const authMode = authModeFor(config);
await checkKeysConfigured();
const app = await buildApp({
  store, secret, logger: log, auth: { apiKeys: config.API_KEYS, mode: authMode },
  history: { intervalSeconds: config.HISTORY_INTERVAL_SECONDS, retentionSeconds: config.HISTORY_RETENTION_SECONDS, writer: true },
});

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

/**
 * A configured secret wins; otherwise the store keeps one (Redis: shared by every replica and
 * restart). Without it no decision can be signed, so a Redis that is down at boot is waited for.
 */
async function decisionSecret(s: Store): Promise<string> {
  if (config.DECISION_SECRET) return config.DECISION_SECRET;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5000)) {
    try {
      return await s.getOrCreateSecret(randomSecret());
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      log.warn({ err: err.message, retryInMs: delayMs }, 'waiting for the store to read the decision secret (set DECISION_SECRET to start without it)');
      await sleep(delayMs);
    }
  }
}

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: finishing in-flight requests');
  const timer = setTimeout(() => { log.error('shutdown took over 10 s; exiting'); process.exit(1); }, 10_000).unref();
  try {
    await app.close();
    await store.close();
  } finally {
    clearTimeout(timer);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ port: config.PORT, host: config.HOST });
log.info({ store: config.REDIS_URL ? 'redis' : 'memory', docs: `http://${config.HOST}:${config.PORT}/docs` }, 'bandit service ready');
