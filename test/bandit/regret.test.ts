import { describe, expect, it } from 'vitest';
import { plugInRegret } from '../../src/bandit/regret.js';

describe('plugInRegret', () => {
  it('sums decisions x gap to the best mean', () => {
    // best 0.3: 100 x 0.2 + 50 x 0 + 10 x 0.1 = 21 over 160 decisions
    const r = plugInRegret([0.1, 0.3, 0.2], [100, 50, 10]);
    expect(r.cumulative).toBeCloseTo(21, 12);
    expect(r.perDecision).toBeCloseTo(21 / 160, 12);
  });
  it('is 0 when only the best arm was played, or there are no decisions', () => {
    expect(plugInRegret([0.1, 0.3], [0, 40])).toEqual({ cumulative: 0, perDecision: 0 });
    expect(plugInRegret([0.1, 0.3], [0, 0])).toEqual({ cumulative: 0, perDecision: 0 });
    expect(plugInRegret([], [])).toEqual({ cumulative: 0, perDecision: 0 });
  });
  it('works with negative means (revenue deltas)', () => {
    expect(plugInRegret([-2, -1], [3, 1]).cumulative).toBe(3);
  });
  it('takes the best among the eligible arms only, counting every arm\'s decisions', () => {
    // arm 1 (0.3) is disabled: best is 0.2; 100 x 0.1 + 50 x (-0.1) + 10 x 0 = 5
    expect(plugInRegret([0.1, 0.3, 0.2], [100, 50, 10], [true, false, true]).cumulative).toBeCloseTo(5, 12);
  });
  it('rejects mismatched lengths', () => {
    expect(() => plugInRegret([1], [1, 2])).toThrow(RangeError);
  });
});
