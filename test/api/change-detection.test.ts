/**
 * changeDetection over HTTP (issue 24), on every store: the setting on POST and PATCH with its
 * default and its 400s; an arm that leads and then falls is detected, listed in /arms (`changes`,
 * newest first) with its report figures from the evidence since the change, marked in the history
 * and counted in /metrics.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { ServiceContext } from '../../src/service/context.js';
import { writeHistory } from '../../src/service/history.js';
import { DEFAULT_FALSE_ALARM_RATE } from '../../src/contract/engine.js';
import { experimentBody, TEST_SECRET } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

const GLR = { method: 'glr' };

describe.each(storeKinds)('change detection over HTTP ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('keeps the setting with its documented default, turns it on and off by PATCH, and refuses bad values naming the path', async () => {
    const res = await t.post('/experiments', experimentBody({ changeDetection: GLR }));
    expect(res.status).toBe(201);
    expect(res.body.changeDetection).toEqual({ method: 'glr', falseAlarmRate: DEFAULT_FALSE_ALARM_RATE });
    const g = await t.post('/experiments', experimentBody({ id: 'g', rewardModel: 'gaussian', policy: 'ucb', changeDetection: { method: 'glr', falseAlarmRate: 0.01 } }));
    expect(g.status).toBe(201);
    expect(g.body.changeDetection).toEqual({ method: 'glr', falseAlarmRate: 0.01 });
    expect((await t.patch('/experiments/exp-1', { changeDetection: null })).body.changeDetection).toBeNull();
    expect((await t.patch('/experiments/exp-1', { changeDetection: { method: 'glr', falseAlarmRate: 0.05 } })).body.changeDetection).toEqual({ method: 'glr', falseAlarmRate: 0.05 });

    const bad: [Record<string, unknown>, string][] = [
      [{ changeDetection: { method: 'cusum' } }, 'changeDetection.method'],
      [{ changeDetection: {} }, 'changeDetection.method'],
      [{ changeDetection: { method: 'glr', falseAlarmRate: 0 } }, 'changeDetection.falseAlarmRate'],
      [{ changeDetection: { method: 'glr', falseAlarmRate: 0.9 } }, 'changeDetection.falseAlarmRate'],
      [{ changeDetection: { method: 'glr', falseAlarmRate: 'low' } }, 'changeDetection.falseAlarmRate'],
      [{ changeDetection: { method: 'glr', window: 10 } }, 'changeDetection.window'],
      [{ changeDetection: GLR, discount: { halfLifeSeconds: 600 } }, 'changeDetection'],
    ];
    for (const [over, path] of bad) {
      const r = await t.post('/experiments', experimentBody({ id: 'bad', ...over }));
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(r.body.details.issues.map((i: { path: string }) => i.path), JSON.stringify(r.body)).toContain(path);
    }
    await t.post('/experiments', experimentBody({ id: 'disc', discount: { halfLifeSeconds: 600 } }));
    const p = await t.patch('/experiments/disc', { changeDetection: GLR });
    expect(p.status).toBe(400);
    expect(p.body.details.issues[0].path).toBe('changeDetection');
    const p2 = await t.patch('/experiments/exp-1', { changeDetection: { method: 'glr', falseAlarmRate: -1 } });
    expect(p2.status).toBe(400);
    expect(p2.body.details.issues[0].path).toBe('changeDetection.falseAlarmRate');
  });

  it('detects the fall of the leading arm: /arms lists the change, judges from the evidence since it, the history marks it, /metrics counts it', async () => {
    await t.post('/experiments', experimentBody({ id: 'cd', stickiness: false, seed: 'cd-http', changeDetection: GLR }));
    const replica = new ServiceContext(t.store, TEST_SECRET, t.clock);
    const settings = { intervalSeconds: 60, retentionSeconds: 86_400 };
    const rng = seedrandom('change-http');
    for (let i = 0; i < 900; i++) {
      if (i % 60 === 0) await writeHistory(replica, settings);
      const d = (await t.post('/select', { experimentId: 'cd' })).body;
      const p = d.armId === 'large' ? (i < 450 ? 0.9 : 0.05) : 0.3;
      expect((await t.post('/reward', { decisionId: d.decisionId, reward: rng() < p ? 1 : 0 })).status).toBe(200);
      t.clock.advance(1000);
    }
    await writeHistory(replica, settings);
    const rep = (await t.get('/arms?experimentId=cd')).body;
    const large = rep.arms.find((a: any) => a.armId === 'large');
    expect(large.changes.length, JSON.stringify(large)).toBeGreaterThan(0);
    const [c] = large.changes;
    expect(Date.parse(c.at)).toBeLessThanOrEqual(Date.parse(c.detectedAt));
    const times = large.changes.map((x: any) => Date.parse(x.detectedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The figures read the evidence since the change: the posterior counts only those rewards (Beta(1, 1) prior).
    expect(large.rewardsSinceChange).toBeLessThan(large.rewards);
    expect(large.posterior.alpha + large.posterior.beta - 2).toBeCloseTo(large.rewardsSinceChange, 9);
    expect(large.posteriorMean).toBeLessThan(0.3);
    expect(rep.basis.description).toContain('since its last detected change');
    for (const a of rep.arms.filter((x: any) => x.armId !== 'large')) expect(a.changes).toEqual([]);

    const marks = (await t.get('/experiments/cd/history')).body.points.flatMap((p: any) => p.arms.filter((a: any) => a.armId === 'large').flatMap((a: any) => a.changes ?? []));
    expect(marks).toEqual(expect.arrayContaining(large.changes));

    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(new RegExp(`bandit_changes_detected_total\\{experiment="cd",arm="large"\\} ${large.changes.length}\\b`));

    // Off: every reward is evidence again. On again: the evidence since the change, plus the rewards meanwhile.
    await t.patch('/experiments/cd', { changeDetection: null });
    const d = (await t.post('/select', { experimentId: 'cd' })).body;
    await t.post('/reward', { decisionId: d.decisionId, reward: 1 });
    const off = (await t.get('/arms?experimentId=cd')).body.arms.find((a: any) => a.armId === 'large');
    expect(off.changes).toBeUndefined();
    expect(off.posterior.alpha + off.posterior.beta - 2).toBeCloseTo(off.rewards, 9);
    await t.patch('/experiments/cd', { changeDetection: GLR });
    const on = (await t.get('/arms?experimentId=cd')).body.arms.find((a: any) => a.armId === 'large');
    expect(on.changes).toEqual(large.changes);
    expect(on.rewardsSinceChange).toBe(large.rewardsSinceChange + (d.armId === 'large' ? 1 : 0));
  });
});
