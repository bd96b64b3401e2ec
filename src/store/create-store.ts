/** The one place the store is chosen: Redis when REDIS_URL is set, the embedded store otherwise. */
import type { Config } from '../config.js';
import type { ConnectionEvent } from './redis-connection-events.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';

export async function createStore(config: Pick<Config, 'REDIS_URL' | 'REDIS_PREFIX' | 'REDIS_TIMEOUT_MS'> & Partial<Pick<Config, 'STICKY_MAX_USERS'>>, onConnection?: (e: ConnectionEvent) => void): Promise<Store> {
  if (!config.REDIS_URL) return new MemoryStore(config.STICKY_MAX_USERS);
  const { connectRedisStore } = await import('./redis-connect.js');
  return connectRedisStore(config.REDIS_URL, { prefix: config.REDIS_PREFIX, commandTimeoutMs: config.REDIS_TIMEOUT_MS, onConnection });
}
