import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../src/store/bounded-map.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { AssignInput } from '../src/store/store.js';
import type { ExperimentConfig } from '../src/contract/domain.js';

describe('BoundedMap (the embedded store\'s sticky users)', () => {
  it('keeps at most cap entries, forgetting the least recently used first', () => {
    const m = new BoundedMap<string, number>(3);
    m.set('a', 1).set('b', 2).set('c', 3);
    expect(m.get('a')).toBe(1); // a is now the most recent
    m.set('d', 4);
    expect([...m.keys()]).toEqual(['c', 'a', 'd']);
    m.set('c', 30); // an update refreshes, evicts nothing
    expect(m.size).toBe(3);
    expect([...m.entries()]).toEqual([['a', 1], ['d', 4], ['c', 30]]);
  });

  it('moves a read entry only once the map is half full (below that, nothing is evicted for cap/2 inserts)', () => {
    const m = new BoundedMap<string, number>(6);
    m.set('a', 1).set('b', 2);
    expect(m.get('a')).toBe(1); // 2 of 6: stays where it was
    expect([...m.keys()]).toEqual(['a', 'b']);
    m.set('c', 3);
    expect(m.get('a')).toBe(1); // 3 of 6: half full, moved
    expect([...m.keys()]).toEqual(['b', 'c', 'a']);
    m.set('d', 4).set('e', 5).set('f', 6).set('g', 7);
    expect([...m.keys()]).toEqual(['c', 'a', 'd', 'e', 'f', 'g']); // b, the least recently used, went first
  });

  it('bounds the sticky users of an experiment; an evicted user is assigned afresh', async () => {
    const iso = '2026-06-01T00:00:00Z';
    const config: ExperimentConfig = {
      id: 'e', arms: [{ id: 'a' }, { id: 'b' }], baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 }, policy: 'thompson',
      holdbackPercent: 0, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 3600, rewardWindowSeconds: 3600, guardrails: null,
      endsAt: null, seed: null, status: 'active', createdAt: iso, updatedAt: iso,
    };
    const store = new MemoryStore(100);
    await store.createExperiment(config);
    const assign = (userId: string, armId: string): Promise<unknown> => store.assign({
      experimentId: 'e', version: 1, population: 'b', armId, propensity: 0.5, userId, sticky: true, stickyTtlSeconds: 3600, now: 1000, withStats: false,
      log: { nonce: `n-${userId}`, nowMs: 1_000_000, disabledArms: '', retentionSeconds: 3600 },
    } satisfies AssignInput);
    await assign('first', 'b');
    expect(await assign('first', 'a')).toMatchObject({ armId: 'b', sticky: true });
    for (let i = 0; i < 100; i++) await assign(`u${i}`, 'a');
    expect(await assign('first', 'a')).toMatchObject({ armId: 'a', sticky: false }); // evicted, assigned afresh
  });
});
