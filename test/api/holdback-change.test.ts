/** Issue 8 item 5: a change of holdbackPercent never moves a user who was already in the experiment. */
import { describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('holdbackPercent changes ($name store)', (kind) => {
  const t = useTestApp(kind);
  const populations = async (users: string[]) => {
    const out: string[] = [];
    for (const userId of users) out.push((await t.post('/select', { experimentId: 'exp-1', userId })).body.population);
    return out;
  };

  it.each([true, false])('keeps every user who was already in in their population (stickiness %s)', async (stickiness) => {
    await t.post('/experiments', experimentBody({ id: 'exp-1', holdbackPercent: 50, stickiness }));
    const old = Array.from({ length: 60 }, (_, i) => `old-${i}`);
    const before = await populations(old);
    expect(before.filter((p) => p === 'holdback').length).toBeGreaterThan(10);
    expect((await t.patch('/experiments/exp-1', { holdbackPercent: 5 })).status).toBe(200);
    expect(await populations(old)).toEqual(before);
    expect((await t.patch('/experiments/exp-1', { holdbackPercent: 95 })).status).toBe(200);
    expect(await populations(old)).toEqual(before);
    // New users follow the new share: with 95% almost all are in the holdback.
    const fresh = await populations(Array.from({ length: 40 }, (_, i) => `new-${i}`));
    expect(fresh.filter((p) => p === 'holdback').length).toBeGreaterThan(30);
    // The split check tests each period's new users against that period's share: 60 at 50%, 40 at 95%.
    const srm = (await t.get('/arms?experimentId=exp-1')).body.holdback.srm;
    expect(srm.periods).toBe(2); // the 5% period had no new user
    expect(srm.expectedShare).toBeCloseTo((60 * 0.5 + 40 * 0.95) / 100, 6);
    expect(srm.pValue).toBeGreaterThan(0.05);
    const exp = (await t.get('/experiments/exp-1')).body;
    expect(exp.holdbackPeriods.map((p: { percent: number; holdbackUsers: number; banditUsers: number }) => [p.percent, p.holdbackUsers + p.banditUsers])).toEqual([[50, 60], [5, 60]]);
  });
});
