/** Hostile and careless input on both stores: every answer a clear 4xx in the contract's shape, never a 5xx. */
import { credibleInterval } from '../../src/bandit/mean-marginal.js';
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

const nested = (depth: number): unknown => { let v: unknown = 1; for (let i = 0; i < depth; i++) v = { a: v }; return v; };
/** JSON text nesting `depth` objects around the value at `hole` of `outer` (JSON.stringify would overflow building it). */
const deepJson = (outer: unknown, depth: number): string => JSON.stringify(outer).replace('"HOLE"', `${'['.repeat(depth)}1${']'.repeat(depth)}`);
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).filter((n) => /^[A-Za-z0-9_.:-]{1,64}$/.test(n));

describe.each(storeKinds)('bad input ($name store)', (kind) => {
  const t = useTestApp(kind);
  const raw = (method: 'POST' | 'GET', url: string, payload?: string) =>
    t.app.inject({ method, url, payload, headers: payload === undefined ? {} : { 'content-type': 'application/json' } });

  it('refuses bodies nested 5,000 deep with 400 invalid_json (arm payload, reward, a batch event), and records nothing', async () => {
    await t.post('/experiments', experimentBody());
    const d = (await t.post('/select', { experimentId: 'exp-1' })).body;
    const cases: [string, unknown][] = [
      ['/experiments', experimentBody({ id: 'deep', arms: [{ id: 'a', payload: 'HOLE' }, { id: 'b' }] })],
      ['/reward', { decisionId: d.decisionId, reward: 'HOLE' }],
      ['/rewards', { events: [{ decisionId: d.decisionId, reward: 1 }, { decisionId: d.decisionId, reward: 'HOLE' }] }],
    ];
    for (const [url, body] of cases) {
      const res = await raw('POST', url, deepJson(body, 5000));
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_json', message: expect.stringContaining('deeper') });
    }
    const arms = (await t.get('/arms?experimentId=exp-1')).body.arms;
    expect(arms.reduce((s: number, a: { rewards: number }) => s + a.rewards, 0)).toBe(0);
  });

  it('answers a nested reward under the depth limit with 400 invalid_reward and a short message', async () => {
    await t.post('/experiments', experimentBody());
    const d = (await t.post('/select', { experimentId: 'exp-1' })).body;
    const res = await t.post('/reward', { decisionId: d.decisionId, reward: nested(20) });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_reward');
    expect(res.body.message.length).toBeLessThan(300);
  });

  it(`serves, disables and enables arms named after every Object.prototype name (${PROTO_NAMES.length}), in experiments named so too`, async () => {
    for (const [i, name] of PROTO_NAMES.entries()) {
      const created = await t.post('/experiments', experimentBody({ id: name, arms: [{ id: 'base' }, { id: name }, { id: PROTO_NAMES[(i + 1) % PROTO_NAMES.length] }] }));
      expect(created.status, name).toBe(201);
      expect(created.body.arms.map((a: { status: string }) => a.status), name).toEqual(['active', 'active', 'active']);
      const got = await t.get(`/experiments/${encodeURIComponent(name)}`);
      expect(got.body.arms.every((a: { status: string; disabled: unknown }) => a.status === 'active' && a.disabled === null), name).toBe(true);
      const disabled = await t.post(`/experiments/${encodeURIComponent(name)}/arms/${encodeURIComponent(name)}/disable`, { reason: 'test' });
      expect(disabled.status, name).toBe(200);
      expect(disabled.body.arms.map((a: { status: string }) => a.status), name).toEqual(['active', 'disabled', 'active']);
      const served = new Set<string>();
      for (let k = 0; k < 20; k++) {
        const s = await t.post('/select', { experimentId: name });
        expect(s.status, name).toBe(200);
        expect(s.body.fallback, name).toBeUndefined();
        served.add(s.body.armId);
      }
      expect(served.has(name), `${name} served while disabled`).toBe(false);
      const enabled = await t.post(`/experiments/${encodeURIComponent(name)}/arms/${encodeURIComponent(name)}/enable`, {});
      expect(enabled.body.arms.map((a: { status: string }) => a.status), name).toEqual(['active', 'active', 'active']);
      const report = await t.get(`/arms?experimentId=${encodeURIComponent(name)}`);
      expect(report.status, name).toBe(200);
    }
    const list = await t.get('/experiments');
    expect(list.status).toBe(200);
  });

  it.each([
    ['lambda 1e-300', { rewardModel: 'gaussian', prior: { mu: 0, lambda: 1e-300, alpha: 1, beta: 1 } }, 'prior'],
    ['alpha 5e-324', { prior: { alpha: 5e-324, beta: 1 } }, 'prior'],
    ['beta 1e300', { prior: { alpha: 1, beta: 1e300 } }, 'prior'],
  ])('refuses the extreme prior %s with 400 naming the field', async (_n, override, field) => {
    const res = await t.post('/experiments', experimentBody(override));
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(field);
  });

  it('gives finite propensities and intervals at the bounds of the priors', async () => {
    for (const [id, prior, rewardModel] of [['lo', { alpha: 0.01, beta: 0.01 }, 'bernoulli'], ['hi', { alpha: 1e6, beta: 1e6 }, 'bernoulli'],
      ['glo', { mu: -1e9, lambda: 1e-6, alpha: 0.1, beta: 1e-6 }, 'gaussian'], ['ghi', { mu: 1e9, lambda: 1e6, alpha: 1e6, beta: 1e12 }, 'gaussian']] as const) {
      expect((await t.post('/experiments', experimentBody({ id, prior, rewardModel }))).status, id).toBe(201);
      const s = await t.post('/select', { experimentId: id });
      expect(Number.isFinite(s.body.propensity), `${id} propensity ${s.body.propensity}`).toBe(true);
      const r = await t.get(`/arms?experimentId=${id}`);
      for (const a of r.body.arms) {
        // A gaussian arm with no reward shows no interval (arms[].support: the data cannot support one yet); its prior's is still finite.
        const interval = a.support.supported ? a.credibleInterval95 : credibleInterval(a.posterior, 0.95);
        if (!a.support.supported) expect(a.credibleInterval95, `${id} withheld`).toBeNull();
        expect(interval.every(Number.isFinite), `${id} interval`).toBe(true);
        expect(Number.isFinite(a.probabilityBest), `${id} probabilityBest`).toBe(true);
      }
    }
  });

  it('limits context keys and size, and body sizes, with 400 and 413 in the error shape', async () => {
    await t.post('/experiments', experimentBody());
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 1]));
    const r1 = await t.post('/select', { experimentId: 'exp-1', context: many });
    expect(r1.status).toBe(400);
    expect(r1.body.message).toContain('context');
    const r2 = await t.post('/select', { experimentId: 'exp-1', context: { big: 'x'.repeat(9000) } });
    expect(r2.status).toBe(400);
    const huge = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 1])); // ~250 KB: refused before parsing
    const r3 = await t.post('/select', { experimentId: 'exp-1', context: huge });
    expect(r3.status).toBe(413);
    expect(r3.body.error).toBe('payload_too_large');
    const r4 = await raw('POST', '/experiments', JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) }));
    expect(r4.statusCode).toBe(413);
  });

  it('answers an over-long path parameter with 414 and a malformed URL with 400, both in the error shape with x-request-id', async () => {
    const long = await raw('GET', `/experiments/${'a'.repeat(200)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ error: 'uri_too_long', message: expect.any(String) });
    expect(long.headers['x-request-id']).toBeDefined();
    const bad = await raw('GET', '/experiments/%E0%A4%A');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request', message: expect.any(String) });
    expect(bad.headers['x-request-id']).toBeDefined();
  });
});
