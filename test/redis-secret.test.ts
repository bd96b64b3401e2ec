/**
 * Start-up with Redis unreachable, and the decision secret after Redis restarts empty, with
 * replicas that keep the secret in Redis (no DECISION_SECRET): the first replica to reconnect
 * restores the secret it holds, a new replica then uses it, and a replica that finds another
 * secret in Redis stops being ready instead of answering with its own.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { connectRedisStore } from '../src/store/redis-connect.js';
import { secretKey } from '../src/store/redis-keys.js';
import type { RedisStore } from '../src/store/redis-store.js';
import { experimentBody } from './helpers/app.js';
import { describeIf, freePort, redisBinariesAvailable, startRedisServer, uniquePrefix, waitFor, type RedisServer } from './helpers/redis.js';

describeIf(redisBinariesAvailable(), 'redis-server (a private server restarted empty)', 'the decision secret across a Redis data loss', () => {
  let server: RedisServer;
  let admin: Redis;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    admin.on('error', () => {});
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    admin.disconnect();
    await server.destroy();
  });

  async function replica(url: string, prefix: string) {
    const store: RedisStore = await connectRedisStore(url, { prefix, commandTimeoutMs: 300, connectWaitMs: 200 });
    const app = await buildApp({ store, clock: undefined });
    closers.push(async () => { await app.close(); await store.close(); });
    const call = (method: 'GET' | 'POST', url: string, body?: unknown) => app.inject({ method, url, ...(body !== undefined && { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    const ready = async () => (await call('GET', '/ready')).statusCode;
    return { app, store, call, ready };
  }

  it('listens with Redis unreachable: /health 200, /ready and decisions 503', async () => {
    const port = await freePort();
    const r = await replica(`redis://127.0.0.1:${port}`, uniquePrefix());
    expect((await r.call('GET', '/health')).statusCode).toBe(200);
    expect(await r.ready()).toBe(503);
    const sel = await r.call('POST', '/select', { experimentId: 'x' });
    expect(sel.statusCode).toBe(503);
    expect(sel.json().error).toBe('store_unavailable');
    expect(sel.headers['retry-after']).toBeDefined();
  });

  it('restores the secret it holds after Redis restarts empty; a replica started after uses it; one that finds another is not ready', async () => {
    const prefix = uniquePrefix();
    const a = await replica(server.url, prefix);
    await waitFor(async () => (await a.ready()) === 200, 5000, 'A ready');
    const secretBefore = await admin.get(secretKey(prefix));
    expect(secretBefore).toBeTruthy();

    await server.stop();
    await server.start(); // empty: no persistence
    await waitFor(async () => (await a.ready()) === 200, 10_000, 'A ready again');
    expect(await admin.get(secretKey(prefix))).toBe(secretBefore); // A restored it

    const b = await replica(server.url, prefix);
    await waitFor(async () => (await b.ready()) === 200, 5000, 'B ready');
    expect((await a.call('POST', '/experiments', experimentBody())).statusCode).toBe(201);
    const d = (await a.call('POST', '/select', { experimentId: 'exp-1' })).json();
    expect((await b.call('POST', '/reward', { decisionId: d.decisionId, reward: 1 })).json()).toEqual({ accepted: true, duplicate: false });

    // Redis loses its data again and another replica writes a new secret before A reconnects.
    await server.stop();
    await server.start();
    await admin.set(secretKey(prefix), 'a-secret-made-by-a-new-replica-0123456789');
    await waitFor(async () => (await a.ready()) === 503 && (await a.call('GET', '/ready')).json().error === 'secret_mismatch', 10_000, 'A not ready: secret mismatch');
    const refused = await a.call('POST', '/select', { experimentId: 'exp-1' });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error).toBe('secret_mismatch');
  });
});
