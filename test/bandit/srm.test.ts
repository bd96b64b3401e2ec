import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/bandit/random.js';
import { sequentialSrm, srmLogBayesFactor } from '../../src/bandit/srm.js';

describe('sequential SRM (Dirichlet-multinomial Bayes factor, Lindon & Malek)', () => {
  it('equals the Beta-binomial form for two cells', () => {
    const c = 10_000;
    for (const [x1, x2, p] of [[10, 90, 0.1], [130, 870, 0.1], [0, 50, 0.2], [500, 500, 0.5]]) {
      const expected = jStat.betaln(c * p + x1, c * (1 - p) + x2) - jStat.betaln(c * p, c * (1 - p)) - x1 * Math.log(p) - x2 * Math.log(1 - p);
      expect(srmLogBayesFactor([x1, x2], [p, 1 - p], c)).toBeCloseTo(expected, 8);
    }
  });

  it('flags a broken split and not a fine one', () => {
    expect(sequentialSrm([{ counts: [1000, 9000], shares: [0.1, 0.9] }]).pValue).toBe(1);
    expect(sequentialSrm([{ counts: [1300, 8700], shares: [0.1, 0.9] }]).pValue).toBeLessThan(1e-6);
    expect(sequentialSrm([{ counts: [1, 10], shares: [0, 1] }]).pValue).toBe(0);
  });

  it('multiplies the Bayes factors of periods with different shares', () => {
    const a = { counts: [120, 880], shares: [0.1, 0.9] };
    const b = { counts: [400, 600], shares: [0.5, 0.5] };
    expect(Math.log(sequentialSrm([a, b]).bayesFactor)).toBeCloseTo(srmLogBayesFactor(a.counts, a.shares) + srmLogBayesFactor(b.counts, b.shares), 9);
  });

  it('alarms at alpha 0.05 in at most 5% of A/A runs when looked at after every 100 users (1000 seeded runs of 20,000 users)', () => {
    const rng = makeRng('srm-mc');
    const runs = 1000;
    let alarms = 0;
    for (let k = 0; k < runs; k++) {
      let h = 0;
      for (let n = 1; n <= 20_000; n++) {
        if (rng() < 0.1) h++;
        if (n % 100 === 0 && sequentialSrm([{ counts: [h, n - h], shares: [0.1, 0.9] }]).pValue <= 0.05) { alarms++; break; }
      }
    }
    const rate = alarms / runs;
    const se = Math.sqrt(0.05 * 0.95 / runs);
    console.log(`sequential SRM false alarms over 200 looks: ${(100 * rate).toFixed(1)}% +- ${(100 * se).toFixed(1)}% (MC SE)`);
    expect(rate).toBeLessThan(0.05 + 2 * se);
  });
});
