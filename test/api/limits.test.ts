/** PATCH merges guardrails; GET /experiments in pages; the experiment cap (both stores). */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { experimentBody } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe.each(storeKinds)('PATCH guardrails merges field by field ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('keeps the other limits, removes one with null, and checks the merged whole', async () => {
    await t.post('/experiments', experimentBody({ guardrails: { latencyP95Ms: 2000, meanCost: 0.01, errorRate: 0.1, minSamples: 20, windowSize: 200 } }));
    const r1 = await t.patch('/experiments/exp-1', { guardrails: { meanCost: 0.02 } });
    expect(r1.status).toBe(200);
    expect(r1.body.guardrails).toEqual({ latencyP95Ms: 2000, meanCost: 0.02, errorRate: 0.1, minSamples: 20, windowSize: 200 });
    const r2 = await t.patch('/experiments/exp-1', { guardrails: { latencyP95Ms: null } });
    expect(r2.body.guardrails).toEqual({ meanCost: 0.02, errorRate: 0.1, minSamples: 20, windowSize: 200 });
    const bad = await t.patch('/experiments/exp-1', { guardrails: { minSamples: 500 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('guardrails.windowSize');
    expect((await t.get('/experiments/exp-1')).body.guardrails.minSamples).toBe(20);
    expect((await t.patch('/experiments/exp-1', { guardrails: null })).body.guardrails).toBeNull();
    expect((await t.patch('/experiments/exp-1', { guardrails: { errorRate: 0.3 } })).body.guardrails).toEqual({ errorRate: 0.3, minSamples: 50, windowSize: 1000 });
  });
});

describe.each(storeKinds)('GET /experiments pages and the experiment cap ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('pages by id with limit and after, ending with next: null', async () => {
    for (let i = 0; i < 7; i++) expect((await t.post('/experiments', experimentBody({ id: `e${i}` }))).status).toBe(201);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res = await t.get(`/experiments?limit=3${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.experiments.map((e: { id: string }) => e.id));
      after = res.body.next;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect((await t.get('/experiments?limit=0')).status).toBe(400);
    expect((await t.get('/experiments?limit=1001')).status).toBe(400);
  });

  it('refuses a create beyond MAX_EXPERIMENTS with 409 too_many_experiments', async () => {
    const made = await kind.make();
    const app = await buildApp({ store: made.store, secret: 'cap-secret-0123456789', maxExperiments: 2 });
    const create = (id: string) => app.inject({ method: 'POST', url: '/experiments', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(experimentBody({ id })) });
    expect((await create('a')).statusCode).toBe(201);
    expect((await create('b')).statusCode).toBe(201);
    const third = await create('c');
    expect(third.statusCode).toBe(409);
    expect(third.json()).toMatchObject({ error: 'too_many_experiments', message: expect.stringContaining('MAX_EXPERIMENTS') });
    await app.close();
    await made.cleanup();
  });
});
