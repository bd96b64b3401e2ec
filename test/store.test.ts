/**
 * The store contract on every store: the embedded one, Redis at REDIS_URL, and a local
 * three-master Redis Cluster started for this file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { MemoryStore } from '../src/store/memory-store.js';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { describeStore, type StoreHandle } from './store.contract.js';
import { REDIS_URL, deleteKeys, describeIf, redisAvailable, redisBinariesAvailable, uniquePrefix } from './helpers/redis.js';
import { startCluster, type LocalCluster } from './helpers/redis-cluster.js';

describeStore('memory', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));

/**
 * A real SQLite file in a fresh temp folder. No `another`: one SqliteStore per database (its group
 * commit holds the write lock for a turn of the event loop, which a second instance in the same
 * thread would wait on in vain); a second process waits for it through busy_timeout.
 */
describeStore('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bandit-sqlite-'));
  const file = join(dir, 'bandit.db');
  const store = SqliteStore.open(file);
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** A store on `url` under a fresh prefix; cleanup deletes the prefix's keys through `admin`. */
async function redisHandle(url: string, admin: Redis | Cluster): Promise<StoreHandle> {
  const prefix = uniquePrefix();
  const store = await connectRedisStore(url, { prefix, commandTimeoutMs: 2000 });
  return {
    store,
    another: () => connectRedisStore(url, { prefix, commandTimeoutMs: 2000 }),
    cleanup: async () => {
      await store.close();
      await deleteKeys(admin, prefix);
    },
  };
}

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'redis', () => {
  const admin = new Redis(REDIS_URL);
  afterAll(() => admin.quit());
  describeStore('redis', () => redisHandle(REDIS_URL, admin));
});

describeIf(redisBinariesAvailable(), 'redis-server and redis-cli (for a local cluster)', 'redis cluster', () => {
  let cluster: Promise<{ local: LocalCluster; admin: Cluster }> | null = null;
  const started = (): Promise<{ local: LocalCluster; admin: Cluster }> => (cluster ??= startCluster().then((local) => ({
    local, admin: new Cluster(local.ports.map((port) => ({ host: '127.0.0.1', port }))),
  })));
  afterAll(async () => {
    if (!cluster) return;
    const { local, admin } = await cluster;
    await admin.quit();
    await local.stop();
  });
  describeStore('redis cluster', async () => {
    const { local, admin } = await started();
    return redisHandle(local.url, admin);
  });
});
