import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

describe('dashboard files', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(new MemoryStore(), undefined, { auth: { apiKeys: 'admin:admin-key-for-static-files-0123' } });
  });
  afterAll(() => t.app.close());
  const get = (url: string) => t.app.inject({ url });

  it('serves the page, its scripts and uPlot without a key (the data behind them needs one)', async () => {
    const redirect = await get('/dashboard');
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('/dashboard/');
    const page = await get('/dashboard/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<script type="module" src="app.js">');
    for (const file of ['app.js', 'api.js', 'charts.js', 'density.js', 'dashboard.css', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css']) {
      expect((await get(`/dashboard/${file}`)).statusCode, file).toBe(200);
    }
    expect((await get('/experiments')).statusCode).toBe(401);
  });

  it('serves nothing else of the uPlot package, and answers a missing file with 404', async () => {
    expect((await get('/dashboard/vendor/uPlot.esm.js')).statusCode).toBe(404);
    expect((await get('/dashboard/vendor/../package.json')).statusCode).toBe(404);
    expect((await get('/dashboard/nope.js')).statusCode).toBe(404);
  });
});
