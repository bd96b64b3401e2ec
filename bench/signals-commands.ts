/**
 * Issue 22 (A): what reward.lua asks of Redis per /reward, counted (not timed, so the figure does not
 * depend on the machine's load): the commands the script calls, from INFO commandstats' calls, for
 * a /reward without metrics and one with five, on the workload of bench/signals-cost.ts (10 arms,
 * Thompson, 10% holdback, a random user of 100,000). A private redis-server (REDIS_PORT, default 6392).
 *
 *   npx tsx bench/signals-commands.ts
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';
import { connectRedisStore } from '../src/store/redis-connect.js';

const N = Number(process.env.N ?? 300);
const PORT = Number(process.env.REDIS_PORT ?? 6392);
const METRICS = ['judge', 'thumbs_up', 'completed', 'latency_s', 'tokens'];
const server = spawn('redis-server', ['--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const url = `redis://127.0.0.1:${PORT}`;
const admin = new Redis(url);
const store = await connectRedisStore(url, { prefix: 'count:', commandTimeoutMs: 5000 });
const app = await buildApp({ store, secret: 'bench-secret-0123456789' });
const post = (path: string, body: unknown) => app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const arms = Array.from({ length: 10 }, (_, i) => ({ id: `arm${i}` }));
for (const [id, metrics] of [['plain', undefined], ['five', METRICS.map((name, i) => ({ name, kind: i === 1 || i === 2 ? 'proportion' : 'mean', direction: 'increase' }))]] as const) {
  await post('/experiments', { id, arms, rewardModel: 'bernoulli', policy: 'thompson', holdbackPercent: 10, ...(metrics && { metrics }) });
}
const out: Record<string, Record<string, number>> = {};
for (const id of ['plain', 'five']) {
  const ids: string[] = [];
  for (let i = 0; i < N; i++) ids.push(JSON.parse((await post('/select', { experimentId: id, userId: `u${Math.floor(Math.random() * 100_000)}` })).body).decisionId);
  await admin.config('RESETSTAT');
  for (const [i, decisionId] of ids.entries()) {
    const res = await post('/reward', { decisionId, reward: i % 2, ...(id === 'five' && { metrics: { judge: 0.5, thumbs_up: i % 2, completed: 0, latency_s: 1.3, tokens: 700 + i } }) });
    if (res.statusCode !== 200) throw new Error(res.body);
  }
  const stats = await admin.info('commandstats');
  out[id] = Object.fromEntries([...stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].filter(([, c]) => c !== 'evalsha' && c !== 'config' && c !== 'info')
    .map(([, c, calls]) => [c, +(Number(calls) / N).toFixed(2)]));
}
const total = (id: string) => +Object.values(out[id]).reduce((a, b) => a + b, 0).toFixed(2);
console.log(JSON.stringify({ n: N, commandsPerReward: { without: total('plain'), fiveMetrics: total('five') }, byCommand: out }));
await app.close();
await store.close();
await admin.quit();
server.kill();
