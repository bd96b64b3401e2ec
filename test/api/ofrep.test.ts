/** The OFREP routes over HTTP (app.inject), on both stores: shapes, error codes, stickiness, the bulk ETag. */
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

const FLAG = '/ofrep/v1/evaluate/flags';

describe.each(storeKinds)('OFREP ($name store)', (kind) => {
  const t = useTestApp(kind);
  const evaluate = (key: string, context: unknown = { targetingKey: 'u-1' }) => t.post(`${FLAG}/${key}`, { context });
  const bulk = async (context: unknown, ifNoneMatch?: string) => {
    const res = await t.app.inject({ method: 'POST', url: FLAG, payload: { context }, headers: ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch } });
    return { status: res.statusCode, etag: res.headers.etag as string | undefined, headers: res.headers, raw: res.body, body: res.body ? JSON.parse(res.body) : null };
  };
  const decisions = async (id = 'exp-1') => (await t.get(`/arms?experimentId=${id}`)).body.totals.decisions as number;

  it('evaluates a flag: the value is the arm payload, the variant the arm, the decision id in metadata', async () => {
    await t.post('/experiments', experimentBody());
    const res = await evaluate('exp-1');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['key', 'metadata', 'reason', 'value', 'variant']);
    expect(res.body).toMatchObject({ key: 'exp-1', reason: 'SPLIT', metadata: { population: 'bandit', sticky: false } });
    const arm = (await t.get('/experiments/exp-1')).body.arms.find((a: { id: string }) => a.id === res.body.variant);
    // An arm without a payload ('large') evaluates to its id: OFREP has no null value.
    expect(res.body.value).toEqual(arm.payload ?? arm.id);
    expect(res.body.metadata.propensity).toBeGreaterThan(0);
    const reward = await t.post('/reward', { decisionId: res.body.metadata.decisionId, reward: 1 });
    expect(reward.body).toEqual({ accepted: true, duplicate: false });
    expect(await decisions()).toBe(1);
  });

  it('keeps a targetingKey on its arm, as /select keeps a userId', async () => {
    await t.post('/experiments', experimentBody());
    const first = await evaluate('exp-1', { targetingKey: 'u-9', plan: 'pro' });
    for (let i = 0; i < 5; i++) {
      const again = await evaluate('exp-1', { targetingKey: 'u-9' });
      expect(again.body).toMatchObject({ variant: first.body.variant, metadata: { sticky: true } });
    }
    const viaSelect = await t.post('/select', { experimentId: 'exp-1', userId: 'u-9' });
    expect(viaSelect.body).toMatchObject({ armId: first.body.variant, sticky: true });
  });

  it('never returns a disabled arm', async () => {
    await t.post('/experiments', experimentBody());
    await t.post('/experiments/exp-1/arms/large/disable', { reason: 'too slow' });
    for (let i = 0; i < 40; i++) expect((await evaluate('exp-1', { targetingKey: `k-${i}` })).body.variant).not.toBe('large');
  });

  it('answers 404 FLAG_NOT_FOUND and 400 INVALID_CONTEXT / PARSE_ERROR in the protocol shape', async () => {
    await t.post('/experiments', experimentBody());
    const missing = await evaluate('nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ key: 'nope', errorCode: 'FLAG_NOT_FOUND', errorDetails: "experiment 'nope' does not exist" });
    for (const context of [{ targetingKey: 42 }, { targetingKey: '' }, 'not an object', { targetingKey: 'x'.repeat(257) }]) {
      const bad = await evaluate('exp-1', context);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ key: 'exp-1', errorCode: 'INVALID_CONTEXT' });
      expect(bad.body.errorDetails).toMatch(/^body\.context/);
    }
    const garbled = await t.app.inject({ method: 'POST', url: `${FLAG}/exp-1`, payload: '{"context":', headers: { 'content-type': 'application/json' } });
    expect(garbled.statusCode).toBe(400);
    expect(JSON.parse(garbled.body)).toMatchObject({ key: 'exp-1', errorCode: 'PARSE_ERROR' });
    // Without a targetingKey: no stickiness, as /select without a userId.
    const anonymous = await evaluate('exp-1', {});
    expect(anonymous.status).toBe(200);
    expect((await evaluate('exp-1', {})).body.metadata.sticky).toBe(false);
  });

  it('serves the baseline, excluded, for a paused experiment; the bulk form leaves it out', async () => {
    await t.post('/experiments', experimentBody());
    await t.post('/experiments', experimentBody({ id: 'exp-2' }));
    await t.patch('/experiments/exp-2', { status: 'paused' });
    expect((await evaluate('exp-2')).body).toMatchObject({ variant: 'control', value: { prompt: 'v1' }, metadata: { population: 'excluded' } });
    const all = await bulk({ targetingKey: 'u-1' });
    expect(all.body.flags.map((f: { key: string }) => f.key)).toEqual(['exp-1']);
  });

  it('bulk: a startsAt that passes changes the ETag (no 304 with the pre-start answer)', async () => {
    const startsAt = new Date(t.clock.now() + 10_000).toISOString();
    await t.post('/experiments', experimentBody({ startsAt }));
    const before = await bulk({ targetingKey: 'u-1' });
    expect(before.body.flags[0].metadata.population).toBe('excluded');
    t.clock.advance(20_000);
    const after = await bulk({ targetingKey: 'u-1' }, before.etag);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
    expect(after.body.flags[0].metadata.population).not.toBe('excluded');
  });

  it('leaves an archived experiment out of the bulk form (the single form answers FLAG_NOT_FOUND)', async () => {
    await t.post('/experiments', experimentBody());
    await t.post('/experiments', experimentBody({ id: 'exp-2' }));
    expect((await t.app.inject({ method: 'DELETE', url: '/experiments/exp-2' })).statusCode).toBe(200);
    expect((await evaluate('exp-2')).body).toMatchObject({ key: 'exp-2', errorCode: 'FLAG_NOT_FOUND' });
    const all = await bulk({ targetingKey: 'u-1' });
    expect(all.body.flags.map((f: { key: string }) => f.key)).toEqual(['exp-1']);
  });

  it('bulk: every active experiment, an ETag, and 304 without a new decision while nothing changed', async () => {
    await t.post('/experiments', experimentBody());
    await t.post('/experiments', experimentBody({ id: 'exp-2', arms: [{ id: 'x', payload: 1 }, { id: 'y', payload: 2 }] }));
    const first = await bulk({ targetingKey: 'u-1', plan: 'pro' });
    expect(first.status).toBe(200);
    expect(first.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.body.flags.map((f: { key: string }) => f.key)).toEqual(['exp-1', 'exp-2']);
    for (const f of first.body.flags) expect(f).toMatchObject({ reason: 'SPLIT', metadata: { population: 'bandit' } });
    expect(await decisions()).toBe(1);

    // The same context, keys in another order: the same tag; a 304 has no body and records nothing.
    const again = await bulk({ plan: 'pro', targetingKey: 'u-1' }, first.etag);
    expect(again.status).toBe(304);
    expect(again.raw).toBe('');
    expect(again.etag).toBe(first.etag);
    expect((await bulk({ targetingKey: 'u-1', plan: 'pro' }, `W/"other", W/${first.etag}`)).status).toBe(304);
    expect((await bulk({ targetingKey: 'u-1', plan: 'pro' }, '*')).status).toBe(304);
    expect(await decisions()).toBe(1);

    // Another context, or any change to an experiment (the kill switch here): a new answer.
    const other = await bulk({ targetingKey: 'u-2', plan: 'pro' }, first.etag);
    expect(other.status).toBe(200);
    expect(other.etag).not.toBe(first.etag);
    await t.post('/experiments/exp-1/arms/large/disable', {});
    const changed = await bulk({ targetingKey: 'u-1', plan: 'pro' }, first.etag);
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(first.etag);
    expect(changed.body.flags[0].variant).not.toBe('large');
    // The sticky user keeps the arm across bulk answers (unless it was the one disabled).
    if (first.body.flags[0].variant !== 'large') expect(changed.body.flags[0].variant).toBe(first.body.flags[0].variant);
  });

  it('bulk: 400 INVALID_CONTEXT without a key; an empty list when nothing is active', async () => {
    const bad = await bulk('nope');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    expect(bad.body.key).toBeUndefined();
    const empty = await bulk({ targetingKey: 'u-1' });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ flags: [] });
  });

  it('keeps the service error shape on the other routes', async () => {
    const res = await t.post('/select', { experimentId: 'nope' });
    expect(res.body).toMatchObject({ error: 'experiment_not_found' });
  });
});

describe.each(storeKinds)('OFREP with API keys ($name store)', (kind) => {
  const ADMIN = 'admin-key-ofrep-0123456789abcdef';
  const DECIDE = 'decide-key-ofrep-0123456789abcdef';
  const t = useTestApp(kind, { auth: { apiKeys: `admin:${ADMIN},decide:${DECIDE}` }, key: ADMIN });
  const evaluate = (headers: Record<string, string>, url = `${FLAG}/exp-1`) =>
    t.app.inject({ method: 'POST', url, payload: { context: { targetingKey: 'u-1' } }, headers });

  it('serves a decide key sent as X-API-Key or Bearer, on both routes', async () => {
    await t.post('/experiments', experimentBody());
    for (const headers of [{ 'x-api-key': DECIDE }, { authorization: `Bearer ${DECIDE}` }, { 'x-api-key': ADMIN }] as Record<string, string>[]) {
      expect((await evaluate(headers)).statusCode).toBe(200);
      expect((await evaluate(headers, FLAG)).statusCode).toBe(200);
    }
  });

  it('answers 401 without a key or with an unknown one (decide is the narrowest scope, so no key gets a 403 here)', async () => {
    await t.post('/experiments', experimentBody());
    for (const headers of [{}, { 'x-api-key': 'unknown-key-0123456789abcdefgh' }] as Record<string, string>[]) {
      for (const url of [`${FLAG}/exp-1`, FLAG]) {
        const res = await evaluate(headers, url);
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.json()).toMatchObject({ error: 'unauthorized' });
      }
    }
  });
});
