import { describe, expect, it } from 'vitest';
import {
  BLOCK, MAX_BLOCKS, bernoulliKl, emptyGlrState, glrStatistic, glrThreshold, observe, restartsEvidence, sumOf, trendStatistic,
  trendThreshold, type Detection, type GlrModel, type GlrState,
} from '../../src/bandit/glr.js';
import { makeRng, sampleNormal } from '../../src/bandit/random.js';

/** Feeds rewards at decision times 0, 1, 2, ...; returns the detections with the index of the reward that triggered each. */
function feed(model: GlrModel, delta: number, rewards: readonly number[]): { state: GlrState; found: { i: number; d: Detection }[] } {
  let state = emptyGlrState();
  const found: { i: number; d: Detection }[] = [];
  rewards.forEach((r, i) => {
    const o = observe(state, model, delta, r, i);
    state = o.state;
    if (o.detection) found.push({ i, d: o.detection });
  });
  return { state, found };
}

/** The GLR of every split of the full history, recomputed from the rewards (no blocks, no bound). */
function bruteForceMax(model: GlrModel, xs: readonly number[]): { g: number; s: number } {
  let best = { g: -Infinity, s: 0 };
  for (let s = BLOCK; s <= xs.length - BLOCK; s += BLOCK) {
    const seg = (a: readonly number[]) => ({ n: a.length, s: a.reduce((x, y) => x + y, 0), q: a.reduce((x, y) => x + y * y, 0), t: 0 });
    const g = glrStatistic(model, seg(xs.slice(0, s)), seg(xs.slice(s)));
    if (g > best.g) best = { g, s };
  }
  return best;
}

describe('GLR change detection (Besson et al. 2022)', () => {
  it('kl and the threshold have their textbook values', () => {
    expect(bernoulliKl(0.5, 0.5)).toBe(0);
    expect(bernoulliKl(1, 0.5)).toBeCloseTo(Math.log(2), 12);
    expect(bernoulliKl(0.1, 0.2)).toBeCloseTo(0.1 * Math.log(0.5) + 0.9 * Math.log(0.9 / 0.8), 12);
    expect(glrThreshold(100, 0.01)).toBeCloseTo(Math.log(3 * 1000 / 0.01), 12);
  });

  it('finds an abrupt Bernoulli change at the block where it happened and keeps only what follows', () => {
    const rng = makeRng('glr-abrupt');
    const xs = Array.from({ length: 3000 }, (_, i) => (rng() < (i < 1500 ? 0.5 : 0.1) ? 1 : 0));
    const { found, state } = feed('bernoulli', 0.001, xs);
    expect(found.length).toBe(1);
    const { i, d } = found[0];
    expect(i).toBeGreaterThan(1500);
    expect(i).toBeLessThan(1600);
    expect(Math.abs(d.at - 1500)).toBeLessThanOrEqual(3 * BLOCK);
    expect(d.before.s / d.before.n).toBeGreaterThan(0.4);
    expect(d.after.s / d.after.n).toBeLessThan(0.2);
    expect(d.statistic).toBeGreaterThan(d.threshold);
    // After the restart the detector holds the post-change rewards only.
    expect(sumOf(state.blocks).n).toBe(xs.length - d.at);
  });

  it('finds a Gaussian mean shift whatever the scale', () => {
    for (const scale of [0.01, 1, 1000]) {
      const rng = makeRng(`glr-gauss-${scale}`);
      const xs = Array.from({ length: 2000 }, (_, i) => scale * ((i < 1000 ? 0 : 0.5) + sampleNormal(rng)));
      const { found } = feed('gaussian', 0.001, xs);
      expect(found.length).toBe(1);
      expect(Math.abs(found[0].d.at - 1000)).toBeLessThanOrEqual(5 * BLOCK);
    }
  });

  it('the incremental statistic equals the brute-force maximum over every block boundary while the history fits the window', () => {
    const rng = makeRng('glr-brute');
    const xs = Array.from({ length: 1200 }, (_, i) => (rng() < (i < 700 ? 0.3 : 0.22) ? 1 : 0));
    let state = emptyGlrState();
    for (let i = 0; i < xs.length; i++) {
      const o = observe(state, 'bernoulli', 1e-300, xs[i], i); // a threshold nothing crosses: the state keeps everything
      state = o.state;
      expect(o.detection).toBeNull();
    }
    expect(sumOf(state.blocks).n).toBe(xs.length);
    // With a delta so large that the first check crosses, the maximiser and its value are reported.
    const again = feed('bernoulli', 1e9, xs.slice(0, 1200));
    const first = again.found[0];
    const ref = bruteForceMax('bernoulli', xs.slice(0, first.i + 1));
    expect(first.d.statistic).toBeCloseTo(ref.g, 9);
    expect(first.d.at).toBe(ref.s);
  });

  it('keeps bounded state: at most MAX_BLOCKS segments, the newest ones single blocks, whatever the length of a stationary stream', () => {
    const rng = makeRng('glr-bounded');
    const xs = Array.from({ length: 30_000 }, () => (rng() < 0.1 ? 1 : 0));
    const { state, found } = feed('bernoulli', 0.001, xs);
    expect(found).toEqual([]);
    expect(state.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    expect(sumOf(state.blocks).n).toBe(30_000);
    // Geometric with age: the recent segments are single blocks, the oldest ones far larger.
    expect(state.blocks.slice(-20).every((b) => b.n === BLOCK)).toBe(true);
    expect(state.blocks[0].n).toBeGreaterThan(20 * BLOCK);
  });

  it('the trend statistic is the regression of the rewards on their segment\'s middle rank, (n / 2) ln(S0 / S1)', () => {
    const rng = makeRng('glr-trend-brute');
    const xs = Array.from({ length: 4000 }, (_, i) => 2 + 0.0003 * i + sampleNormal(rng));
    const { state } = feed('gaussian', 1e-300, xs);
    // Brute force: every reward at its block's middle rank, the least-squares line against the mean.
    const rank: number[] = [];
    let at = 0;
    for (const b of state.blocks) { for (let k = 0; k < b.n; k++) rank.push(at + b.n / 2); at += b.n; }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const mx = mean(rank);
    const my = mean(xs);
    const sxx = rank.reduce((a, r) => a + (r - mx) ** 2, 0);
    const sxy = rank.reduce((a, r, i) => a + (r - mx) * (xs[i] - my), 0);
    const s0 = xs.reduce((a, x) => a + (x - my) ** 2, 0);
    const got = trendStatistic(state.blocks, sumOf(state.blocks));
    expect(got.slope).toBeCloseTo(sxy / sxx, 9);
    expect(got.statistic).toBeCloseTo((xs.length / 2) * Math.log(s0 / (s0 - (sxy * sxy) / sxx)), 6);
    expect(trendThreshold(1000, 0.001)).toBeCloseTo(Math.log((2 * Math.log(1000)) / 0.001), 12);
  });

  it('sees a slow drift by its trend (delta / 2) where the split test does not, and restarts at the middle of the history', () => {
    const rng = makeRng('glr-drift');
    const xs = Array.from({ length: 20_000 }, (_, i) => (rng() < 0.1 - (0.05 * i) / 20_000 ? 1 : 0));
    const { found } = feed('bernoulli', 0.001, xs);
    expect(found.length).toBeGreaterThan(0);
    const { i, d } = found[0];
    expect(d.threshold).toBeCloseTo(trendThreshold(i + 1, 0.0005), 12);
    expect(d.statistic).toBeGreaterThan(d.threshold);
    expect(bruteForceMax('bernoulli', xs.slice(0, i + 1)).g).toBeLessThan(glrThreshold(i + 1, 0.0005));
    // The first segment boundary with at least half the rewards before it (segments there are merged, a few blocks long).
    expect(d.at).toBeGreaterThanOrEqual((i + 1) / 2);
    expect(d.at - (i + 1) / 2).toBeLessThan(0.01 * (i + 1));
    expect(d.before.s / d.before.n).toBeGreaterThan(d.after.s / d.after.n);
  });

  it('ranking rule: a fall of the leader or a rise of another arm restarts; the other two do not (always: every one)', () => {
    const seg = (n: number, s: number) => ({ n, s, q: s, t: 0 });
    const fall: Detection = { at: 0, before: seg(100, 50), after: seg(100, 10), statistic: 1, threshold: 0 };
    const rise: Detection = { ...fall, before: seg(100, 10), after: seg(100, 50) };
    expect([restartsEvidence(fall, true), restartsEvidence(rise, true), restartsEvidence(fall, false), restartsEvidence(rise, false)])
      .toEqual([true, false, false, true]);
    expect([restartsEvidence(rise, true, true), restartsEvidence(fall, false, true)]).toEqual([true, true]);
  });
});
