import { describe, expect, it } from 'vitest';
import { offPolicyEstimates, unsupportedArms, type LoggedUnit } from '../../src/bandit/off-policy.js';
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
