import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { BucketHistogram } from '../../src/observability/histogram.js';

describe('BucketHistogram', () => {
  it('exposes exactly what prom-client\'s Histogram exposes for the same observations', async () => {
    const bounds = [0.0001, 0.001, 0.01, 0.1];
    const ours = new Registry();
    const theirs = new Registry();
    const h = new BucketHistogram('x_seconds', 'help text', ['op'], bounds, ours);
    const p = new Histogram({ name: 'x_seconds', help: 'help text', labelNames: ['op'], buckets: bounds, registers: [theirs] });
    const values = [0, 0.0001, 0.00011, 0.001, 0.005, 0.01, 0.2, 3, 0.05, 0.00005];
    for (const [i, v] of values.entries()) {
      const op = i % 3 === 0 ? 'read' : 'write';
      h.series(op).observe(v);
      p.observe({ op }, v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
