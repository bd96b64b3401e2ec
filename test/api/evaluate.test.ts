import { beforeEach, describe, expect, it } from 'vitest';
import { experimentBody } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe.each(storeKinds)('POST /experiments/:id/evaluate ($name store)', (kind) => {
  const t = useTestApp(kind);
  const rates: Record<string, number> = { control: 0.2, structured: 0.5, large: 0.35 };
  /** n users once each, every decision rewarded deterministically at its arm's rate (every 1/rate-th). */
  async function traffic(id: string, n: number, prefix = 'u') {
    const seen: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const d = (await t.post('/select', { experimentId: id, userId: `${prefix}${i}` })).body;
      seen[d.armId] = (seen[d.armId] ?? 0) + 1;
      const r = Math.floor(seen[d.armId] * rates[d.armId]) > Math.floor((seen[d.armId] - 1) * rates[d.armId]) ? 1 : 0;
      await t.post('/reward', { decisionId: d.decisionId, reward: r });
      t.clock.advance(50);
    }
  }
  beforeEach(async () => {
    await t.post('/experiments', experimentBody({ id: 'split', policy: 'fixed' }));
    await t.post('/experiments', experimentBody({ id: 'ucb', policy: 'ucb' }));
  });

  it('estimates "always arm k", a split and greedy from a fixed split log, with intervals around the truth', async () => {
    await traffic('split', 300);
    const res = await t.post('/experiments/split/evaluate', { policy: { kind: 'arm', armId: 'structured' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const b = res.body;
    expect(b).toMatchObject({
      decisions: 300, reason: null, left: { laterExposures: 0, unrewarded: 0, withoutPropensities: 0 }, policy: { kind: 'arm', probabilities: { structured: 1 } },
      weighting: { method: 'adaptive', description: expect.stringContaining('Hadad') }, clipping: { threshold: null, clipped: 0 }, warning: null,
    });
    for (const n of ['ips', 'snips', 'dr']) {
      const e = b.estimates[n];
      expect(e.interval95[0], n).toBeLessThan(0.5);
      expect(e.interval95[1], n).toBeGreaterThan(0.5);
    }
    expect(b.effectiveSampleSize).toBeGreaterThan(80);
    expect(b.effectiveSampleSize).toBeLessThan(120); // about a third of 300 users played 'structured'
    expect(b.arms).toEqual([{ armId: 'structured', targetProbability: 1, units: b.arms[0].units, effectiveSampleSize: expect.any(Number), lowEffectiveSampleSize: false }]);
    expect(b.arms[0].effectiveSampleSize).toBeCloseTo(b.arms[0].units, 6); // equal propensities: every unit counts fully
    expect(b.lowEffectiveSampleSize).toBe(false);
    const split = (await t.post('/experiments/split/evaluate', { policy: { kind: 'split', weights: { control: 1, large: 1 } } })).body;
    expect(split.policy.probabilities).toEqual({ control: 0.5, large: 0.5 });
    expect(split.estimates.snips.value).toBeCloseTo((0.2 + 0.35) / 2, 1);
    const greedy = (await t.post('/experiments/split/evaluate', { policy: { kind: 'greedy' } })).body;
    expect(greedy.policy.probabilities).toEqual({ structured: 1 });
  });

  it('flags an arm the logging policy starved: its effective sample size, in a field a program can read and in the warning', async () => {
    await t.post('/experiments', experimentBody({ id: 'ts', seed: 'starve' }));
    await traffic('ts', 300);
    const b = (await t.post('/experiments/ts/evaluate', { policy: { kind: 'arm', armId: 'control' } })).body;
    expect(b.estimates.dr.value).not.toBeNull();
    const control = b.arms.find((a: { armId: string }) => a.armId === 'control');
    expect(control.units).toBeLessThan(100); // Thompson moved away from the 0.2 arm
    expect(control.effectiveSampleSize).toBeLessThanOrEqual(control.units + 1e-9);
    expect(control.lowEffectiveSampleSize).toBe(true);
    expect(b).toMatchObject({ lowEffectiveSampleSize: true, minEffectiveSampleSize: 100 });
    expect(b.warning).toMatch(/arm 'control' has an effective sample size of \d/);
  });

  it('decisions logged without a propensity vector (before it was recorded) get the uniform estimators, and the answer says so', async () => {
    const assign = t.store.assign.bind(t.store);
    let before = true; // the app's store proxy keeps the first method it saw: switch inside it
    t.store.assign = (input) => {
      const log = { ...input.log };
      if (before) delete log.propensities; // what the store was given before issue 9's change
      return assign({ ...input, log });
    };
    await traffic('split', 150);
    const old = (await t.post('/experiments/split/evaluate', { policy: { kind: 'arm', armId: 'structured' } })).body;
    expect(old).toMatchObject({ decisions: 150, weighting: { method: 'uniform', description: expect.stringContaining('no propensity vector') }, left: { withoutPropensities: 0 } });
    expect(old.clipping.threshold).toBeGreaterThan(0);
    before = false;
    await traffic('split', 150, 'new-');
    // The newer units alone, adaptively weighted; the older ones are counted as left out.
    const both = (await t.post('/experiments/split/evaluate', { policy: { kind: 'arm', armId: 'structured' } })).body;
    expect(both).toMatchObject({ decisions: 150, weighting: { method: 'adaptive' }, left: { withoutPropensities: 150 } });
    expect(both.estimates.dr.interval95[0]).toBeLessThan(0.5);
    expect(both.estimates.dr.interval95[1]).toBeGreaterThan(0.5);
  });

  it('uses first exposures only: a returning sticky user adds no unit', async () => {
    for (let i = 0; i < 3; i++) {
      const d = (await t.post('/select', { experimentId: 'split', userId: 'same' })).body;
      await t.post('/reward', { decisionId: d.decisionId, reward: 1 });
    }
    const b = (await t.post('/experiments/split/evaluate', { policy: { kind: 'greedy' } })).body;
    expect(b).toMatchObject({ decisions: 1, left: { laterExposures: 2 }, estimates: { dr: { value: null } } });
    expect(b.reason).toContain('at least 2');
  });

  it('says in words that UCB leaves no overlap: null estimates with a reason, never a number', async () => {
    await traffic('ucb', 40);
    const b = (await t.post('/experiments/ucb/evaluate', { policy: { kind: 'arm', armId: 'large' } })).body;
    expect(b.estimates).toEqual({ ips: { value: null, interval95: null, standardError: null }, snips: { value: null, interval95: null, standardError: null }, dr: { value: null, interval95: null, standardError: null } });
    expect(b.effectiveSampleSize).toBeNull();
    expect(b.reason).toMatch(/UCB.*no overlap/);
  });

  it('400 for an unknown arm or a bad policy, 404 for an unknown experiment', async () => {
    for (const policy of [{ kind: 'arm', armId: 'nope' }, { kind: 'split', weights: { control: 0 } }, { kind: 'other' }, { kind: 'split', weights: { nope: 1 } }]) {
      const res = await t.post('/experiments/split/evaluate', { policy });
      expect(res.status, JSON.stringify(policy)).toBe(400);
      expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    expect((await t.post('/experiments/nope/evaluate', { policy: { kind: 'greedy' } })).status).toBe(404);
    // A malformed evaluate body is a bad request, not a bad experiment config.
    expect((await t.post('/experiments/split/evaluate', { policy: { kind: 'other' } })).body.error).toBe('invalid_request');
  });
});
