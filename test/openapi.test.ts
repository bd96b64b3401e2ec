import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { currentSpec } from '../scripts/write-openapi.js';
import { makeTestApp } from './helpers/app.js';

describe('OpenAPI document', () => {
  it('openapi/openapi.json is what the app serves (run `npm run openapi` after changing a schema)', async () => {
    const committed = JSON.parse(readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(await currentSpec());
    const t = await makeTestApp(new MemoryStore());
    const served = await t.get('/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(committed);
    await t.app.close();
  });

  it('documents every route of the contract', async () => {
    const spec = (await currentSpec()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of ['POST /select', 'POST /reward', 'POST /rewards', 'GET /arms', 'POST /experiments', 'GET /experiments', 'GET /experiments/{id}',
      'PATCH /experiments/{id}', 'POST /experiments/{id}/arms/{armId}/disable', 'POST /experiments/{id}/arms/{armId}/enable', 'GET /health', 'GET /ready',
      'POST /ofrep/v1/evaluate/flags/{experimentId}', 'POST /ofrep/v1/evaluate/flags']) {
      expect(routes).toContain(r);
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const t = await makeTestApp(new MemoryStore());
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
    await t.app.close();
  });
});
