/**
 * Per-arm change detection by the generalized likelihood ratio test (GLR), run incrementally on
 * bounded state (issue 24; contract: `changeDetection: {"method": "glr", "falseAlarmRate": p}`).
 *
 * Method: Besson, Kaufmann, Maillard and Seznec, "Efficient change-point detection for tackling
 * piecewise-stationary bandits" (JMLR 23, 2022): on an arm's rewards x_1..x_n since its last
 * restart, a change is declared when
 *
 *   max_s  GLR(s) > beta(n, delta) = ln(3 n^{3/2} / delta)
 *
 * with, for Bernoulli rewards (their Bernoulli GLR), GLR(s) = s kl(mu_{1:s}, mu_{1:n})
 * + (n - s) kl(mu_{s+1:n}, mu_{1:n}) (kl the Bernoulli relative entropy). Their GLR-klUCB checks
 * every Delta_n samples and tries every Delta_s-th split; so does this file (both = BLOCK).
 *
 * Normal rewards: the service's normal model has an unknown variance (Normal-Gamma), so the test
 * is the exact Gaussian GLR for a mean shift with an unknown common variance,
 * GLR(s) = (n / 2) ln(S0 / S1), S0 the sum of squares about the overall mean and S1 the pooled
 * within-segment sum of squares. It is scale-free (the known-variance statistic
 * s (n - s) / n (mean difference)^2 / (2 sigma^2) needs a sigma the service does not have), and
 * under no change it has the same chi-square(1) / 2 limit per split as the Bernoulli one, so the
 * same threshold applies; its tails are heavier for small segments, hence the minimum of one
 * BLOCK on each side. The false-alarm rate measured for both is in bench/RESULTS.md.
 *
 * Bounded state: the arm's rewards since its last restart are kept as sums (count, sum, sum of
 * squares, first decision time) of at most MAX_BLOCKS segments, oldest first. Rewards enter in
 * blocks of BLOCK; when there are more than MAX_BLOCKS, the two adjacent segments whose merged
 * count is smallest relative to the number of rewards after them are merged (the older pair on a
 * tie), so the segments grow roughly geometrically with age, as the buckets of ADWIN (Bifet and
 * Gavalda, "Learning from time-changing data with adaptive windowing", SDM 2007). The statistic
 * over a split needs only sums, so no reward's weight is ever lost to the test; what the bound
 * costs is where a split may be placed: exactly (every BLOCK) among the recent rewards, at a
 * resolution that is a fixed fraction of the age further back. bench:validity -- changes
 * measures it against a reference that keeps every reward.
 *
 * A second test, for slow drift: the GLR of a linear trend in the reward's rank against a constant
 * mean (`trendStatistic`), which the split test sees late (a drift of 0.05 over 20,000 rewards
 * gives a best split of about 9 where beta is about 22). One fixed alternative, no maximum over
 * splits, so its threshold needs no union over them: ln(2 ln(n) / delta'), calibrated by
 * simulation (bench/validity/trend-calibration.ts: P(max over a stationary stream of GLR - ln ln n > x) is
 * about 3-7 e^-x; the detector's measured chance of any false alarm in 100,000 rewards is 1.1-1.3
 * delta). delta is split between the two tests (Bonferroni, delta / 2 each).
 */
import { DEFAULT_FALSE_ALARM_RATE } from '../contract/engine.js';
import type { RewardModel } from '../contract/experiment.js';

/** Rewards per block: the test runs when a block fills (Delta_n), and splits fall on block boundaries (Delta_s). */
export const BLOCK = 10;
/** Segments kept per arm (6.4 KB as the packed doubles of src/store/lua/glr.lua). */
export const MAX_BLOCKS = 200;
/**
 * The documented default `falseAlarmRate` (delta; contract/engine.ts): nominally P(any false alarm)
 * on a stationary arm. The guarantee of Besson et al. holds for their larger theoretical threshold;
 * the one used here is the threshold of their experiments, and its measured false alarms are in
 * bench/RESULTS.md.
 */
export { DEFAULT_FALSE_ALARM_RATE };

/** Which statistic: the Bernoulli GLR, or the Gaussian one (unknown variance) for `gaussian` rewards. */
export type GlrModel = RewardModel;

/** Sums of a run of rewards; `t`: the earliest decision time (unix seconds) in its block, of its oldest block once merged. */
export interface Segment {
  n: number;
  s: number;
  q: number;
  t: number;
}

/** The detector of one arm. `blocks` are oldest first; the last one may be open (n < BLOCK). Plain data: it serialises as is. */
export interface GlrState {
  blocks: Segment[];
}

export interface Detection {
  /** Decision time of the first reward after the change (the start of the post-change segment). */
  at: number;
  /** Rewards before and after the split, and their means. */
  before: Segment;
  after: Segment;
  statistic: number;
  threshold: number;
}

const empty = (t = 0): Segment => ({ n: 0, s: 0, q: 0, t });
export const emptyGlrState = (): GlrState => ({ blocks: [] });

const add = (a: Segment, b: Segment): Segment => ({ n: a.n + b.n, s: a.s + b.s, q: a.q + b.q, t: a.n > 0 ? a.t : b.t });
export const sumOf = (segs: readonly Segment[]): Segment => segs.reduce(add, empty());

/** beta(n, delta) = ln(3 n^{3/2} / delta) (Besson et al. 2022, the threshold of their experiments). */
export function glrThreshold(n: number, delta: number): number {
  return Math.log((3 * n * Math.sqrt(n)) / delta);
}

/** The trend test's threshold ln(2 ln(n) / delta) (calibrated: see the header). */
export function trendThreshold(n: number, delta: number): number {
  return Math.log((2 * Math.log(n)) / delta);
}

/** Bernoulli relative entropy kl(p, q), with 0 ln 0 = 0 and q kept inside (0, 1). */
export function bernoulliKl(p: number, q: number): number {
  const e = 1e-15;
  const qq = Math.min(Math.max(q, e), 1 - e);
  let k = 0;
  if (p > 0) k += p * Math.log(p / qq);
  if (p < 1) k += (1 - p) * Math.log((1 - p) / (1 - qq));
  return k;
}

const centred = (x: Segment): number => Math.max(0, x.q - (x.s * x.s) / x.n);

/** GLR(s) of the split of `all` into `a` (before) and `b` (after); both non-empty. */
export function glrStatistic(model: GlrModel, a: Segment, b: Segment): number {
  const all = add(a, b);
  if (model === 'bernoulli') {
    const m = all.s / all.n;
    return a.n * bernoulliKl(a.s / a.n, m) + b.n * bernoulliKl(b.s / b.n, m);
  }
  const s0 = centred(all);
  if (s0 <= 0) return 0;
  // Equal rewards within each side but different means: a certain change, kept finite.
  const s1 = Math.max(centred(a) + centred(b), s0 * 1e-12);
  return (all.n / 2) * Math.log(s0 / s1);
}

/**
 * The GLR of a linear trend in the rewards' rank against a constant mean, on the segments'
 * sums: each reward placed at its segment's middle rank (the regression on grouped data), the
 * Gaussian likelihood with an unknown variance, (n / 2) ln(S0 / S1), S1 = S0 - Sxy^2 / Sxx
 * the residual sum of squares of the fitted line. For 0/1 rewards it is the score test of a
 * slope (S0 / n = p(1 - p)). `slope`: Sxy / Sxx, the change of the mean per reward.
 */
export function trendStatistic(blocks: readonly Segment[], total: Segment): { statistic: number; slope: number } {
  let before = 0;
  let sxx = 0;
  let sxy = 0;
  for (const b of blocks) {
    const d = before + b.n / 2 - total.n / 2;
    sxx += b.n * d * d;
    sxy += d * b.s;
    before += b.n;
  }
  const s0 = centred(total);
  if (s0 <= 0 || sxx <= 0) return { statistic: 0, slope: 0 };
  const s1 = Math.max(s0 - (sxy * sxy) / sxx, s0 * 1e-12);
  return { statistic: (total.n / 2) * Math.log(s0 / s1), slope: sxy / sxx };
}

/**
 * The trend test, when the split test found nothing: on a detection the change point is the
 * middle of the history (the first boundary with at least half the rewards before it), where the
 * fitted line crosses the overall mean, and the halves' means give the direction.
 */
function testForTrend(blocks: readonly Segment[], total: Segment, delta: number): Detection | null {
  if (total.n < 2 * BLOCK) return null;
  const threshold = trendThreshold(total.n, delta / 2);
  const { statistic } = trendStatistic(blocks, total);
  if (!(statistic > threshold)) return null;
  let before = empty();
  let j = 0;
  while (2 * before.n < total.n) before = add(before, blocks[j++]);
  const after = { n: total.n - before.n, s: total.s - before.s, q: total.q - before.q, t: blocks[j].t };
  return { at: after.t, before, after, statistic, threshold };
}

/**
 * When the newest block has just filled: the largest GLR over the segment boundaries (splits
 * leave at least one full block on each side) against its threshold at delta / 2, then the trend
 * test at delta / 2. Null when neither fires. `trend` false: the split test alone at delta (the
 * first rule, kept for bench:validity's comparison).
 */
export function testForChange(state: GlrState, model: GlrModel, delta: number, trend = true): Detection | null {
  const { blocks } = state;
  const total = sumOf(blocks);
  const threshold = glrThreshold(total.n, trend ? delta / 2 : delta);
  let best: Detection | null = null;
  let before = empty();
  for (let j = 0; j < blocks.length; j++) {
    if (before.n >= BLOCK) {
      const after = { n: total.n - before.n, s: total.s - before.s, q: total.q - before.q, t: blocks[j].t };
      const g = glrStatistic(model, before, after);
      if (g > threshold && (best === null || g > best.statistic)) best = { at: after.t, before, after, statistic: g, threshold };
    }
    before = add(before, blocks[j]);
  }
  return best ?? (trend ? testForTrend(blocks, total, delta) : null);
}

/**
 * Adds one reward made at decision time `t` (the state is not modified; a new one is returned).
 * When the reward fills a block, the test runs; on a detection the returned state keeps only the
 * rewards after the change (the detector restarts there, whatever the policy does with it).
 */
export function observe(state: GlrState, model: GlrModel, delta: number, reward: number, t: number, trend = true): { state: GlrState; detection: Detection | null } {
  const blocks = state.blocks.slice();
  const last = blocks[blocks.length - 1];
  if (last === undefined || last.n >= BLOCK) blocks.push({ n: 1, s: reward, q: reward * reward, t });
  else blocks[blocks.length - 1] = { n: last.n + 1, s: last.s + reward, q: last.q + reward * reward, t: Math.min(last.t, t) };
  const newest = blocks[blocks.length - 1];
  if (newest.n < BLOCK) return { state: { blocks }, detection: null };
  if (blocks.length > MAX_BLOCKS) mergeOnePair(blocks);
  const detection = testForChange({ blocks }, model, delta, trend);
  if (detection === null) return { state: { blocks }, detection };
  return { state: { blocks: blocks.slice(splitIndex(blocks, detection)) }, detection };
}

/**
 * Merges, in place, the adjacent pair j, j + 1 (the newest block excluded) with the smallest
 * (n_j + n_j+1) / (rewards after j + 1); the older on a tie.
 */
function mergeOnePair(blocks: Segment[]): void {
  let after = blocks[blocks.length - 1].n;
  let best = -1;
  let bestCost = Infinity;
  for (let j = blocks.length - 3; j >= 0; j--) {
    const cost = (blocks[j].n + blocks[j + 1].n) / after;
    if (cost <= bestCost) { best = j; bestCost = cost; }
    after += blocks[j + 1].n;
  }
  blocks.splice(best, 2, add(blocks[best], blocks[best + 1]));
}

/** Index of the first post-change block (the one whose suffix sums to `after.n`). */
function splitIndex(blocks: readonly Segment[], d: Detection): number {
  let n = 0;
  for (let j = blocks.length - 1; j >= 0; j--) {
    n += blocks[j].n;
    if (n === d.after.n) return j;
  }
  return 0;
}

/**
 * Whether a detected change restarts the arm's evidence (the "ranking rule"): only a change that
 * could alter which arm is best does, that is a fall of the arm that leads now (highest mean of
 * the evidence the policy uses) or a rise of any other arm. A rise of the leader or a fall of an
 * arm that does not lead leaves the best arm where it is; restarting there would only buy
 * exploration of an arm that does not need it (the cost the literature pays on its problem 5).
 * With `always`, every detection restarts (GLR-klUCB's local restart).
 */
export function restartsEvidence(d: Detection, isLeader: boolean, always = false): boolean {
  if (always) return true;
  const rose = d.after.s / d.after.n > d.before.s / d.before.n;
  return isLeader ? !rose : rose;
}
