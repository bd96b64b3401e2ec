/**
 * The holdback analysis' validity, measured (issue 8, "How it is shown"): seeded runs through the
 * service's own select / reward / patch / report on the embedded store (and a smaller run on Redis
 * with REDIS_URL), each figure with its Monte-Carlo standard error.
 *
 *   flock /tmp/heavy.lock npm run bench:validity -- holdback      (SCALE=0.1 for a quick look; ONLY=aa,srm-power,... for some parts)
 */
import { execSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { alwaysValidPlan, fixedHorizonPlan } from '../../src/bandit/power.js';
import { makeRng } from '../../src/bandit/random.js';
import { sequentialSrm } from '../../src/bandit/srm.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import { excludes, rate, runScenario, type Look, type Scenario } from './scenario.js';
import { regretRun } from './regret-bias.js';
import { power } from './plan-power.js';
import { coverage, HEAVIER, hurdleCoverage, PARETO_TAIL, REVENUE, trueMean } from './revenue.js';
import { SIGNAL_METRICS, signalRun } from './signals.js';

const SCALE = Number(process.env.SCALE ?? 1);
const ONLY = process.env.ONLY ? new Set(process.env.ONLY.split(',')) : null;
const part = (name: string): boolean => ONLY === null || ONLY.has(name);
const runs = (n: number): number => Math.max(10, Math.round(n * SCALE));
const lines: string[] = [];
const say = (s: string): void => { console.log(s); lines.push(s); };

async function many(name: string, s: Scenario, n: number, store?: () => Promise<{ store: import('../../src/store/store.js').Store; done(): Promise<void> }>): Promise<Look[][]> {
  const t0 = Date.now();
  const out: Look[][] = [];
  for (let r = 0; r < n; r++) {
    const st = store ? await store() : null;
    out.push(await runScenario(s, `${name}-${r}`, st?.store));
    await st?.done();
  }
  console.error(`  (${name}: ${n} runs in ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return out;
}

const count = (xs: Look[][], f: (looks: Look[]) => boolean): number => xs.filter(f).length;
const anyLook = (f: (l: Look) => boolean) => (looks: Look[]) => looks.some(f);
const lastLook = (f: (l: Look) => boolean) => (looks: Look[]) => f(looks[looks.length - 1]);

const AA: Scenario = { users: 2000, visits: [1, 10], holdbackPercent: 10, rates: [0.2, 0.2], ownRates: { a: 2, b: 3 }, policy: 'fixed', looks: 10 };

async function main(): Promise<void> {
  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  say(`bench:validity at ${commit}, ${new Date().toISOString()}, SCALE=${SCALE}`);

  // A/A with returning users (1-10 visits, each user with their own rate), 10% holdback, 10 looks.
  if (part('aa')) {
  const n1 = runs(1000);
  const aa = await many('aa', AA, n1);
  say(`A/A, 2000 users x 1-10 visits, own rates (mean 0.2), 10% holdback, 10 looks, ${n1} runs:`);
  say(`  always-valid interval excludes 0 at any look: ${rate(count(aa, anyLook((l) => excludes(l.alwaysValid, 0))), n1).text}   (bound 5%)`);
  say(`  sequential SRM p <= 0.05 at any look:          ${rate(count(aa, anyLook((l) => l.srmP !== null && l.srmP <= 0.05)), n1).text}   (bound 5%)`);
  say(`  fixed-horizon interval covers 0 at the last look: ${rate(count(aa, lastLook((l) => l.fixed !== null && !excludes(l.fixed, 0))), n1).text}   (target 95 +- 1.5%)`);
  say(`  fixed-horizon p < 0.05 at any of the 10 looks (peeking): ${rate(count(aa, anyLook((l) => l.fixedP !== null && l.fixedP < 0.05)), n1).text}   (what alwaysValid is for)`);
  say(`  decision-level Welch p < 0.05 at the last look (the old method): ${rate(count(aa, lastLook((l) => l.naiveP !== null && l.naiveP < 0.05)), n1).text}`);
  say(`  recommendation 'ship' at any look: ${rate(count(aa, anyLook((l) => l.action === 'ship')), n1).text}; 'check_split': ${rate(count(aa, anyLook((l) => l.action === 'check_split')), n1).text}`);

  }

  // Low rates: 2%, 30-100 holdback users.
  if (part('low')) {
  const n2 = runs(2000);
  const low: Look[][] = [];
  for (let r = 0; r < n2; r++) {
    const users = 300 + Math.floor(((r * 7919) % 701));
    low.push(await runScenario({ users, visits: [1, 10], holdbackPercent: 10, rates: [0.02, 0.02], policy: 'fixed', looks: 10 }, `low-${r}`));
  }
  say(`A/A at a 2% rate, 300-1000 users (30-100 in the holdback), 1-10 visits, ${n2} runs:`);
  say(`  fixed-horizon p < 0.05 at the last look: ${rate(count(low, lastLook((l) => l.fixedP !== null && l.fixedP < 0.05)), n2).text}   (bound 5%)`);
  say(`  always-valid excludes 0 at any look:     ${rate(count(low, anyLook((l) => excludes(l.alwaysValid, 0))), n2).text}   (bound 5%)`);
  say(`  lift withheld (too few successes) at the last look: ${rate(count(low, lastLook((l) => l.fixedP === null)), n2).text}`);
  say(`  decision-level Welch p < 0.05 at the last look (the old method): ${rate(count(low, lastLook((l) => l.naiveP !== null && l.naiveP < 0.05)), n2).text}`);

  }

  // Holdback change mid-run: 10% -> 30% after half the visits.
  if (part('change')) {
  const n3 = runs(1000);
  const ch = await many('change', { ...AA, holdbackChange: { atFraction: 0.5, percent: 30 } }, n3);
  say(`A/A with holdbackPercent 10 -> 30 after half the visits, ${n3} runs:`);
  say(`  sequential SRM p <= 0.05 at any look: ${rate(count(ch, anyLook((l) => l.srmP !== null && l.srmP <= 0.05)), n3).text}   (bound 5%)`);
  say(`  always-valid excludes 0 at any look:  ${rate(count(ch, anyLook((l) => excludes(l.alwaysValid, 0))), n3).text}   (bound 5%)`);

  }

  // A true lift: control 0.10, treatment 0.12; Thompson; 10% holdback.
  if (part('lift')) {
  const n4 = runs(400);
  const lift = await many('lift', { users: 5000, visits: [1, 10], holdbackPercent: 10, rates: [0.1, 0.12], policy: 'thompson', looks: 10 }, n4);
  say(`True lift (arms 0.10 / 0.12, Thompson, 10% holdback, 5000 users x 1-10 visits, 10 looks), ${n4} runs:`);
  say(`  always-valid interval covers the policy's true lift at every look: ${rate(count(lift, (ls) => ls.every((l) => l.alwaysValid === null || !excludes(l.alwaysValid, l.trueLift))), n4).text}   (target >= 95%)`);
  say(`  fixed-horizon interval covers it at the last look: ${rate(count(lift, lastLook((l) => l.fixed !== null && !excludes(l.fixed, l.trueLift))), n4).text}   (target 95%)`);

  }

  // Power at the planned sample size: the bandit population serves the treatment (fixed weights 1e-6 : 1), one visit per user.
  if (part('power')) {
  const planIn = { rewardModel: 'bernoulli' as const, baselineMean: 0.1, effect: 0.02, holdbackShare: 0.1, alpha: 0.05, power: 0.8 };
  const fh = fixedHorizonPlan(planIn);
  const av = alwaysValidPlan(planIn);
  const n5 = runs(200);
  const pw = { visits: [1, 1] as [number, number], holdbackPercent: 10, rates: [0.1, 0.12], policy: 'fixed' as const, weights: [1e-6, 1] };
  const fhRuns = await many('power-fixed', { ...pw, users: fh.totalUsers, looks: 1 }, n5);
  const avRuns = await many('power-av', { ...pw, users: av.totalUsers, looks: 10 }, n5);
  say(`Power for a 20% relative lift (0.10 -> 0.12), 10% holdback, alpha 0.05, planned power 0.8, ${n5} runs each:`);
  say(`  fixed horizon at its plan (${fh.totalUsers} users): ${rate(count(fhRuns, lastLook((l) => l.fixedP !== null && l.fixedP < 0.05)), n5).text}`);
  say(`  always valid at its plan (${av.totalUsers} users), excluding 0 at the last look: ${rate(count(avRuns, lastLook((l) => excludes(l.alwaysValid, 0))), n5).text}; at any of 10 looks: ${rate(count(avRuns, anyLook((l) => excludes(l.alwaysValid, 0))), n5).text}`);

  }

  // Revenue-like rewards (docs/statistics.md, "Rewards that are not 0/1").
  if (part('revenue')) {
    const nc = runs(1000);
    for (const [name, d, cap] of [['revenue (0 in 90%, else lognormal(3, 1.5): mean 6.19, sd 60)', REVENUE, 2000], ['heavier (0 in 95%, else lognormal(2.6, 2): mean 4.97, sd 164)', HEAVIER, 6500]] as const) {
      say(`Coverage of an arm's 95% interval of the true mean ${trueMean(d).toFixed(2)}, ${name}, ${nc} seeded samples per n:`);
      for (const n of [30, 100, 300, 1000, 3000]) {
        const u = coverage(d, n, nc, null, `cov-u-${cap}-${n}`);
        const b = coverage(d, n, nc, { min: 0, max: cap }, `cov-b-${cap}-${n}`);
        const shown = u.shown > 0 ? `${rate(u.covered, u.shown).text} of the ${u.shown} shown` : 'none shown';
        say(`  n=${n}: gaussian, interval shown (support) in ${rate(u.shown, nc).text}, covering ${shown}; rewardBounds [0, ${cap}]: ${rate(b.covered, nc).text}, mean width ${b.meanWidth.toFixed(1)}`);
      }
    }
    const na = runs(300);
    const aa = { users: 3000, visits: [1, 5] as [number, number], holdbackPercent: 10, rates: [0, 0, 0], policy: 'thompson' as const, looks: 10, revenue: REVENUE };
    for (const [label, extra] of [['rewardBounds [0, 2000]', { rewardBounds: { min: 0, max: 2000 } }], ['no bounds (support check only)', {}]] as const) {
      const xs = await many(`revenue-aa-${label}`, { ...aa, ...extra }, na);
      const shares = xs.map((ls) => ls[ls.length - 1].minArmShare).sort((a, b) => a - b);
      say(`Revenue A/A, 3 equal arms, Thompson, 10% holdback, 3000 users x 1-5 visits, 10 looks, ${label}, ${na} runs: ship at some look ${rate(count(xs, anyLook((l) => l.action === 'ship')), na).text}; always-valid lift excludes 0 at some look ${rate(count(xs, anyLook((l) => excludes(l.alwaysValid, 0))), na).text}; `
        + `smallest arm share at the last look: median ${shares[Math.floor(na / 2)].toFixed(3)}, 5th percentile ${shares[Math.floor(na / 20)].toFixed(3)}, runs below 5% ${rate(shares.filter((s) => s < 0.05).length, na).text}`);
    }
  }

  // Revenue-like rewards under rewardShape hurdle-lognormal, no cap (bandit/hurdle.ts).
  if (part('hurdle')) {
    const nc = runs(1500);
    for (const [name, d] of [['revenue', REVENUE], ['heavier', HEAVIER]] as const) {
      say(`hurdle-lognormal: coverage of arm 0's 95% interval of the true mean ${trueMean(d).toFixed(2)}, ${name}, 3 arms alike, ${nc} seeded samples per n:`);
      for (const n of [30, 100, 300, 1000, 3000]) {
        const h = hurdleCoverage(d, n, nc, `hurdle-cov-${name}-${n}`);
        say(`  n=${n}: interval shown (>= 3 nonzero rewards) in ${rate(h.shown, nc).text}, covering ${h.shown > 0 ? rate(h.covered, h.shown).text : '-'} of those shown, mean width ${h.meanWidth.toFixed(2)}`);
      }
    }
    for (const [name, d, n] of [['revenue', REVENUE, runs(300)], ['heavier', HEAVIER, runs(200)]] as const) {
      const xs = await many(`hurdle-aa-${name}`, { users: 3000, visits: [1, 5], holdbackPercent: 10, rates: [0, 0, 0], policy: 'thompson', looks: 10, revenue: d, rewardShape: 'hurdle-lognormal' }, n);
      const last = xs.map((ls) => ls[ls.length - 1]);
      const shares = last.map((l) => l.minArmShare).sort((a, b) => a - b);
      say(`hurdle-lognormal A/A (${name}), 3 equal arms, Thompson, 10% holdback, 3000 users x 1-5 visits, 10 looks, ${n} runs: ship at some look ${rate(count(xs, anyLook((l) => l.action === 'ship')), n).text}; `
        + `always-valid lift excludes 0 at some look ${rate(count(xs, anyLook((l) => excludes(l.alwaysValid, 0))), n).text}, shown at the last look ${rate(count(xs, lastLook((l) => l.alwaysValid !== null)), n).text}, at some look ${rate(count(xs, anyLook((l) => l.alwaysValid !== null)), n).text}; `
        + `smallest arm share of bandit decisions at the last look: median ${shares[Math.floor(n / 2)].toFixed(3)}, 5th percentile ${shares[Math.floor(n / 20)].toFixed(3)}, min ${shares[0].toFixed(3)}, runs below 5% ${rate(shares.filter((s) => s < 0.05).length, n).text}; `
        + `arm intervals withheld at the last look ${rate(last.reduce((s, l) => s + l.unsupportedArms, 0), 3 * n).text} of arms`);
    }
  }

  // The hurdle model where its lognormal assumption is wrong: a Pareto tail.
  if (part('hurdle-tail')) {
    const nc = runs(1500);
    say(`hurdle-lognormal, misspecified: 0 in 90%, else Pareto(20, 2.5) (true mean ${trueMean(PARETO_TAIL).toFixed(2)}), 3 arms alike, ${nc} seeded samples per n:`);
    for (const n of [100, 300, 1000, 3000]) {
      const h = hurdleCoverage(PARETO_TAIL, n, nc, `hurdle-tail-${n}`);
      say(`  n=${n}: interval shown in ${rate(h.shown, nc).text}, covering ${h.shown > 0 ? rate(h.covered, h.shown).text : '-'} of those shown, mean width ${h.meanWidth.toFixed(2)}`);
    }
  }

  // The cost-aware recommendation: the README's example (a 0.10 at cost 0.01, b 0.14 at 0.02, c 0.20 at 0.05, costWeight 5).
  if (part('cost')) {
    const n = runs(100);
    const xs = await many('cost', { users: 4000, visits: [1, 1], holdbackPercent: 10, rates: [0.1, 0.14, 0.2], costs: [0.01, 0.02, 0.05], costWeight: 5, policy: 'thompson', looks: 10 }, n);
    const ships = (arm: string) => count(xs, anyLook((l) => l.shipArm === arm));
    say(`Cost recommendation (README example, costWeight 5: net values 0.05 / 0.04 / -0.05), Thompson, 4000 users, 10 looks, ${n} runs: ship c (best reward, worst net value) at some look ${rate(ships('arm2'), n).text}; ship a (best net value) ${rate(ships('arm0'), n).text}; ship b ${rate(ships('arm1'), n).text}; looks where ship names another arm than the report's probabilityBest leader: ${count(xs, anyLook((l) => l.shipArm !== null && l.shipArm !== l.armsLeader))}`);
  }

  // The discounted recommendation after a change: arm 2 best (0.14 vs 0.10), then arm 0 (0.14) after half the visits.
  if (part('discount')) {
    const n = runs(100);
    const xs = await many('discount', { users: 3000, visits: [1, 5], holdbackPercent: 10, rates: [0.1, 0.1, 0.14], rateChange: { atFraction: 0.5, rates: [0.14, 0.1, 0.1] }, halfLifeSeconds: 15, policy: 'thompson', looks: 10 }, n);
    const after = xs.flatMap((ls) => ls.slice(6));
    const disagree = after.filter((l) => l.shipArm !== null && l.shipArm !== l.armsLeader).length;
    const wrong = after.filter((l) => l.shipArm !== null && l.shipArm !== 'arm0').length;
    say(`Discounted recommendation after a change (half-life 15 s of ~90 s, 1-5 visits, 3000 users, ${n} runs, looks 7-10 = ${after.length} looks): ship names another arm than /arms' leader in ${rate(disagree, after.length).text} of them; ships an arm that is no longer best in ${rate(wrong, after.length).text}; /arms' leader is the new best arm in ${rate(after.filter((l) => l.armsLeader === 'arm0').length, after.length).text}`);
  }

  // The plan's power with returning users (POST /plan's visitsPerUser), simulated with the report's math (validity/plan-power.ts).
  if (part('plan-visits')) {
    const n = runs(2000);
    say(`Plan power, 0.10 -> 0.12, 10% holdback, alpha 0.05, planned 80%, ${n} seeded runs each (report's math, bench/validity/plan-power.ts):`);
    for (const [visits, m] of [[[1, 1], 1], [[1, 5], 3]] as const) {
      const pin = { rewardModel: 'bernoulli' as const, baselineMean: 0.1, effect: 0.02, holdbackShare: 0.1, alpha: 0.05, power: 0.8, varianceFactor: 1 / m };
      const fhU = fixedHorizonPlan(pin).totalUsers;
      const avU = alwaysValidPlan(pin).totalUsers;
      const sc = { holdbackShare: 0.1, rates: [0.1, 0.12] as [number, number], visits: [...visits] as [number, number], alpha: 0.05 };
      const fhP = power({ ...sc, users: fhU, looks: 1 }, n, `plan-fh-${m}`);
      const avP = power({ ...sc, users: avU, looks: 10 }, n, `plan-av-${m}`);
      const pc = (x: { share: number; se: number }) => `${(100 * x.share).toFixed(1)}% ± ${(100 * x.se).toFixed(1)}`;
      say(`  visits ${visits[0]}-${visits[1]} (visitsPerUser ${m}): fixed horizon at its plan (${fhU} users) ${pc(fhP.fixed)}; always valid at its plan (${avU} users) at the last look ${pc(avP.alwaysValidLast)}, at any of 10 looks ${pc(avP.alwaysValidAny)}`);
      if (m > 1) {
        const old = power({ ...sc, users: fixedHorizonPlan({ ...pin, varianceFactor: 1 }).totalUsers, looks: 1 }, n, `plan-old-${m}`);
        say(`    the same visits planned as one reward per user (before visitsPerUser): fixed horizon ${pc(old.fixed)}`);
      }
    }
  }

  // The split check's power: a holdback that gets 11% or 12% of users instead of 10% (pure math on binomial counts).
  if (part('srm-power')) {
    const rng = makeRng('srm-power');
    for (const [share, n] of [[0.11, 20_000], [0.12, 5000], [0.12, 20_000]] as const) {
      const reps = runs(1000);
      let alarms = 0;
      for (let r = 0; r < reps; r++) {
        let h = 0;
        for (let u = 1; u <= n; u++) {
          if (rng() < share) h++;
          if (u % (n / 10) === 0 && sequentialSrm([{ counts: [h, u - h], shares: [10, 90] }]).pValue <= 0.001) { alarms++; break; }
        }
      }
      say(`Split check power: holdback really ${100 * share}% of users (configured 10%), ${n} users, 10 looks, alarm at p <= 0.001 (srmAlpha): ${rate(alarms, reps).text}`);
    }
  }

  // The plug-in regret's bias.
  if (part('regret')) {
  const n6 = runs(200);
  const cps = [100, 1000, 10_000];
  const sums = cps.map(() => ({ est: 0, truth: 0, rel: [] as number[] }));
  for (let r = 0; r < n6; r++) {
    (await regretRun(`rb-${r}`, cps)).forEach(([, est, truth], i) => { sums[i].est += est; sums[i].truth += truth; sums[i].rel.push(est - truth); });
  }
  say(`Plug-in regret vs the true pseudo-regret, Thompson on 0.04/0.05/0.07, ${n6} runs:`);
  cps.forEach((t, i) => {
    const m = sums[i].rel.reduce((a, b) => a + b, 0) / n6;
    const sd = Math.sqrt(sums[i].rel.reduce((a, b) => a + (b - m) ** 2, 0) / (n6 - 1));
    say(`  T=${t}: mean estimate ${(sums[i].est / n6).toFixed(2)}, mean truth ${(sums[i].truth / n6).toFixed(2)}, bias ${m.toFixed(2)} +- ${(sd / Math.sqrt(n6)).toFixed(2)} (${(100 * m / (sums[i].truth / n6)).toFixed(0)}%)`);
  });

  }

  // Issue 22: five declared metrics, ten looks, A/A and a true difference in one metric.
  if (part('signals')) {
    const n = runs(1000);
    const decisions = 2000;
    const aa = [];
    for (let r = 0; r < n; r++) aa.push(await signalRun(`signals-aa-${r}`, decisions, 0));
    say(`Signals A/A: 5 metrics (judge normal, thumbs_up p=0.3, completed p=0.05, latency_s lognormal, tokens normal), ${decisions} decisions (half per arm), 10 looks, ${n} runs:`);
    for (const m of SIGNAL_METRICS) say(`  ${m.name}: always-valid interval excludes 0 at any look: ${rate(aa.filter((x) => x.excludes[m.name]).length, n).text}   (bound 5%)`);
    say(`  any of the 5 established (Bonferroni, family-wise alpha 0.05) at any look: ${rate(aa.filter((x) => Object.keys(x.established).length > 0).length, n).text}   (bound 5%)`);
    const np = runs(300);
    for (const shift of [0.03, 0.05]) {
      const pw = [];
      for (let r = 0; r < np; r++) pw.push(await signalRun(`signals-power-${shift}-${r}`, decisions, shift));
      say(`  power: judge +${shift} (${shift / 0.2} sd) on the arm: established at the last look or before ${rate(pw.filter((x) => x.established.judge).length, np).text}; other metrics established ${rate(pw.filter((x) => Object.keys(x.established).some((k) => k !== 'judge')).length, np).text}`);
    }
  }
  // Issue 22 (B): the same A/A with returning users (1-5 visits each, sticky, a per-user effect on every metric).
  if (part('signals-returning')) {
    const n = runs(1000);
    const decisions = 2000;
    const aa = [];
    for (let r = 0; r < n; r++) aa.push(await signalRun(`signals-ret-aa-${r}`, decisions, 0, true));
    say(`Signals A/A with returning users (1-5 visits, half of each metric's variance between users), ${decisions} decisions, 10 looks, ${n} runs:`);
    for (const m of SIGNAL_METRICS) {
      say(`  ${m.name}: user-level always-valid interval excludes 0 at any look: ${rate(aa.filter((x) => x.excludes[m.name]).length, n).text}   (bound 5%); `
        + `decision-level (for contrast): ${rate(aa.filter((x) => x.excludesPerDecision[m.name]).length, n).text}`);
    }
    say(`  any of the 5 established (Bonferroni, family-wise alpha 0.05) at any look: ${rate(aa.filter((x) => Object.keys(x.established).length > 0).length, n).text}   (bound 5%)`);
    const np = runs(300);
    for (const shift of [0.05, 0.08]) {
      const pw = [];
      for (let r = 0; r < np; r++) pw.push(await signalRun(`signals-ret-power-${shift}-${r}`, decisions, shift, true));
      say(`  power: judge +${shift} (${(shift / 0.2).toFixed(2)} sd) on the arm: established at the last look or before ${rate(pw.filter((x) => x.established.judge).length, np).text}; other metrics established ${rate(pw.filter((x) => Object.keys(x.established).some((k) => k !== 'judge')).length, np).text}`);
    }
  }

  // The store matters: a smaller A/A run on Redis.
  if (process.env.REDIS_URL && part('redis')) {
    const n7 = runs(60);
    let k = 0;
    const redis = await many('aa-redis', { ...AA, users: 1000 }, n7, async () => {
      const store = await connectRedisStore(process.env.REDIS_URL!, { prefix: `validity:${process.pid}:${k++}:` });
      return { store, done: async () => { await store.close(); } };
    });
    const admin = new Redis(process.env.REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `validity:${process.pid}:*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await admin.quit();
    say(`A/A on Redis (REDIS_URL), 1000 users, ${n7} runs: always-valid excludes 0 at any look ${rate(count(redis, anyLook((l) => excludes(l.alwaysValid, 0))), n7).text}; SRM p <= 0.05 at any look ${rate(count(redis, anyLook((l) => l.srmP !== null && l.srmP <= 0.05)), n7).text}; fixed covers 0 at the last look ${rate(count(redis, lastLook((l) => l.fixed !== null && !excludes(l.fixed, 0))), n7).text}`);
  }
}

await main();
