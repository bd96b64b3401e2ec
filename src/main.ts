/** The process: configuration from the environment, the store, the app, listening, graceful shutdown. */
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { createStore } from './store/create-store.js';
import { randomSecret } from './store/memory-store.js';

const config = loadConfig();
const store = await createStore(config);
// A configured secret wins; otherwise the store keeps one (Redis: shared by every replica and restart).
const secret = config.DECISION_SECRET ?? (await store.getOrCreateSecret(randomSecret()));
const app = await buildApp({ store, secret, logger: { level: config.LOG_LEVEL } });

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  const timer = setTimeout(() => { app.log.error('shutdown took over 10 s; exiting'); process.exit(1); }, 10_000).unref();
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
app.log.info({ store: config.REDIS_URL ? 'redis' : 'memory', docs: `http://${config.HOST}:${config.PORT}/docs` }, 'bandit service ready');
