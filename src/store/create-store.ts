/** The one place the store is chosen: STORE, or unset, Redis when REDIS_URL is set and SQLite in DATA_DIR otherwise. */
import { join } from 'node:path';
import type { ConnectionEvent } from './redis-connection-events.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';

export type StoreKind = 'sqlite' | 'redis' | 'memory';

/** The settings it reads, by their names in config.ts (the store imports nothing above it, so a Config is passed in). */
export interface StoreSettings {
  STORE?: StoreKind; DATA_DIR?: string; REDIS_URL?: string; REDIS_PREFIX: string; REDIS_TIMEOUT_MS: number; STICKY_MAX_USERS?: number;
}

/** The store STORE names; unset: redis when REDIS_URL is set, else sqlite. */
export const storeKind = (config: Pick<StoreSettings, 'STORE' | 'REDIS_URL'>): StoreKind => config.STORE ?? (config.REDIS_URL ? 'redis' : 'sqlite');

/** The SQLite store's database file in DATA_DIR. */
export const databaseFile = (dataDir: string): string => join(dataDir, 'bandit.db');

/** Throws SqliteOpenError (one line for the operator) when the SQLite database cannot be used. */
export async function createStore(config: StoreSettings, onConnection?: (e: ConnectionEvent) => void): Promise<Store> {
  const kind = storeKind(config);
  if (kind === 'memory') return new MemoryStore(config.STICKY_MAX_USERS);
  if (kind === 'sqlite') {
    const { SqliteStore } = await import('./sqlite-store.js');
    return SqliteStore.open(databaseFile(config.DATA_DIR ?? './data'));
  }
  const { connectRedisStore } = await import('./redis-connect.js');
  return connectRedisStore(config.REDIS_URL!, { prefix: config.REDIS_PREFIX, commandTimeoutMs: config.REDIS_TIMEOUT_MS, onConnection });
}
