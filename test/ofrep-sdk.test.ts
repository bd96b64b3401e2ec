/**
 * OFREP proven with the real OpenFeature SDK: @openfeature/server-sdk with @openfeature/ofrep-provider
 * (both from npm) against the service listening on a port, on both stores.
 */
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { ErrorCode, OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('OpenFeature SDK + OFREP provider ($name store)', (kind) => {
  let t: TestApp;
  let cleanup: () => Promise<void>;
  const domain = `bandit-${kind.name}`;
  const flags = () => OpenFeature.getClient(domain);

  beforeAll(async () => {
    const made = await kind.make();
    cleanup = made.cleanup;
    t = await makeTestApp(made.store);
    const baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await t.post('/experiments', {
      id: 'summarize-prompt', rewardModel: 'bernoulli',
      arms: [{ id: 'control', payload: { model: 'small', prompt: 'v1' } }, { id: 'structured', payload: { model: 'small', prompt: 'v2' } }, { id: 'large', payload: { model: 'large', prompt: 'v1' } }],
    });
    await t.post('/experiments', { id: 'button-copy', rewardModel: 'bernoulli', arms: [{ id: 'buy-now' }, { id: 'add-to-cart' }] });
    await OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl }));
  });
  afterAll(async () => {
    await OpenFeature.clearProviders();
    await t?.app.close();
    await cleanup?.();
  });

  it('the flag value is the arm payload, the variant the arm, and the decision id is accepted by /reward', async () => {
    const d = await flags().getObjectDetails('summarize-prompt', { model: 'default' }, { targetingKey: 'u-123', plan: 'pro' });
    expect(d.errorCode).toBeUndefined();
    expect(d.reason).toBe('SPLIT');
    expect(['control', 'structured', 'large']).toContain(d.variant);
    const arm = (await t.get('/experiments/summarize-prompt')).body.arms.find((a: { id: string }) => a.id === d.variant);
    expect(d.value).toEqual(arm.payload);
    expect(d.flagMetadata).toMatchObject({ population: 'bandit', sticky: false });
    const decisionId = d.flagMetadata.decisionId as string;
    expect((await t.post('/reward', { decisionId, reward: 1, latencyMs: 840 })).body).toEqual({ accepted: true, duplicate: false });
    expect((await t.post('/reward', { decisionId, reward: 1 })).body).toEqual({ accepted: true, duplicate: true });
    const report = await t.get('/arms?experimentId=summarize-prompt');
    expect(report.body.arms.find((a: { armId: string }) => a.armId === d.variant).rewards).toBe(1);
  });

  it('gives the same targeting key the same arm', async () => {
    const first = await flags().getObjectDetails('summarize-prompt', {}, { targetingKey: 'u-sticky' });
    for (let i = 0; i < 5; i++) {
      const again = await flags().getObjectDetails('summarize-prompt', {}, { targetingKey: 'u-sticky' });
      expect(again.variant).toBe(first.variant);
      expect(again.flagMetadata.sticky).toBe(true);
    }
  });

  it('never returns a killed arm', async () => {
    await t.post('/experiments/summarize-prompt/arms/large/disable', { reason: 'too expensive' });
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add((await flags().getObjectDetails('summarize-prompt', {}, { targetingKey: `k-${i}` })).variant!);
    expect(seen.has('large')).toBe(false);
    expect(seen.size).toBeGreaterThan(0);
    await t.post('/experiments/summarize-prompt/arms/large/enable', {});
  });

  it('an arm without a payload is a string flag: its id', async () => {
    const d = await flags().getStringDetails('button-copy', 'buy-now', { targetingKey: 'u-1' });
    expect(d.errorCode).toBeUndefined();
    expect(d.value).toBe(d.variant);
    expect(['buy-now', 'add-to-cart']).toContain(d.value);
  });

  it('an unknown flag gets the SDK default with FLAG_NOT_FOUND', async () => {
    const d = await flags().getObjectDetails('no-such-experiment', { model: 'fallback' }, { targetingKey: 'u-1' });
    expect(d.value).toEqual({ model: 'fallback' });
    expect(d.errorCode).toBe(ErrorCode.FLAG_NOT_FOUND);
    expect(d.reason).toBe('ERROR');
  });

  it('an invalid context gets the SDK default with INVALID_CONTEXT', async () => {
    const d = await flags().getObjectDetails('summarize-prompt', { model: 'fallback' }, { targetingKey: 'x'.repeat(300) });
    expect(d.value).toEqual({ model: 'fallback' });
    expect(d.errorCode).toBe(ErrorCode.INVALID_CONTEXT);
  });
});

describe.each(storeKinds)('OpenFeature SDK + OFREP provider with API keys ($name store)', (kind) => {
  const DECIDE = 'decide-key-sdk-0123456789abcdefgh';
  let t: TestApp;
  let cleanup: () => Promise<void>;
  let baseUrl: string;
  beforeAll(async () => {
    const made = await kind.make();
    cleanup = made.cleanup;
    t = await makeTestApp(made.store, undefined, { auth: { apiKeys: `decide:${DECIDE},admin:admin-key-sdk-0123456789abcdefgh` }, key: 'admin-key-sdk-0123456789abcdefgh' });
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await t.post('/experiments', { id: 'keyed', rewardModel: 'bernoulli', arms: [{ id: 'a', payload: { v: 1 } }, { id: 'b', payload: { v: 2 } }] });
    await OpenFeature.setProviderAndWait(`keyed-${kind.name}`, new OFREPProvider({ baseUrl, headers: { 'X-API-Key': DECIDE } }));
    await OpenFeature.setProviderAndWait(`keyless-${kind.name}`, new OFREPProvider({ baseUrl }));
  });
  afterAll(async () => {
    await OpenFeature.clearProviders();
    await t?.app.close();
    await cleanup?.();
  });

  it('evaluates with the key in X-API-Key; without it the SDK default, and the service answered 401', async () => {
    const keyed = await OpenFeature.getClient(`keyed-${kind.name}`).getObjectDetails('keyed', { v: 0 }, { targetingKey: 'u-1' });
    expect(keyed.errorCode).toBeUndefined();
    expect(['a', 'b']).toContain(keyed.variant);
    const seen: unknown[] = [];
    const keylessClient = OpenFeature.getClient(`keyless-${kind.name}`).addHooks({ error: (_hook, err) => { seen.push(err); } });
    const keyless = await keylessClient.getObjectDetails('keyed', { v: 0 }, { targetingKey: 'u-1' });
    expect(keyless.value).toEqual({ v: 0 });
    expect(keyless.reason).toBe('ERROR');
    expect(keyless.errorCode).toBe(ErrorCode.GENERAL);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'OFREPApiUnauthorizedError', response: { status: 401 } });
  });
});
