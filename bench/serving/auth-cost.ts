/**
 * CPU per /select of the access plugins, in process (app.inject, embedded store): open mode, an API
 * key checked (SHA-256 + lookup, no store command), and the key plus the in-process rate limiter.
 * `npx tsx bench/serving/auth-cost.ts` (N requests per variant, REPS rounds; the median is printed).
 * Inject skips the HTTP parser and sockets, so these are the plugins' own costs, not a server's.
 */
import { buildApp, type AppOptions } from '../../src/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const N = Number(process.env.N ?? 20_000);
const REPS = Number(process.env.REPS ?? 5);
const KEY = 'bench-decide-key-0123456789abcdef';

async function cpuPerRequest(opts: Partial<AppOptions>, headers: Record<string, string>): Promise<number> {
  const app = await buildApp({ store: new MemoryStore(), secret: 'bench-secret-0123456789', ...opts });
  const admin = { 'content-type': 'application/json', ...(opts.auth ? { 'x-api-key': KEY.replace('decide', 'admin0') } : {}) };
  await app.inject({ method: 'POST', url: '/experiments', headers: admin, payload: JSON.stringify({ id: 'b', arms: [{ id: 'a' }, { id: 'c' }], rewardModel: 'bernoulli' }) });
  const body = JSON.stringify({ experimentId: 'b', userId: 'u1' });
  const run = async () => { for (let i = 0; i < N; i++) await app.inject({ method: 'POST', url: '/select', headers: { 'content-type': 'application/json', ...headers }, payload: body }); };
  await run(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / N);
  }
  await app.close();
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

const keys = `decide:${KEY},admin:${KEY.replace('decide', 'admin0')}`;
const open = await cpuPerRequest({}, {});
const keyed = await cpuPerRequest({ auth: { apiKeys: keys, mode: 'keys' } }, { 'x-api-key': KEY });
const limited = await cpuPerRequest({ auth: { apiKeys: keys, mode: 'keys' }, rateLimit: { perSecond: 1e6 } }, { 'x-api-key': KEY });
console.log(JSON.stringify({ n: N, reps: REPS, cpuMicrosPerSelect: { open: +open.toFixed(1), key: +keyed.toFixed(1), keyAndRateLimit: +limited.toFixed(1) } }));
