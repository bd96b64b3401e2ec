/**
 * The smaller seeded version of `npm run bench:validity -- holdback` (bench/validity/holdback.ts, figures in
 * bench/RESULTS.md): A/A runs through select / reward / patch / report on the embedded store, each
 * figure printed with its Monte-Carlo standard error and checked against its bound plus 2 SE.
 */
import { describe, expect, it } from 'vitest';
import { excludes, rate, runScenario, type Look, type Scenario } from '../bench/validity/scenario.js';

const AA: Scenario = { users: 500, visits: [1, 10], holdbackPercent: 10, rates: [0.2, 0.2], ownRates: { a: 2, b: 3 }, policy: 'fixed', looks: 10 };

async function many(name: string, s: (r: number) => Scenario, n: number): Promise<Look[][]> {
  const out: Look[][] = [];
  for (let r = 0; r < n; r++) out.push(await runScenario(s(r), `${name}-${r}`));
  return out;
}

function atMost(name: string, k: number, n: number, bound: number): void {
  const r = rate(k, n);
  console.log(`${name}: ${r.text} (bound ${100 * bound}%)`);
  expect(r.p).toBeLessThanOrEqual(bound + 2 * Math.sqrt((bound * (1 - bound)) / n));
}

describe('validity of the holdback figures (seeded, small)', () => {
  it('A/A with returning users, 10 looks: always-valid and SRM alarms at most 5%, fixed interval covers about 95%', async () => {
    const n = 100;
    const runs = await many('aa', () => AA, n);
    atMost('always-valid excludes 0 at any look', runs.filter((ls) => ls.some((l) => excludes(l.alwaysValid, 0))).length, n, 0.05);
    atMost('sequential SRM p <= 0.05 at any look', runs.filter((ls) => ls.some((l) => l.srmP !== null && l.srmP <= 0.05)).length, n, 0.05);
    const covers = runs.filter((ls) => { const l = ls[ls.length - 1]; return l.fixed !== null && !excludes(l.fixed, 0); }).length;
    console.log(`fixed-horizon interval covers 0 at the last look: ${rate(covers, n).text}`);
    expect(covers / n).toBeGreaterThanOrEqual(0.95 - 2 * Math.sqrt(0.95 * 0.05 / n));
  }, 180_000); // seeded: the answer does not depend on time; about 18 s alone, 71 s with the suite at load 10

  it('a 2% rate with 30-100 holdback users: false positives at most 5%', async () => {
    const n = 60;
    const runs = await many('low', (r) => ({ users: 300 + ((r * 7919) % 701), visits: [1, 10], holdbackPercent: 10, rates: [0.02, 0.02], policy: 'fixed', looks: 5 }), n);
    atMost('fixed-horizon p < 0.05 at the last look', runs.filter((ls) => { const p = ls[ls.length - 1].fixedP; return p !== null && p < 0.05; }).length, n, 0.05);
    atMost('always-valid excludes 0 at any look', runs.filter((ls) => ls.some((l) => excludes(l.alwaysValid, 0))).length, n, 0.05);
  }, 180_000);

  it('a holdback change in mid-run (10% -> 30%) leaves the SRM false-alarm rate at most 5%', async () => {
    const n = 60;
    const runs = await many('change', () => ({ ...AA, holdbackChange: { atFraction: 0.5, percent: 30 } }), n);
    atMost('sequential SRM p <= 0.05 at any look', runs.filter((ls) => ls.some((l) => l.srmP !== null && l.srmP <= 0.05)).length, n, 0.05);
    // Without periods the check would compare all users with 30%: it fires at once.
    expect(runs.every((ls) => ls[ls.length - 1].holdbackUsers > 0)).toBe(true);
  }, 180_000);
});
