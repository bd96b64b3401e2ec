import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('experiments API ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('creates with the documented defaults and reads it back', async () => {
    const res = await t.post('/experiments', experimentBody());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: 'exp-1', baselineArmId: 'control', policy: 'thompson', holdbackPercent: 0, trafficPercent: 100,
      stickiness: true, guardrails: null, status: 'active', prior: { alpha: 1, beta: 1 }, version: 1,
    });
    expect(res.body.arms.map((a: any) => [a.id, a.baseline, a.status])).toEqual([['control', true, 'active'], ['structured', false, 'active'], ['large', false, 'active']]);
    const got = await t.get('/experiments/exp-1');
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    const list = await t.get('/experiments');
    expect(list.body.experiments.map((e: any) => e.id)).toEqual(['exp-1']);
  });

  it('answers 409 experiment_exists for a second create with the same id', async () => {
    await t.post('/experiments', experimentBody());
    const res = await t.post('/experiments', experimentBody());
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('experiment_exists');
  });

  it('answers 404 experiment_not_found for an unknown id', async () => {
    for (const res of [await t.get('/experiments/nope'), await t.patch('/experiments/nope', { status: 'paused' }), await t.post('/experiments/nope/arms/a/disable', {})]) {
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('experiment_not_found');
    }
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['one arm', { arms: [{ id: 'a' }] }, 'arms'],
    ['101 arms', { arms: Array.from({ length: 101 }, (_, i) => ({ id: `a${i}` })) }, 'arms'],
    ['bad arm id', { arms: [{ id: 'a b' }, { id: 'c' }] }, 'arms.0.id'],
    ['arm id too long', { arms: [{ id: 'a'.repeat(65) }, { id: 'c' }] }, 'arms.0.id'],
    ['duplicate arm ids', { arms: [{ id: 'a' }, { id: 'a' }] }, 'arms'],
    ['unknown baseline', { baselineArmId: 'zzz' }, 'baselineArmId'],
    ['unknown reward model', { rewardModel: 'poisson' }, 'rewardModel'],
    ['missing reward model', { rewardModel: undefined }, 'rewardModel'],
    ['unknown policy', { policy: 'greedy' }, 'policy'],
    ['holdback over 100', { holdbackPercent: 101 }, 'holdbackPercent'],
    ['negative traffic', { trafficPercent: -1 }, 'trafficPercent'],
    ['traffic as string', { trafficPercent: '50' }, 'trafficPercent'],
    ['payload over 16 KiB', { arms: [{ id: 'a', payload: 'x'.repeat(17000) }, { id: 'b' }] }, 'arms.0.payload'],
    ['negative weight', { policy: 'fixed', arms: [{ id: 'a', weight: -1 }, { id: 'b' }] }, 'arms.0.weight'],
    ['weights without fixed policy', { arms: [{ id: 'a', weight: 2 }, { id: 'b' }] }, 'arms.0.weight'],
    ['gaussian prior on bernoulli', { prior: { mu: 0, lambda: 1, alpha: 1, beta: 1 } }, 'prior'],
    ['error rate above 1', { guardrails: { errorRate: 2 } }, 'guardrails.errorRate'],
    ['window below minSamples', { guardrails: { minSamples: 100, windowSize: 10 } }, 'guardrails.windowSize'],
    ['bad endsAt', { endsAt: 'tomorrow' }, 'endsAt'],
    ['unknown field', { colour: 'red' }, 'colour'],
    ['sticky ttl zero', { stickyTtlSeconds: 0 }, 'stickyTtlSeconds'],
  ];
  it.each(invalid)('rejects %s with a 400 naming %s', async (_name, override, field) => {
    const res = await t.post('/experiments', experimentBody(override));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_config');
    expect(res.body.message).toContain(field);
  });

  it('patches status, traffic, holdback, guardrails and end date, bumping the version', async () => {
    await t.post('/experiments', experimentBody());
    const res = await t.patch('/experiments/exp-1', {
      status: 'paused', trafficPercent: 50, holdbackPercent: 10, guardrails: { errorRate: 0.2 }, endsAt: '2027-01-31T00:00:00Z',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'paused', trafficPercent: 50, holdbackPercent: 10, endsAt: '2027-01-31T00:00:00Z', version: 2 });
    expect(res.body.guardrails).toEqual({ errorRate: 0.2, minSamples: 50, windowSize: 1000 });
    expect((await t.patch('/experiments/exp-1', { guardrails: null })).body.guardrails).toBeNull();
  });

  it('rejects an empty or invalid patch, and arms in a patch (arms are immutable)', async () => {
    await t.post('/experiments', experimentBody());
    for (const body of [{}, { status: 'done' }, { trafficPercent: 200 }, { arms: [] }]) {
      const res = await t.patch('/experiments/exp-1', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_config');
    }
  });

  it('disables and enables an arm with the kill switch', async () => {
    await t.post('/experiments', experimentBody());
    const off = await t.post('/experiments/exp-1/arms/large/disable', { reason: 'too slow' });
    expect(off.status).toBe(200);
    const large = off.body.arms.find((a: any) => a.id === 'large');
    expect(large).toMatchObject({ status: 'disabled', disabled: { source: 'manual', reason: 'too slow' } });
    const on = await t.post('/experiments/exp-1/arms/large/enable', {});
    expect(on.body.arms.find((a: any) => a.id === 'large')).toMatchObject({ status: 'active', disabled: null });
  });

  it('refuses to disable the baseline (409) and an unknown arm (404)', async () => {
    await t.post('/experiments', experimentBody());
    const base = await t.post('/experiments/exp-1/arms/control/disable', {});
    expect(base.status).toBe(409);
    expect(base.body.error).toBe('baseline_arm');
    const unknown = await t.post('/experiments/exp-1/arms/nope/disable', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('arm_not_found');
  });
});
