/**
 * Issue 19 item 3: a key the store does not know is refused from the next request on, on every
 * replica, whatever happened to the store: here Redis loses the key set (every key of the prefix
 * deleted, as a restart without persistence or a failover to an empty replica leaves it), with no
 * create or revoke to tell the replicas' subscriptions.
 */
import { expect, it } from 'vitest';
import type { TestApp } from './helpers/app.js';
import { describeIf, REDIS_URL, redisAvailable } from './helpers/redis.js';
import { useRedisReplicas } from './helpers/redis-replicas.js';

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'a run-time key after Redis lost its data', () => {
  const { replica, loseData } = useRedisReplicas();
  const as = (t: TestApp, key: string, method: 'GET' | 'POST', url: string, body?: unknown) => t.app.inject({
    method, url, headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });

  it('is refused on both replicas on the very next request, and mints nothing', async () => {
    const [a, b] = [await replica(), await replica()];
    const created = await a.post('/keys', { scope: 'admin', name: 'operator' });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    for (const t of [a, b]) expect((await as(t, key, 'GET', '/keys')).statusCode).toBe(200);

    expect(await loseData()).toBeGreaterThan(0);

    for (const t of [a, b]) {
      expect((await as(t, key, 'GET', '/experiments')).statusCode).toBe(401);
      expect((await as(t, key, 'POST', '/keys', { scope: 'admin', name: 'minted' })).statusCode).toBe(401);
    }
  });

  it('is refused when the lost set was recreated with the same version', async () => {
    const [a, b] = [await replica(), await replica()];
    const old = (await a.post('/keys', { scope: 'admin', name: 'old' })).body.key as string;
    expect((await as(b, old, 'GET', '/keys')).statusCode).toBe(200);
    expect(await loseData()).toBeGreaterThan(0);
    // A new first key after the loss: the key set's version is 1 again, as it was when the old key was made.
    const fresh = (await a.post('/keys', { scope: 'admin', name: 'new' })).body.key as string;
    for (const t of [a, b]) {
      expect((await as(t, old, 'GET', '/keys')).statusCode).toBe(401);
      expect((await as(t, fresh, 'GET', '/keys')).statusCode).toBe(200);
    }
  });
});
