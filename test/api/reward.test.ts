import { beforeEach, describe, expect, it } from 'vitest';
import { DecisionSigner } from '../../src/assignment/decision-token.js';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('POST /reward and /rewards ($name store)', (kind) => {
  const t = useTestApp(kind);
  beforeEach(async () => {
    await t.post('/experiments', experimentBody({ rewardWindowSeconds: 3600 }));
    await t.post('/experiments', experimentBody({ id: 'gauss', rewardModel: 'gaussian' }));
  });
  const decide = async (experimentId = 'exp-1', userId?: string) => (await t.post('/select', { experimentId, userId })).body;
  const banditTotals = async (experimentId = 'exp-1') => {
    const r = (await t.get(`/arms?experimentId=${experimentId}`)).body;
    return { rewards: r.arms.reduce((s: number, a: any) => s + a.rewards, 0), sum: r.arms.reduce((s: number, a: any) => s + a.rewardSum, 0) };
  };

  it('accepts a reward once; a repeat is a duplicate that changes nothing', async () => {
    const d = await decide();
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1 })).body).toEqual({ accepted: true, duplicate: false });
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1 })).body).toEqual({ accepted: true, duplicate: true });
    t.clock.advance(1000);
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 0 })).body).toEqual({ accepted: true, duplicate: true });
    expect(await banditTotals()).toEqual({ rewards: 1, sum: 1 });
  });

  it('counts 50 concurrent copies of one reward once, and 200 distinct concurrent rewards each once', async () => {
    const d = await decide();
    const same = await Promise.all(Array.from({ length: 50 }, () => t.post('/reward', { decisionId: d.decisionId, reward: true })));
    expect(same.filter((r) => r.status === 200 && r.body.duplicate === false)).toHaveLength(1);
    expect(same.every((r) => r.status === 200 && r.body.accepted === true)).toBe(true);
    const ds = await Promise.all(Array.from({ length: 200 }, () => decide()));
    await Promise.all(ds.map((x) => t.post('/reward', { decisionId: x.decisionId, reward: 1 })));
    expect(await banditTotals()).toEqual({ rewards: 201, sum: 201 });
  });

  it('404 decision_not_found for forged, altered, malformed or foreign-signed ids', async () => {
    const d = await decide();
    const bytes = Buffer.from(d.decisionId, 'base64url');
    const altered = Buffer.from(bytes);
    altered[altered.length - 17] ^= 1; // the last byte of the arm id, the signature kept
    const truncated = bytes.subarray(0, bytes.length - 1).toString('base64url');
    const foreign = new DecisionSigner('another-secret-0123456789').sign({ e: 'exp-1', a: 'control', p: 'b', t: Math.floor(t.clock.now() / 1000), q: 0.5 });
    for (const decisionId of ['nope', 'a.b', altered.toString('base64url'), truncated, `${d.decisionId}AA`, foreign, '.', '~']) {
      const res = await t.post('/reward', { decisionId, reward: 1 });
      expect(res.status, decisionId).toBe(404);
      expect(res.body.error).toBe('decision_not_found');
    }
  });

  it('410 decision_expired after rewardWindowSeconds', async () => {
    const d = await decide();
    t.clock.advance(3601 * 1000);
    const res = await t.post('/reward', { decisionId: d.decisionId, reward: 1 });
    expect(res.status).toBe(410);
    expect(res.body.error).toBe('decision_expired');
  });

  it('400 invalid_reward for the wrong type for the model, and nothing is counted', async () => {
    const d = await decide();
    for (const reward of [2, -1, 0.5, '1', null, [1], { v: 1 }]) {
      const res = await t.post('/reward', { decisionId: d.decisionId, reward });
      expect(res.status, JSON.stringify(reward)).toBe(400);
      expect(res.body.error).toBe('invalid_reward');
    }
    const missing = await t.post('/reward', { decisionId: d.decisionId });
    expect(missing.body.error).toBe('invalid_reward');
    const g = await decide('gauss');
    for (const reward of ['3.5', true, 1e16]) expect((await t.post('/reward', { decisionId: g.decisionId, reward })).body.error).toBe('invalid_reward');
    const huge = await t.app.inject({ method: 'POST', url: '/reward', headers: { 'content-type': 'application/json' }, payload: `{"decisionId":"${g.decisionId}","reward":1e400}` });
    expect(huge.statusCode).toBe(400);
    expect(await banditTotals()).toEqual({ rewards: 0, sum: 0 });
    // The refused attempts did not use up the decision.
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1 })).body.duplicate).toBe(false);
  });

  it('accepts gaussian rewards and an error event without a reward', async () => {
    const g = await decide('gauss');
    expect((await t.post('/reward', { decisionId: g.decisionId, reward: -3.25, latencyMs: 120, cost: 0.002 })).status).toBe(200);
    const d = await decide();
    expect((await t.post('/reward', { decisionId: d.decisionId, error: true, latencyMs: 5000 })).body).toEqual({ accepted: true, duplicate: false });
    expect(await banditTotals('gauss')).toEqual({ rewards: 1, sum: -3.25 });
    expect(await banditTotals()).toEqual({ rewards: 0, sum: 0 });
  });

  it('400 for malformed bodies, never a 5xx', async () => {
    const d = await decide();
    const bodies: unknown[] = [{}, { decisionId: 5 }, { decisionId: d.decisionId, latencyMs: -1 }, { decisionId: d.decisionId, reward: 1, error: 'yes' },
      { decisionId: d.decisionId, reward: 1, cost: 'free' }, [], 'text', 42, null];
    for (const body of bodies) {
      const res = await t.post('/reward', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const raw = await t.app.inject({ method: 'POST', url: '/reward', headers: { 'content-type': 'application/json' }, payload: '{"decisionId": ' });
    expect(raw.statusCode).toBe(400);
    expect(JSON.parse(raw.body).error).toBe('invalid_json');
    const media = await t.app.inject({ method: 'POST', url: '/reward', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(media.statusCode).toBe(415);
  });

  it('batch: one result per event, in order, each as the single call would answer', async () => {
    const [a, b] = [await decide(), await decide()];
    const res = await t.post('/rewards', {
      events: [
        { decisionId: a.decisionId, reward: 1 },
        { decisionId: a.decisionId, reward: 1 },
        { decisionId: 'forged', reward: 1 },
        { decisionId: b.decisionId, reward: 7 },
        { reward: 1 },
        'not an object',
        { decisionId: b.decisionId, reward: 0 },
      ],
    });
    expect(res.status).toBe(200);
    const r = res.body.results;
    expect(r).toHaveLength(7);
    expect(r[0]).toEqual({ status: 200, accepted: true, duplicate: false });
    expect(r.slice(0, 2).map((x: any) => x.duplicate).sort()).toEqual([false, true]);
    expect(r[2]).toMatchObject({ status: 404, error: 'decision_not_found' });
    expect(r[3]).toMatchObject({ status: 400, error: 'invalid_reward' });
    expect(r[4]).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(r[5]).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(r[6]).toEqual({ status: 200, accepted: true, duplicate: false });
    expect(await banditTotals()).toEqual({ rewards: 2, sum: 1 });
  });

  it('batch limits: 1 to 1000 events', async () => {
    expect((await t.post('/rewards', { events: [] })).status).toBe(400);
    expect((await t.post('/rewards', { events: Array.from({ length: 1001 }, () => ({})) })).status).toBe(400);
    expect((await t.post('/rewards', { nope: 1 })).status).toBe(400);
  });

  it('tallies holdback rewards apart from the bandit', async () => {
    await t.post('/experiments', experimentBody({ id: 'hb', holdbackPercent: 50 }));
    let held = 0;
    let bandit = 0;
    for (let i = 0; i < 200; i++) {
      const d = await decide('hb', `u-${i}`);
      await t.post('/reward', { decisionId: d.decisionId, reward: 1 });
      if (d.population === 'holdback') held += 1;
      else bandit += 1;
    }
    const rep = (await t.get('/arms?experimentId=hb')).body;
    expect(rep.holdback.decisions).toBe(held);
    expect(rep.holdback.rewards).toBe(held);
    expect(rep.arms.reduce((s: number, a: any) => s + a.rewards, 0)).toBe(bandit);
  });
});
