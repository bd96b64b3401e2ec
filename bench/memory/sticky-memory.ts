/**
 * Bytes per sticky user on the embedded store, and that STICKY_MAX_USERS bounds them:
 * `node --expose-gc --import tsx bench/memory/sticky-memory.ts` (USERS, CAP, ID_LENGTH to change the run).
 * Heap measured after a full GC before and after assigning USERS distinct users to one experiment.
 */
import { MemoryStore } from '../../src/store/memory-store.js';
import type { ExperimentConfig } from '../../src/contract/domain.js';

const USERS = Number(process.env.USERS ?? 200_000);
const CAP = Number(process.env.CAP ?? 1_000_000);
const ID_LENGTH = Number(process.env.ID_LENGTH ?? 36);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const iso = new Date().toISOString();
const config: ExperimentConfig = {
  id: 'mem', arms: [{ id: 'a' }, { id: 'b' }], baselineArmId: 'a', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 }, policy: 'thompson',
  holdbackPercent: 0, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 86400, rewardWindowSeconds: 86400, guardrails: null,
  endsAt: null, seed: null, status: 'active', createdAt: iso, updatedAt: iso,
};
// The event log keeps one event (each assign appends one), so the heap growth is the sticky map's.
const store = new MemoryStore(CAP, 1);
await store.createExperiment(config);
const now = Math.floor(Date.now() / 1000);
const heap = (): number => { gc!(); gc!(); return process.memoryUsage().heapUsed; };
const userId = (i: number): string => `u${String(i).padStart(ID_LENGTH - 1, '0')}`;

const before = heap();
for (let i = 0; i < USERS; i++) {
  await store.assign({ experimentId: 'mem', version: 1, population: 'b', armId: i % 2 ? 'a' : 'b', propensity: 0.5, userId: userId(i), sticky: true, stickyTtlSeconds: 86400, now, withStats: false,
    log: { nonce: `n${i}`, nowMs: now * 1000, disabledArms: '', retentionSeconds: 86400 } });
}
const after = heap();
const size = (store as unknown as { experiments: Map<string, { sticky: Map<string, unknown> }> }).experiments.get("mem")!.sticky.size;
const kept = size;
console.log(JSON.stringify({ users: USERS, cap: CAP, idLength: ID_LENGTH, kept, heapDeltaMiB: +((after - before) / 2 ** 20).toFixed(1), bytesPerKeptUser: Math.round((after - before) / kept) }));
