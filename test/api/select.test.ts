import { describe, expect, it } from 'vitest';
import { experimentBody, makeTestApp, type TestApp } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('POST /select ($name store)', (kind) => {
  const t = useTestApp(kind);
  const select = (userId?: string, experimentId = 'exp-1') => t.post('/select', { experimentId, ...(userId !== undefined && { userId }) });

  it('answers with the contract fields', async () => {
    await t.post('/experiments', experimentBody());
    const res = await select('u-1');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['armId', 'decisionId', 'experimentId', 'payload', 'population', 'propensity', 'sticky']);
    expect(res.body).toMatchObject({ experimentId: 'exp-1', population: 'bandit', sticky: false });
    expect(['control', 'structured', 'large']).toContain(res.body.armId);
    expect(res.body.propensity).toBeGreaterThan(0);
    expect(res.body.propensity).toBeLessThanOrEqual(1);
  });

  it('returns the arm payload', async () => {
    await t.post('/experiments', experimentBody({ arms: [{ id: 'a', payload: { model: 'small' } }, { id: 'b', payload: { model: 'small' } }] }));
    expect((await select('u-1')).body.payload).toEqual({ model: 'small' });
  });

  it('is sticky per user until the TTL passes', async () => {
    await t.post('/experiments', experimentBody({ stickyTtlSeconds: 3600 }));
    const first = await select('u-7');
    const again = await select('u-7');
    expect(again.body).toMatchObject({ armId: first.body.armId, sticky: true, propensity: first.body.propensity });
    t.clock.advance(3601 * 1000);
    const afterTtl = await select('u-7');
    expect(afterTtl.body.sticky).toBe(false);
  });

  it('is not sticky with stickiness off or without a userId', async () => {
    await t.post('/experiments', experimentBody({ stickiness: false }));
    await select('u-1');
    expect((await select('u-1')).body.sticky).toBe(false);
    await t.post('/experiments', experimentBody({ id: 'exp-2' }));
    await select(undefined, 'exp-2');
    expect((await select(undefined, 'exp-2')).body.sticky).toBe(false);
  });

  it('404 experiment_not_found; 400 for malformed bodies', async () => {
    const res = await select('u-1', 'missing');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('experiment_not_found');
    for (const body of [{}, { experimentId: 5 }, { experimentId: 'x', userId: 12 }, { experimentId: '' }, { experimentId: 'x', context: 'pro' }, [], 'x', null]) {
      const bad = await t.post('/select', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error).toMatch(/^invalid_/);
    }
  });

  // The bucket split itself is checked over 200,000 ids in test/assignment/buckets.test.ts; this one
  // checks that the service applies it. The ids are fixed and the buckets a hash of them, so the count
  // is the same on every run; 3 SE at 2,000 users is 2.0 points, so a share 3 points off (7% or 13%)
  // fails for about 96% of id sets, and a holdback taken from the wrong end of the bucket (90%) always.
  it('holds back holdbackPercent of users (within 3 standard errors over 2,000 users), always the same ones, on the baseline', async () => {
    await t.post('/experiments', experimentBody({ holdbackPercent: 10 }));
    let held = 0;
    const n = 2_000;
    for (let i = 0; i < n; i++) {
      const res = await select(`user-${i}`);
      if (res.body.population === 'holdback') {
        held += 1;
        expect(res.body.armId).toBe('control');
        expect(res.body.propensity).toBe(1);
      }
    }
    const se = Math.sqrt(0.1 * 0.9 / n);
    expect(Math.abs(held / n - 0.1)).toBeLessThan(3 * se);
    for (let i = 0; i < 200; i++) {
      const a = (await select(`user-${i}`)).body.population;
      expect((await select(`user-${i}`)).body.population).toBe(a);
    }
  });

  it('keeps every user who was in when traffic is raised, and removes only users above the cut when lowered', async () => {
    await t.post('/experiments', experimentBody({ trafficPercent: 20 }));
    const users = Array.from({ length: 2000 }, (_, i) => `ramp-${i}`);
    // 100 requests at a time: 2,000 at once timed out on a loaded machine, and a timed-out decision
    // falls back to excluded, which would read as a user the cut removed (no fallback is allowed here).
    const inAt = async () => {
      const answers: { u: string; population: string; fallback?: boolean }[] = [];
      for (let i = 0; i < users.length; i += 100) {
        answers.push(...await Promise.all(users.slice(i, i + 100).map(async (u) => ({ u, ...(await select(u)).body }))));
      }
      expect(answers.filter((a) => a.fallback)).toEqual([]);
      return new Set(answers.filter((a) => a.population !== 'excluded').map((a) => a.u));
    };
    const at20 = await inAt();
    expect(at20.size / users.length).toBeGreaterThan(0.15);
    expect(at20.size / users.length).toBeLessThan(0.25);
    await t.patch('/experiments/exp-1', { trafficPercent: 60 });
    const at60 = await inAt();
    for (const u of at20) expect(at60.has(u)).toBe(true);
    expect(at60.size / users.length).toBeGreaterThan(0.55);
    await t.patch('/experiments/exp-1', { trafficPercent: 40 });
    const at40 = await inAt();
    for (const u of at40) expect(at60.has(u)).toBe(true);
    for (const u of at20) expect(at40.has(u)).toBe(true);
  }, 60_000);

  it('excluded users get the baseline with population excluded', async () => {
    await t.post('/experiments', experimentBody({ trafficPercent: 0 }));
    expect((await select('u-1')).body).toMatchObject({ armId: 'control', population: 'excluded', propensity: 1 });
  });

  it('a paused or ended experiment answers 200 with the baseline, excluded', async () => {
    await t.post('/experiments', experimentBody());
    await t.patch('/experiments/exp-1', { status: 'paused' });
    expect((await select('u-1')).body).toMatchObject({ armId: 'control', population: 'excluded' });
    await t.patch('/experiments/exp-1', { status: 'active', endsAt: new Date(t.clock.now() + 60_000).toISOString() });
    expect((await select('u-1')).body.population).not.toBe('excluded');
    t.clock.advance(61_000);
    expect((await select('u-2')).body).toMatchObject({ armId: 'control', population: 'excluded' });
  });

  it('never serves a disabled arm from the next request on, and moves its sticky users', async () => {
    await t.post('/experiments', experimentBody({ policy: 'fixed', arms: [{ id: 'control', weight: 1 }, { id: 'b', weight: 1 }, { id: 'c', weight: 1 }] }));
    const onC: string[] = [];
    for (let i = 0; onC.length < 20; i++) if ((await select(`k-${i}`)).body.armId === 'c') onC.push(`k-${i}`);
    await t.post('/experiments/exp-1/arms/c/disable', { reason: 'broken' });
    for (let i = 0; i < 300; i++) expect((await select(`z-${i}`)).body.armId).not.toBe('c');
    for (const u of onC) {
      const res = await select(u);
      expect(res.body.armId).not.toBe('c');
      expect(res.body.sticky).toBe(false);
      expect((await select(u)).body).toMatchObject({ armId: res.body.armId, sticky: true });
    }
  });

  it('serves the baseline, excluded, when every other arm is disabled', async () => {
    await t.post('/experiments', experimentBody());
    await t.post('/experiments/exp-1/arms/structured/disable', {});
    await t.post('/experiments/exp-1/arms/large/disable', {});
    expect((await select('u-1')).body).toMatchObject({ armId: 'control', population: 'excluded' });
  });

  it('fixed policy splits by weight with the weight share as propensity', async () => {
    await t.post('/experiments', experimentBody({ policy: 'fixed', arms: [{ id: 'a', weight: 3 }, { id: 'b', weight: 1 }] }));
    const counts: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) {
      const res = await select(`f-${i}`);
      counts[res.body.armId] += 1;
      expect(res.body.propensity).toBeCloseTo(res.body.armId === 'a' ? 0.75 : 0.25, 10);
    }
    expect(counts.a / 4000).toBeGreaterThan(0.72);
    expect(counts.a / 4000).toBeLessThan(0.78);
  }, 60_000);

  it('UCB tries every arm first, splitting ties at random with 1/ties as propensity', async () => {
    await t.post('/experiments', experimentBody({ policy: 'ucb' }));
    const res = await select();
    expect(res.body.propensity).toBeCloseTo(1 / 3, 10);
  });

  it('a seed reproduces the selection sequence', async () => {
    const run = async (app: TestApp) => {
      await app.post('/experiments', experimentBody({ id: 'seeded', seed: 'abc' }));
      const arms: string[] = [];
      for (let i = 0; i < 50; i++) arms.push((await app.post('/select', { experimentId: 'seeded' })).body.armId);
      return arms;
    };
    const other = await kind.make();
    const t2 = await makeTestApp(other.store);
    try {
      const a = await run(t);
      expect(await run(t2)).toEqual(a);
      expect(new Set(a).size).toBeGreaterThan(1);
    } finally {
      await t2.app.close();
      await other.cleanup();
    }
  });

  it('Thompson propensities are the probabilities of being best under the cached posterior', async () => {
    await t.post('/experiments', experimentBody());
    const seen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const res = await select();
      seen.set(res.body.armId, res.body.propensity);
    }
    // Three arms with the same Beta(1,1) posterior: each is best with probability 1/3.
    for (const p of seen.values()) expect(p).toBeCloseTo(1 / 3, 3);
  });
});
