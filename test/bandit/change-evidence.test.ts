import { describe, expect, it } from 'vitest';
import { emptyDetector, evidenceSums, leaderIndex, recordForChanges, restartOther, type ArmDetector, type ChangeSpec, type ChangeTally } from '../../src/bandit/change-evidence.js';
import { makeRng } from '../../src/bandit/random.js';
import type { EvidenceSums } from '../../src/contract/domain.js';

const SPEC: ChangeSpec = { model: 'bernoulli', delta: 0.001, priorSum: 1, priorWeight: 2 };
type ArmTally = EvidenceSums & ChangeTally;

/** One reward into the arm's cumulative tally and its change state, as a store's reward step does. */
function step(det: ArmDetector, t: ArmTally, r: number, issuedAt: number, nowS: number, leader: boolean) {
  const tally = { ...t, rewards: t.rewards + 1, sum: t.sum + r, sumSq: t.sumSq + r * r };
  const out = recordForChanges(det, tally, SPEC, r, issuedAt, nowS, () => leader);
  return { det: out.detector, t: { ...tally, beforeChange: out.beforeChange, changes: out.changes }, out };
}

/** Feeds Bernoulli rewards of mean p(i) decided at time i, the arm leading throughout (or never). */
function run(n: number, p: (i: number) => number, seed: string, leader = true) {
  const rng = makeRng(seed);
  let det = emptyDetector();
  let t: ArmTally = { rewards: 0, sum: 0, sumSq: 0 };
  const restartedAt: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = step(det, t, rng() < p(i) ? 1 : 0, i, 1_000_000 + i, leader);
    ({ det, t } = s);
    if (s.out.restarted) restartedAt.push(i);
  }
  return { det, t, restartedAt };
}

describe('change bookkeeping of one arm (the stores\' rule)', () => {
  it('a fall of the leader restarts its evidence from the change point; the change is listed newest first', () => {
    const { det, t, restartedAt } = run(4000, (i) => (i < 2000 ? 0.5 : 0.2), 'ce-fall');
    expect(restartedAt.length).toBe(1);
    expect(t.changes!.length).toBe(1);
    const [c] = t.changes!;
    // The split is the GLR's estimate: near the change, not on it.
    expect(Math.abs(c.at - 2000)).toBeLessThanOrEqual(100);
    expect(c.detectedAt).toBe(1_000_000 + restartedAt[0]);
    expect(det.evidenceFrom).toBe(c.at);
    expect(evidenceSums(t).rewards).toBe(4000 - c.at);
    expect(evidenceSums(t).sum / evidenceSums(t).rewards).toBeLessThan(0.25);
    expect(t.beforeChange!.rewards).toBe(c.at);
  });

  it('a rise of the leader is listed but does not restart its evidence (the ranking rule); a fall of a non-leader neither', () => {
    const rise = run(4000, (i) => (i < 2000 ? 0.2 : 0.5), 'ce-rise');
    expect(rise.t.changes!.length).toBe(1);
    expect(rise.restartedAt).toEqual([]);
    expect(rise.t.beforeChange).toBeUndefined();
    expect(evidenceSums(rise.t).rewards).toBe(4000);
    expect(rise.det.testFrom).toBe(rise.t.changes![0].at);
    const fall = run(4000, (i) => (i < 2000 ? 0.5 : 0.2), 'ce-fall', false);
    expect(fall.t.changes!.length).toBe(1);
    expect(fall.restartedAt).toEqual([]);
  });

  it('only a fall of the leader restarts the other arms (restartsOthers); restartOther empties their evidence from the detection on', () => {
    const flags = (p: (i: number) => number, seed: string, leader: boolean) => {
      const rng = makeRng(seed);
      let det = emptyDetector();
      let t: ArmTally = { rewards: 0, sum: 0, sumSq: 0 };
      const out: boolean[] = [];
      for (let i = 0; i < 4000; i++) {
        const s = step(det, t, rng() < p(i) ? 1 : 0, i, 1_000_000 + i, leader);
        ({ det, t } = s);
        if (s.out.detected) out.push(s.out.restartsOthers);
      }
      return out;
    };
    const fall = (i: number) => (i < 2000 ? 0.5 : 0.2);
    const rise = (i: number) => (i < 2000 ? 0.2 : 0.5);
    expect([flags(fall, 'ro-1', true), flags(rise, 'ro-2', true), flags(fall, 'ro-3', false), flags(rise, 'ro-4', false)]).toEqual([[true], [false], [false], [false]]);
    const other = { testFrom: 50, evidenceFrom: 60, glr: { blocks: [{ n: 10, s: 3, q: 3, t: 70 }] } };
    const r = restartOther(other, { rewards: 40, sum: 12, sumSq: 12 }, 1000);
    expect(r.beforeChange).toEqual({ rewards: 40, sum: 12, sumSq: 12 });
    expect(r.detector).toEqual({ ...other, evidenceFrom: 1000 });
    expect(evidenceSums({ rewards: 40, sum: 12, sumSq: 12, beforeChange: r.beforeChange })).toEqual({ rewards: 0, sum: 0, sumSq: 0 });
    expect(restartOther(undefined, { rewards: 0, sum: 0, sumSq: 0 }, 5).detector).toEqual({ ...emptyDetector(), evidenceFrom: 5 });
  });

  it('a late reward decided before the change counts in the tally only, neither in the new evidence nor in the test', () => {
    const { det, t } = run(4000, (i) => (i < 2000 ? 0.5 : 0.2), 'ce-late');
    const late = step(det, t, 1, t.changes![0].at - 1, 2_000_000, true);
    expect(evidenceSums(late.t)).toEqual(evidenceSums(t));
    expect(late.det.glr).toEqual(det.glr);
    expect(late.t.rewards).toBe(t.rewards + 1);
    const fresh = step(det, t, 1, 4000, 2_000_000, true);
    expect(evidenceSums(fresh.t).rewards).toBe(evidenceSums(t).rewards + 1);
    expect(fresh.det.glr).not.toEqual(det.glr);
  });

  it('the leader is the highest posterior mean, the first on a tie', () => {
    expect(leaderIndex([{ rewards: 10, sum: 5, sumSq: 5 }, { rewards: 10, sum: 6, sumSq: 6 }], SPEC)).toBe(1);
    expect(leaderIndex([{ rewards: 0, sum: 0, sumSq: 0 }, { rewards: 2, sum: 1, sumSq: 1 }], SPEC)).toBe(0);
  });
});
