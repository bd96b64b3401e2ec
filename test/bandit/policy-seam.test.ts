import { describe, expect, it } from 'vitest';
import { fixedChoose } from '../../src/bandit/fixed.js';
import { policyFor, POLICY_NAMES } from '../../src/bandit/policies.js';
import { withoutCost, type ArmEvidence, type Policy, type PolicySettings } from '../../src/bandit/policy.js';
import { betaPosterior, DEFAULT_BETA_PRIOR, DEFAULT_NORMAL_GAMMA_PRIOR } from '../../src/bandit/posterior.js';
import { makeRng } from '../../src/bandit/random.js';
import { thompsonChoose } from '../../src/bandit/thompson.js';
import { ucbChoose } from '../../src/bandit/ucb.js';

const bern: PolicySettings = { rewardModel: 'bernoulli', prior: DEFAULT_BETA_PRIOR, weights: [1, 2, 3, 4], costWeight: 0 };
const ev = (rewards: number, sum: number, sumSq = sum): ArmEvidence => withoutCost({ rewards, sum, sumSq });
const STATS = [ev(40, 8), ev(50, 12), ev(30, 5), ev(10, 3)];
const ALL = [true, true, true, true];

/** Chooses n times with one model; returns the empirical frequency of each arm and the propensities the choices reported. */
function frequencies(p: Policy<unknown>, evidence: ArmEvidence[], settings: PolicySettings, eligible: boolean[], n: number, seed: string) {
  const model = p.prepare(evidence, settings);
  const rng = makeRng(seed);
  const counts = eligible.map(() => 0);
  const logged = eligible.map(() => NaN);
  for (let i = 0; i < n; i++) {
    const c = p.choose(model, eligible, rng, rng(), undefined);
    counts[c.armIndex]++;
    if (Number.isNaN(logged[c.armIndex])) logged[c.armIndex] = c.propensity;
  }
  const stated = eligible.map((_, i) => p.propensity(model, eligible, i, undefined));
  return { freq: counts.map((c) => c / n), logged, stated };
}

/** |frequency - p| within 5 binomial standard errors (a correct policy fails about 1 seed in 10^6 per arm). */
function expectMatches(freq: number[], p: number[], n: number): void {
  freq.forEach((f, i) => expect(Math.abs(f - p[i])).toBeLessThanOrEqual(5 * Math.sqrt((p[i] * (1 - p[i])) / n) + 1e-12));
}

describe('the policy seam', () => {
  it('registers every policy name of the schema', () => {
    for (const name of POLICY_NAMES) expect(policyFor(name).name).toBe(name);
  });

  it('Thompson behind the seam makes the same choices as thompsonChoose for the same seed', () => {
    const p = policyFor('thompson');
    const model = p.prepare(STATS, bern);
    const ps = STATS.map((s) => betaPosterior(DEFAULT_BETA_PRIOR, s));
    const a = makeRng('same');
    const b = makeRng('same');
    for (let i = 0; i < 2000; i++) expect(p.choose(model, ALL, a, 0.5, undefined).armIndex).toBe(thompsonChoose(ps, ALL, b));
  });

  it('UCB behind the seam makes the same choices as ucbChoose (untried arms, ties, gaussian)', () => {
    const cases: [PolicySettings, ArmEvidence[]][] = [
      [bern, STATS],
      [bern, [ev(0, 0), ev(5, 1), ev(0, 0), ev(3, 1)]],
      [bern, [ev(10, 5), ev(10, 5), ev(10, 5), ev(10, 5)]],
      [{ ...bern, rewardModel: 'gaussian', prior: DEFAULT_NORMAL_GAMMA_PRIOR }, [ev(5, 2, 3), ev(1, 1, 1), ev(8, 4, 9), ev(7, -1, 4)]],
    ];
    for (const [settings, stats] of cases) {
      const p = policyFor('ucb');
      const model = p.prepare(stats, settings);
      const a = makeRng('ucb');
      const b = makeRng('ucb');
      for (let i = 0; i < 200; i++) {
        const mine = p.choose(model, ALL, a, 0.5, undefined);
        const theirs = ucbChoose(settings.rewardModel, stats, ALL, b);
        expect([mine.armIndex, mine.propensity]).toEqual([theirs.index, theirs.propensity]);
        expect(p.propensity(model, ALL, mine.armIndex, undefined)).toBe(mine.propensity);
      }
    }
  });

  it('fixed behind the seam is fixedChoose of the weights, and its propensities are the shares', () => {
    const p = policyFor('fixed');
    const model = p.prepare(STATS, bern);
    const eligible = [true, false, true, true];
    for (const u of [0, 0.1, 0.37, 0.5, 0.99]) {
      const c = fixedChoose([1, 2, 3, 4], eligible, u);
      expect(p.choose(model, eligible, makeRng('x'), u, undefined)).toEqual({ armIndex: c.index, propensity: c.propensity });
    }
    expect(eligible.map((_, i) => p.propensity(model, eligible, i, undefined))).toEqual([1 / 8, 0, 3 / 8, 4 / 8]);
  });

  it('each policy chooses each arm with the propensity it states (Thompson, UCB; with and without a disabled arm)', () => {
    const n = 100_000;
    for (const name of ['thompson', 'ucb'] as const) {
      for (const eligible of [ALL, [true, false, true, true]]) {
        const { freq, stated } = frequencies(policyFor(name), STATS, bern, eligible, n, `${name}-freq`);
        expect(stated.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        eligible.forEach((e, i) => { if (!e) expect(freq[i]).toBe(0); });
        expectMatches(freq, stated, n);
      }
    }
  });
});

describe('the exploration floor (minArmShare)', () => {
  it('keeps every eligible arm at least the share, and the propensity includes the floor', () => {
    const n = 100_000;
    const share = 0.05;
    for (const name of ['thompson', 'ucb'] as const) {
      for (const eligible of [ALL, [true, true, false, true]]) {
        const p = policyFor(name, share);
        const { freq, logged, stated } = frequencies(p, STATS, bern, eligible, n, `${name}-floor`);
        const inner = policyFor(name);
        const innerModel = inner.prepare(STATS, bern);
        const k = eligible.filter(Boolean).length;
        eligible.forEach((e, i) => {
          if (!e) return expect(stated[i]).toBe(0);
          expect(stated[i]).toBeGreaterThanOrEqual(share);
          expect(stated[i]).toBeCloseTo(share + (1 - k * share) * inner.propensity(innerModel, eligible, i, undefined), 12);
          if (!Number.isNaN(logged[i])) expect(logged[i]).toBeCloseTo(stated[i], 12);
        });
        expect(stated.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        expectMatches(freq, stated, n);
      }
    }
  });

  it('a greedy-looking UCB still gives every other arm exactly the floor', () => {
    const stats = [ev(10_000, 9_000), ev(10_000, 1_000), ev(10_000, 2_000)];
    const p = policyFor('ucb', 0.01);
    const model = p.prepare(stats, { ...bern, weights: [1, 1, 1] });
    expect([0, 1, 2].map((i) => p.propensity(model, [true, true, true], i, undefined))).toEqual([0.98, 0.01, 0.01].map((x) => expect.closeTo(x, 12)));
  });

  it('a share of 0 is the policy itself, and the fixed split takes no floor', () => {
    expect(policyFor('thompson', 0)).toBe(policyFor('thompson'));
    expect(policyFor('fixed', 0.1)).toBe(policyFor('fixed'));
  });

  it('refuses a share that the eligible arms cannot all get', () => {
    const p = policyFor('thompson', 0.3);
    const model = p.prepare(STATS, bern);
    expect(() => p.choose(model, ALL, makeRng('x'), 0.5, undefined)).toThrow(/more than 1/);
  });
});

describe('the cost-aware objective behind the seam', () => {
  const costly = (rewards: number, sum: number, cost: number): ArmEvidence => ({ ...ev(rewards, sum), costs: rewards, costSum: rewards * cost, costSumSq: rewards * cost * cost });
  const stats = [costly(5000, 600, 0.01), costly(5000, 500, 0.002), costly(5000, 400, 0.002)];
  const settings = { ...bern, weights: [1, 1, 1] };
  for (const name of ['thompson', 'ucb'] as const) {
    it(`${name}: the best reward wins without a cost weight, the best net value with one`, () => {
      const p = policyFor(name);
      const eligible = [true, true, true];
      const plain = p.prepare(stats, settings);
      const net = p.prepare(stats, { ...settings, costWeight: 5 });
      expect(p.propensity(plain, eligible, 0, undefined)).toBeGreaterThan(0.9);
      expect(p.propensity(net, eligible, 1, undefined)).toBeGreaterThan(0.9);
    });
  }
});
