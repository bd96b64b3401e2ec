import { describe, expect, it } from 'vitest';
import { addObservation, decayFactor, decayTo, EMPTY_EVIDENCE, evidenceOf, type DecayedEvidence } from '../../src/bandit/discount.js';
import { betaPosterior, normalGammaPosterior, DEFAULT_BETA_PRIOR, DEFAULT_NORMAL_GAMMA_PRIOR } from '../../src/bandit/posterior.js';
import { makeRng } from '../../src/bandit/random.js';

const H = 3600;
const start = (at: number): DecayedEvidence => ({ ...EMPTY_EVIDENCE, at });

/** The decayed sums computed directly from the log: sum_i w_i x_i with w_i = 2^(-(now - t_i) / H). */
function byHand(log: { t: number; r: number; c: number }[], now: number) {
  const w = log.map((o) => 2 ** (-(now - o.t) / H));
  const sum = (f: (o: { r: number; c: number }, i: number) => number) => log.reduce((s, o, i) => s + f(o, i), 0);
  return {
    rewards: sum((_, i) => w[i]), sum: sum((o, i) => w[i] * o.r), sumSq: sum((o, i) => w[i] * o.r * o.r),
    costs: sum((_, i) => w[i]), costSum: sum((o, i) => w[i] * o.c), costSumSq: sum((o, i) => w[i] * o.c * o.c),
  };
}

describe('discounted evidence (decay in wall-clock time)', () => {
  it('halves every half-life and never grows for a clock behind', () => {
    expect(decayFactor(H, H)).toBe(0.5);
    expect(decayFactor(3 * H, H)).toBe(0.125);
    expect(decayFactor(0, H)).toBe(1);
    expect(decayFactor(-50, H)).toBe(1);
    const e = { ...start(1000), rewards: 8, sum: 4, sumSq: 4 };
    expect(decayTo(e, 1000 + 2 * H, H)).toMatchObject({ rewards: 2, sum: 1, sumSq: 1, at: 1000 + 2 * H });
  });

  it('equals the sums computed by hand from the log, whatever order the writes arrive in (two replicas)', () => {
    const rng = makeRng('decay-log');
    const log = Array.from({ length: 300 }, () => ({ t: 1_000_000 + Math.floor(rng() * 10 * H), r: rng() < 0.3 ? 1 : 0, c: rng() * 0.01 }));
    const inOrder = [...log].sort((a, b) => a.t - b.t);
    const shuffled = [...log].sort(() => rng() - 0.5);
    const now = 1_000_000 + 11 * H;
    const apply = (xs: typeof log) => decayTo(xs.reduce((e, o) => addObservation(e, o.t, H, o.r, o.c), start(0)), now, H);
    const expected = byHand(log, now);
    for (const got of [apply(inOrder), apply(shuffled)]) {
      for (const [k, v] of Object.entries(expected)) expect(got[k as keyof typeof expected]).toBeCloseTo(v, 9);
    }
  });

  it('gives posteriors of the prior plus the decayed sums, for both reward models; rewards is the effective sample size', () => {
    let e = start(0);
    for (let i = 0; i < 100; i++) e = addObservation(e, i * 60, H, i % 4 === 0 ? 1 : 0);
    const now = 100 * 60 + H;
    const d = evidenceOf(decayTo(e, now, H));
    const w = Array.from({ length: 100 }, (_, i) => 2 ** (-(now - i * 60) / H));
    const ess = w.reduce((a, b) => a + b, 0);
    expect(d.rewards).toBeCloseTo(ess, 9);
    expect(d.rewards).toBeLessThan(100);
    const b = betaPosterior(DEFAULT_BETA_PRIOR, d);
    const succ = w.filter((_, i) => i % 4 === 0).reduce((a, x) => a + x, 0);
    expect(b.alpha).toBeCloseTo(1 + succ, 9);
    expect(b.beta).toBeCloseTo(1 + ess - succ, 9);
    const g = normalGammaPosterior(DEFAULT_NORMAL_GAMMA_PRIOR, d);
    expect(g.lambda).toBeCloseTo(DEFAULT_NORMAL_GAMMA_PRIOR.lambda + ess, 9);
    expect(g.alpha).toBeCloseTo(DEFAULT_NORMAL_GAMMA_PRIOR.alpha + ess / 2, 9);
  });

  it('lets old evidence fade back to the prior', () => {
    let e = start(0);
    for (let i = 0; i < 1000; i++) e = addObservation(e, 0, H, 1);
    const late = evidenceOf(decayTo(e, 40 * H, H));
    const b = betaPosterior(DEFAULT_BETA_PRIOR, late);
    expect(b.alpha).toBeCloseTo(1, 6);
    expect(b.beta).toBeCloseTo(1, 6);
  });
});
