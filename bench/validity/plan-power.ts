/**
 * The power of POST /plan's sizes, simulated with the report's own math (user-level delta-method
 * lift, bandit/user-level.ts; the always-valid confidence sequence, bandit/sequential.ts) on
 * seeded users: each user lands in the holdback with the holdback share, comes `visits` times
 * (uniform on [min, max]) and each visit is rewarded 0/1 at its side's rate. The bandit population
 * is sized as `POST /plan` sizes it: its lift over the holdback (here it serves the treatment
 * rate). Pure math, no service: fast enough for the test suite (test/plan-power.test.ts) and for
 * `npm run bench:validity -- holdback` (part plan-visits).
 */
import { makeRng } from '../../src/bandit/random.js';
import { alwaysValid } from '../../src/bandit/sequential.js';
import { difference, userLevelMean, type UserLevelSums } from '../../src/bandit/user-level.js';

export interface PowerScenario {
  users: number;
  holdbackShare: number;
  rates: [number, number];
  visits: [number, number];
  looks: number;
  alpha: number;
  tuningUsers?: number;
}

export interface PowerRun {
  /** Fixed-horizon p < alpha at the last look. */
  fixed: boolean;
  /** The always-valid interval excludes 0 at the last look / at any look. */
  alwaysValidLast: boolean;
  alwaysValidAny: boolean;
}

const empty = (): UserLevelSums => ({ users: 0, sum: 0, count: 0, sumSq: 0, countSq: 0, cross: 0 });

export function powerRun(s: PowerScenario, seed: string): PowerRun {
  const rng = makeRng(seed);
  const side = [empty(), empty()]; // 0: holdback, 1: bandit population
  const out: PowerRun = { fixed: false, alwaysValidLast: false, alwaysValidAny: false };
  const span = s.visits[1] - s.visits[0] + 1;
  for (let u = 1; u <= s.users; u++) {
    const k = rng() < s.holdbackShare ? 0 : 1;
    const visits = s.visits[0] + Math.floor(rng() * span);
    let S = 0;
    for (let v = 0; v < visits; v++) if (rng() < s.rates[k]) S += 1;
    const t = side[k];
    t.users += 1; t.sum += S; t.count += visits; t.sumSq += S * S; t.countSq += visits * visits; t.cross += S * visits;
    if (u % Math.ceil(s.users / s.looks) !== 0 && u !== s.users) continue;
    const mh = userLevelMean(side[0]);
    const mb = userLevelMean(side[1]);
    if (!mh || !mb) continue;
    const d = difference(mb, mh, 1 - s.alpha);
    const av = alwaysValid(d.diff, d.se * d.se, side[0].users + side[1].users, s.tuningUsers);
    const excludes = av.interval95[0] > 0 || av.interval95[1] < 0;
    out.alwaysValidAny ||= excludes;
    if (u === s.users) {
      out.alwaysValidLast = excludes;
      out.fixed = d.pValue < s.alpha;
    }
  }
  return out;
}

/** Share of `runs` seeded runs with each outcome, and its binomial Monte-Carlo standard error. */
export function power(s: PowerScenario, runs: number, seed: string) {
  let fixed = 0, last = 0, any = 0;
  for (let r = 0; r < runs; r++) {
    const x = powerRun(s, `${seed}-${r}`);
    fixed += +x.fixed; last += +x.alwaysValidLast; any += +x.alwaysValidAny;
  }
  const share = (k: number) => ({ share: k / runs, se: Math.sqrt(Math.max(k * (runs - k), 1) / runs) / runs });
  return { fixed: share(fixed), alwaysValidLast: share(last), alwaysValidAny: share(any) };
}
