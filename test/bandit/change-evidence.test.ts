import { describe, expect, it } from 'vitest';
import { emptyArmChangeState, recordForChanges, type ArmChangeState } from '../../src/bandit/change-evidence.js';
import { makeRng } from '../../src/bandit/random.js';

/** Feeds Bernoulli rewards of mean p(i) decided at time i, the arm leading throughout. */
function run(n: number, p: (i: number) => number, seed: string, leader = true): { s: ArmChangeState; restartedAt: number[] } {
  const rng = makeRng(seed);
  let s = emptyArmChangeState();
  const restartedAt: number[] = [];
  for (let i = 0; i < n; i++) {
    const step = recordForChanges(s, 'bernoulli', 0.001, rng() < p(i) ? 1 : 0, i, 1_000_000 + i, leader);
    s = step.state;
    if (step.restarted) restartedAt.push(i);
  }
  return { s, restartedAt };
}

describe('change bookkeeping of one arm (the stores\' rule)', () => {
  it('a fall of the leader restarts its evidence from the change point; the change is listed newest first', () => {
    const { s, restartedAt } = run(4000, (i) => (i < 2000 ? 0.5 : 0.2), 'ce-fall');
    expect(restartedAt.length).toBe(1);
    expect(s.changes.length).toBe(1);
    const [c] = s.changes;
    // The split is the GLR's estimate: near the change, not on it (80 early with this seed).
    expect(Math.abs(c.at - 2000)).toBeLessThanOrEqual(100);
    expect(c.detectedAt).toBe(1_000_000 + restartedAt[0]);
    expect(s.evidenceFrom).toBe(c.at);
    expect(s.since.rewards).toBe(4000 - c.at);
    expect(s.since.sum / s.since.rewards).toBeLessThan(0.25);
  });

  it('a rise of the leader is listed but does not restart its evidence', () => {
    const { s, restartedAt } = run(4000, (i) => (i < 2000 ? 0.2 : 0.5), 'ce-rise');
    expect(s.changes.length).toBe(1);
    expect(restartedAt).toEqual([]);
    expect(s.since.rewards).toBe(4000);
    expect(s.testFrom).toBe(s.changes[0].at);
  });

  it('a late reward decided before the change counts in neither the new evidence nor the test', () => {
    const { s } = run(4000, (i) => (i < 2000 ? 0.5 : 0.2), 'ce-late');
    const late = recordForChanges(s, 'bernoulli', 0.001, 1, s.changes[0].at - 1, 2_000_000, true);
    expect(late.state.since).toEqual(s.since);
    expect(late.state.glr).toEqual(s.glr);
    const fresh = recordForChanges(s, 'bernoulli', 0.001, 1, 4000, 2_000_000, true);
    expect(fresh.state.since.rewards).toBe(s.since.rewards + 1);
  });
});
