import { describe, expect, it } from 'vitest';
import type { Posterior } from '../../src/bandit/posterior.js';
import { probabilityBest } from '../../src/bandit/prob-best.js';
import { makeRng } from '../../src/bandit/random.js';
import { thompsonChoose } from '../../src/bandit/thompson.js';

const beta = (alpha: number, b: number): Posterior => ({ kind: 'beta', alpha, beta: b });

describe('thompsonChoose', () => {
  it('never picks an ineligible arm, even the best one', () => {
    const ps = [beta(900, 100), beta(1, 1), beta(2, 5), beta(50, 50)];
    const eligible = [false, true, false, true];
    const rng = makeRng('eligible');
    for (let i = 0; i < 20_000; i++) expect(eligible[thompsonChoose(ps, eligible, rng)]).toBe(true);
  });
  it('picks a dominant posterior nearly always', () => {
    const rng = makeRng('dominant');
    const ps = [beta(100, 900), beta(900, 100), beta(120, 880)];
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (thompsonChoose(ps, [true, true, true], rng) === 1) hits++;
    expect(hits).toBe(10_000);
  });
  it('chooses each arm with its probability of being best', () => {
    const ps = [beta(20, 80), beta(24, 76), beta(18, 82), { kind: 'beta' as const, alpha: 3, beta: 9 }];
    const p = probabilityBest(ps);
    const rng = makeRng('frequencies');
    const n = 200_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[thompsonChoose(ps, [true, true, true, true], rng)]++;
    counts.forEach((c, i) => expect(Math.abs(c / n - p[i])).toBeLessThan(5 * Math.sqrt((p[i] * (1 - p[i])) / n)));
  });
  it('works with Normal-Gamma posteriors', () => {
    const ps: Posterior[] = [
      { kind: 'normal-gamma', mu: 5, lambda: 100, alpha: 50, beta: 50 },
      { kind: 'normal-gamma', mu: 0, lambda: 100, alpha: 50, beta: 50 },
    ];
    expect(thompsonChoose(ps, [true, true], makeRng('ng'))).toBe(0);
  });
  it('is reproducible from the seed', () => {
    const ps = [beta(3, 3), beta(4, 3), beta(3, 4)];
    const run = (seed: string) => {
      const rng = makeRng(seed);
      return Array.from({ length: 50 }, () => thompsonChoose(ps, [true, true, true], rng));
    };
    expect(run('s')).toEqual(run('s'));
    expect(run('s')).not.toEqual(run('t'));
  });
  it('throws when no arm is eligible or flags do not match the arms', () => {
    expect(() => thompsonChoose([beta(1, 1)], [false], makeRng('x'))).toThrow('no eligible arm');
    expect(() => thompsonChoose([beta(1, 1)], [true, true], makeRng('x'))).toThrow(RangeError);
  });
});
