/** API keys and scopes on both stores: 401/403, both headers, open routes, run-time keys, revocation, lastUsedAt, open mode. */
import { describe, expect, it } from 'vitest';
import { requiredAccess } from '../../src/plugins/access.js';
import { parseApiKeys } from '../../src/service/api-key-material.js';
import { experimentBody, makeTestApp } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

const ADMIN = 'admin-key-0123456789abcdefghij';
const READ = 'read-key-0123456789abcdefghijkl';
const DECIDE = 'decide-key-0123456789abcdefghij';
const API_KEYS = `admin:${ADMIN},read:${READ},decide:${DECIDE}`;

describe.each(storeKinds)('API keys ($name store)', (kind) => {
  const t = useTestApp(kind, { auth: { apiKeys: API_KEYS }, key: ADMIN });
  const as = (key: string | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, header: 'bearer' | 'x-api-key' = 'bearer') =>
    t.app.inject({
      method, url, payload: body === undefined ? undefined : JSON.stringify(body),
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(key && (header === 'bearer' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key })) },
    });

  it('answers 401 without a key or with an unknown one, in the error shape with WWW-Authenticate', async () => {
    for (const key of [null, 'not-a-key-at-all-but-long-enough']) {
      const res = await as(key, 'GET', '/experiments');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.headers['x-request-id']).toBeDefined();
    }
  });

  it('lets each scope do what it may (read is read-only, decide only decides, admin everything) and answers 403 forbidden otherwise', async () => {
    expect((await t.post('/experiments', experimentBody())).status).toBe(201);
    const cases: [string, 'GET' | 'POST', string, unknown, number][] = [
      [DECIDE, 'POST', '/select', { experimentId: 'exp-1' }, 200],
      [DECIDE, 'GET', '/experiments', undefined, 403],
      [DECIDE, 'GET', '/arms?experimentId=exp-1', undefined, 403],
      [READ, 'GET', '/experiments', undefined, 200],
      [READ, 'GET', '/arms?experimentId=exp-1', undefined, 200],
      [READ, 'POST', '/select', { experimentId: 'exp-1' }, 403],
      [ADMIN, 'POST', '/select', { experimentId: 'exp-1' }, 200],
      [READ, 'POST', '/experiments/exp-1/arms/large/disable', {}, 403],
      [READ, 'GET', '/keys', undefined, 403],
      [DECIDE, 'POST', '/keys', { scope: 'admin', name: 'escalate' }, 403],
      [ADMIN, 'POST', '/experiments/exp-1/arms/large/disable', {}, 200],
      [ADMIN, 'GET', '/keys', undefined, 200],
    ];
    for (const [key, method, url, body, status] of cases) {
      const res = await as(key, method, url, body);
      expect(res.statusCode, `${method} ${url} with ${key.split('-')[0]}`).toBe(status);
      if (status === 403) expect(res.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining('scope') });
    }
  });

  it('takes the key from Authorization: Bearer or X-API-Key', async () => {
    expect((await as(READ, 'GET', '/experiments', undefined, 'bearer')).statusCode).toBe(200);
    expect((await as(READ, 'GET', '/experiments', undefined, 'x-api-key')).statusCode).toBe(200);
  });

  it('keeps /health, /ready, /openapi.json and /docs open', async () => {
    for (const url of ['/health', '/ready', '/openapi.json', '/docs/']) expect((await as(null, 'GET', url)).statusCode, url).toBe(200);
  });

  it('creates a run-time key (shown once, listed without secret), then refuses it from the next request on after DELETE', async () => {
    const created = await t.post('/keys', { scope: 'read', name: 'dashboards' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^key_/), key: expect.stringMatching(/^bk_[A-Za-z0-9_-]{32}$/), scope: 'read', name: 'dashboards' });
    expect((await as(created.body.key, 'GET', '/experiments')).statusCode).toBe(200);

    const list = await t.get('/keys');
    expect(list.status).toBe(200);
    const listed = list.body.keys.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({ scope: 'read', name: 'dashboards', source: 'api', createdAt: created.body.createdAt, lastUsedAt: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect(list.body.keys.filter((k: { source: string }) => k.source === 'environment')).toHaveLength(3);

    const del = await t.app.inject({ method: 'DELETE', url: `/keys/${created.body.id}`, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(del.statusCode).toBe(204);
    expect((await as(created.body.key, 'GET', '/experiments')).statusCode).toBe(401);
    const again = await t.app.inject({ method: 'DELETE', url: `/keys/${created.body.id}`, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toBe('key_not_found');
    const envKey = list.body.keys.find((k: { source: string }) => k.source === 'environment').id;
    const env = await t.app.inject({ method: 'DELETE', url: `/keys/${envKey}`, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(env.statusCode).toBe(409);
  });

  it('refuses an invalid POST /keys with 400', async () => {
    for (const body of [{ scope: 'root', name: 'x' }, { scope: 'read' }, { scope: 'read', name: '' }]) {
      const res = await t.post('/keys', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    }
  });

  it('keeps lastUsedAt through the periodic flush, not a write per request', async () => {
    const { key, id } = (await t.post('/keys', { scope: 'decide', name: 'svc' })).body;
    t.clock.advance(5000);
    await as(key, 'POST', '/select', { experimentId: 'nope' });
    const used = new Date(t.clock.now()).toISOString();
    expect((await t.store.listApiKeys()).find((k) => k.id === id)!.lastUsedAt).toBeNull(); // not yet flushed
    await t.app.close(); // closing flushes
    expect((await t.store.apiKeysLastUsed())[id]).toBe(used);
    Object.assign(t, await makeTestApp(t.store, t.clock, { auth: { apiKeys: API_KEYS }, key: ADMIN })); // for afterEach
  });
});

describe.each(storeKinds)('open mode ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('serves without a key while no key exists, and requires one as soon as a key is created', async () => {
    expect((await t.post('/experiments', experimentBody())).status).toBe(201);
    const created = await t.post('/keys', { scope: 'admin', name: 'first' });
    expect(created.status).toBe(201);
    expect((await t.get('/experiments')).status).toBe(401);
    const withKey = await t.app.inject({ method: 'GET', url: '/experiments', headers: { 'x-api-key': created.body.key } });
    expect(withKey.statusCode).toBe(200);
  });
});

describe('AUTH=off', () => {
  it('checks nothing even with keys configured', async () => {
    const { MemoryStore } = await import('../../src/store/memory-store.js');
    const t = await makeTestApp(new MemoryStore(), undefined, { auth: { apiKeys: API_KEYS, mode: 'off' } });
    expect((await t.get('/experiments')).status).toBe(200);
    await t.app.close();
  });
});

describe('scopes by route and API_KEYS parsing', () => {
  it('maps routes to the contract scopes, new routes included', () => {
    expect(requiredAccess('GET', '/health')).toBe('open');
    expect(requiredAccess('GET', '/dashboard/app.js')).toBe('open');
    expect(requiredAccess('POST', '/select')).toBe('decide');
    expect(requiredAccess('POST', '/ofrep/v1/evaluate/flags/:experimentId')).toBe('decide');
    expect(requiredAccess('GET', '/experiments/:id/events')).toBe('read');
    expect(requiredAccess('GET', '/metrics')).toBe('read');
    expect(requiredAccess('POST', '/experiments/:id/evaluate')).toBe('read');
    expect(requiredAccess('POST', '/experiments/:id/promote')).toBe('admin');
    expect(requiredAccess('DELETE', '/experiments/:id')).toBe('admin');
    expect(requiredAccess('PATCH', '/experiments/:id')).toBe('admin');
  });

  it('refuses a malformed API_KEYS naming the entry, never echoing a key', () => {
    expect(parseApiKeys(`read:${READ}`)).toHaveLength(1);
    expect(() => parseApiKeys(`root:${READ}`)).toThrow(/entry 1/);
    expect(() => parseApiKeys(`read:${READ},admin:short`)).toThrow(/entry 2 \(admin\)/);
    expect(() => parseApiKeys('admin:short')).not.toThrow(/short/);
  });
});

describe('the cap on run-time keys', () => {
  it('answers 409 too_many_keys past MAX_RUNTIME_KEYS', async () => {
    const { MemoryStore } = await import('../../src/store/memory-store.js');
    const { MAX_RUNTIME_KEYS } = await import('../../src/service/keys.js');
    const store = new MemoryStore();
    for (let i = 0; i < MAX_RUNTIME_KEYS; i++) await store.createApiKey({ id: `key_${i}`, scope: 'read', name: 'n', hash: i.toString(16).padStart(64, '0'), createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null });
    const t = await makeTestApp(store, undefined, { auth: { apiKeys: API_KEYS }, key: ADMIN });
    const res = await t.post('/keys', { scope: 'read', name: 'one too many' });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('too_many_keys');
    await t.app.close();
  });
});
