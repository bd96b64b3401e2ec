/**
 * Issue 23, the serving cost of a contextual policy at 16 encoded dimensions (a categorical
 * feature of 9 listed values, 6 numeric features, the intercept): against a Thompson experiment
 * of the same 5 arms, on Redis,
 *   - /select: CPU of the service process per request (app.inject: no HTTP parser or sockets),
 *     the same context sent to both (Thompson ignores it);
 *   - /reward: reward.lua's `usec_per_call` (INFO commandstats, EVALSHA; the linear step is
 *     linear.lua inside it) and the service's CPU per request.
 * A private redis-server (REDIS_PORT, default 6395) so no other client's calls are in the stats.
 * N requests per variant and round, REPS rounds alternating the variants; medians printed.
 *
 *   flock /tmp/heavy.lock npx tsx bench/serving/contextual-cost.ts
 *   BATCH=100 flock /tmp/heavy.lock npx tsx bench/serving/contextual-cost.ts   (100 rewards in flight at once, as
 *     bench/serving/signals-cost.ts: Redis runs the calls back to back instead of idling between them, which
 *     inflates each call's time; the steady figure for usec_per_call)
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';

const N = Number(process.env.N ?? 3000);
const REPS = Number(process.env.REPS ?? 5);
const BATCH = Number(process.env.BATCH ?? 1);
const PORT = Number(process.env.REDIS_PORT ?? 6395);
const PLANS = ['free', 'starter', 'pro', 'team', 'business', 'enterprise', 'edu', 'nonprofit', 'trial'];
const FEATURES = {
  plan: { type: 'categorical', values: PLANS },
  ...Object.fromEntries(['length', 'tokens', 'latency', 'age', 'score', 'sessions'].map((n) => [n, { type: 'numeric' }])),
};
const VARIANTS = [['thompson', 'thompson'], ['linear-thompson', 'linear-thompson'], ['linear-ucb', 'linear-ucb']] as const;

const server = spawn('redis-server', ['--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const url = `redis://127.0.0.1:${PORT}`;
const admin = new Redis(url);
const store = await connectRedisStore(url, { prefix: 'ctxcost:', commandTimeoutMs: 5000 });
const app = await buildApp({ store, secret: 'bench-secret-0123456789' });
const json = { 'content-type': 'application/json' };
const post = (u: string, body: unknown) => app.inject({ method: 'POST', url: u, headers: json, payload: JSON.stringify(body) });

for (const [id, policy] of VARIANTS) {
  const res = await post('/experiments', {
    id, arms: ['a', 'b', 'c', 'd', 'e'].map((a) => ({ id: a })), rewardModel: 'bernoulli', policy, stickiness: false,
    ...(policy !== 'thompson' && { features: FEATURES }),
  });
  if (res.statusCode !== 201) throw new Error(res.body);
}
const contextOf = (i: number) => ({ plan: PLANS[i % PLANS.length], length: (i % 13) / 13, tokens: (i % 17) / 17, latency: (i % 7) / 7, age: (i % 5) / 5, score: (i % 11) / 11, sessions: (i % 3) / 3 });

const stat = async (): Promise<{ calls: number; usec: number }> => {
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await admin.info('commandstats'));
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
};

async function round(id: string): Promise<{ selectCpu: number; rewardCpu: number; rewardUsec: number }> {
  const bodies = Array.from({ length: N }, (_, i) => JSON.stringify({ experimentId: id, context: contextOf(i) }));
  const c0 = process.cpuUsage();
  const ids: string[] = [];
  for (const payload of bodies) {
    const res = await app.inject({ method: 'POST', url: '/select', headers: json, payload });
    ids.push(JSON.parse(res.body).decisionId);
  }
  const c1 = process.cpuUsage(c0);
  const rewards = ids.map((decisionId, i) => JSON.stringify({ decisionId, reward: i % 3 === 0 ? 1 : 0 }));
  await admin.config('RESETSTAT');
  const s0 = await stat();
  const c2 = process.cpuUsage();
  for (let i = 0; i < rewards.length; i += BATCH) {
    const batch = rewards.slice(i, i + BATCH).map((payload) => app.inject({ method: 'POST', url: '/reward', headers: json, payload }));
    for (const res of await Promise.all(batch)) if (res.statusCode !== 200) throw new Error(res.body);
  }
  const c3 = process.cpuUsage(c2);
  const s1 = await stat();
  return { selectCpu: (c1.user + c1.system) / N, rewardCpu: (c3.user + c3.system) / N, rewardUsec: (s1.usec - s0.usec) / (s1.calls - s0.calls) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [id] of VARIANTS) await round(id); // warm-up
const out = Object.fromEntries(VARIANTS.map(([id]) => [id, { selectCpu: [] as number[], rewardCpu: [] as number[], rewardUsec: [] as number[] }]));
for (let r = 0; r < REPS; r++) {
  for (const [id] of VARIANTS) {
    const x = await round(id);
    out[id].selectCpu.push(x.selectCpu); out[id].rewardCpu.push(x.rewardCpu); out[id].rewardUsec.push(x.rewardUsec);
  }
}
const med = (id: string, k: 'selectCpu' | 'rewardCpu' | 'rewardUsec') => +median(out[id][k]).toFixed(2);
console.log(JSON.stringify({
  n: N, reps: REPS, batch: BATCH, dims: 16, arms: 5, loadAverage1m: +loadavg()[0].toFixed(2),
  ...Object.fromEntries(VARIANTS.map(([id]) => [id, {
    selectCpuMicros: med(id, 'selectCpu'), selectRatioToThompson: +(med(id, 'selectCpu') / med('thompson', 'selectCpu')).toFixed(2),
    rewardCpuMicros: med(id, 'rewardCpu'), rewardLuaUsecPerCall: med(id, 'rewardUsec'),
  }])),
}));
await app.close();
await store.close();
await admin.quit();
server.kill();
