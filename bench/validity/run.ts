/**
 * bench:validity, whether the statistics hold: the holdback analysis on seeded traffic, the regret
 * tables (learning, engine settings, half-life frontier, change detection, contextual policies) on
 * the simulators of bench/validity/sim/, off-policy coverage, layers, and the independent references
 * of bench/validity/reference/. Every figure with its Monte-Carlo error. `npm run bench:validity -- --help`.
 */
import { main, type Part } from '../runner.js';

const REGRET = 'validity/regret.ts';
const reps = 'REPS, WORKERS (default 2)';
export const PARTS: Part[] = [
  { name: 'holdback', script: 'validity/holdback.ts', heavy: true, about: 'the holdback analysis: A/A, SRM, power, plan, revenue, hurdle, signals... (issues 8, 22)',
    settings: 'SCALE (0.1 for a quick look), ONLY=aa,srm-power,... (the parts), REDIS_URL', smoke: { env: { SCALE: '0.01', ONLY: 'aa' } } },
  { name: 'regret', script: REGRET, env: { PART: 'classic' }, heavy: true, about: 'Thompson and UCB regret on the standard instances vs numpy references and Lai-Robbins',
    settings: reps, smoke: { env: { REPS: '2' } } },
  { name: 'regret-engine', script: REGRET, env: { PART: 'engine' }, heavy: true, about: 'discount, cost-aware and exploration-floor regret (issue 11)', settings: reps, smoke: { env: { REPS: '1' } } },
  { name: 'frontier', script: REGRET, env: { PART: 'frontier' }, heavy: true, about: "discounted Thompson's half-life frontier (issue 11)", settings: reps, smoke: { env: { REPS: '1' } } },
  { name: 'changes', script: REGRET, env: { PART: 'changes' }, heavy: true, about: 'GLR change detection vs plain Thompson, and its false alarms (issue 24)', settings: reps,
    smoke: { env: { REPS: '1' } } },
  { name: 'linear', script: REGRET, env: { PART: 'linear' }, heavy: true, about: 'contextual policies vs Thompson and a numpy LinTS (issue 23)', settings: reps,
    // REPS=2: the numpy reference prints NaN for a standard error of one repetition, which JSON.parse refuses.
    smoke: { env: { REPS: '2' } } },
  { name: 'ope', script: 'validity/ope-coverage.ts', heavy: true, about: 'off-policy interval coverage of IPS, SNIPS, DR by arm rank',
    settings: 'RUNS, USERS, POLICY, RATE_LOW, RATE_SPAN, MIN_ARM_SHARE', smoke: { env: { RUNS: '10' } } },
  { name: 'layers', script: 'validity/layer-sim.ts', about: "layer ranges: no user in two experiments, shares within 3 SE, nobody moved (issue 21)",
    settings: 'args: [users=1000000] [layer]', smoke: { args: ['5000'] } },
  { name: 'linear-swap', script: 'validity/regret-linear-swap.ts', heavy: true, about: 'linear-thompson with changeDetection vs without: two arms swap coefficients at T/2, and stationary (issue 24)',
    settings: 'REPS (default 40)', smoke: { env: { REPS: '2' } } },
  { name: 'trend-calibration', script: 'validity/trend-calibration.ts', about: "the trend test's null distribution on stationary streams: its threshold's calibration (issue 24)",
    settings: 'STREAMS, LENGTH', smoke: { env: { STREAMS: '3', LENGTH: '2000' } } },
  { name: 'reference-glr', script: 'validity/reference/glr_reference.mjs', notInAll: true, about: 'independent GLR reference of the changes table (plain JS, prints JSON)',
    settings: 'args: [reps] [delta]', smoke: { args: ['1'] } },
  { name: 'reference-engine', script: 'validity/reference/engine_reference.py', python: true, notInAll: true, about: 'independent numpy reference of the regret-engine table',
    settings: 'args: [reps] [half-life] | stationary [reps] [half-lives]', smoke: { args: ['1'] } },
];

if (import.meta.url === `file://${process.argv[1]}`) main('validity', PARTS);
