/** The rate limiter's Redis store that settles per-replica counts instead of a script per request (plugins/rate-limit-budget.ts), on the real Redis. */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { settledRedisStore } from '../src/plugins/rate-limit-budget.js';
import { createRedisClient } from '../src/store/redis-connect.js';
import { freePort, REDIS_URL } from './helpers/redis.js';

const HOUR = 3_600_000; // a long window, so no test crosses a window's edge (windows are aligned to the clock)
const redis = new Redis(REDIS_URL);
afterAll(() => redis.disconnect());

const incr = (store: { incr: (k: string, cb: (e: Error | null, r?: { current: number; ttl: number }) => void, w: number, m: number) => void }, key: string, max: number) =>
  new Promise<{ current: number; ttl: number }>((resolve, reject) => store.incr(key, (e, r) => (e ? reject(e) : resolve(r!)), HOUR, max));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('settled Redis rate-limit store', () => {
  it('is exact on one replica: the request past the limit is refused on Redis\'s count, which holds every request', async () => {
    if (HOUR - (Date.now() % HOUR) < 10_000) await sleep(HOUR - (Date.now() % HOUR) + 10); // not across an edge
    const prefix = `test:rlb:${process.pid}:${Date.now()}:`;
    const shared = settledRedisStore({ redis, prefix, settleMs: 20 });
    const a = new shared.Store();
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push((await incr(a, 'k', 5)).current);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    expect(Number(await redis.get(keys[0]))).toBe(6); // the refused request settled everything counted
    expect(await redis.pttl(keys[0])).toBeGreaterThan(0);
    shared.stop();
    await redis.del(...keys);
  });

  it('shares the count between replicas: one that joins mid-window hears the others\' count after its first request', async () => {
    if (HOUR - (Date.now() % HOUR) < 10_000) await sleep(HOUR - (Date.now() % HOUR) + 10);
    const prefix = `test:rlb:${process.pid}:${Date.now()}:`;
    const shared = settledRedisStore({ redis, prefix, settleMs: 20 });
    const [a, b] = [new shared.Store(), new shared.Store()];
    for (let i = 0; i < 8; i++) expect((await incr(a, 'k', 10)).current).toBeLessThanOrEqual(10);
    await sleep(80); // a's periodic settle: Redis holds 8
    expect(Number(await redis.get((await redis.keys(`${prefix}*`))[0]))).toBe(8);
    expect((await incr(b, 'k', 10)).current).toBe(1); // b's first: its own count, settled at once
    await sleep(30);
    expect((await incr(b, 'k', 10)).current).toBe(10); // 8 + b's 2
    const over = await incr(b, 'k', 10);
    expect(over.current).toBe(11); // refused: decided on Redis's sum
    // a learns it at its next settle; until then a alone may admit (the documented loss of exactness)
    await incr(a, 'k', 10);
    await sleep(80);
    expect((await incr(a, 'k', 10)).current).toBeGreaterThan(10);
    shared.stop();
    await redis.del(...(await redis.keys(`${prefix}*`)));
  });

  it('answers an error when Redis cannot settle a request past the limit (the limiter then lets it through)', async () => {
    const dead = createRedisClient(`redis://127.0.0.1:${await freePort()}`, 200);
    const shared = settledRedisStore({ redis: dead, prefix: 'test:rlb:dead:', settleMs: 20 });
    const a = new shared.Store();
    expect((await incr(a, 'k', 2)).current).toBe(1);
    expect((await incr(a, 'k', 2)).current).toBe(2);
    await expect(incr(a, 'k', 2)).rejects.toThrow();
    shared.stop();
    dead.disconnect();
  });
});
