/** Issue 21: targeting on POST /experiments and PATCH, and honest exclusion everywhere a decision is made. */
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

const PRO_ON_NEW_APP = { $and: [{ plan: { $in: ['pro', 'team'] } }, { app: { $vgte: '2.0.0' } }] };

describe.each(storeKinds)('targeting ($name store)', (kind) => {
  const t = useTestApp(kind);
  const select = async (userId: string, context?: Record<string, unknown>) => (await t.post('/select', { experimentId: 'exp-1', userId, ...(context && { context }) })).body;

  it('a request that does not match is served the baseline as excluded by targeting, and is no user of the experiment', async () => {
    const created = await t.post('/experiments', experimentBody({ targeting: PRO_ON_NEW_APP, holdbackPercent: 20 }));
    expect(created.status).toBe(201);
    expect(created.body.targeting).toEqual(PRO_ON_NEW_APP);
    for (let i = 0; i < 30; i++) {
      const out = await select(`out-${i}`, { plan: 'free', app: '3.0.0' });
      expect(out).toMatchObject({ armId: 'control', population: 'excluded', excludedBy: 'targeting', propensity: 1 });
    }
    expect((await select('no-context')).excludedBy).toBe('targeting');
    for (let i = 0; i < 30; i++) {
      const inside = await select(`in-${i}`, { plan: 'team', app: '2.10.1' });
      expect(['bandit', 'holdback']).toContain(inside.population);
      expect(inside.excludedBy).toBeUndefined();
    }
    const report = (await t.get('/arms?experimentId=exp-1')).body;
    expect(report.holdback.users + report.holdback.banditUsers).toBe(30);
    expect(report.totals.decisions).toBe(30);
  });

  it('refuses a bad condition with 400 invalid_config naming its path (bad operator, bad regex)', async () => {
    const bad = await t.post('/experiments', experimentBody({ targeting: { $or: [{ plan: 'pro' }, { age: { $gtx: 3 } }] } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_config');
    expect(bad.body.message).toContain('targeting.$or.1.age.$gtx');
    expect(bad.body.details.issues[0].path).toBe('targeting.$or.1.age.$gtx');
    const regex = await t.post('/experiments', experimentBody({ targeting: { email: { $regex: '([a-z]' } } }));
    expect(regex.status).toBe(400);
    expect(regex.body.message).toContain('targeting.email.$regex');
    await t.post('/experiments', experimentBody());
    const patch = await t.patch('/experiments/exp-1', { targeting: { plan: { $in: 'pro' } } });
    expect(patch.status).toBe(400);
    expect(patch.body.message).toContain('targeting.plan.$in');
  });

  it('a PATCH of targeting applies from the next request (evaluated per request); a user who matches again keeps their arm', async () => {
    await t.post('/experiments', experimentBody({ stickiness: true }));
    const first = await select('u1', { plan: 'free' });
    expect(first.population).toBe('bandit');
    expect((await t.patch('/experiments/exp-1', { targeting: { plan: 'pro' } })).status).toBe(200);
    expect(await select('u1', { plan: 'free' })).toMatchObject({ population: 'excluded', excludedBy: 'targeting' });
    const back = await select('u1', { plan: 'pro' });
    expect(back).toMatchObject({ population: 'bandit', armId: first.armId, sticky: true });
    expect((await t.patch('/experiments/exp-1', { targeting: null })).status).toBe(200);
    expect((await select('u1', { plan: 'free' })).population).toBe('bandit');
  });

  it('says why on every excluded path: traffic, paused, ended, not_started, no_eligible_arm', async () => {
    await t.post('/experiments', experimentBody({ trafficPercent: 0 }));
    expect((await select('u')).excludedBy).toBe('traffic');
    await t.patch('/experiments/exp-1', { trafficPercent: 100, status: 'paused' });
    expect((await select('u')).excludedBy).toBe('paused');
    await t.patch('/experiments/exp-1', { status: 'active', startsAt: new Date(t.clock.now() + 60_000).toISOString() });
    expect((await select('u')).excludedBy).toBe('not_started');
    await t.patch('/experiments/exp-1', { startsAt: null, endsAt: new Date(t.clock.now() - 1000).toISOString() });
    expect((await select('u')).excludedBy).toBe('ended');
    await t.patch('/experiments/exp-1', { endsAt: null });
    await t.post('/experiments/exp-1/arms/structured/disable', {});
    await t.post('/experiments/exp-1/arms/large/disable', {});
    expect((await select('u')).excludedBy).toBe('no_eligible_arm');
  });

  it('decision events carry excludedBy; /metrics counts excluded decisions by reason', async () => {
    await t.post('/experiments', experimentBody({ targeting: { plan: 'pro' } }));
    await select('a', { plan: 'free' });
    await select('b', { plan: 'pro' });
    const events = (await t.app.inject({ method: 'GET', url: '/experiments/exp-1/events?type=decision' })).body.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e: { excludedBy?: string }) => e.excludedBy ?? null)).toEqual(['targeting', null]);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/bandit_excluded_decisions_total\{experiment="exp-1",reason="targeting"\} 1/);
  });

  it('OFREP: the evaluation context is what targeting sees; an excluded evaluation answers reason DEFAULT', async () => {
    await t.post('/experiments', experimentBody({ targeting: { country: { $in: ['fr', 'de'] } } }));
    const out = await t.post('/ofrep/v1/evaluate/flags/exp-1', { context: { targetingKey: 'u-1', country: 'us' } });
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ reason: 'DEFAULT', variant: 'control', metadata: { population: 'excluded', excludedBy: 'targeting' } });
    const inside = await t.post('/ofrep/v1/evaluate/flags/exp-1', { context: { targetingKey: 'u-1', country: 'de' } });
    expect(inside.body.reason).toBe('SPLIT');
    const bulk = await t.post('/ofrep/v1/evaluate/flags', { context: { targetingKey: 'u-2', country: 'us' } });
    expect(bulk.body.flags[0]).toMatchObject({ key: 'exp-1', reason: 'DEFAULT' });
  });
});
