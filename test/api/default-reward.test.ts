import { describe, expect, it } from 'vitest';
import { experimentBody, makeTestApp } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { DefaultRewardSweeper } from '../../src/jobs/default-reward-sweeper.js';
import { ServiceContext } from '../../src/service/context.js';
import { report } from '../../src/service/report.js';
import { StoreUnavailableError, type Store } from '../../src/store/store.js';

describe.each(storeKinds)('defaultReward ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('refuses a default that cannot hold, with a 400 naming the field', async () => {
    for (const over of [
      { defaultReward: { afterSeconds: 3600, value: 0.5 } },
      { defaultReward: { afterSeconds: 3600, value: 0 }, rewardWindowSeconds: 3600 },
      { defaultReward: { afterSeconds: 0, value: 0 } },
    ]) {
      const res = await t.post('/experiments', experimentBody(over));
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body.message).toContain('defaultReward');
    }
  });

  it('with 30% of feedback missing, the posteriors are those computed by hand from the log (defaults counted once, by two replicas)', async () => {
    await t.post('/experiments', experimentBody({ id: 'dr', defaultReward: { afterSeconds: 60, value: 0 }, stickiness: false, holdbackPercent: 20 }));
    const replica = await makeTestApp(t.store, t.clock);
    try {
      const log: { armId: string; population: string; reward: number | null; decisionId: string }[] = [];
      for (let i = 0; i < 200; i++) {
        const app = i % 2 === 0 ? t : replica;
        const d = (await app.post('/select', { experimentId: 'dr', userId: `u-${i % 60}` })).body;
        const missing = (i * 37) % 10 < 3; // 30% of the decisions get no feedback
        const reward = missing ? null : (i * 7919) % 5 < 2 ? 1 : 0;
        if (reward !== null) expect((await app.post('/reward', { decisionId: d.decisionId, reward })).status).toBe(200);
        log.push({ armId: d.armId, population: d.population, reward, decisionId: d.decisionId });
      }
      expect((await t.get('/arms?experimentId=dr')).body.totals.rewards).toBe(log.filter((e) => e.reward !== null).length);
      t.clock.advance(61_000);
      // Two replicas sweep at once (the apps' own timers may join in): each default is counted once.
      const sweeps = await Promise.all([t, replica].map((a) => new DefaultRewardSweeper(new ServiceContext(a.store, 'x'.repeat(32), a.clock), (e) => { throw e; }).sweep()));
      expect(sweeps[0] + sweeps[1]).toBeLessThanOrEqual(log.filter((e) => e.reward === null).length);
      expect(sweeps[0] + sweeps[1]).toBeGreaterThan(0);
      const rep = (await t.get('/arms?experimentId=dr')).body;
      for (const arm of rep.arms) {
        const mine = log.filter((e) => e.armId === arm.armId && e.population === 'bandit');
        const s = mine.reduce((x, e) => x + (e.reward ?? 0), 0);
        expect(arm.rewards).toBe(mine.length);
        expect(arm.posterior).toEqual({ kind: 'beta', alpha: 1 + s, beta: 1 + mine.length - s });
      }
      expect(rep.holdback.rewards).toBe(log.filter((e) => e.population === 'holdback').length);
      // Each default is in the event log once, as a reward event of its decision (issue 9's log).
      const events = await t.app.inject({ method: 'GET', url: '/experiments/dr/events?type=reward&limit=1000' });
      const lines = events.body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(lines).toHaveLength(log.length);
      expect(new Set(lines.map((e: any) => e.decisionId)).size).toBe(log.length);
      // ...under the decisionId /select served (a default keeps the token's user key).
      const served = new Set(log.map((e) => e.decisionId));
      expect(lines.filter((e: any) => !served.has(e.decisionId))).toEqual([]);
      // A reward after its default: 410; one whose reward came in time stays a duplicate.
      const late = log.find((e) => e.reward === null)!;
      const res = await t.post('/reward', { decisionId: late.decisionId, reward: 1 });
      expect(res.status).toBe(410);
      expect(res.body.error).toBe('decision_expired');
      // Past afterSeconds a reward is refused even before any replica applied the default.
      const fresh = (await t.post('/select', { experimentId: 'dr' })).body;
      t.clock.advance(61_000);
      expect((await t.post('/reward', { decisionId: fresh.decisionId, reward: 1 })).status).toBe(410);
      const onTime = log.find((e) => e.reward !== null)!;
      expect((await t.post('/reward', { decisionId: onTime.decisionId, reward: 1 })).body).toEqual({ accepted: true, duplicate: true });
    } finally {
      await replica.app.close();
    }
  });

  it('the call that counts a decision schedules its default: a store that fails every call after it still has the default due (sticky decisions too)', async () => {
    await t.post('/experiments', experimentBody({ id: 'at', defaultReward: { afterSeconds: 60, value: 0 }, holdbackPercent: 0 }));
    let broken = false; // after `assign`: as if the process died (or the store stopped answering) there
    const failing = new Proxy(t.store, {
      get(target, prop) {
        const v = Reflect.get(target, prop) as unknown;
        if (typeof v !== 'function') return v;
        if (prop === 'watchApiKeys') return v.bind(target); // the one synchronous method
        return async (...args: unknown[]) => {
          if (broken) throw new StoreUnavailableError('failing after assign');
          const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (prop === 'assign') broken = true;
          return r;
        };
      },
    }) as Store;
    const app = await makeTestApp(failing, t.clock);
    const served: { armId: string; sticky: boolean }[] = [];
    try {
      for (const userId of ['u-1', 'u-1', 'u-2']) {
        broken = false;
        const res = await app.post('/select', { experimentId: 'at', userId });
        expect(res.status).toBe(200);
        served.push(res.body);
      }
    } finally {
      broken = false;
      await app.app.close();
    }
    expect(served.map((d) => d.sticky)).toEqual([false, true, false]);
    expect((await t.get('/arms?experimentId=at')).body.totals.rewards).toBe(0);
    t.clock.advance(61_000);
    // A read writes nothing: the report (GET /arms) reads the store only, and the defaults stay due...
    const calls: string[] = [];
    const watched = new Proxy(t.store, {
      get(target, prop) {
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (...args: unknown[]) => { calls.push(String(prop)); return (v as (...a: unknown[]) => unknown).apply(target, args); } : v;
      },
    }) as Store;
    expect((await report(new ServiceContext(watched, 'x'.repeat(32), t.clock), 'at')).totals.rewards).toBe(0);
    expect(calls).toContain('getStats');
    expect(calls.filter((c) => !/^(get|list|read)/.test(c))).toEqual([]); // before: dueDefaultRewards and recordReward
    // ...until the sweep (the job every replica runs each second; the app's own may join in) counts them.
    await new DefaultRewardSweeper(new ServiceContext(t.store, 'x'.repeat(32), t.clock), (e) => { throw e; }).sweep();
    expect((await t.get('/arms?experimentId=at')).body.totals.rewards).toBe(3);
  });
});
