/**
 * API keys across two replicas on one private Redis: a key created on one is accepted by the other
 * at once; a key revoked on one is refused by the other on its very next request, both with the
 * subscription up (no Redis command per request) and with it cut (then each request rechecks).
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedisStore } from '../src/store/redis-connect.js';
import type { RedisStore } from '../src/store/redis-store.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { describeIf, redisBinariesAvailable, startRedisServer, uniquePrefix, waitFor, type RedisServer } from './helpers/redis.js';

const ADMIN = 'admin-key-0123456789abcdefghij';

describeIf(redisBinariesAvailable(), 'redis-server (a private server whose pub/sub clients are killed)', 'API keys on two replicas', () => {
  let server: RedisServer;
  let admin: Redis;
  const open: { t: TestApp; store: RedisStore }[] = [];
  beforeAll(async () => {
    // Persistent (AOF, fsync always), so the key stored before the restart in 'open mode' is still there after it.
    server = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await server.destroy();
  });
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.t.app.close();
      await o.store.close();
    }
  });

  async function replica(prefix: string): Promise<TestApp> {
    const store = await connectRedisStore(server.url, { prefix, commandTimeoutMs: 500 });
    const t = await makeTestApp(store, undefined, { auth: { apiKeys: `admin:${ADMIN}` }, key: ADMIN });
    open.push({ t, store });
    return t;
  }
  const subscribers = async (prefix: string): Promise<number> => Number(((await admin.call('PUBSUB', 'NUMSUB', `${prefix}keys:changed`)) as [string, number])[1]);
  const readAs = (t: TestApp, key: string) => t.app.inject({ method: 'GET', url: '/experiments', headers: { authorization: `Bearer ${key}` } }).then((r) => r.statusCode);

  it('a key created on A works on B at once; revoked on A it is refused by B on the next request', async () => {
    const prefix = uniquePrefix();
    const [a, b] = [await replica(prefix), await replica(prefix)];
    await waitFor(async () => (await subscribers(prefix)) >= 2, 3000, 'both replicas subscribed');
    for (let i = 0; i < 20; i++) {
      const created = await a.post('/keys', { scope: 'read', name: `k${i}` });
      expect(created.status).toBe(201);
      expect(await readAs(b, created.body.key)).toBe(200);
      const del = await a.app.inject({ method: 'DELETE', url: `/keys/${created.body.id}`, headers: { authorization: `Bearer ${ADMIN}` } });
      expect(del.statusCode).toBe(204);
      expect(del.headers['x-unconfirmed-replicas']).toBeUndefined();
      expect(await readAs(b, created.body.key)).toBe(401);
    }
  });

  it('with the subscriptions cut, B rechecks the key set on each request and still refuses a revoked key at once', async () => {
    const prefix = uniquePrefix();
    const [a, b] = [await replica(prefix), await replica(prefix)];
    const created = await a.post('/keys', { scope: 'read', name: 'cut' });
    await waitFor(async () => (await readAs(b, created.body.key)) === 200, 3000, 'B knows the key');
    // Cut every pub/sub connection and revoke before they can come back.
    await admin.client('KILL', 'TYPE', 'pubsub');
    const del = await a.app.inject({ method: 'DELETE', url: `/keys/${created.body.id}`, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(del.statusCode).toBe(204);
    expect(await readAs(b, created.body.key)).toBe(401);
  });

  it('open mode: a replica that has not read the key set serves no admin or read route without a key', async () => {
    const prefix = uniquePrefix();
    const a = await replica(prefix);
    expect((await a.post('/keys', { scope: 'admin', name: 'stored' })).status).toBe(201);
    // B starts in open mode (no API_KEYS) while Redis is down, so it has never read the stored key.
    await server.stop();
    const store = await connectRedisStore(server.url, { prefix, commandTimeoutMs: 500, connectWaitMs: 100 });
    const b = await makeTestApp(store);
    open.push({ t: b, store });
    const noKey = (method: 'GET' | 'POST', url: string) => b.app.inject({ method, url, ...(method === 'POST' && { payload: { scope: 'admin', name: 'x' } }) }).then((r) => r.statusCode);
    expect(await noKey('GET', '/keys')).not.toBe(200);
    expect(await noKey('POST', '/keys')).not.toBe(201);
    await server.start();
    await waitFor(() => store.ping().then(() => true, () => false), 20_000, "B's store to reconnect");
    // Back in touch with Redis, B knows a key exists: no key is refused.
    await waitFor(async () => (await noKey('GET', '/keys')) === 401, 5000, 'B to refuse /keys without a key');
    expect(await noKey('POST', '/keys')).toBe(401);
  });
});
