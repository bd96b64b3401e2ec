import { describe, expect, it } from 'vitest';
import { fixedChoose } from '../../src/bandit/fixed.js';

/** Shares of a uniform grid of units in [0, 1). */
function shares(weights: number[], eligible: boolean[], n = 10_000): number[] {
  const counts = weights.map(() => 0);
  for (let i = 0; i < n; i++) counts[fixedChoose(weights, eligible, i / n).index]++;
  return counts.map((c) => c / n);
}

describe('fixedChoose', () => {
  it('shares over a uniform grid of units match the weights', () => {
    const s = shares([1, 3, 6], [true, true, true]);
    expect(s[0]).toBeCloseTo(0.1, 3);
    expect(s[1]).toBeCloseTo(0.3, 3);
    expect(s[2]).toBeCloseTo(0.6, 3);
  });
  it('renormalises over eligible arms; propensity is weight / eligible total', () => {
    const s = shares([1, 3, 6], [true, false, true]);
    expect(s).toEqual([1 / 7, 0, 6 / 7].map((v) => expect.closeTo(v, 3)));
    expect(fixedChoose([1, 3, 6], [true, false, true], 0.5)).toEqual({ index: 2, propensity: 6 / 7 });
    expect(fixedChoose([1, 3, 6], [true, false, true], 0.1)).toEqual({ index: 0, propensity: 1 / 7 });
  });
  it('walks the cumulative weights: slice boundaries', () => {
    expect(fixedChoose([1, 1], [true, true], 0).index).toBe(0);
    expect(fixedChoose([1, 1], [true, true], 0.4999).index).toBe(0);
    expect(fixedChoose([1, 1], [true, true], 0.5).index).toBe(1);
    expect(fixedChoose([1, 1], [true, true], 0.9999999999).index).toBe(1);
  });
  it('a weight of 0 (or negative) gets no traffic; all-zero falls back to an even split', () => {
    expect(shares([0, 1, -2], [true, true, true])).toEqual([0, 1, 0]);
    expect(fixedChoose([0, 0], [true, true], 0.75)).toEqual({ index: 1, propensity: 0.5 });
  });
  it('rejects units outside [0, 1) and no eligible arm', () => {
    expect(() => fixedChoose([1], [true], 1)).toThrow(RangeError);
    expect(() => fixedChoose([1], [true], -0.1)).toThrow(RangeError);
    expect(() => fixedChoose([1], [true], Number.NaN)).toThrow(RangeError);
    expect(() => fixedChoose([1], [false], 0.5)).toThrow('no eligible arm');
  });
});
