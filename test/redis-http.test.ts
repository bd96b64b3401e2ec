/**
 * The service over HTTP (app.inject) on a private Redis that the tests pause, stop and restart:
 * fallbacks, 503s, recovery without a restart, state and decision ids surviving a service
 * restart, and the kill switch reaching another replica on its next request.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { randomSecret } from '../src/store/memory-store.js';
import type { RedisStore } from '../src/store/redis-store.js';
import { experimentBody, makeTestApp, type TestApp } from './helpers/app.js';
import { describeIf, redisBinariesAvailable, startRedisServer, uniquePrefix, waitFor, type RedisServer } from './helpers/redis.js';

const TIMEOUT_MS = 200;

describeIf(redisBinariesAvailable(), 'redis-server (a private server to pause and stop)', 'service on a Redis in trouble', () => {
  let server: RedisServer;
  let admin: Redis;
  const open: { app?: TestApp; store: RedisStore }[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await server.destroy();
  });
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.app?.app.close();
      await o.store.close();
    }
    if (!(await admin.ping().catch(() => null))) await server.start();
  });

  async function replica(prefix: string): Promise<TestApp> {
    const store = await connectRedisStore(server.url, { prefix, commandTimeoutMs: TIMEOUT_MS });
    const t = await makeTestApp(store);
    open.push({ app: t, store });
    return t;
  }
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const start = performance.now();
    const out = await f();
    return [out, performance.now() - start];
  };

  it('paused Redis: /select falls back to the baseline in bounded time, /reward and /ready answer 503; a retried reward counts once', async () => {
    const t = await replica(uniquePrefix());
    await t.post('/experiments', experimentBody());
    const before = await t.post('/select', { experimentId: 'exp-1', userId: 'u-1' });
    expect(before.body.fallback).toBeUndefined();

    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const [sel, selMs] = await timed(() => t.post('/select', { experimentId: 'exp-1', userId: 'u-2' }));
    expect(sel.status).toBe(200);
    expect(sel.body).toMatchObject({ armId: 'control', population: 'excluded', fallback: true });
    expect(selMs).toBeLessThan(1000);
    const [rew, rewMs] = await timed(() => t.post('/reward', { decisionId: before.body.decisionId, reward: 1 }));
    expect(rew.status).toBe(503);
    expect(rew.body.error).toBe('store_unavailable');
    expect(rew.headers['retry-after']).toBe('1');
    expect(rewMs).toBeLessThan(1000);
    expect((await t.get('/ready')).status).toBe(503);

    // Redis runs the paused commands when the pause ends: the reward may have been applied although
    // the client was told 503. The retry is safe: it is counted once either way.
    await waitFor(async () => (await t.get('/ready')).status === 200, 5000, 'ready again');
    const retry = await t.post('/reward', { decisionId: before.body.decisionId, reward: 1 });
    expect(retry.status).toBe(200);
    const rep = (await t.get('/arms?experimentId=exp-1')).body;
    expect(rep.arms.reduce((s: number, a: any) => s + a.rewards, 0)).toBe(1);
    expect((await t.post('/select', { experimentId: 'exp-1', userId: 'u-3' })).body.fallback).toBeUndefined();
  });

  it('stopped Redis: fallbacks and 503s, never a disabled arm, and recovery without a restart', async () => {
    const t = await replica(uniquePrefix());
    await t.post('/experiments', experimentBody());
    await t.post('/experiments/exp-1/arms/large/disable', {});
    await t.post('/select', { experimentId: 'exp-1' });
    await server.stop();
    for (let i = 0; i < 5; i++) {
      const [sel, ms] = await timed(() => t.post('/select', { experimentId: 'exp-1', userId: `u-${i}` }));
      expect(sel.body).toMatchObject({ armId: 'control', population: 'excluded', fallback: true });
      expect(ms).toBeLessThan(1000);
    }
    const unknown = await t.post('/select', { experimentId: 'never-seen' });
    expect(unknown.status).toBe(503);
    expect(unknown.body.error).toBe('store_unavailable');
    expect((await t.get('/ready')).status).toBe(503);
    expect((await t.post('/experiments', experimentBody({ id: 'exp-2' }))).status).toBe(503);

    await server.start();
    await waitFor(async () => (await t.get('/ready')).status === 200, 10_000, 'ready after Redis restarted');
    // This test server keeps nothing on disk, so the restart emptied it: create the experiment again.
    expect((await t.post('/experiments', experimentBody())).status).toBe(201);
    const sel = await t.post('/select', { experimentId: 'exp-1', userId: 'back' });
    expect(sel.body.fallback).toBeUndefined();
    expect((await t.post('/reward', { decisionId: sel.body.decisionId, reward: 1 })).body).toEqual({ accepted: true, duplicate: false });
  });

  it('a service restart keeps the state, the secret, and accepts decision ids issued before it', async () => {
    const prefix = uniquePrefix();
    const store1 = await connectRedisStore(server.url, { prefix, commandTimeoutMs: TIMEOUT_MS });
    open.push({ store: store1 });
    const secret1 = await store1.getOrCreateSecret(randomSecret());
    const t1 = await makeTestApp(store1);
    await t1.post('/experiments', experimentBody());
    const d = (await t1.post('/select', { experimentId: 'exp-1', userId: 'u-1' })).body;
    await t1.post('/reward', { decisionId: (await t1.post('/select', { experimentId: 'exp-1' })).body.decisionId, reward: 1 });
    await t1.app.close();

    const store2 = await connectRedisStore(server.url, { prefix, commandTimeoutMs: TIMEOUT_MS });
    open.push({ store: store2 });
    expect(await store2.getOrCreateSecret(randomSecret())).toBe(secret1);
    const t2 = await makeTestApp(store2);
    open.push({ app: t2, store: store2 });
    expect((await t2.post('/select', { experimentId: 'exp-1', userId: 'u-1' })).body).toMatchObject({ armId: d.armId, sticky: true });
    expect((await t2.post('/reward', { decisionId: d.decisionId, reward: 1 })).body).toEqual({ accepted: true, duplicate: false });
    const rep = (await t2.get('/arms?experimentId=exp-1')).body;
    expect(rep.totals).toMatchObject({ decisions: 3, rewards: 2 });
  });

  it('the kill switch on one replica is obeyed by another on its very next request', async () => {
    const prefix = uniquePrefix();
    const a = await replica(prefix);
    const b = await replica(prefix);
    await a.post('/experiments', experimentBody({ policy: 'fixed' }));
    const served = new Set<string>();
    for (let i = 0; i < 60; i++) served.add((await b.post('/select', { experimentId: 'exp-1', userId: `w-${i}` })).body.armId);
    expect(served.has('large')).toBe(true);
    await a.post('/experiments/exp-1/arms/large/disable', { reason: 'incident' });
    for (let i = 0; i < 200; i++) expect((await b.post('/select', { experimentId: 'exp-1', userId: `w-${i}` })).body.armId).not.toBe('large');
  });
});
