/** The one place the store is chosen: Redis when REDIS_URL is set, the embedded store otherwise. */
import type { ConnectionEvent } from './redis-connection-events.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';

/** The settings it reads, by their names in config.ts (the store imports nothing above it, so a Config is passed in). */
export interface StoreSettings { REDIS_URL?: string; REDIS_PREFIX: string; REDIS_TIMEOUT_MS: number; STICKY_MAX_USERS?: number }

export async function createStore(config: StoreSettings, onConnection?: (e: ConnectionEvent) => void): Promise<Store> {
  if (!config.REDIS_URL) return new MemoryStore(config.STICKY_MAX_USERS);
  const { connectRedisStore } = await import('./redis-connect.js');
  return connectRedisStore(config.REDIS_URL, { prefix: config.REDIS_PREFIX, commandTimeoutMs: config.REDIS_TIMEOUT_MS, onConnection });
}
