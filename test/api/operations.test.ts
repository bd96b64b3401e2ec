import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { makeTestApp } from '../helpers/app.js';

describe('operations', () => {
  it('health and ready answer 200 on the embedded store', async () => {
    const t = await makeTestApp(new MemoryStore());
    expect((await t.get('/health')).body).toEqual({ status: 'ok' });
    expect((await t.get('/ready')).body).toEqual({ status: 'ready' });
    await t.app.close();
  });

  it('unknown routes are a 404 in the contract shape, and the request id is echoed', async () => {
    const t = await makeTestApp(new MemoryStore());
    const res = await t.app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'req-42' } });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'not_found' });
    expect(res.headers['x-request-id']).toBe('req-42');
    await t.app.close();
  });
});
