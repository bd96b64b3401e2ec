import { describe, expect, it } from 'vitest';
import { bettingInterval95 } from '../../src/bandit/betting-interval.js';
import { stableVarWeight } from '../../src/bandit/off-policy-adaptive.js';
import { offPolicyEstimates, unsupportedArms, type LoggedUnit } from '../../src/bandit/off-policy.js';

/** The IPW terms of "always arm 1" for the betting interval: w y >= 0, the complement w (1 - y) >= 0, precision weights e(1). */
function termsFor(units: LoggedUnit[]): Parameters<typeof bettingInterval95> {
  const w = units.map((u) => (u.arm === 1 ? 1 / u.propensity : 0));
  const zeros = units.map(() => 0);
  return [w.map((x, i) => x * units[i].reward), zeros, w.map((x, i) => x * (1 - units[i].reward)), zeros, units.map((u) => u.propensities![1])];
}
import { makeRng } from '../../src/bandit/random.js';

/** n units logged by a fixed split `mu` over arms with Bernoulli rates `rates`. */
function logged(n: number, mu: number[], rates: number[], seed: string): LoggedUnit[] {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => {
    let u = rng(), arm = 0;
    while (u > mu[arm] && arm < mu.length - 1) u -= mu[arm++];
    return { arm, propensity: mu[arm], reward: rng() < rates[arm] ? 1 : 0 };
  });
}

describe('off-policy estimators', () => {
  it('on-policy (target = logging policy): IPS and SNIPS equal the logged mean, weights 1, ESS n', () => {
    const units = logged(500, [0.5, 0.5], [0.2, 0.6], 'on-policy');
    const r = offPolicyEstimates(units, [0.5, 0.5]);
    expect(r.ips.value).toBeCloseTo(r.logged.value, 12);
    expect(r.snips.value).toBeCloseTo(r.logged.value, 12);
    expect(r.effectiveSampleSize).toBeCloseTo(500, 9);
    expect(r.clipping.clipped).toBe(0);
  });

  it('known values on a hand-made log', () => {
    const units: LoggedUnit[] = [
      { arm: 0, propensity: 0.5, reward: 1 }, { arm: 1, propensity: 0.25, reward: 0 },
      { arm: 0, propensity: 0.5, reward: 0 }, { arm: 1, propensity: 0.25, reward: 1 },
    ];
    const r = offPolicyEstimates(units, [0, 1]); // always arm 1: weights 0, 4, 0, 4
    expect(r.snips.value).toBeCloseTo(0.5, 12); // (0 + 4) / 8
    expect(r.clipping.threshold).toBeCloseTo(4, 12); // sqrt(4) * mean weight 2
    expect(r.ips.value).toBeCloseTo(1, 12); // (0 + 0 + 0 + 4) / 4
    expect(r.dr.value).toBeCloseTo(0.5 + (4 * (0 - 0.5) + 4 * (1 - 0.5)) / 4, 12); // q(1) = 0.5, untruncated weights
    expect(r.effectiveSampleSize).toBeCloseTo(64 / 32, 12);
    expect(unsupportedArms(units, [0.5, 0, 0.5])).toEqual([2]);
  });

  it('adaptive weights (every unit has its propensity vector): known values on a hand-made log', () => {
    const units: LoggedUnit[] = [
      { arm: 0, propensity: 0.5, reward: 1, propensities: [0.5, 0.5] },
      { arm: 1, propensity: 0.2, reward: 0, propensities: [0.8, 0.2] },
      { arm: 1, propensity: 0.2, reward: 1, propensities: [0.8, 0.2] },
    ];
    const r = offPolicyEstimates(units, [0, 1]); // always arm 1: h = sqrt(e(1)) = sqrt(.5), sqrt(.2), sqrt(.2); w = 0, 5, 5
    const hSum = Math.sqrt(0.5) + 2 * Math.sqrt(0.2);
    expect(r.weighting).toBe('adaptive');
    expect(r.clipping).toEqual({ threshold: null, clipped: 0 });
    expect(r.ips.value).toBeCloseTo((Math.sqrt(0.2) * 5) / hSum, 12);
    expect(r.snips.value).toBeCloseTo(0.5, 12); // sqrt(.2) 5 / (2 sqrt(.2) 5)
    // AIPW terms with q from earlier units only: 0; q(1) = mean of all so far = 1 -> 1 + 5 (0 - 1) = -4; q(1) = 0 -> 5
    expect(r.dr.value).toBeCloseTo((-4 * Math.sqrt(0.2) + 5 * Math.sqrt(0.2)) / hSum, 12);
    // Rewards in [0, 1]: each interval contains the finite-sample (betting) one, so it is wide on 3 units.
    for (const e of [r.ips, r.snips, r.dr]) {
      expect(e.interval95[0]).toBeLessThanOrEqual(e.value);
      expect(e.interval95[1]).toBeGreaterThanOrEqual(e.value);
      expect(e.interval95[1] - e.interval95[0]).toBeGreaterThan(0.9);
    }
    expect(r.finiteSample).toBe(true);
    // Rewards outside [0, 1] (gaussian): no finite-sample interval, the normal one only.
    const unbounded = offPolicyEstimates(units.map((u) => ({ ...u, reward: 2 * u.reward })), [0, 1]);
    expect(unbounded.finiteSample).toBe(false);
    expect(unbounded.dr.interval95[1] - unbounded.dr.interval95[0]).toBeCloseTo(2 * 1.959963984540054 * unbounded.dr.standardError, 9);
    // A unit without its vector: the uniform estimators of before.
    expect(offPolicyEstimates([...units, { arm: 1, propensity: 0.2, reward: 1 }], [0, 1]).weighting).toBe('uniform');
  });

  it('the variance-stabilising weight is sqrt(e(k)) for one arm and 1/sqrt(sum pi^2/e) for a mixture; 0 without support', () => {
    expect(stableVarWeight([0, 1, 0], [0.5, 0.09, 0.41])).toBeCloseTo(0.3, 12);
    expect(stableVarWeight([0.5, 0.5], [0.8, 0.2])).toBeCloseTo(1 / Math.sqrt(0.25 / 0.8 + 0.25 / 0.2), 12);
    expect(stableVarWeight([0.5, 0.5], [1, 0])).toBe(0);
  });

  // Adaptive logging: an arm Thompson starves gets a handful of pulls. The normal interval cannot hold
  // there; the betting interval (finite-sample) must, whatever the pulls were.
  it('the betting interval covers a rarely pulled arm at least 95% of the time (400 seeded logs with falling propensities)', () => {
    let covered = 0;
    const runs = 400, rate = 0.3;
    for (let s = 0; s < runs; s++) {
      const rng = makeRng(`starved-${s}`);
      const units: LoggedUnit[] = [];
      for (let t = 0; t < 300; t++) {
        const e = Math.max(0.002, 0.5 * Math.exp(-t / 20)); // arm 1's probability falls fast, as under Thompson
        const arm = rng() < e ? 1 : 0;
        const p = arm === 1 ? e : 1 - e;
        units.push({ arm, propensity: p, reward: rng() < (arm === 1 ? rate : 0.6) ? 1 : 0, propensities: [1 - e, e] });
      }
      const [lo, hi] = bettingInterval95(...termsFor(units));
      if (lo <= rate && rate <= hi) covered += 1;
    }
    // Guaranteed >= 95% (up to the grid's one-step slack, which only widens it); a 3-sigma band on 400 runs is 3.3 points.
    expect(covered / runs).toBeGreaterThanOrEqual(0.95 - 0.033);
  });

  // Non-adaptive logging: the textbook setting, where the intervals must hold their level.
  it('covers the truth of "always arm k" in about 95% of 300 seeded logs (fixed split logging)', () => {
    const rates = [0.3, 0.5, 0.2];
    const mu = [0.5, 0.3, 0.2];
    const covered = { ips: 0, snips: 0, dr: 0 };
    let total = 0;
    for (let s = 0; s < 100; s++) {
      const units = logged(400, mu, rates, `cover-${s}`);
      for (let k = 0; k < 3; k++) {
        const r = offPolicyEstimates(units, [0, 1, 2].map((a) => (a === k ? 1 : 0)));
        total += 1;
        for (const n of ['ips', 'snips', 'dr'] as const) if (r[n].interval95[0] <= rates[k] && rates[k] <= r[n].interval95[1]) covered[n] += 1;
      }
    }
    // 300 intervals: the Monte-Carlo standard error of a 95% share is 1.3 points; 90% is ~4 of them below.
    for (const n of ['ips', 'snips', 'dr'] as const) expect(covered[n] / total, n).toBeGreaterThan(0.9);
  });

  it('refuses fewer than two units and propensities outside (0, 1]', () => {
    expect(() => offPolicyEstimates([{ arm: 0, propensity: 1, reward: 1 }], [1])).toThrow(RangeError);
    expect(() => offPolicyEstimates([{ arm: 0, propensity: 0, reward: 1 }, { arm: 0, propensity: 1, reward: 1 }], [1])).toThrow(RangeError);
  });
});
