import { describe, expect, it } from 'vitest';
import { addLinear } from '../../src/bandit/linear-model.js';
import { linearThompsonPolicy, PROPENSITY_DRAWS } from '../../src/bandit/linear-thompson.js';
import { linearUcbPolicy } from '../../src/bandit/linear-ucb.js';
import { withFloor } from '../../src/bandit/floor.js';
import { makeRng } from '../../src/bandit/random.js';
import type { ArmEvidence, PolicySettings } from '../../src/bandit/policy.js';

const features = { plan: { type: 'categorical' as const, values: ['free', 'pro'] }, size: { type: 'numeric' as const } };
const settings: PolicySettings = { rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 }, weights: [1, 1, 1], costWeight: 0, features };
/** Three arms that have seen a few rewards each: close enough that every arm has a real chance. */
function evidence(): ArmEvidence[] {
  return [0.4, 0.5, 0.45].map((rate, k) => {
    let s: Float64Array | undefined;
    for (let i = 0; i < 30; i++) s = addLinear(s, [1, i % 2, 1 - (i % 2), (i % 5) / 5], (i * 7 + k) % 10 < rate * 10 ? 1 : 0);
    return { rewards: 30, sum: 0, sumSq: 0, costs: 0, costSum: 0, costSumSq: 0, linear: s };
  });
}
const eligible = [true, true, true];
const context = { plan: 'pro', size: 0.4 };

describe('linear policies (issue 23)', () => {
  it('linear-thompson: the simulated propensities sum to 1 and match how often choose picks each arm', () => {
    const model = linearThompsonPolicy.prepare(evidence(), settings);
    const rng = makeRng('lin-ts');
    const counts = [0, 0, 0];
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[linearThompsonPolicy.choose(model, eligible, rng, 0, context).armIndex] += 1;
    const c = linearThompsonPolicy.choose(model, eligible, rng, 0, context);
    expect(c.vector!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(c.propensity).toBeGreaterThanOrEqual(1 / (PROPENSITY_DRAWS + 1));
    const exact = [0, 1, 2].map((k) => linearThompsonPolicy.propensity(model, eligible, k, context));
    // Frequencies of 20,000 choices (sd <= 0.0035) against a 500-draw estimate (sd <= 0.022): within 4.5 sd of their difference.
    counts.forEach((m, k) => expect(Math.abs(m / n - exact[k])).toBeLessThan(0.1));
    expect(exact.every((p) => p > 0.02)).toBe(true);
  });

  it('linear-thompson averages over "the context matters": flat arms play alike in every context, steep ones do not', () => {
    const rng = makeRng('lin-bma');
    const arms = (steep: boolean): ArmEvidence[] => [0.45, 0.5, 0.48].map((rate, k) => {
      let s: Float64Array | undefined;
      for (let i = 0; i < 3000; i++) {
        const x = [1, i % 2, 1 - (i % 2), rng() * 2 - 1];
        // steep: arm k pays 0.3 more on its own plan (arm 0 on free, arm 1 on pro), arm 2 never.
        const p = steep ? 0.3 + (k < 2 && x[1 + k] === 1 ? 0.3 : 0) : rate;
        s = addLinear(s, x, rng() < p ? 1 : 0);
      }
      return { rewards: 3000, sum: 0, sumSq: 0, costs: 0, costSum: 0, costSumSq: 0, linear: s };
    });
    const at = (model: ReturnType<typeof linearThompsonPolicy.prepare>, plan: string, size: number) =>
      [0, 1, 2].map((k) => linearThompsonPolicy.propensity(model, eligible, k, { plan, size }));
    const flat = linearThompsonPolicy.prepare(arms(false), settings);
    expect(Math.max(...flat.evidence.map((e) => e.pContext))).toBeLessThan(0.05);
    const [f1, f2] = [at(flat, 'free', 1), at(flat, 'pro', -1)];
    f1.forEach((p, k) => expect(Math.abs(p - f2[k])).toBeLessThan(0.1)); // 500-draw estimates: sd <= 0.022 each
    const steep = linearThompsonPolicy.prepare(arms(true), settings);
    expect(Math.min(...steep.evidence.slice(0, 2).map((e) => e.pContext))).toBeGreaterThan(0.99);
    expect(at(steep, 'free', 0)[0]).toBeGreaterThan(0.9);
    expect(at(steep, 'pro', 0)[1]).toBeGreaterThan(0.9);
  });

  it('linear-ucb: deterministic with propensity 1 outside ties; the floor mixes in for both', () => {
    const model = linearUcbPolicy.prepare(evidence(), settings);
    const rng = makeRng('lin-ucb');
    const c = linearUcbPolicy.choose(model, eligible, rng, 0, context);
    expect(c.propensity).toBe(1);
    expect(c.vector).toEqual([0, 1, 2].map((k) => (k === c.armIndex ? 1 : 0)));
    const floored = withFloor(linearUcbPolicy, 0.1).choose(model, eligible, rng, 0, context);
    expect(floored.vector!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.min(...floored.vector!)).toBeCloseTo(0.1, 12);
    // With no data every arm ties: uniform.
    const empty = linearUcbPolicy.prepare([0, 1, 2].map(() => ({ rewards: 0, sum: 0, sumSq: 0, costs: 0, costSum: 0, costSumSq: 0 })), settings);
    expect(linearUcbPolicy.choose(empty, eligible, rng, 0, context).propensity).toBeCloseTo(1 / 3, 12);
  });
});
