/**
 * Where the fuzz's RSS goes (issue 10, bench/RESULTS.md "Fuzz"): the fuzz's operations
 * (test/fuzz/requests.ts) in rounds on the embedded store, outside vitest, and after each round
 * RSS straight after one full GC, the settled RSS (a second GC and 100 ms later), the JS heap,
 * external memory, and from /proc/self/smaps the RSS of malloc's main heap (`[heap]`) and of
 * anonymous mappings (V8's pages, thread arenas).
 *
 *   node --expose-gc --import tsx bench/fuzz-memory.ts            (ROUNDS=3 RUNS=10000 OPS=select,keys,...)
 *
 * With the diagnostic preload bench/malloc-trim.c (LD_PRELOAD=/tmp/malloc-trim.so) it ends by
 * asking glibc how much of what it holds is in use, and what malloc_trim(0) gives back.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { MemoryStore } from '../src/store/memory-store.js';
import { makeTestApp } from '../test/helpers/app.js';
import { drainViolations } from '../test/helpers/contract-check.js';
import { buildRequest, fuzzCase, injectFuzz, OPS, type FuzzState } from '../test/fuzz/requests.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const RUNS = Number(process.env.RUNS ?? 10_000);
const ops = (process.env.OPS?.split(',') ?? OPS) as (typeof OPS)[number][];
const ADMIN = 'fuzz-admin-key-0123456789abcdef';
const MiB = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/** RSS of malloc's main heap and of anonymous mappings, from /proc/self/smaps (Linux). */
function smapsRss(): { brk: number; anon: number } {
  const out = { brk: 0, anon: 0 };
  let kind: 'brk' | 'anon' | null = null;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) kind = head[1] === '[heap]' ? 'brk' : head[1] === '' ? 'anon' : null;
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && kind) out[kind] += Number(rss[1]) * 1024;
  }
  return out;
}

async function reading(): Promise<string> {
  gc!();
  const afterGc = process.memoryUsage().rss;
  await sleep(100);
  gc!();
  await sleep(100);
  const m = process.memoryUsage();
  const s = smapsRss();
  return `RSS after a GC ${MiB(afterGc)}, settled ${MiB(m.rss)} MiB | heap used ${MiB(m.heapUsed)} of ${MiB(m.heapTotal)}, external ${MiB(m.external)} (array buffers ${MiB(m.arrayBuffers)}) | smaps: malloc [heap] ${MiB(s.brk)}, anonymous ${MiB(s.anon)}`;
}

const store = new MemoryStore();
const { app } = await makeTestApp(store, undefined, { auth: { apiKeys: `admin:${ADMIN}` } });
const state: FuzzState = { experiments: [], decisions: [], keyIds: [] };
for (const [i, rewardModel] of ['bernoulli', 'gaussian'].entries()) {
  const { body } = await injectFuzz(app, { method: 'POST', url: '/experiments', body: { id: `seed${i}`, arms: [{ id: 'base' }, { id: `arm${i}` }], rewardModel } }, ADMIN);
  state.experiments.push({ id: body.id, arms: body.arms.map((a: { id: string }) => a.id) });
}
console.log(`before: ${await reading()}`);
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  for (const [opIndex, op] of ops.entries()) {
    for (const c of fc.sample(fuzzCase, { seed: 1000 * round + opIndex, numRuns: RUNS })) {
      const { req } = buildRequest(op, state, c);
      const { status, body } = await injectFuzz(app, req, ADMIN);
      drainViolations(); // the fuzz test checks them; here only memory counts
      if (status >= 300 || !body) continue;
      if (op === 'select') state.decisions = [...state.decisions.slice(-1999), body.decisionId];
      if (Array.isArray(body.arms) && typeof body.id === 'string' && !state.experiments.some((e) => e.id === body.id)) state.experiments.push({ id: body.id, arms: body.arms.map((a: { id: string }) => a.id) });
      if (op === 'keys' && status === 201) state.keyIds.push(body.id);
    }
  }
  const kept = `${(await store.experimentIds()).length} experiments, ${(await store.listApiKeys()).length} keys`;
  console.log(`round ${round + 1} (${RUNS * ops.length} requests, ${((performance.now() - t0) / 1000).toFixed(0)} s, ${kept}): ${await reading()}`);
}
const request = `/tmp/malloc-trim-${process.pid}`;
if (process.env.LD_PRELOAD?.includes('malloc-trim')) {
  writeFileSync(request, '');
  while (existsSync(request)) await sleep(50);
  console.log(readFileSync(`${request}.out`, 'utf8').trim());
  console.log(`after malloc_trim(0): ${await reading()}`);
}
await app.close();
