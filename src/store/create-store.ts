/** The one place the store is chosen: STORE, or unset, Redis when REDIS_URL is set and SQLite in DATA_DIR otherwise. */
import { join } from 'node:path';
import { storeKind, type Config } from '../config.js';
import type { ConnectionEvent } from './redis-connection-events.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';

/** The SQLite store's database file in DATA_DIR. */
export const databaseFile = (dataDir: string): string => join(dataDir, 'bandit.db');

type StoreConfig = Pick<Config, 'REDIS_URL' | 'REDIS_PREFIX' | 'REDIS_TIMEOUT_MS'> & Partial<Pick<Config, 'STICKY_MAX_USERS' | 'STORE' | 'DATA_DIR'>>;

/** Throws SqliteOpenError (one line for the operator) when the SQLite database cannot be used. */
export async function createStore(config: StoreConfig, onConnection?: (e: ConnectionEvent) => void): Promise<Store> {
  const kind = storeKind(config);
  if (kind === 'memory') return new MemoryStore(config.STICKY_MAX_USERS);
  if (kind === 'sqlite') {
    const { SqliteStore } = await import('./sqlite-store.js');
    return SqliteStore.open(databaseFile(config.DATA_DIR ?? './data'));
  }
  const { connectRedisStore } = await import('./redis-connect.js');
  return connectRedisStore(config.REDIS_URL!, { prefix: config.REDIS_PREFIX, commandTimeoutMs: config.REDIS_TIMEOUT_MS, onConnection });
}
