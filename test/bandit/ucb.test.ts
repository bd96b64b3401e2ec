import { describe, expect, it } from 'vitest';
import type { SufficientStats } from '../../src/bandit/posterior.js';
import { makeRng } from '../../src/bandit/random.js';
import { ucbChoose } from '../../src/bandit/ucb.js';

const st = (rewards: number, sum: number, sumSq = sum): SufficientStats => ({ rewards, sum, sumSq });
const all = (n: number) => Array<boolean>(n).fill(true);

describe('ucbChoose, bernoulli (UCB1)', () => {
  it('plays an untried arm first, uniformly among untried, propensity 1 / untried', () => {
    const stats = [st(100, 90), st(0, 0), st(50, 40), st(0, 0), st(0, 0)];
    const rng = makeRng('untried');
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const c = ucbChoose('bernoulli', stats, all(5), rng);
      expect([1, 3, 4]).toContain(c.index);
      expect(c.propensity).toBeCloseTo(1 / 3, 15);
      seen.add(c.index);
    }
    expect(seen.size).toBe(3);
  });
  it('ignores ineligible untried arms', () => {
    const c = ucbChoose('bernoulli', [st(10, 5), st(0, 0)], [true, false], makeRng('x'));
    expect(c).toEqual({ index: 0, propensity: 1 });
  });
  it('picks the arm with the highest mean + sqrt(2 ln N / n)', () => {
    // N = 120. Arm 0: 0.5 + sqrt(2 ln 120 / 100) = 0.809; arm 1: 0.3 + sqrt(2 ln 120 / 20) = 0.992.
    const c = ucbChoose('bernoulli', [st(100, 50), st(20, 6)], all(2), makeRng('x'));
    expect(c).toEqual({ index: 1, propensity: 1 });
    // With more data on arm 1 its bonus shrinks: N = 1100, arm 1 0.3 + 0.118 < arm 0 0.5 + 0.374.
    expect(ucbChoose('bernoulli', [st(100, 50), st(1000, 300)], all(2), makeRng('x')).index).toBe(0);
  });
  it('breaks exact ties uniformly, propensity 1 / tied', () => {
    const stats = [st(40, 10), st(40, 10), st(40, 2)];
    const rng = makeRng('tie');
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const c = ucbChoose('bernoulli', stats, all(3), rng);
      expect(c.propensity).toBe(0.5);
      counts[c.index]++;
    }
    expect(counts[2]).toBe(0);
    expect(Math.abs(counts[0] - 2000)).toBeLessThan(5 * Math.sqrt(1000));
  });
  it('throws when nothing is eligible', () => {
    expect(() => ucbChoose('bernoulli', [st(1, 1)], [false], makeRng('x'))).toThrow('no eligible arm');
  });
});

describe('ucbChoose, gaussian (variance-aware)', () => {
  it('treats arms with fewer than 2 rewards as untried', () => {
    const c = ucbChoose('gaussian', [st(50, 100, 300), st(1, 9, 81), st(2, 4, 10)], all(3), makeRng('x'));
    expect(c).toEqual({ index: 1, propensity: 1 });
  });
  it('uses the variance: a noisy arm with a lower mean can have the higher index', () => {
    // Arm 0: mean 1, sd ~0.1; arm 1: mean 0.9, sd ~3, same counts: arm 1's bonus is far larger.
    const n = 50;
    const quiet = st(n, n * 1, n * (1 + 0.01));
    const noisy = st(n, n * 0.9, n * (0.81 + 9));
    expect(ucbChoose('gaussian', [quiet, noisy], all(2), makeRng('x')).index).toBe(1);
  });
  it('matches a hand computation of mean + sqrt(2 v ln N / n)', () => {
    // Arm 0: n 10, mean 2, s^2 1 (SS 9); arm 1: n 30, mean 2.3, s^2 0.25 (SS 7.25). N 40.
    // Pooled within-arm variance (9 + 7.25) / 38 = 0.4276; shrunk v0 = (9 + 0.855) / 11 = 0.8960,
    // v1 = (7.25 + 0.855) / 31 = 0.2615. Index 0: 2 + sqrt(2 0.8960 ln 40 / 10) = 2.8130;
    // index 1: 2.3 + sqrt(2 0.2615 ln 40 / 30) = 2.5536.
    const a = st(10, 20, 9 + 10 * 4);
    const b = st(30, 69, 7.25 + 30 * 2.3 * 2.3);
    expect(ucbChoose('gaussian', [a, b], all(2), makeRng('x')).index).toBe(0);
    // Give arm 1 a higher mean: 2.6 + 0.2536 = 2.8536 > 2.8130.
    const b2 = st(30, 78, 7.25 + 30 * 2.6 * 2.6);
    expect(ucbChoose('gaussian', [a, b2], all(2), makeRng('x')).index).toBe(1);
  });
  it('does not starve an arm whose rewards were all equal (sample variance 0)', () => {
    // Arm 0 saw two zeros; arm 1 is much better on average but noisy. As N grows, arm 0's bonus
    // (from the pooled variance) grows like sqrt(ln N) and it gets played again.
    const zeroArm = st(2, 0, 0);
    let played = false;
    for (const n of [1e2, 1e3, 1e4, 1e5, 1e6]) {
      const busy = st(n, n * 1, n * (1 + 4));
      if (ucbChoose('gaussian', [zeroArm, busy], all(2), makeRng('x')).index === 0) played = true;
    }
    expect(played).toBe(true);
  });
  it('all-equal arms tie', () => {
    const c = ucbChoose('gaussian', [st(5, 5, 5), st(5, 5, 5)], all(2), makeRng('x'));
    expect(c.propensity).toBe(0.5);
  });
});
