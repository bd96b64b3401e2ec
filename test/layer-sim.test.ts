/** Issue 21: bench/validity/layer-sim.ts at test size (20,000 users; the 1,000,000-user run is in bench/RESULTS.md). */
import { describe, expect, it } from 'vitest';
import { simulateLayer } from '../bench/validity/layer-sim.js';

describe('5 experiments in one layer, ranges grown mid-run', () => {
  it('no user in two, none moved by the growth, each share within 3 standard errors of its range', async () => {
    const r = await simulateLayer(20_000, 'layers');
    expect(r.inTwo).toBe(0);
    expect(r.moved).toBe(0);
    for (const c of [...r.before, ...r.grown]) expect(Math.abs(c.z), `${c.experimentId} ${c.range}`).toBeLessThanOrEqual(3);
    // The shares are the ranges': 70% of the buckets before the growth, every bucket after.
    expect(r.grown.reduce((s, c) => s + c.share, 0)).toBe(1);
    expect(r.before.reduce((s, c) => s + c.users, 0) / 10_000).toBeCloseTo(0.7, 1);
  }, 60_000);
});
