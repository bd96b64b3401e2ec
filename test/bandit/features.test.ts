import { describe, expect, it } from 'vitest';
import { coefficientNames, compactContext, encodeCompact } from '../../src/bandit/features.js';
import { addLinear, armPosterior, spdInverse } from '../../src/bandit/linear-model.js';
import { FeaturesSchema, featureDimensions } from '../../src/contract/features.js';

const F = { plan: { type: 'categorical' as const, values: ['free', 'pro'] }, constructor: { type: 'numeric' as const } };

describe('features (issue 23)', () => {
  it('encodes the intercept, numeric values, and listed levels; a missing or unlisted value is the reference level', () => {
    expect(coefficientNames(F)).toEqual(['(intercept)', 'plan=free', 'plan=pro', 'constructor']);
    expect(featureDimensions(F)).toBe(4);
    expect(Array.from(encodeCompact(F, compactContext(F, { plan: 'pro', constructor: 2.5 }).values))).toEqual([1, 0, 1, 2.5]);
    expect(Array.from(encodeCompact(F, compactContext(F, { plan: 'team' }).values))).toEqual([1, 0, 0, 0]);
    expect(Array.from(encodeCompact(F, compactContext(F, {}).values))).toEqual([1, 0, 0, 0]); // 'constructor' is not Object's
    expect(compactContext(F, { constructor: '3' }).issues).toEqual([{ path: 'context.constructor', message: expect.stringContaining('numeric') }]);
    expect(compactContext(F, { constructor: Number.NaN }).issues).toHaveLength(1);
  });

  it('refuses more than 64 dimensions and empty declarations', () => {
    expect(FeaturesSchema.safeParse({ a: { type: 'categorical', values: Array.from({ length: 63 }, (_, i) => `${i}`) } }).success).toBe(true);
    expect(FeaturesSchema.safeParse({ a: { type: 'categorical', values: Array.from({ length: 63 }, (_, i) => `${i}`) }, b: { type: 'numeric' } }).success).toBe(false);
    expect(FeaturesSchema.safeParse({}).success).toBe(false);
    expect(FeaturesSchema.safeParse({ a: { type: 'categorical', values: ['x', 'x'] } }).success).toBe(false);
  });

  it('recovers the coefficients of a noiseless linear reward (ridge shrinkage aside) and inverts A exactly', () => {
    let s: Float64Array | undefined;
    const theta = [0.2, 0.3, -0.1, 0.05];
    for (let i = 0; i < 4000; i++) {
      const x = [1, i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, (i % 10) / 10];
      s = addLinear(s, x, x.reduce((acc, v, j) => acc + v * theta[j], 0));
    }
    const p = armPosterior(s, 4, { a0: 1, b0: 0.25 });
    p.mean.forEach((m, j) => expect(m).toBeCloseTo(theta[j], 2));
    const a = new Float64Array([4, 1, 0, 1, 3, 1, 0, 1, 2]);
    const inv = spdInverse(a, 3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += a[i * 3 + k] * inv[k * 3 + j];
      expect(v).toBeCloseTo(i === j ? 1 : 0, 12);
    }
  });
});
