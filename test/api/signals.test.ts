/**
 * POST /signals and `metrics` on /reward (issue 22), over HTTP on every API store: declared
 * metrics (create, PATCH adds), exactly once per decision and name, 400 naming the field, 404/410
 * as /reward, the batch, a metric guardrail that disables an arm, the event export and /metrics.
 */
import { describe, expect, it } from 'vitest';
import { experimentBody, TEST_SECRET } from '../helpers/app.js';
import { ServiceContext } from '../../src/service/context.js';
import { writeHistory } from '../../src/service/history.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

const METRICS = [
  { name: 'judge', kind: 'mean', direction: 'increase' },
  { name: 'thumbs_up', kind: 'proportion', direction: 'increase' },
];

describe.each(storeKinds)('signals ($name store)', (kind) => {
  const t = useTestApp(kind);
  const create = (over: Record<string, unknown> = {}) => t.post('/experiments', experimentBody({ metrics: METRICS, ...over }));
  const decide = async (experimentId = 'exp-1') => (await t.post('/select', { experimentId })).body;

  it('declares metrics on create; PATCH adds one, and refuses to drop, rename or change the kind of one', async () => {
    expect((await create()).body.metrics).toEqual(METRICS);
    const added = [...METRICS, { name: 'cost_usd', kind: 'mean', direction: 'decrease', guardrail: { max: 0.5 } }];
    const res = await t.patch('/experiments/exp-1', { metrics: added });
    expect(res.status).toBe(200);
    expect(res.body.metrics).toEqual([...METRICS, { ...added[2], guardrail: { max: 0.5, minSamples: 50 } }]);
    const dropped = await t.patch('/experiments/exp-1', { metrics: [METRICS[1]] });
    expect([dropped.status, dropped.body.error, dropped.body.details]).toEqual([400, 'invalid_config', { issues: [expect.objectContaining({ path: 'metrics.0' })] }]);
    const kindChanged = await t.patch('/experiments/exp-1', { metrics: [{ ...METRICS[0], kind: 'proportion' }, METRICS[1]] });
    expect([kindChanged.status, kindChanged.body.details]).toEqual([400, { issues: [expect.objectContaining({ path: 'metrics.0.kind' })] }]);
  });

  it('validates declarations: name pattern, at most 20, distinct, one of max and min', async () => {
    const bad = async (metrics: unknown) => (await t.post('/experiments', experimentBody({ id: `x${Math.random().toString(36).slice(2, 8)}`, metrics }))).status;
    expect(await bad([{ name: 'Judge', kind: 'mean', direction: 'increase' }])).toBe(400);
    expect(await bad([{ name: 'j', kind: 'count', direction: 'increase' }])).toBe(400);
    expect(await bad(Array.from({ length: 21 }, (_, i) => ({ name: `m${i}`, kind: 'mean', direction: 'increase' })))).toBe(400);
    expect(await bad([METRICS[0], METRICS[0]])).toBe(400);
    expect(await bad([{ ...METRICS[0], guardrail: { max: 1, min: 0 } }])).toBe(400);
    expect(await bad([{ ...METRICS[0], guardrail: { minSamples: 3 } }])).toBe(400);
    expect(await bad(Array.from({ length: 20 }, (_, i) => ({ name: `m${i}`, kind: 'mean', direction: 'increase' })))).toBe(201);
  });

  it('counts a signal once: a repeat is 200 duplicate; a reward\'s metric makes a later signal of that name a duplicate', async () => {
    await create();
    const d = await decide();
    expect((await t.post('/signals', { decisionId: d.decisionId, name: 'judge', value: 0.8 })).body).toEqual({ accepted: true, duplicate: false });
    expect((await t.post('/signals', { decisionId: d.decisionId, name: 'judge', value: 0.1 })).body).toEqual({ accepted: true, duplicate: true });
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1, metrics: { judge: 0.3, thumbs_up: 1 } })).body).toEqual({ accepted: true, duplicate: false });
    expect((await t.post('/signals', { decisionId: d.decisionId, name: 'thumbs_up', value: 0 })).body).toEqual({ accepted: true, duplicate: true });
    const stats = (await t.store.getMetricStats('exp-1', ['judge', 'thumbs_up']))!;
    const arm = (name: string) => stats[name].find((a) => a.armId === d.armId)!.bandit;
    expect(arm('judge')).toEqual({ n: 1, sum: 0.8, sumSq: 0.8 * 0.8 });
    expect(arm('thumbs_up')).toEqual({ n: 1, sum: 1, sumSq: 1 });
  });

  it('answers 400 naming the field for an unknown name or a value the kind refuses, 404 and 410 as /reward', async () => {
    await create();
    const d = await decide();
    const unknown = await t.post('/signals', { decisionId: d.decisionId, name: 'nope', value: 1 });
    expect([unknown.status, unknown.body.error, unknown.body.details]).toEqual([400, 'invalid_request', { issues: [expect.objectContaining({ path: 'name' })] }]);
    const wrongKind = await t.post('/signals', { decisionId: d.decisionId, name: 'thumbs_up', value: 1.5 });
    expect([wrongKind.status, wrongKind.body.details]).toEqual([400, { issues: [expect.objectContaining({ path: 'value' })] }]);
    expect((await t.post('/signals', { decisionId: d.decisionId, name: 'judge', value: 'good' })).status).toBe(400);
    expect((await t.post('/signals', { decisionId: d.decisionId, name: 'judge', value: 1, extra: true })).status).toBe(400);
    const onReward = await t.post('/reward', { decisionId: d.decisionId, reward: 1, metrics: { thumbs_up: -1 } });
    expect([onReward.status, onReward.body.details]).toEqual([400, { issues: [expect.objectContaining({ path: 'metrics.thumbs_up' })] }]);
    const unknownOnReward = await t.post('/reward', { decisionId: d.decisionId, reward: 1, metrics: { nope: 1 } });
    expect([unknownOnReward.status, unknownOnReward.body.details]).toEqual([400, { issues: [expect.objectContaining({ path: 'metrics.nope' })] }]);
    // the refused reward wrote nothing: it is accepted afterwards
    expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1 })).body.duplicate).toBe(false);
    expect((await t.post('/signals', { decisionId: 'forged', name: 'judge', value: 1 })).status).toBe(404);
    t.clock.advance((7 * 86400 + 1) * 1000);
    const late = await t.post('/signals', { decisionId: d.decisionId, name: 'judge', value: 1 });
    expect([late.status, late.body.error]).toEqual([410, 'decision_expired']);
  });

  it('takes {signals: [...]} and answers each as a single call would', async () => {
    await create();
    const [a, b] = [await decide(), await decide()];
    const res = await t.post('/signals', { signals: [
      { decisionId: a.decisionId, name: 'judge', value: 1 }, { decisionId: a.decisionId, name: 'judge', value: 1 },
      { decisionId: b.decisionId, name: 'nope', value: 1 }, { decisionId: 'forged', name: 'judge', value: 1 }, { name: 'judge' },
    ] });
    expect(res.status).toBe(200);
    const statuses = res.body.results.map((r: any) => [r.status, r.duplicate ?? r.error]);
    expect(statuses.slice(2)).toEqual([[400, 'invalid_request'], [404, 'decision_not_found'], [400, 'invalid_request']]);
    expect(statuses.slice(0, 2).map((s: any) => s[1]).sort()).toEqual([false, true]);
    // A malformed item's 400 has the API's one shape, naming the missing field.
    expect(res.body.results[4].details.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'decisionId' })]));
    expect((await t.post('/signals', { signals: Array.from({ length: 1001 }, () => ({})) })).status).toBe(400);
  });

  it('a metric guardrail disables an arm with metric:<name> and the decisions after never get it; the baseline only reports', async () => {
    await t.post('/experiments', experimentBody({
      policy: 'fixed', arms: [{ id: 'control', weight: 1 }, { id: 'bad', weight: 1 }],
      metrics: [{ name: 'judge', kind: 'mean', direction: 'increase', guardrail: { min: 0.5, minSamples: 5 } }],
    }));
    let disabled: any = null;
    let control = 0;
    for (let i = 0; i < 400 && !disabled; i++) {
      const d = await decide();
      const res = (await t.post('/signals', { decisionId: d.decisionId, name: 'judge', value: d.armId === 'bad' ? 0.1 : 0.2 })).body;
      if (d.armId === 'control') control += 1;
      if (res.autoDisabled) disabled = res.autoDisabled;
    }
    expect(disabled).toMatchObject({ armId: 'bad', source: 'guardrail', guardrail: { guardrail: 'metric:judge', limit: 0.5 } });
    expect(disabled.guardrail.observed).toBeCloseTo(0.1, 12);
    for (let i = 0; i < 50; i++) {
      const d = await decide();
      expect(d.armId).toBe('control');
      expect((await t.post('/signals', { decisionId: d.decisionId, name: 'judge', value: 0.2 })).body).toEqual({ accepted: true, duplicate: false });
    }
    expect(control).toBeLessThan(400);
    // the baseline is below the limit too: it stays enabled, and the report shows its breach
    const arms = (await t.get('/experiments/exp-1')).body.arms;
    expect(arms.map((a: any) => a.status)).toEqual(['active', 'disabled']);
    const window = (await t.get('/arms?experimentId=exp-1')).body.metrics.judge.arms[0].window;
    expect(window.breach).toMatchObject({ guardrail: 'metric:judge', limit: 0.5 });
    expect(window.breach.observed).toBeCloseTo(0.2, 12);
  });

  it('exports signal events and reward metrics, and counts bandit_signals_total by experiment, metric and source', async () => {
    await create();
    const d = await decide();
    await t.post('/reward', { decisionId: d.decisionId, reward: 1, metrics: { judge: 0.25 } });
    await t.post('/signals', { decisionId: d.decisionId, name: 'thumbs_up', value: 1 });
    const res = await t.app.inject({ method: 'GET', url: '/experiments/exp-1/events' });
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['decision', 'reward', 'signal']);
    expect(lines[1].metrics).toEqual({ judge: 0.25 });
    const { eventId: _, ts: __, ...signal } = lines[2];
    expect(signal).toEqual({ type: 'signal', decisionId: d.decisionId, experimentId: 'exp-1', armId: d.armId, population: d.population, name: 'thumbs_up', value: 1 });
    const onlySignals = await t.app.inject({ method: 'GET', url: '/experiments/exp-1/events?type=signal' });
    expect(onlySignals.body.trim().split('\n')).toHaveLength(1);
    // the metric values of /reward and /rewards count too (source "reward"); duplicates count nothing
    const d2 = await decide();
    const d3 = await decide();
    await t.post('/rewards', { events: [{ decisionId: d2.decisionId, reward: 0, metrics: { judge: 0.5, thumbs_up: 0 } }, { decisionId: d3.decisionId, reward: 1 }] });
    await t.post('/reward', { decisionId: d2.decisionId, reward: 0, metrics: { judge: 0.5 } });
    await t.post('/signals', { decisionId: d.decisionId, name: 'thumbs_up', value: 1 });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('bandit_signals_total{experiment="exp-1",metric="thumbs_up",source="signal"} 1');
    expect(metrics).toContain('bandit_signals_total{experiment="exp-1",metric="judge",source="reward"} 2');
    expect(metrics).toContain('bandit_signals_total{experiment="exp-1",metric="thumbs_up",source="reward"} 1');
    expect(metrics).not.toContain('metric="judge",source="signal"');
  });

  it('GET /arms shows each metric per arm, for the holdback and against the baseline, and the comparisons it makes', async () => {
    await create({ holdbackPercent: 50 });
    for (let i = 0; i < 60; i++) {
      const d = await decide();
      await t.post('/reward', { decisionId: d.decisionId, reward: 1, metrics: { judge: d.armId === 'large' ? 1 + (i % 2) : i % 2 } });
    }
    const r = (await t.get('/arms?experimentId=exp-1')).body;
    expect(r.metricComparisons).toEqual({ count: 4, method: 'bonferroni', familyAlpha: 0.05, perComparisonAlpha: 0.0125 });
    const judge = r.metrics.judge;
    expect(judge.arms.map((a: any) => a.armId)).toEqual(['control', 'structured', 'large']);
    const stats = (await t.store.getMetricStats('exp-1', ['judge']))!.judge;
    expect(judge.arms.map((a: any) => a.n)).toEqual(stats.map((a) => a.bandit.n));
    expect(judge.holdback.n).toBe(stats.reduce((s, a) => s + a.holdback.n, 0));
    expect(judge.holdback.n).toBeGreaterThan(0);
    expect(judge.vsBaseline.map((v: any) => v.armId)).toEqual(['structured', 'large']);
    expect(r.metrics.thumbs_up.arms.every((a: any) => a.n === 0 && a.mean === null)).toBe(true);
  });

  it('history points carry each metric\'s mean per arm', async () => {
    await create({ policy: 'fixed' });
    for (let i = 0; i < 30; i++) {
      const d = await decide();
      await t.post('/signals', { decisionId: d.decisionId, name: 'judge', value: d.armId === 'large' ? 3 : 1 });
    }
    expect(await writeHistory(new ServiceContext(t.store, TEST_SECRET, t.clock), { intervalSeconds: 60, retentionSeconds: 86400 })).toBe(1);
    const [point] = (await t.get('/experiments/exp-1/history')).body.points;
    const byArm = Object.fromEntries(point.arms.map((a: any) => [a.armId, a.metrics]));
    expect(byArm.large).toEqual({ judge: 3, thumbs_up: null });
    expect(byArm.control).toEqual({ judge: 1, thumbs_up: null });
  });
});
