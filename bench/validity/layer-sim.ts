/**
 * Issue 21's simulation: N seeded users asked for 5 experiments of one layer, through the service
 * (create and PATCH claim the ranges in the store) and `decide` (what /select runs). Checks that no
 * user is in two experiments, that each experiment's share of users is within 3 standard errors of
 * its range, and, for a layer whose ranges grow mid-run, that no user moved.
 *
 *   npx tsx bench/validity/layer-sim.ts [users=1000000] [seed=layers]
 *
 * test/layer-sim.test.ts runs the same function on 20,000 users.
 */
import { makeRng } from '../../src/bandit/random.js';
import { CreateExperimentSchema } from '../../src/contract/experiment.js';
import { ServiceContext, type Clock } from '../../src/service/context.js';
import { decide } from '../../src/service/decide.js';
import { createExperiment, patchExperiment } from '../../src/service/experiments.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const NOW_MS = Date.parse('2026-06-01T00:00:00Z');
const clock: Clock = { now: () => NOW_MS };
/** The first half of the users meets the `before` ranges; then the ranges grow and every user (old and new) asks again. */
export const RANGES = {
  before: [[0, 1000], [1500, 2500], [3000, 4500], [5000, 7000], [7500, 9000]],
  grown: [[0, 1500], [1500, 3000], [3000, 5000], [5000, 7500], [7500, 10000]],
} as const;

export interface ShareCheck { experimentId: string; range: readonly number[]; users: number; share: number; expected: number; z: number }
export interface LayerSimResult {
  users: number;
  /** Users that were in two experiments at once (must be 0). */
  inTwo: number;
  /** Users in an experiment before the growth and not in it (or in another) after (must be 0). */
  moved: number;
  before: ShareCheck[];
  grown: ShareCheck[];
  seconds: number;
}

const body = (id: string, range: readonly number[]) => CreateExperimentSchema.parse({
  id, arms: [{ id: 'control' }, { id: 'treat' }], rewardModel: 'bernoulli', holdbackPercent: 10, layer: { id: 'sim-layer', range },
});

export async function simulateLayer(users: number, seed = 'layers'): Promise<LayerSimResult> {
  const started = performance.now();
  const ctx = new ServiceContext(new MemoryStore(), 'layer-sim-secret-0123456789abcdef', clock);
  const ids = RANGES.before.map((_, i) => `exp-${i}`);
  for (const [i, id] of ids.entries()) await createExperiment(ctx, body(id, RANGES.before[i]));
  const ids32 = makeRng(seed);
  const userIds = Array.from({ length: users }, () => `u-${Math.floor(ids32() * 2 ** 52).toString(36)}`);
  const rng = makeRng(`${seed}:decide`);

  /** Which experiment each of `who` is in (-1: none); counts users in two. */
  const ask = async (who: string[]): Promise<{ member: Int8Array; inTwo: number }> => {
    const snaps = await Promise.all(ids.map((id) => ctx.cache.get(id, NOW_MS)));
    const member = new Int8Array(who.length).fill(-1);
    let inTwo = 0;
    who.forEach((u, j) => {
      let n = 0;
      snaps.forEach((snap, i) => {
        if (decide(snap!, u, rng, NOW_MS).population !== 'x') { member[j] = i; n += 1; }
      });
      if (n > 1) inTwo += 1;
    });
    return { member, inTwo };
  };
  const shares = (member: Int8Array, ranges: readonly (readonly number[])[]): ShareCheck[] => ranges.map((range, i) => {
    const n = member.reduce((s, m) => s + (m === i ? 1 : 0), 0);
    const expected = (range[1] - range[0]) / 10_000;
    const share = n / member.length;
    return { experimentId: ids[i], range, users: n, share, expected, z: (share - expected) / Math.sqrt((expected * (1 - expected)) / member.length) };
  });

  const half = Math.floor(users / 2);
  const first = await ask(userIds.slice(0, half));
  for (const [i, id] of ids.entries()) await patchExperiment(ctx, id, { layer: { id: 'sim-layer', range: [RANGES.grown[i][0], RANGES.grown[i][1]] } });
  const all = await ask(userIds);
  let moved = 0;
  for (let j = 0; j < half; j++) if (first.member[j] !== -1 && all.member[j] !== first.member[j]) moved += 1;
  return {
    users, inTwo: first.inTwo + all.inTwo, moved,
    before: shares(first.member, RANGES.before), grown: shares(all.member, RANGES.grown),
    seconds: (performance.now() - started) / 1000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await simulateLayer(Number(process.argv[2] ?? 1_000_000), process.argv[3] ?? 'layers');
  const line = (c: ShareCheck) => `  ${c.experimentId} [${c.range.join(', ')}): ${c.users} users, share ${c.share.toFixed(5)} vs ${c.expected.toFixed(4)} (z = ${c.z.toFixed(2)})`;
  console.log(`${r.users} users, 5 experiments in one layer (${r.seconds.toFixed(1)} s)`);
  console.log(`users in two experiments: ${r.inTwo}; users moved by the growth: ${r.moved}`);
  console.log(`before the growth (first ${Math.floor(r.users / 2)} users):\n${r.before.map(line).join('\n')}`);
  console.log(`after the growth (all users):\n${r.grown.map(line).join('\n')}`);
  const ok = r.inTwo === 0 && r.moved === 0 && [...r.before, ...r.grown].every((c) => Math.abs(c.z) <= 3);
  console.log(ok ? 'OK' : 'FAILED');
  process.exitCode = ok ? 0 : 1;
}
