/** Apps ("replicas") on the shared Redis under one fresh prefix, closed and their keys deleted after each test; `loseData` deletes every key of the prefix (a flush). */
import { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import type { RedisStore } from '../../src/store/redis-store.js';
import { makeTestApp, type TestApp } from './app.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from './redis.js';

export function useRedisReplicas(): { replica(): Promise<TestApp>; loseData(): Promise<number> } {
  const prefix = uniquePrefix();
  const open: { t: TestApp; store: RedisStore }[] = [];
  const loseData = async (): Promise<number> => {
    const admin = new Redis(REDIS_URL);
    try {
      return await deleteKeys(admin, prefix);
    } finally {
      admin.disconnect();
    }
  };
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.t.app.close();
      await o.store.close();
    }
    await loseData();
  });
  return {
    loseData,
    async replica() {
      const store = await connectRedisStore(REDIS_URL, { prefix, commandTimeoutMs: 2000 });
      const t = await makeTestApp(store);
      open.push({ t, store });
      return t;
    },
  };
}
