/**
 * The stores every API test runs on: the in-process one and SQLite always, and Redis at REDIS_URL when it
 * answers. In CI (CI=true) a missing Redis fails every file that imports this, never a skip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MemoryStore } from '../../src/store/memory-store.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { deleteKeys, REDIS_URL, redisAvailable, uniquePrefix } from './redis.js';

export interface StoreKind {
  name: string;
  make(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

export const memoryKind: StoreKind = {
  name: 'memory',
  make: async () => ({ store: new MemoryStore(), cleanup: async () => {} }),
};

/** The SQLite store on a real file in a fresh temp folder. */
export const sqliteKind: StoreKind = {
  name: 'sqlite',
  async make() {
    const dir = mkdtempSync(join(tmpdir(), 'bandit-api-'));
    const store = SqliteStore.open(join(dir, 'bandit.db'));
    return { store, async cleanup() { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
};

export const redisKind: StoreKind = {
  name: 'redis',
  async make() {
    const prefix = uniquePrefix();
    const store = await connectRedisStore(REDIS_URL, { prefix, commandTimeoutMs: 2000 });
    return {
      store,
      async cleanup() {
        await store.close();
        const admin = new Redis(REDIS_URL);
        await deleteKeys(admin, prefix);
        await admin.quit();
      },
    };
  },
};

const redisUp = await redisAvailable();
if (!redisUp) {
  if (process.env.CI === 'true') throw new Error(`Redis at ${REDIS_URL} does not answer: required in CI (CI=true)`);
  console.warn(`[skipped] API tests on Redis: nothing answers at ${REDIS_URL}; set CI=true to make this a failure`);
}

export const storeKinds: StoreKind[] = redisUp ? [memoryKind, sqliteKind, redisKind] : [memoryKind, sqliteKind];
