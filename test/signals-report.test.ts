/** The report's metrics block (issue 22): per arm, holdback, vs the baseline with Bonferroni over arms x metrics, and the guardrail window. */
import { describe, expect, it } from 'vitest';
import { metricsReport } from '../src/service/metrics-report.js';
import { addUnitValue, compareToBaseline, compareUsersToBaseline, metricMean, type UnitState } from '../src/bandit/metric-compare.js';
import { alwaysValid } from '../src/bandit/sequential.js';
import { decisionRuleOf } from '../src/bandit/decision-rule.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import type { MetricArmStats, MetricConfig, MetricSums, MetricUserSums } from '../src/contract/metrics.js';

/** Sums of n values alternating mean - sd and mean + sd (sample mean `mean`, variance about sd^2). */
const sums = (n: number, mean: number, sd = 1): MetricSums => {
  let sum = 0, sumSq = 0;
  for (let i = 0; i < n; i++) { const v = mean + (i % 2 ? sd : -sd); sum += v; sumSq += v * v; }
  return { n, sum, sumSq };
};
const zero: MetricSums = { n: 0, sum: 0, sumSq: 0 };
/** The user-level sums when each value is its own unit (no user returns). */
const perDecision = (s: MetricSums): MetricUserSums => ({ units: s.n, sum: s.sum, count: s.n, sumSq: s.sumSq, countSq: s.n, cross: s.sum });
const arm = (armId: string, bandit: MetricSums, over: Partial<MetricArmStats> = {}): MetricArmStats =>
  ({ armId, bandit, holdback: zero, excluded: zero, window: { samples: 0, sum: 0 }, users: { bandit: perDecision(bandit), holdback: perDecision(zero) }, ...over });
const config = { id: 'e', baselineArmId: 'a', arms: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] } as unknown as ExperimentConfig;

/** The user-level sums of users each with `visits` values, all of the user's values equal to the user's draw. */
function returning(users: number, visits: number, mean: number, sd: number): { sums: MetricSums; users: MetricUserSums } {
  const s: MetricSums = { n: 0, sum: 0, sumSq: 0 };
  const u: MetricUserSums = { units: 0, sum: 0, count: 0, sumSq: 0, countSq: 0, cross: 0 };
  for (let i = 0; i < users; i++) {
    const v = mean + (i % 2 ? sd : -sd);
    let prev: UnitState | null = null;
    for (let k = 0; k < visits; k++) {
      prev = addUnitValue(u, prev, v);
      s.n += 1; s.sum += v; s.sumSq += v * v;
    }
  }
  return { sums: s, users: u };
}

describe('metric comparisons', () => {
  it('compares at the user level where users return: the same as per decision with one visit each, wider with correlated visits', () => {
    const a = sums(400, 0.5), b = sums(600, 0.8, 2);
    expect(compareUsersToBaseline(b, perDecision(b), a, perDecision(a), 5000)!.interval95[0]).toBeCloseTo(compareToBaseline(b, a, 5000)!.interval95[0], 9);
    const ra = returning(200, 4, 0.5, 1), rb = returning(200, 4, 0.6, 1);
    const byUser = compareUsersToBaseline(rb.sums, rb.users, ra.sums, ra.users, 5000)!;
    const byDecision = compareToBaseline(rb.sums, ra.sums, 5000)!;
    expect(byUser.unit).toBe('user');
    expect(byUser.difference).toBeCloseTo(0.1, 12);
    // four perfectly correlated visits: the variance per user is 4x, and there are 4x fewer units
    expect(byUser.interval95[1] - byUser.interval95[0]).toBeGreaterThan(1.5 * (byDecision.interval95[1] - byDecision.interval95[0]));
    expect(ra.users.units).toBe(200);
    // values older than the user-level sums (count < n): compared per decision
    expect(compareUsersToBaseline(rb.sums, { ...rb.users, count: rb.sums.n - 1 }, ra.sums, ra.users, 5000)!.unit).toBe('decision');
  });

  it('uses the holdback lift\'s always-valid method on the difference of means', () => {
    const a = sums(400, 0.5), b = sums(600, 0.8, 2);
    const d = compareToBaseline(b, a, 5000)!;
    const [ma, mb] = [metricMean(a)!, metricMean(b)!];
    expect(d).toEqual({ difference: mb.mean - ma.mean, ...alwaysValid(mb.mean - ma.mean, ma.variance + mb.variance, 1000, 5000) });
    expect(compareToBaseline(sums(1, 1), a, 5000)).toBeNull();
  });

  it('says which differences are established after Bonferroni over (arms - 1) x metrics, and which way is better', () => {
    const declared: MetricConfig[] = [
      { name: 'judge', kind: 'mean', direction: 'increase' },
      { name: 'cost', kind: 'mean', direction: 'decrease', guardrail: { max: 0.4, minSamples: 10 } },
    ];
    const stats = {
      judge: [arm('a', sums(2000, 0.5), { holdback: sums(100, 0.2) }), arm('b', sums(2000, 0.7)), arm('c', sums(2000, 0.5))],
      cost: [arm('a', sums(2000, 0.5), { window: { samples: 10, sum: 5 } }), arm('b', sums(2000, 0.7), { window: { samples: 10, sum: 7 } }), arm('c', sums(2000, 0.5))],
    };
    const r = metricsReport(config, declared, stats, { b: { source: 'guardrail', reason: 'x', at: 't' } }, decisionRuleOf(null));
    expect(r.metricComparisons).toEqual({ count: 4, method: 'bonferroni', familyAlpha: 0.05, perComparisonAlpha: 0.0125 });
    const judge = r.metrics!.judge;
    expect(judge.holdback).toEqual({ n: 100, mean: 0.2 });
    expect(judge.arms.map((x) => [x.armId, x.n, x.mean])).toEqual([['a', 2000, 0.5], ['b', 2000, 0.7], ['c', 2000, 0.5]]);
    expect(judge.arms[0].interval95![0]).toBeLessThan(0.5);
    expect(judge.vsBaseline.map((v) => [v.armId, v.established, v.better])).toEqual([['b', true, true], ['c', false, null]]);
    expect(judge.vsBaseline[0].difference).toBeCloseTo(0.2, 9);
    expect(r.metrics!.cost.vsBaseline[0].better).toBe(false); // higher cost is worse
    // the baseline's breach is reported (it is never disabled); a disabled arm shows none
    expect(r.metrics!.cost.arms[0].window).toEqual({ samples: 10, mean: 0.5, breach: { guardrail: 'metric:cost', observed: 0.5, limit: 0.4 } });
    expect(r.metrics!.cost.arms[1].window).toEqual({ samples: 10, mean: 0.7 });
    expect(judge.arms[0].window).toBeUndefined();
  });

  it('a difference established at 0.05 alone but not after the correction is not established', () => {
    // p between 0.0125 and 0.05: found by scanning the mean of arm b
    let found = false;
    for (let m = 0.5; m < 0.7 && !found; m += 0.001) {
      const d = compareToBaseline(sums(2000, m), sums(2000, 0.5), 5000)!;
      if (d.pValue > 0.0125 && d.pValue <= 0.05) {
        const declared: MetricConfig[] = [{ name: 'j', kind: 'mean', direction: 'increase' }, { name: 'k', kind: 'mean', direction: 'increase' }];
        const s = [arm('a', sums(2000, 0.5)), arm('b', sums(2000, m)), arm('c', zero)];
        const r = metricsReport(config, declared, { j: s, k: s }, {}, decisionRuleOf(null));
        expect(r.metrics!.j.vsBaseline[0].established).toBe(false);
        expect(r.metrics!.j.vsBaseline[1]).toMatchObject({ difference: null, established: false, better: null });
        found = true;
      }
    }
    expect(found).toBe(true);
  });
});
