import { beforeEach, describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe.each(storeKinds)('GET /experiments/:id/events ($name store)', (kind) => {
  const t = useTestApp(kind);
  beforeEach(async () => {
    await t.post('/experiments', experimentBody({ holdbackPercent: 0 }));
  });
  const lines = async (query = '') => {
    const res = await t.app.inject({ method: 'GET', url: `/experiments/exp-1/events${query}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    return res.body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  };
  const select = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/select', payload: { experimentId: 'exp-1', ...body }, headers });

  it('logs each decision and each accepted reward once, with the fields of the contract and the very decisionId served', async () => {
    const sel = await select({ userId: 'u-1', context: { plan: 'pro', n: [1, 2] } }, { traceparent: TRACEPARENT });
    const d = sel.json();
    expect(sel.headers).toMatchObject({ 'x-experiment-id': 'exp-1', 'x-decision-id': d.decisionId, 'x-arm-id': d.armId });
    const again = (await select({ userId: 'u-1' })).json();
    t.clock.advance(1500);
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1, latencyMs: 40, cost: 0.002, metadata: { model: 'x', tokens: 12 } })).body.duplicate).toBe(false);
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 0 })).body.duplicate).toBe(true);
    const evs = await lines();
    expect(evs).toHaveLength(3);
    expect(evs[0]).toEqual({
      type: 'decision', eventId: expect.any(String), ts: expect.any(String), decisionId: d.decisionId, experimentId: 'exp-1',
      experimentVersion: 1, armId: d.armId, population: 'bandit', propensity: d.propensity, firstExposure: true, policy: 'thompson',
      userId: 'u-1', context: { plan: 'pro', n: [1, 2] }, eligibleArms: ['control', 'structured', 'large'], traceparent: TRACEPARENT,
      // Thompson's P(best) of every eligible arm under the prior (3 significant digits); the served arm's is also `propensity`, exact.
      propensities: { control: 0.333, structured: 0.333, large: 0.333 },
    });
    expect(evs[0].propensities[d.armId]).toBeCloseTo(d.propensity, 3);
    expect(evs[1]).toMatchObject({ type: 'decision', decisionId: again.decisionId, armId: d.armId, firstExposure: false, context: null, traceparent: null });
    // A sticky repeat did not draw its arm now: no vector (it would describe another model than the one the arm was drawn with).
    expect(evs[1]).not.toHaveProperty('propensities');
    expect(evs[2]).toEqual({
      type: 'reward', eventId: expect.any(String), ts: expect.any(String), decisionId: d.decisionId, experimentId: 'exp-1', armId: d.armId,
      population: 'bandit', propensity: d.propensity, reward: 1, latencyMs: 40, cost: 0.002, error: false, metadata: { model: 'x', tokens: 12 },
      decisionTs: new Date(Math.floor(Date.parse('2026-06-01T00:00:00Z') / 1000) * 1000).toISOString(),
    });
  });

  it('pages with after and limit, filters by type, and writes DSJSON for rewarded bandit decisions', async () => {
    const ds = [];
    for (let i = 0; i < 7; i++) ds.push((await select({ context: { i } })).json());
    for (const d of ds.slice(0, 3)) await t.post('/reward', { decisionId: d.decisionId, reward: 1 });
    const all = await lines();
    expect(all.map((e) => e.type)).toEqual([...Array(7).fill('decision'), ...Array(3).fill('reward')]);
    const first = await lines('?limit=4');
    const rest = await lines(`?after=${first[3].eventId}`);
    expect([...first, ...rest]).toEqual(all);
    expect((await lines('?type=reward')).map((e) => e.decisionId)).toEqual(ds.slice(0, 3).map((d) => d.decisionId));
    expect(await lines(`?after=${all[9].eventId}`)).toEqual([]);
    const dsjson = await lines('?format=dsjson');
    expect(dsjson).toHaveLength(3);
    const armIds = ['control', 'structured', 'large'];
    expect(dsjson[0]).toMatchObject({
      _label_cost: -1, _label_probability: ds[0].propensity, _labelIndex: armIds.indexOf(ds[0].armId), _label_Action: armIds.indexOf(ds[0].armId) + 1,
      Version: '1', EventId: ds[0].decisionId, c: { i: 0, _multi: armIds.map((id) => ({ arm: { id } })) },
      // In a's order: the chosen arm's exact propensity, then the others' from the logged vector (P(best) under the prior).
      p: [ds[0].propensity, 0.333, 0.333],
    });
    expect(dsjson[0].a[0]).toBe(armIds.indexOf(ds[0].armId) + 1);
  });

  it('answers 400 for a malformed cursor, type or format, 404 for an unknown experiment', async () => {
    for (const q of ['?after=abc', '?type=other', '?format=csv', '?limit=0', '?limit=x']) {
      const res = await t.get(`/experiments/exp-1/events${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    }
    const res = await t.get('/experiments/nope/events');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('experiment_not_found');
  });

  it('refuses a context over 1 KiB and metadata over 4 KiB with 400, and ignores a malformed traceparent', async () => {
    const big = (await select({ context: { s: 'x'.repeat(1100) } }));
    expect(big.statusCode).toBe(400);
    expect(big.json()).toMatchObject({ error: 'invalid_request', message: expect.stringContaining('1024 bytes') });
    const d = (await select({}, { traceparent: 'not-a-trace' })).json();
    const res = await t.post('/reward', { decisionId: d.decisionId, reward: 1, metadata: { s: 'x'.repeat(4100) } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('4 KiB');
    const evs = await lines();
    expect(evs).toHaveLength(1);
    expect(evs[0].traceparent).toBeNull();
  });
});
