import { describe, expect, it } from 'vitest';
import { DEFAULT_DECISION_RULE, decisionRuleOf, recommend, type RuleArm } from '../../src/bandit/decision-rule.js';
import { promotionStatus } from '../../src/service/promotion.js';

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
