/** Content-Type on writes, CORS only when configured, helmet on the HTML routes, rate limits per key (both stores). */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { experimentBody, makeTestApp } from '../helpers/app.js';
import { REDIS_URL } from '../helpers/redis.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe.each(storeKinds)('writes need application/json ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('answers 415 to a body-less, type-less POST (a no-cors fetch) and to text/plain, and changes nothing', async () => {
    expect((await t.post('/experiments', experimentBody())).status).toBe(201);
    for (const headers of [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/experiments/exp-1/arms/large/disable', headers, payload: headers['content-type' as never] ? 'x=1' : undefined });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ error: 'unsupported_media_type', message: expect.stringContaining('application/json') });
    }
    expect((await t.get('/experiments/exp-1')).body.arms.every((a: { status: string }) => a.status === 'active')).toBe(true);
    const ok = await t.app.inject({ method: 'POST', url: '/experiments/exp-1/arms/large/disable', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: '{}' });
    expect(ok.statusCode).toBe(200);
  });
});

describe('CORS and security headers', () => {
  it('sends no CORS headers unless origins are configured, then only to those', async () => {
    const off = await makeTestApp(new MemoryStore());
    const r1 = await off.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(r1.headers['access-control-allow-origin']).toBeUndefined();
    await off.app.close();
    const { buildApp } = await import('../../src/app.js');
    const app = await buildApp({ store: new MemoryStore(), secret: 'cors-secret-0123456789', corsOrigins: ['https://admin.example'] });
    const good = await app.inject({ method: 'OPTIONS', url: '/select', headers: { origin: 'https://admin.example', 'access-control-request-method': 'POST' } });
    expect(good.statusCode).toBe(204);
    expect(good.headers['access-control-allow-origin']).toBe('https://admin.example');
    const bad = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });

  it('puts helmet headers on /docs but not on the JSON API', async () => {
    const t = await makeTestApp(new MemoryStore());
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
    expect(docs.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(docs.headers['content-security-policy']).toBeDefined();
    const api = await t.app.inject({ method: 'GET', url: '/health' });
    expect(api.headers['x-frame-options']).toBeUndefined();
    await t.app.close();
  });
});

describe.each(storeKinds)('rate limits ($name store)', (kind) => {
  const redis = kind.name === 'redis' ? new Redis(REDIS_URL) : undefined;
  afterAll(() => redis?.disconnect());
  const KEY_A = 'decide-key-a-0123456789abcdefgh';
  const KEY_B = 'decide-key-b-0123456789abcdefgh';

  it('answers 429 rate_limited with Retry-After past RATE_LIMIT per second, per key', async () => {
    const { buildApp } = await import('../../src/app.js');
    const made = await kind.make();
    const prefix = `test:rl:${process.pid}:${Date.now()}:`;
    const app = await buildApp({ store: made.store, secret: 'rl-secret-0123456789', auth: { apiKeys: `decide:${KEY_A},decide:${KEY_B}` }, rateLimit: { perSecond: 5, redis, prefix } });
    const call = (key: string) => app.inject({ method: 'POST', url: '/select', headers: { 'content-type': 'application/json', 'x-api-key': key }, payload: '{"experimentId":"none"}' });
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push((await call(KEY_A)).statusCode);
    expect(codes.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    const limited = await call(KEY_A);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate_limited', message: expect.any(String) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await call(KEY_B)).statusCode).toBe(404); // another key has its own budget
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200); // open routes are not limited
    await app.close();
    await made.cleanup();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0); // the counters were in Redis
      await redis.del(...keys);
    }
  });
});

describe('draining (the app side of a graceful shutdown)', () => {
  it('answers /ready 503 shutting_down with Retry-After, and closes every connection after its answer', async () => {
    const t = await makeTestApp(new MemoryStore());
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    t.app.startDraining();
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ error: 'shutting_down', message: expect.any(String) });
    expect(ready.headers['retry-after']).toBe('1');
    expect(ready.headers.connection).toBe('close');
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.headers.connection).toBe('close');
    await t.app.close();
  });
});

describe('rate limits with the limiter\'s Redis down', () => {
  it('lets requests through (skipOnError) instead of failing them', async () => {
    const { buildApp } = await import('../../src/app.js');
    const { createRedisClient } = await import('../../src/store/redis-connect.js');
    const { freePort } = await import('../helpers/redis.js');
    const dead = createRedisClient(`redis://127.0.0.1:${await freePort()}`, 200);
    const app = await buildApp({ store: new MemoryStore(), secret: 'rl-down-secret-0123456789', rateLimit: { perSecond: 2, redis: dead } });
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'POST', url: '/select', headers: { 'content-type': 'application/json' }, payload: '{"experimentId":"none"}' });
      expect(res.statusCode).toBe(404); // past the limit of 2, still answered: the limiter could not count
    }
    await app.close();
    dead.disconnect();
  });
});

describe('Swagger UI can send a key', () => {
  it('documents bearer and X-API-Key security, required on keyed routes and not on open ones', async () => {
    const { currentSpec } = await import('../../scripts/write-openapi.js');
    const spec = await currentSpec() as { components: { securitySchemes: Record<string, unknown> }; security: unknown[]; paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(spec.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } });
    expect(spec.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(spec.paths['/health'].get.security).toEqual([]);
    expect(spec.paths['/select'].post.security).toBeUndefined(); // the global requirement applies
  });
});
