import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('guardrails ($name store)', (kind) => {
  const t = useTestApp(kind);

  /** Serves decisions until `count` of them went to `armId`, rewarding each with `event`. */
  async function feed(armId: string, count: number, event: (i: number) => Record<string, unknown>, experimentId = 'g') {
    let fed = 0;
    const answers: any[] = [];
    for (let i = 0; fed < count && i < count * 50; i++) {
      const d = (await t.post('/select', { experimentId })).body;
      if (d.armId !== armId) continue;
      answers.push((await t.post('/reward', { decisionId: d.decisionId, ...event(fed) })).body);
      fed += 1;
    }
    expect(fed).toBe(count);
    return answers;
  }
  const fixed3 = (guardrails: Record<string, unknown>) => experimentBody({
    id: 'g', policy: 'fixed', guardrails, arms: [{ id: 'control', weight: 1 }, { id: 'slow', weight: 1 }, { id: 'ok', weight: 1 }],
  });

  it('disables an arm whose p95 latency passes the limit once minSamples are in, with a machine-readable reason', async () => {
    await t.post('/experiments', fixed3({ latencyP95Ms: 1000, minSamples: 20 }));
    // 19 slow events: under minSamples, nothing happens.
    const before = await feed('slow', 19, () => ({ reward: 1, latencyMs: 2400 }));
    expect(before.every((a) => !a.autoDisabled)).toBe(true);
    expect((await t.get('/experiments/g')).body.arms[1].status).toBe('active');
    const [last] = await feed('slow', 1, () => ({ reward: 1, latencyMs: 2400 }));
    expect(last.autoDisabled).toMatchObject({ armId: 'slow', source: 'guardrail', guardrail: { guardrail: 'latencyP95Ms', observed: 2400, limit: 1000 } });
    const arm = (await t.get('/experiments/g')).body.arms.find((a: any) => a.id === 'slow');
    expect(arm.status).toBe('disabled');
    expect(arm.disabled.guardrail).toEqual({ guardrail: 'latencyP95Ms', observed: 2400, limit: 1000 });
    expect(Date.parse(arm.disabled.at)).toBe(t.clock.now());
    for (let i = 0; i < 100; i++) expect((await t.post('/select', { experimentId: 'g' })).body.armId).not.toBe('slow');
  });

  it('does not disable while p95 is at or under the limit (5% slow is allowed)', async () => {
    await t.post('/experiments', fixed3({ latencyP95Ms: 1000, minSamples: 20 }));
    const answers = await feed('slow', 100, (i) => ({ reward: 1, latencyMs: i % 20 === 19 ? 5000 : 100 }));
    expect(answers.some((a) => a.autoDisabled)).toBe(false);
  });

  it('disables on mean cost and on error share', async () => {
    await t.post('/experiments', fixed3({ meanCost: 0.01, errorRate: 0.2, minSamples: 10 }));
    const cost = await feed('slow', 10, () => ({ reward: 0, cost: 0.05 }));
    expect(cost.at(-1).autoDisabled.guardrail).toMatchObject({ guardrail: 'meanCost', limit: 0.01 });
    expect(cost.at(-1).autoDisabled.guardrail.observed).toBeCloseTo(0.05, 10);
    const errs = await feed('ok', 10, (i) => (i < 3 ? { error: true } : { reward: 1 }));
    expect(errs.at(-1).autoDisabled.guardrail).toMatchObject({ guardrail: 'errorRate', observed: 0.3, limit: 0.2 });
  });

  it('stays disabled until enabled by hand', async () => {
    await t.post('/experiments', fixed3({ errorRate: 0.1, minSamples: 5 }));
    await feed('ok', 5, () => ({ error: true }));
    expect((await t.get('/experiments/g')).body.arms[2].status).toBe('disabled');
    await t.post('/experiments/g/arms/ok/enable', {});
    const ans = await feed('ok', 1, () => ({ reward: 1 }));
    // The window still breaches, so the next event disables it again: enabling does not forget the evidence.
    expect(ans[0].autoDisabled?.guardrail.guardrail).toBe('errorRate');
  });

  it('never disables the baseline; its breach is reported in /arms', async () => {
    await t.post('/experiments', fixed3({ errorRate: 0.1, minSamples: 5 }));
    const ans = await feed('control', 10, () => ({ error: true }));
    expect(ans.every((a) => !a.autoDisabled)).toBe(true);
    const rep = (await t.get('/arms?experimentId=g')).body;
    const base = rep.arms.find((a: any) => a.armId === 'control');
    expect(base.status).toBe('active');
    expect(base.guardrails).toMatchObject({ samples: 10, errorRate: 1, breach: { guardrail: 'errorRate', observed: 1, limit: 0.1 } });
  });

  it('moves the sticky users of an arm a guardrail disabled', async () => {
    await t.post('/experiments', experimentBody({ id: 'g', policy: 'fixed', arms: [{ id: 'control', weight: 1 }, { id: 'bad', weight: 1 }], guardrails: { errorRate: 0.5, minSamples: 3 } }));
    const users: string[] = [];
    for (let i = 0; users.length < 3; i++) {
      const d = (await t.post('/select', { experimentId: 'g', userId: `s-${i}` })).body;
      if (d.armId === 'bad') {
        users.push(`s-${i}`);
        await t.post('/reward', { decisionId: d.decisionId, error: true });
      }
    }
    for (const u of users) expect((await t.post('/select', { experimentId: 'g', userId: u })).body.armId).toBe('control');
  });
});
