/** Issue 21: layers through the HTTP app: exclusive ranges, 409 layer_conflict, growth, freeing, GET /layers/:id. */
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';
import { layerBucket } from '../../src/assignment/eligibility.js';

const inLayer = (id: string, from: number, to: number, over: Record<string, unknown> = {}) => experimentBody({ id, layer: { id: 'checkout', range: [from, to] }, ...over });

describe.each(storeKinds)('layers ($name store)', (kind) => {
  const t = useTestApp(kind);
  const select = async (experimentId: string, userId: string) => (await t.post('/select', { experimentId, userId })).body;

  it('a user is in the experiment whose range holds their layer bucket, and excluded by layer from the others', async () => {
    expect((await t.post('/experiments', inLayer('a', 0, 3000))).status).toBe(201);
    expect((await t.post('/experiments', inLayer('b', 3000, 5000))).status).toBe(201);
    for (let i = 0; i < 60; i++) {
      const user = `u-${i}`;
      const b = layerBucket('checkout', user);
      const [ra, rb] = [await select('a', user), await select('b', user)];
      expect(ra.population === 'bandit').toBe(b < 3000);
      expect(rb.population === 'bandit').toBe(b >= 3000 && b < 5000);
      if (b >= 3000) expect(ra).toMatchObject({ population: 'excluded', excludedBy: 'layer', armId: 'control' });
    }
  });

  it('an overlapping range of a live experiment is 409 layer_conflict naming it; GET /layers/:id shows ranges and free ranges', async () => {
    await t.post('/experiments', inLayer('a', 1000, 3000));
    const clash = await t.post('/experiments', inLayer('b', 2999, 4000));
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ error: 'layer_conflict', details: { experimentId: 'a', range: [1000, 3000] } });
    expect((await t.get('/experiments/b')).status).toBe(404);
    await t.post('/experiments', inLayer('b', 5000, 6000));
    const layer = await t.get('/layers/checkout');
    expect(layer.status).toBe(200);
    expect(layer.body).toEqual({
      id: 'checkout', buckets: 10000, free: [[0, 1000], [3000, 5000], [6000, 10000]],
      experiments: [{ experimentId: 'a', range: [1000, 3000], endsAt: null }, { experimentId: 'b', range: [5000, 6000], endsAt: null }],
    });
    expect((await t.get('/layers/empty')).body.free).toEqual([[0, 10000]]);
  });

  it('a range grows into free buckets without moving a user already in; it may not shrink, move or change layer', async () => {
    await t.post('/experiments', inLayer('a', 0, 2000));
    await t.post('/experiments', inLayer('b', 4000, 5000));
    const users = Array.from({ length: 80 }, (_, i) => `g-${i}`);
    const before = await Promise.all(users.map((u) => select('a', u)));
    expect((await t.patch('/experiments/a', { layer: { id: 'checkout', range: [0, 4000] } })).status).toBe(200);
    const after = await Promise.all(users.map((u) => select('a', u)));
    users.forEach((u, i) => {
      if (before[i].population === 'bandit') expect(after[i]).toMatchObject({ population: 'bandit', armId: before[i].armId });
      expect(after[i].population === 'bandit').toBe(layerBucket('checkout', u) < 4000);
    });
    expect((await t.patch('/experiments/a', { layer: { id: 'checkout', range: [0, 4001] } })).body.error).toBe('layer_conflict');
    const shrink = await t.patch('/experiments/a', { layer: { id: 'checkout', range: [100, 4000] } });
    expect(shrink).toMatchObject({ status: 400, body: { error: 'invalid_config' } });
    expect((await t.patch('/experiments/a', { layer: { id: 'other', range: [0, 4000] } })).status).toBe(400);
    await t.post('/experiments', experimentBody({ id: 'free' }));
    expect((await t.patch('/experiments/free', { layer: { id: 'checkout', range: [9000, 9500] } })).status).toBe(400);
  });

  it('an ended or archived experiment frees its range; an end moved to the future must claim it again', async () => {
    const soon = new Date(t.clock.now() + 60_000).toISOString();
    await t.post('/experiments', inLayer('ends', 0, 5000, { endsAt: soon }));
    await t.post('/experiments', inLayer('archived', 5000, 10000));
    expect((await t.post('/experiments', inLayer('early', 0, 100))).status).toBe(409);
    t.clock.advance(61_000);
    expect((await t.post('/experiments', inLayer('next', 0, 5000))).status).toBe(201);
    expect((await select('ends', 'anyone')).excludedBy).toBe('ended');
    expect((await t.patch('/experiments/ends', { endsAt: null })).body.error).toBe('layer_conflict');
    expect((await t.app.inject({ method: 'DELETE', url: '/experiments/archived' })).statusCode).toBe(200);
    expect((await t.post('/experiments', inLayer('after', 5000, 10000))).status).toBe(201);
    expect((await t.get('/layers/checkout')).body.free).toEqual([]);
  });

  it('a create takes over the claim a failed create of the same id left (no experiment behind it)', async () => {
    await t.store.claimLayerRange('checkout', { experimentId: 'ghost', range: [0, 100], endsAtMs: null }, t.clock.now(), 'create');
    expect((await t.post('/experiments', inLayer('ghost', 200, 300))).status).toBe(201);
    expect((await t.get('/layers/checkout')).body.experiments).toEqual([{ experimentId: 'ghost', range: [200, 300], endsAt: null }]);
    expect((await t.post('/experiments', inLayer('ghost', 200, 300))).body.error).toBe('experiment_exists');
  });

  it('of concurrent creates of one id with different ranges, the layer keeps the range of the one that was stored', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `same-${round}`;
      const results = await Promise.all([0, 1, 2, 3].map((i) => t.post('/experiments', inLayer(id, 1000 * i, 1000 * i + 500))));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      const stored = (await t.get(`/experiments/${id}`)).body.layer.range;
      const claims = (await t.get('/layers/checkout')).body.experiments.filter((e: { experimentId: string }) => e.experimentId === id);
      expect(claims).toEqual([{ experimentId: id, range: stored, endsAt: null }]);
      expect((await t.app.inject({ method: 'DELETE', url: `/experiments/${id}` })).statusCode).toBe(200);
    }
  });

  it('of concurrent creates with overlapping ranges, the ones that win never overlap', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => t.post('/experiments', inLayer(`c${i}`, 500 * i, 500 * i + 1200))));
    expect(results.every((r) => r.status === 201 || (r.status === 409 && r.body.error === 'layer_conflict'))).toBe(true);
    const ranges = (await t.get('/layers/checkout')).body.experiments.map((e: { range: number[] }) => e.range);
    expect(ranges).toHaveLength(results.filter((r) => r.status === 201).length);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
  });
});
