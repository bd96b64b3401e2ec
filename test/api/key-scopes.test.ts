/** Issue 19 item 3: read keys are read-only, open mode's first key is admin, failed authentication and OFREP bulk decisions are rate limited. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { experimentBody, TestClock } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

const ADMIN = 'admin-key-0123456789abcdefghij';
const READ = 'read-key-0123456789abcdefghijkl';
const DECIDE = 'decide-key-0123456789abcdefghij';
const API_KEYS = `admin:${ADMIN},read:${READ},decide:${DECIDE}`;
const json = { 'content-type': 'application/json' };

describe.each(storeKinds)('scopes ($name store)', (kind) => {
  const t = useTestApp(kind, { auth: { apiKeys: API_KEYS }, key: ADMIN });

  it('answers 403 forbidden to a read key on every decision route', async () => {
    expect((await t.post('/experiments', experimentBody())).status).toBe(201);
    const decisionId = (await t.post('/select', { experimentId: 'exp-1', userId: 'u' })).body.decisionId;
    const writes: [string, unknown][] = [
      ['/select', { experimentId: 'exp-1' }],
      ['/reward', { decisionId, reward: 1 }],
      ['/rewards', { events: [{ decisionId, reward: 1 }] }],
      ['/ofrep/v1/evaluate/flags/exp-1', { context: { targetingKey: 'u' } }],
      ['/ofrep/v1/evaluate/flags', { context: { targetingKey: 'u' } }],
    ];
    for (const [url, body] of writes) {
      const res = await t.app.inject({ method: 'POST', url, headers: { ...json, authorization: `Bearer ${READ}` }, payload: JSON.stringify(body) });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error, url).toBe('forbidden');
      const decide = await t.app.inject({ method: 'POST', url, headers: { ...json, authorization: `Bearer ${DECIDE}` }, payload: JSON.stringify(body) });
      expect(decide.statusCode, `${url} with a decide key`).toBe(200);
    }
    const read = await t.app.inject({ method: 'GET', url: '/arms?experimentId=exp-1', headers: { authorization: `Bearer ${READ}` } });
    expect(read.statusCode).toBe(200);
    expect(read.json().arms.reduce((n: number, a: { decisions: number }) => n + a.decisions, 0)).toBe(4); // 1 + the decide key's 3 (select, two OFREP): the read key's attempts decided nothing
  });
});

describe.each(storeKinds)('open mode ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('refuses a first key that is not admin, and stays open', async () => {
    for (const scope of ['read', 'decide']) {
      const res = await t.post('/keys', { scope, name: 'dashboard' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_request', details: { issues: [{ path: 'scope' }] } });
    }
    expect((await t.get('/keys')).body.keys).toEqual([]);
    expect((await t.post('/experiments', experimentBody())).status).toBe(201); // still open
    expect((await t.post('/keys', { scope: 'admin', name: 'operator' })).status).toBe(201);
  });
});

it('logs the refused first key', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  const app = await buildApp({ store: new MemoryStore(), secret: 'key-scopes-secret-0123456789', logger: pino({ level: 'info' }, sink) });
  const res = await app.inject({ method: 'POST', url: '/keys', headers: json, payload: '{"scope":"read","name":"dash"}' });
  expect(res.statusCode).toBe(400);
  await new Promise<void>((r) => setImmediate(r));
  expect(lines.some((l) => l.level === 40 && String(l.msg).includes('not admin') && l.scope === 'read')).toBe(true);
  await app.close();
});

describe('failed authentication', () => {
  it('is limited per address: 429 with Retry-After past 30 failures in a minute; a valid key is still served', async () => {
    const clock = new TestClock();
    const app = await buildApp({ store: new MemoryStore(), secret: 'key-scopes-secret-0123456789', clock, auth: { apiKeys: API_KEYS } });
    const attempt = (key: string, ip = '10.0.0.1') => app.inject({ method: 'GET', url: '/experiments', remoteAddress: ip, headers: { authorization: `Bearer ${key}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await attempt(`wrong-key-${i}-0123456789abcdefghij`)).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    const limited = await attempt('wrong-key-0123456789abcdefghijkl');
    expect(limited.json().error).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt(ADMIN)).statusCode).toBe(200);
    expect((await attempt('wrong-key-0123456789abcdefghijkl', '10.0.0.2')).statusCode).toBe(401); // another address
    clock.advance(61_000);
    expect((await attempt('wrong-key-0123456789abcdefghijkl')).statusCode).toBe(401); // the window ended
    await app.close();
  });
});

describe('OFREP bulk evaluation', () => {
  it('spends one unit of the per-second limit per experiment it decides', async () => {
    const clock = new TestClock();
    const store = new MemoryStore();
    const app = await buildApp({ store, secret: 'key-scopes-secret-0123456789', clock, rateLimit: { perSecond: 10 } });
    for (let i = 0; i < 4; i++) {
      expect((await app.inject({ method: 'POST', url: '/experiments', headers: json, payload: JSON.stringify(experimentBody({ id: `flag-${i}` })) })).statusCode).toBe(201);
    }
    const bulk = () => app.inject({ method: 'POST', url: '/ofrep/v1/evaluate/flags', headers: json, payload: '{"context":{"targetingKey":"u1"}}' });
    expect((await bulk()).statusCode).toBe(200); // 4 decisions
    expect((await bulk()).statusCode).toBe(200); // 8
    const third = await bulk(); // 12 > 10
    expect(third.statusCode).toBe(429);
    expect(third.json().error).toBe('rate_limited');
    clock.advance(1000);
    expect((await bulk()).statusCode).toBe(200);
    await app.close();
  });
});
