/**
 * Seeded fuzz (fast-check) of every operation on both stores: FUZZ_RUNS requests per operation
 * (1,000 in `npm test`; `npm run fuzz:long` runs 10,000, three times), half of them mutated. Every answer must
 * be below 500, declared in openapi/openapi.json and valid against it (the contract check of the
 * test app, read after each request); invariants: no reward counted twice (the store's tallies
 * equal the accepted non-duplicate rewards), no disabled arm served; on the long run the settled RSS
 * grows under 10% from the end of the second pass to the peak of the third.
 */
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { drainViolations } from './helpers/contract-check.js';
import { makeTestApp } from './helpers/app.js';
import { storeKinds } from './helpers/stores.js';
import { buildRequest, fuzzCase, injectFuzz, OPS, type FuzzState, type Req } from './fuzz/requests.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
/**
 * Memory after each operation. `rss` is read straight after a full collection (with --expose-gc, as
 * fuzz:long runs): it still counts memory V8 has freed but not yet handed back (39-112 MiB more
 * than the settled reading in a long run). `settled` is read after a second collection and 100 ms
 * more, when that release is over (readings 1 s later agree within 3 MiB):
 * what the process holds, including the free memory malloc keeps (bench/RESULTS.md, "Fuzz").
 */
const memory = async (): Promise<{ rss: number; settled: number; heap: number; external: number }> => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rss = process.memoryUsage().rss;
  if (gc) {
    await sleep(100);
    gc();
    await sleep(100);
  }
  const m = process.memoryUsage();
  return { rss, settled: m.rss, heap: m.heapUsed, external: m.external };
};
const MiB = (x: number): string => (x / 2 ** 20).toFixed(0);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const ADMIN = 'fuzz-admin-key-0123456789abcdef';
/**
 * The long run makes three passes, for the RSS check: the first fills the store (experiment and key
 * caps), the second fills what the first could not (sticky users of experiments created after its
 * selects), the third must not grow.
 */
const PASSES = RUNS >= 10_000 ? 3 : 1;

// FUZZ_STORE=memory|redis runs one store only (for a long run).
const kinds = storeKinds.filter((k) => !process.env.FUZZ_STORE || k.name === process.env.FUZZ_STORE);

describe.each(kinds)('fuzz ($name store)', (kind) => {
  it(`answers ${RUNS} requests per operation (${OPS.length} operations), half mutated, within the contract`, async () => {
    const made = await kind.make();
    const t = await makeTestApp(made.store, undefined, { auth: { apiKeys: `admin:${ADMIN}` } });
    const state: FuzzState = { experiments: [], decisions: [], keyIds: [] };
    const disabled = new Map<string, Set<string>>();
    let acceptedWithReward = 0;
    let mutatedCount = 0;
    const statuses: Record<number, number> = {};
    /** Readings after each operation of each pass, in order. */
    const readings: { pass: number; rss: number; settled: number; heap: number; external: number }[] = [];

    const send = (r: Req) => injectFuzz(t.app, r, ADMIN);
    const noteArms = (exp: { id: string; arms: { id: string; status: string }[] }) => {
      disabled.set(exp.id, new Set(exp.arms.filter((a) => a.status === 'disabled').map((a) => a.id)));
      if (!state.experiments.some((e) => e.id === exp.id)) state.experiments.push({ id: exp.id, arms: exp.arms.map((a) => a.id) });
    };
    const countReward = async (sent: unknown, answer: { status: number; duplicate?: boolean; autoDisabled?: { armId: string } }) => {
      if (answer.status !== 200 || answer.duplicate !== false) return;
      const r = (sent as { reward?: unknown } | null)?.reward;
      if (r !== undefined && r !== null) acceptedWithReward++;
      // A guardrail disabled an arm (the answer names no experiment): re-read every experiment with an arm of that name.
      if (answer.autoDisabled) {
        for (const e of state.experiments.filter((x) => x.arms.includes(answer.autoDisabled!.armId))) {
          const got = await send({ method: 'GET', url: `/experiments/${encodeURIComponent(e.id)}` });
          if (got.status === 200) noteArms(got.body);
        }
      }
    };

    // A few experiments to start from.
    for (const [i, rewardModel] of ['bernoulli', 'gaussian', 'bernoulli'].entries()) {
      const res = await send({ method: 'POST', url: '/experiments', body: { id: `seed${i}`, arms: [{ id: 'base' }, { id: 'constructor' }, { id: `arm${i}` }], rewardModel, policy: i === 2 ? 'fixed' : 'thompson', guardrails: { errorRate: 0.5, minSamples: 5, windowSize: 50 } } });
      noteArms(res.body);
    }

    readings.push({ pass: -1, ...(await memory()) }); // before the first fuzzed request
    for (let pass = 0; pass < PASSES; pass++) for (const [opIndex, op] of OPS.entries()) {
      await fc.assert(fc.asyncProperty(fuzzCase, async (c) => {
        const { req, mutated } = buildRequest(op, state, c);
        if (mutated) mutatedCount++;
        const res = await send(req);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        expect(res.status, `${req.method} ${req.url}`).toBeLessThan(500);
        const violations = drainViolations();
        expect(violations, `${req.method} ${req.url}`).toEqual([]);
        const b = res.body;
        if (res.status === 200 && op === 'select') {
          expect(disabled.get(b.experimentId)?.has(b.armId) ?? false, `served disabled arm ${b.armId}`).toBe(false);
          state.decisions.push(b.decisionId);
          if (state.decisions.length > 2000) state.decisions.splice(0, 1000);
        }
        if (op === 'reward' && res.status === 200) await countReward(req.body, { status: 200, ...b });
        if (op === 'rewards' && res.status === 200) {
          const events = (req.body as { events: unknown[] }).events;
          for (const [i, r] of (b.results as { status: number }[]).entries()) await countReward(events[i], r);
        }
        if (b && Array.isArray(b.arms) && typeof b.id === 'string' && res.status < 300) noteArms(b);
        if (op === 'keys' && res.status === 201) state.keyIds.push(b.id);
      }), { seed: SEED + pass * 104_729 + opIndex * 7919 + (kind.name === 'redis' ? 1 : 0), numRuns: RUNS, endOnFailure: true });
      readings.push({ pass, ...(await memory()) });
    }

    // Every accepted non-duplicate reward with a value is in the tallies exactly once.
    let tallied = 0;
    for (const id of await made.store.experimentIds()) {
      for (const a of (await made.store.getStats(id))?.arms ?? []) tallied += a.bandit.rewards + a.holdback.rewards + a.excluded.rewards;
    }
    expect(tallied).toBe(acceptedWithReward);
    expect(mutatedCount / (PASSES * RUNS * OPS.length)).toBeGreaterThanOrEqual(0.3);
    const kept = { experiments: (await made.store.experimentIds()).length, keys: (await made.store.listApiKeys()).length };
    // Growth is measured from the end of the next-to-last pass (the store at its caps: experiments,
    // keys) to the peak of the last; the growth from the first reading (before any fuzzed request) is printed beside.
    const first = readings[0];
    const base = readings.filter((r) => r.pass === Math.max(0, PASSES - 2)).at(-1)!;
    const last = readings.filter((r) => r.pass === PASSES - 1);
    const peak = (f: 'rss' | 'settled') => Math.max(...last.map((r) => r[f]));
    const growth = (a: number, b: number) => `${b >= a ? '+' : ''}${((b / a - 1) * 100).toFixed(1)}%`;
    console.log(`[fuzz ${kind.name}] ${PASSES * RUNS * OPS.length} requests, ${mutatedCount} mutated, statuses ${JSON.stringify(statuses)}, rewards counted ${tallied}, kept ${JSON.stringify(kept)}`
      + `; settled RSS before ${MiB(first.settled)}, end of pass ${base.pass + 1} ${MiB(base.settled)}, peak of pass ${PASSES} ${MiB(peak('settled'))} MiB (${growth(base.settled, peak('settled'))}, from before the fuzz ${growth(first.settled, peak('settled'))})`
      + `; RSS straight after a GC ${MiB(base.rss)} -> peak ${MiB(peak('rss'))} MiB (${growth(base.rss, peak('rss'))}); heap ${MiB(first.heap)} / ${MiB(base.heap)} -> ${MiB(last.at(-1)!.heap)} MiB, external ${MiB(base.external)} -> ${MiB(last.at(-1)!.external)} MiB`
      + `${(globalThis as { gc?: unknown }).gc ? ' (after full GCs)' : ' (no --expose-gc: readings without a forced GC)'}`);
    if (RUNS >= 10_000) expect(peak('settled') / base.settled, 'settled RSS growth').toBeLessThan(1.1);
    await t.app.close();
    await made.cleanup();
  }, 600_000);
});
