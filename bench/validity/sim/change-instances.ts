/**
 * The change-detection instances of the regret benchmark (issue 24, bench/validity/regret-changes.ts): the
 * drift instances and today's stationary instances of the engine work, and a "many changes"
 * instance like problem 5 of Besson et al. (JMLR 2022): the changes are many and the best arm is
 * rarely among them. One decision per simulated second.
 */
import { DEFAULT_FALSE_ALARM_RATE } from '../../../src/bandit/glr.js';
import { ABRUPT, DRIFT, STATIONARY, type EngineInstance, type EngineVariant } from './engine-instances.js';

const T_MANY = 20_000;
const SEGMENT = 500;
/** The two other arms' means, segment by segment (a cycle of four), always below the best arm's. */
const CYCLE_1 = [0.05, 0.08, 0.02, 0.07];
const CYCLE_2 = [0.03, 0.06, 0.085, 0.01];

/**
 * Three Bernoulli arms, T = 20,000: arm 0 is the best throughout (0.10, then 0.12 from T/2: one
 * change that leaves it best); arms 1 and 2 change every 500 decisions (39 changes each) between
 * 0.01 and 0.085. 79 changes, one of them on the best arm, none altering which arm is best.
 */
export const MANY: EngineInstance = {
  key: 'many', title: 'many changes: 3 arms, 79 changes every 500 decisions, the best arm (0.10 -> 0.12 at T/2) never overtaken',
  model: 'bernoulli', horizon: T_MANY, reps: 200, costs: [0, 0, 0], sd: 0, lambda: 0,
  means: (t) => {
    const seg = Math.floor(t / SEGMENT) % CYCLE_1.length;
    return [t < T_MANY / 2 ? 0.1 : 0.12, CYCLE_1[seg], CYCLE_2[seg]];
  },
};

/** Instances whose means never change: every detection on them is a false alarm. */
export const STATIONARY_KEYS = new Set(STATIONARY.map((i) => i.key));

const v = (label: string, o: Partial<EngineVariant> = {}): EngineVariant => ({
  label, policy: 'thompson', halfLifeSeconds: Infinity, costWeight: 0, minArmShare: 0, batch: 1, sharedPolicySeed: true, ...o,
});

const GLR = (always: boolean, o: { firstRule?: boolean; keepOthers?: boolean } = {}) => ({ changeDetection: { falseAlarmRate: DEFAULT_FALSE_ALARM_RATE, always, ...o } });

/** The variants, each GLR one with the index of the variant without the detector it is compared with (`base`). */
export const CHANGE_VARIANTS: (EngineVariant & { base?: number })[] = [
  v('Thompson'),
  { ...v('Thompson + GLR, ranking rule', GLR(false)), base: 0 },
  { ...v('Thompson + GLR, every detection restarts', GLR(true)), base: 0 },
  v('UCB', { policy: 'ucb' }),
  { ...v('UCB + GLR, ranking rule', { policy: 'ucb', ...GLR(false) }), base: 3 },
  v('Thompson, delayed 100', { batch: 100 }),
  { ...v('Thompson + GLR, ranking rule, delayed 100', { batch: 100, ...GLR(false) }), base: 5 },
  // What each part of the rule buys: the first rule (split test alone, only the detected arm
  // restarts), and the trend test without restarting the other arms.
  { ...v('Thompson + split test only (the first rule)', GLR(false, { firstRule: true })), base: 0 },
  { ...v('Thompson + GLR and trend, only the detected arm restarts', GLR(false, { keepOthers: true })), base: 0 },
];
/** The variant the targets are read on: the service's default policy with the ranking rule. */
export const TARGET_VARIANT = 1;

export const CHANGE_RUNS: { instance: EngineInstance; variants: EngineVariant[] }[] = [ABRUPT, DRIFT, ...STATIONARY, MANY]
  .map((instance) => ({ instance, variants: CHANGE_VARIANTS }));
