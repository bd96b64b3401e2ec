/**
 * Issue 22, the cost of metrics on /reward: a /reward with five declared metrics against one
 * without, on Redis, in reward.lua's `usec_per_call` (INFO commandstats, EVALSHA) and in CPU per
 * request: the service process (app.inject, so no HTTP parser or sockets) and the Redis server
 * (INFO cpu). A private redis-server (REDIS_PORT, default 6391) so no other client's calls are in
 * the stats. N rewards per variant, REPS rounds alternating the variants; medians printed.
 * Workload of issue 25: 10 arms, Thompson, 10% holdback, each decision a random user of 100,000;
 * assign.lua's usec_per_call (the /select calls of each round) is printed too.
 *
 *   flock /tmp/heavy.lock npx tsx bench/signals-cost.ts
 *   COUNT=1 N=300 npx tsx bench/signals-cost.ts    (Redis commands per /reward, counted, not timed)
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';

const N = Number(process.env.N ?? 5000);
const REPS = Number(process.env.REPS ?? 5);
const PORT = Number(process.env.REDIS_PORT ?? 6391);
const METRICS = ['judge', 'thumbs_up', 'completed', 'latency_s', 'tokens'];

const server = spawn('redis-server', ['--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const url = `redis://127.0.0.1:${PORT}`;
const admin = new Redis(url);
const store = await connectRedisStore(url, { prefix: 'cost:', commandTimeoutMs: 5000 });
const app = await buildApp({ store, secret: 'bench-secret-0123456789' });
const json = { 'content-type': 'application/json' };
const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify(body) });

for (const [id, metrics] of [['plain', undefined], ['five', METRICS.map((name, i) => ({ name, kind: i === 1 || i === 2 ? 'proportion' : 'mean', direction: 'increase' }))]] as const) {
  const arms = Array.from({ length: 10 }, (_, i) => ({ id: `arm${i}` }));
  await post('/experiments', { id, arms, rewardModel: 'bernoulli', policy: 'thompson', holdbackPercent: 10, ...(metrics && { metrics }) });
}

// COUNT=1: what reward.lua asks of Redis per /reward, counted (INFO commandstats' calls of the
// commands the script calls; one is the service's own HGET): a count does not depend on the load.
if (process.env.COUNT) {
  const per: Record<string, Record<string, number>> = {};
  for (const id of ['plain', 'five']) {
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push(JSON.parse((await post('/select', { experimentId: id, userId: `u${Math.floor(Math.random() * 100_000)}` })).body).decisionId);
    await admin.config('RESETSTAT');
    for (const [i, decisionId] of ids.entries()) {
      const res = await post('/reward', { decisionId, reward: i % 2, ...(id === 'five' && { metrics: { judge: 0.5, thumbs_up: i % 2, completed: 0, latency_s: 1.3, tokens: 700 + i } }) });
      if (res.statusCode !== 200) throw new Error(res.body);
    }
    const stats = await admin.info('commandstats');
    per[id] = Object.fromEntries([...stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].filter(([, c]) => !['evalsha', 'config', 'info'].includes(c))
      .map(([, c, calls]) => [c, +(Number(calls) / N).toFixed(2)]));
  }
  const total = (id: string) => +Object.values(per[id]).reduce((a, b) => a + b, 0).toFixed(2);
  console.log(JSON.stringify({ n: N, commandsPerReward: { without: total('plain'), fiveMetrics: total('five') }, byCommand: per }));
  await app.close();
  await store.close();
  await admin.quit();
  server.kill();
  process.exit(0);
}

const stat = async (): Promise<{ calls: number; usec: number; cpu: number }> => {
  const cmd = await admin.info('commandstats');
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(cmd);
  const cpu = await admin.info('cpu');
  const f = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(cpu)![1]);
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0), cpu: (f('used_cpu_sys') + f('used_cpu_user')) * 1e6 };
};

type Round = { usecPerCall: number; serviceCpu: number; redisCpu: number; assignUsecPerCall: number };
async function round(id: string, withMetrics: boolean): Promise<Round> {
  const ids: string[] = [];
  await admin.config('RESETSTAT');
  const a0 = await stat();
  for (let i = 0; i < N; i++) ids.push(JSON.parse((await post('/select', { experimentId: id, userId: `u${Math.floor(Math.random() * 100_000)}` })).body).decisionId);
  const a1 = await stat();
  const bodies = ids.map((decisionId, i) => JSON.stringify({
    decisionId, reward: i % 2, ...(withMetrics && { metrics: { judge: 0.5 + (i % 7) / 10, thumbs_up: i % 2, completed: i % 3 === 0 ? 1 : 0, latency_s: 1.2 + (i % 5) / 10, tokens: 700 + (i % 11) } }),
  }));
  await admin.config('RESETSTAT');
  const s0 = await stat();
  const c0 = process.cpuUsage();
  for (const payload of bodies) {
    const res = await app.inject({ method: 'POST', url: '/reward', headers: json, payload });
    if (res.statusCode !== 200) throw new Error(res.body);
  }
  const c = process.cpuUsage(c0);
  const s1 = await stat();
  return { usecPerCall: (s1.usec - s0.usec) / (s1.calls - s0.calls), serviceCpu: (c.user + c.system) / N, redisCpu: (s1.cpu - s0.cpu) / N,
    assignUsecPerCall: (a1.usec - a0.usec) / (a1.calls - a0.calls) };
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await round('plain', false); // warm-up
await round('five', true);
type Key = keyof Round;
const empty = (): Record<Key, number[]> => ({ usecPerCall: [], serviceCpu: [], redisCpu: [], assignUsecPerCall: [] });
const out: Record<string, Record<Key, number[]>> = { plain: empty(), five: empty() };
for (let r = 0; r < REPS; r++) {
  for (const [id, m] of [['plain', false], ['five', true]] as const) {
    const x = await round(id, m);
    for (const k of Object.keys(x) as Key[]) out[id][k].push(x[k]);
  }
}
const med = (id: string, k: Key) => +median(out[id][k]).toFixed(2);
const ratio = (k: Key) => +(med('five', k) / med('plain', k)).toFixed(2);
console.log(JSON.stringify({
  n: N, reps: REPS,
  rewardLuaUsecPerCall: { without: med('plain', 'usecPerCall'), fiveMetrics: med('five', 'usecPerCall'), ratio: ratio('usecPerCall') },
  serviceCpuMicrosPerReward: { without: med('plain', 'serviceCpu'), fiveMetrics: med('five', 'serviceCpu'), ratio: ratio('serviceCpu') },
  redisCpuMicrosPerReward: { without: med('plain', 'redisCpu'), fiveMetrics: med('five', 'redisCpu'), ratio: ratio('redisCpu') },
  assignLuaUsecPerCall: { without: med('plain', 'assignUsecPerCall'), fiveMetrics: med('five', 'assignUsecPerCall') },
}));
await app.close();
await store.close(); // the app does not own the store: without this the process never exits (and holds the lock)
await admin.quit();
server.kill();
