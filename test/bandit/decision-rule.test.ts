import { describe, expect, it } from 'vitest';
import { DEFAULT_DECISION_RULE, decisionRuleOf, recommend, type RuleArm } from '../../src/bandit/decision-rule.js';
import { promotionStatus } from '../../src/bandit/promotion.js';

const arm = (armId: string, over: Partial<RuleArm> = {}): RuleArm => ({
  armId, enabled: true, baseline: armId === 'control', users: 1000, probabilityBest: 0.5, expectedLoss: 0.01, ...over,
});
const rule = DEFAULT_DECISION_RULE;

describe('recommend', () => {
  it('ships a clear winner past the minimum, saying why', () => {
    const r = recommend([arm('control', { probabilityBest: 0.01 }), arm('b', { probabilityBest: 0.99, expectedLoss: 0.0001 })], 0.5, rule);
    expect(r).toMatchObject({ action: 'ship', armId: 'b' });
    expect(r.reason).toMatch(/99%/);
  });

  it('never ships while the split check fails, nor before the minimum users', () => {
    const winner = [arm('control', { probabilityBest: 0.01 }), arm('b', { probabilityBest: 0.999, expectedLoss: 0 })];
    expect(recommend(winner, 0.0009, rule)).toMatchObject({ action: 'check_split', armId: null });
    const few = [arm('control', { users: 99, probabilityBest: 0.01 }), arm('b', { probabilityBest: 0.999, expectedLoss: 0 })];
    const r = recommend(few, 0.5, rule);
    expect(r.action).toBe('continue');
    expect(r.reason).toMatch(/'control' has 99 of the 100/);
  });

  it('stops for no difference when every enabled arm costs less than the threshold; ignores disabled arms', () => {
    const arms = [arm('control', { probabilityBest: 0.5, expectedLoss: 0.0004 }), arm('b', { probabilityBest: 0.5, expectedLoss: 0.0005 }),
      arm('off', { enabled: false, probabilityBest: null, expectedLoss: null, users: 0 })];
    expect(recommend(arms, 1, rule).action).toBe('stop_no_difference');
    expect(recommend(arms, 1, decisionRuleOf({ expectedLoss: 0.0001 })).action).toBe('continue');
  });

  it('takes the experiment\'s thresholds over the defaults', () => {
    const arms = [arm('control', { probabilityBest: 0.1 }), arm('b', { probabilityBest: 0.9, expectedLoss: 0.0001 })];
    expect(recommend(arms, 1, rule).action).toBe('continue');
    expect(recommend(arms, 1, decisionRuleOf({ probabilityBest: 0.85 }))).toMatchObject({ action: 'ship', armId: 'b' });
    expect(decisionRuleOf(null)).toEqual(DEFAULT_DECISION_RULE);
  });
});

describe('recommend: the two claims', () => {
  const winner = [arm('control', { probabilityBest: 0.01 }), arm('b', { probabilityBest: 0.99, expectedLoss: 0.0001 })];
  const lift = (lo: number | null, hi: number | null) => ({ hasHoldback: true, interval: lo === null ? null : [lo, hi] as const });

  it('states both claims in the reason and in `claims`; by default ship does not wait for the second', () => {
    const r = recommend(winner, 0.5, rule, 'reward', lift(-0.01, 0.03));
    expect(r).toMatchObject({ action: 'ship', armId: 'b', claims: { bestArm: 'established', beatsHoldback: 'not_yet' }, shipWaitsForHoldback: false });
    expect(r.reason).toMatch(/'b' is best of the arms by reward with probability 99%/);
    expect(r.reason).toMatch(/bandit beats the holdback is not established yet \(always-valid 95% lift interval \[-0.01, 0.03\]\)/);
    expect(r.reason).toMatch(/ship does not wait for it/);
    const est = recommend(winner, 0.5, rule, 'reward', lift(0.01, 0.05));
    expect(est.claims.beatsHoldback).toBe('established');
    expect(est.reason).toMatch(/the bandit beats the holdback \(always-valid/);
    expect(recommend(winner, 0.5, rule, 'reward', lift(-0.05, -0.01)).claims.beatsHoldback).toBe('holdback_better');
    expect(recommend(winner, 0.5, rule).claims.beatsHoldback).toBe('no_holdback');
    expect(recommend(winner, 0.5, rule, 'reward', lift(null, null)).reason).toMatch(/no always-valid lift interval yet/);
  });

  it('with shipWaitsForHoldback, ship waits until the lift interval lies above 0 (and needs nothing without a holdback)', () => {
    const waits = decisionRuleOf({ shipWaitsForHoldback: true });
    const r = recommend(winner, 0.5, waits, 'reward', lift(-0.01, 0.03));
    expect(r).toMatchObject({ action: 'continue', armId: null, claims: { bestArm: 'established', beatsHoldback: 'not_yet' }, shipWaitsForHoldback: true });
    expect(r.reason).toMatch(/ship waits for it \(decisionRule.shipWaitsForHoldback\)/);
    expect(recommend(winner, 0.5, waits, 'reward', lift(-0.05, -0.01)).action).toBe('continue');
    expect(recommend(winner, 0.5, waits, 'reward', lift(0.001, 0.03))).toMatchObject({ action: 'ship', armId: 'b' });
    expect(recommend(winner, 0.5, waits)).toMatchObject({ action: 'ship', armId: 'b' });
  });
});

describe('promotionStatus', () => {
  const p = { armId: 'b', startedAt: '2026-06-01T00:00:00.000Z', stages: [{ percent: 10, afterSeconds: 60 }, { percent: 100, afterSeconds: 3600 }] };
  const at = (s: number) => Date.parse(p.startedAt) + s * 1000;
  it('follows the schedule from the stored promotion and the time', () => {
    expect(promotionStatus(p, {}, at(30))).toMatchObject({ state: 'scheduled', percent: 0 });
    expect(promotionStatus(p, {}, at(60))).toMatchObject({ state: 'rolling_out', percent: 10 });
    expect(promotionStatus(p, {}, at(3600))).toMatchObject({ state: 'complete', percent: 100 });
    expect(promotionStatus(null, {}, at(0))).toBeNull();
  });
  it('is rolled back once the promoted arm is disabled', () => {
    const info = { source: 'guardrail' as const, reason: 'errorRate', at: '2026-06-01T00:10:00.000Z' };
    expect(promotionStatus(p, { b: info }, at(4000))).toMatchObject({ state: 'rolled_back', percent: 0, rolledBack: info });
  });
});
