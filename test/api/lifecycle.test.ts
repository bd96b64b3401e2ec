/** Issue 8 item 9: startsAt, DELETE (archive), POST .../promote (staged rollout, rolled back on a guardrail trip). */
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('lifecycle ($name store)', (kind) => {
  const t = useTestApp(kind);
  const select = (userId: string, experimentId = 'exp-1') => t.post('/select', { experimentId, userId });

  it('serves the baseline as excluded before startsAt, then runs', async () => {
    const startsAt = new Date(t.clock.now() + 3600_000).toISOString();
    expect((await t.post('/experiments', experimentBody({ startsAt }))).body.startsAt).toBe(startsAt);
    expect((await select('u1')).body).toMatchObject({ population: 'excluded', armId: 'control' });
    t.clock.advance(3601_000);
    expect((await select('u1')).body.population).toBe('bandit');
    // Excluded before the start, then a first exposure in the bandit population.
    expect((await t.get('/arms?experimentId=exp-1')).body.holdback.banditUsers).toBe(1);
  });

  it('archives with DELETE: /select 404, the report and the experiment stay readable; unknown id 404', async () => {
    await t.post('/experiments', experimentBody());
    const d = (await select('u1')).body;
    const del = await t.app.inject({ method: 'DELETE', url: '/experiments/exp-1' });
    expect(del.statusCode).toBe(200);
    expect(JSON.parse(del.body).archivedAt).toBeTruthy();
    const res = await select('u2');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'experiment_not_found' });
    expect(res.body.message).toMatch(/archived/);
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1 })).body).toMatchObject({ accepted: true });
    const rep = await t.get('/arms?experimentId=exp-1');
    expect(rep.status).toBe(200);
    expect(rep.body).toMatchObject({ totals: { decisions: 1, rewards: 1 } });
    expect(rep.body.archivedAt).toBeTruthy();
    expect((await t.app.inject({ method: 'DELETE', url: '/experiments/exp-1' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: '/experiments/nope' })).statusCode).toBe(404);
  });

  it('promotes an arm on schedule to the bandit population only, keeping the holdback', async () => {
    await t.post('/experiments', experimentBody({ holdbackPercent: 20, stickiness: true }));
    const users = Array.from({ length: 300 }, (_, i) => `u${i}`);
    const before = new Map<string, string>();
    for (const u of users) before.set(u, (await select(u)).body.population);
    const res = await t.post('/experiments/exp-1/promote', { armId: 'large', stages: [{ percent: 50, afterSeconds: 0 }, { percent: 100, afterSeconds: 3600 }] });
    expect(res.status).toBe(200);
    expect(res.body.promotion).toMatchObject({ armId: 'large' });
    const share = async () => {
      let large = 0;
      let bandit = 0;
      for (const u of users) {
        const d = (await select(u)).body;
        expect(d.population).toBe(before.get(u)); // the holdback stays
        if (d.population === 'bandit') { bandit++; if (d.armId === 'large') large++; }
      }
      return large / bandit;
    };
    const half = await share();
    expect(half).toBeGreaterThan(0.5); // 50% rolled out + the policy's share of 'large' in the rest
    expect(half).toBeLessThan(0.9);
    expect((await t.get('/arms?experimentId=exp-1')).body.promotion).toMatchObject({ state: 'rolling_out', percent: 50 });
    t.clock.advance(3601_000); // any replica: the stage is a function of the stored promotion and the time
    expect(await share()).toBe(1);
    expect((await t.get('/arms?experimentId=exp-1')).body.promotion).toMatchObject({ state: 'complete', percent: 100 });
  }, 30_000);

  it('rolls the promotion back when a guardrail disables the promoted arm', async () => {
    await t.post('/experiments', experimentBody({ guardrails: { errorRate: 0.1, minSamples: 5 } }));
    await t.post('/experiments/exp-1/promote', { armId: 'large', stages: [{ percent: 100, afterSeconds: 0 }] });
    for (let i = 0; i < 5; i++) { // the 5th error (minSamples) trips the guardrail
      const d = (await select(`u${i}`)).body;
      expect(d.armId).toBe('large');
      await t.post('/reward', { decisionId: d.decisionId, error: true });
    }
    const rep = (await t.get('/arms?experimentId=exp-1')).body;
    expect(rep.promotion).toMatchObject({ state: 'rolled_back', percent: 0, rolledBack: { source: 'guardrail' } });
    for (let i = 0; i < 20; i++) expect((await select(`v${i}`)).body.armId).not.toBe('large');
  });

  it('refuses to promote an unknown or disabled arm', async () => {
    await t.post('/experiments', experimentBody());
    expect((await t.post('/experiments/exp-1/promote', { armId: 'ghost', stages: [{ percent: 50, afterSeconds: 0 }] })).status).toBe(404);
    await t.post('/experiments/exp-1/arms/large/disable', {});
    const res = await t.post('/experiments/exp-1/promote', { armId: 'large', stages: [{ percent: 50, afterSeconds: 0 }] });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/disabled/);
    expect((await t.post('/experiments/exp-1/promote', { armId: 'structured', stages: [{ percent: 50, afterSeconds: 10 }, { percent: 20, afterSeconds: 20 }] })).status).toBe(400);
  });
});
