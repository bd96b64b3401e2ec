import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ServiceContext } from '../../src/service/context.js';
import { HISTORY_PAGE, historyPoints, writeHistory } from '../../src/service/history.js';
import type { Store } from '../../src/store/store.js';
import { experimentBody, TEST_SECRET } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

const SETTINGS = { intervalSeconds: 60, retentionSeconds: 7 * 86_400 };

describe.each(storeKinds)('history ($name store)', (kind) => {
  const t = useTestApp(kind);
  /** A replica: its own service context on the same store and clock. */
  const replica = () => new ServiceContext(t.store, TEST_SECRET, t.clock);
  const fixed = (weights: number[]) => experimentBody({ policy: 'fixed', holdbackPercent: 20, arms: weights.map((w, i) => ({ id: `a${i}`, weight: w })) });

  async function traffic(n: number, prefix: string) {
    for (let i = 0; i < n; i++) {
      const d = (await t.post('/select', { experimentId: 'exp-1', userId: `${prefix}-${i}` })).body;
      await t.post('/reward', { decisionId: d.decisionId, reward: d.armId === 'a0' ? 1 : i % 2 });
    }
  }

  it('writes one point per interval with cumulative figures, the interval\'s allocation and P(best), read back by the route', async () => {
    await t.post('/experiments', fixed([1, 1, 1]));
    await traffic(60, 'x');
    const first = (await t.get('/arms?experimentId=exp-1')).body;
    expect(await writeHistory(replica(), SETTINGS)).toBe(1);
    t.clock.advance(60_000);
    await traffic(40, 'y');
    expect(await writeHistory(replica(), SETTINGS)).toBe(1);
    const second = (await t.get('/arms?experimentId=exp-1')).body;

    const res = await t.get('/experiments/exp-1/history');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ experimentId: 'exp-1', intervalSeconds: 60, retentionSeconds: 7 * 86_400 });
    const [p1, p2] = res.body.points;
    expect(res.body.points).toHaveLength(2);
    expect(Date.parse(p2.ts) - Date.parse(p1.ts)).toBe(60_000);
    expect(Date.parse(p1.ts) % 60_000).toBe(0);
    for (const [point, report] of [[p1, first], [p2, second]]) {
      expect(point.arms.map((a: any) => a.armId)).toEqual(['a0', 'a1', 'a2']);
      point.arms.forEach((a: any, i: number) => {
        const r = report.arms[i];
        expect(a).toMatchObject({ decisions: r.decisions, rewards: r.rewards, meanReward: r.meanReward, status: 'active' });
        expect(a.probabilityBest).toBeCloseTo(r.probabilityBest, 5);
      });
      expect(point.holdback).toMatchObject({ users: report.holdback.users, decisions: report.holdback.decisions, meanReward: report.holdback.meanReward });
    }
    // The second point's allocation is over the 40 decisions of its interval only.
    const delta = p2.arms.map((a: any, i: number) => a.decisions - p1.arms[i].decisions);
    const total = delta.reduce((x: number, y: number) => x + y, 0);
    p2.arms.forEach((a: any, i: number) => expect(a.allocation).toBeCloseTo(delta[i] / total, 6));
    expect(p1.arms.reduce((s: number, a: any) => s + a.allocation, 0)).toBeCloseTo(1, 9);
  });

  it('keeps one point per interval however many replicas write it', async () => {
    await t.post('/experiments', fixed([1, 1]));
    await traffic(10, 'x');
    const written = await Promise.all(Array.from({ length: 4 }, () => writeHistory(replica(), SETTINGS)));
    expect(written.reduce((a, b) => a + b, 0)).toBe(1);
    t.clock.advance(30_000); // same interval
    expect(await writeHistory(replica(), SETTINGS)).toBe(0);
    expect((await t.get('/experiments/exp-1/history')).body.points).toHaveLength(1);
  });

  it('shows a disabled arm without P(best), and the rest share it', async () => {
    await t.post('/experiments', fixed([1, 1, 1]));
    await traffic(20, 'x');
    await t.post('/experiments/exp-1/arms/a2/disable', { reason: 'test' });
    await writeHistory(replica(), SETTINGS);
    const [p] = (await t.get('/experiments/exp-1/history')).body.points;
    expect(p.arms[2]).toMatchObject({ status: 'disabled', probabilityBest: null });
    expect(p.arms[0].probabilityBest + p.arms[1].probabilityBest).toBeCloseTo(1, 6);
  });

  it('reads a long range through the store a page at a time, never in one call', async () => {
    await t.post('/experiments', fixed([1, 1]));
    const t0 = Math.floor(t.clock.now() / 1000 / 60) * 60 - 60 * (HISTORY_PAGE * 2 + 50);
    const n = HISTORY_PAGE * 2 + 50;
    for (let i = 0; i < n; i++) {
      await t.store.writeHistoryPoint('exp-1', { ts: t0 + 60 * i, arms: [], holdback: { users: null, decisions: i, rewards: 0, meanReward: null } }, SETTINGS.retentionSeconds);
    }
    const limits: (number | undefined)[] = [];
    const counted = new Proxy(t.store, {
      get: (target, prop, receiver) => (prop === 'readHistory'
        ? (id: string, from: number, to: number, limit?: number) => { limits.push(limit); return target.readHistory(id, from, to, limit); }
        : Reflect.get(target, prop, receiver)),
    }) as Store;
    const points = await historyPoints(new ServiceContext(counted, TEST_SECRET, t.clock), 'exp-1', t0, t0 + 60 * n);
    expect(points.map((p) => p.holdback.decisions)).toEqual([...Array(n).keys()]);
    expect(limits).toEqual([HISTORY_PAGE, HISTORY_PAGE, HISTORY_PAGE]);
    // The same points through the route, oldest first.
    const res = await t.get(`/experiments/exp-1/history?from=${new Date(t0 * 1000).toISOString()}`);
    expect(res.body.points.map((p: { holdback: { decisions: number } }) => p.holdback.decisions)).toEqual([...Array(n).keys()]);
  });

  it('filters by from and to, and answers 400 and 404 in the contract\'s shape', async () => {
    await t.post('/experiments', fixed([1, 1]));
    const start = t.clock.now();
    for (let i = 0; i < 3; i++) {
      await writeHistory(replica(), SETTINGS);
      t.clock.advance(60_000);
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    const startTs = Math.floor(start / 60_000) * 60_000;
    const mid = await t.get(`/experiments/exp-1/history?from=${iso(startTs + 60_000)}&to=${iso(startTs + 120_000)}`);
    expect(mid.body.points.map((p: any) => p.ts)).toEqual([iso(startTs + 60_000), iso(startTs + 120_000)]);
    expect((await t.get('/experiments/exp-1/history?from=not-a-date')).body).toMatchObject({ error: 'invalid_request' });
    const backwards = await t.get(`/experiments/exp-1/history?from=${iso(start)}&to=${iso(start - 1000)}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body).toEqual({ error: 'invalid_request', message: 'from: must not be after to', details: { issues: [{ path: 'from', message: 'must not be after to' }] } });
    const missing = await t.get('/experiments/nope/history');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('experiment_not_found');
  });
});

describe('history writer', () => {
  it('writes a point when the app is ready and at each interval boundary', async () => {
    const { MemoryStore } = await import('../../src/store/memory-store.js');
    const store = new MemoryStore();
    const app = await buildApp({ store, secret: TEST_SECRET, history: { intervalSeconds: 1, retentionSeconds: 3600, writer: true } });
    try {
      await app.inject({ method: 'POST', url: '/experiments', payload: experimentBody() });
      await app.ready();
      const count = async () => (await app.inject({ url: '/experiments/exp-1/history' })).json().points.length;
      const deadline = Date.now() + 5000;
      while ((await count()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await count()).toBeGreaterThanOrEqual(2);
    } finally {
      await app.close();
    }
  });
});
