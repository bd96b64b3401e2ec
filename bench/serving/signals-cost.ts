/**
 * Issue 22, the cost of metrics on /reward: a /reward with five declared metrics against one
 * without, on Redis, in reward.lua's `usec_per_call` (INFO commandstats, EVALSHA) and in CPU per
 * request: the service process (app.inject, so no HTTP parser or sockets) and the Redis server
 * (INFO cpu). A private redis-server (REDIS_PORT, default 6391) so no other client's calls are in
 * the stats. N rewards per variant, REPS rounds alternating the variants; medians printed.
 * Workload of issue 25: 10 arms, Thompson, 10% holdback, each decision a random user of 100,000;
 * assign.lua's usec_per_call (the /select calls of each round) is printed too, and reward.lua's
 * per-call latency p25 and p50 (INFO latencystats), which a loaded machine moves less than the mean.
 *
 *   flock /tmp/heavy.lock npx tsx bench/serving/signals-cost.ts
 *   BATCH=100 flock /tmp/heavy.lock npx tsx bench/serving/signals-cost.ts   (100 rewards in flight at once: Redis CPU per
 *     /reward is then mostly the scripts', and the server does not idle between calls)
 *   COUNT=1 N=300 npx tsx bench/serving/signals-cost.ts    (Redis commands per /reward, counted, not timed)
 *   DECODE=1 flock /tmp/heavy.lock npx tsx bench/serving/signals-cost.ts   (issue 26: the cost of decoding reward.lua's
 *     packed argument with cjson and with cmsgpack, per call, in a Lua loop of N decodes, REPS rounds)
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { connectRedisStore } from '../../src/store/redis-connect.js';
import { rewardArgs } from '../../src/store/redis-script-args.js';
import type { RewardInput } from '../../src/store/store.js';

const N = Number(process.env.N ?? 5000);
const REPS = Number(process.env.REPS ?? 5);
const BATCH = Number(process.env.BATCH ?? 1);
const PORT = Number(process.env.REDIS_PORT ?? 6391);
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const METRICS = ['judge', 'thumbs_up', 'completed', 'latency_s', 'tokens'];

if (process.env.DECODE) await decodeCost();

/**
 * Issue 26: µs per decode of reward.lua's packed argument (rewardArgs, five metrics) as cjson.decode
 * of the JSON text and cmsgpack.unpack of the same table packed by cmsgpack, in one Lua loop each
 * (Redis TIME around it), alternated in each round; medians of REPS rounds.
 */
async function decodeCost(): Promise<never> {
  const server = spawn('redis-server', ['--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const admin = new Redis(`redis://127.0.0.1:${PORT}`);
  const input: RewardInput = {
    experimentId: 'e', armId: 'arm3', population: 'b', decisionKey: 'Xk3hd8s7QmZpLw0a', issuedAt: 1_796_687_701, rewardWindowSeconds: 86400, reward: 1,
    event: { error: false }, guardrails: null, windowSize: 100, baseline: false, nowMs: 1_796_687_701_123, version: 1, userKey: 'abcdefghijkl',
    log: { propensity: 0.0937512345, retentionSeconds: 86400 }, engine: { halfLifeSeconds: null, costs: false },
    metrics: [['judge', 0.8], ['thumbs_up', 1], ['completed', 0], ['latency_s', 1.4], ['tokens', 707]].map(([name, value]) => ({ name: name as string, value: value as number })),
  };
  const packed = rewardArgs(input, new Date(input.nowMs).toISOString(), 1500, 86400, undefined);
  const lua = `local n, s = tonumber(ARGV[1]), ARGV[2]
local m = cmsgpack.pack(cjson.decode(s))
local function t() local c = redis.call('TIME'); return c[1] * 1e6 + c[2] end
local t0 = t(); for i = 1, n do local x = cjson.decode(s) end
local t1 = t(); for i = 1, n do local x = cmsgpack.unpack(m) end
local t2 = t()
return {tostring((t1 - t0) / n), tostring((t2 - t1) / n), #s, #m}`;
  const rounds: { cjson: number; cmsgpack: number }[] = [];
  let sizes: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const [c, m, jsonBytes, msgpackBytes] = (await admin.eval(lua, 0, String(N), packed)) as [string, string, number, number];
    rounds.push({ cjson: Number(c), cmsgpack: Number(m) });
    sizes = [jsonBytes, msgpackBytes];
  }
  const med = (k: 'cjson' | 'cmsgpack') => +median(rounds.map((x) => x[k])).toFixed(3);
  console.log(JSON.stringify({ n: N, reps: REPS, bytes: { json: sizes[0], msgpack: sizes[1] }, usecPerDecode: { cjson: med('cjson'), cmsgpack: med('cmsgpack'), ratio: +(med('cmsgpack') / med('cjson')).toFixed(2) } }));
  await admin.quit();
  server.kill();
  process.exit(0);
}

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
  const usec: Record<string, Record<string, number>> = {};
  for (const id of ['plain', 'five']) {
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push(JSON.parse((await post('/select', { experimentId: id, userId: `u${Math.floor(Math.random() * 100_000)}` })).body).decisionId);
    await admin.config('RESETSTAT');
    for (const [i, decisionId] of ids.entries()) {
      const res = await post('/reward', { decisionId, reward: i % 2, ...(id === 'five' && { metrics: { judge: 0.5, thumbs_up: i % 2, completed: 0, latency_s: 1.3, tokens: 700 + i } }) });
      if (res.statusCode !== 200) throw new Error(res.body);
    }
    const stats = await admin.info('commandstats');
    const rows = [...stats.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)];
    per[id] = Object.fromEntries(rows.filter(([, c]) => !['evalsha', 'config', 'info'].includes(c)).map(([, c, calls]) => [c, +(Number(calls) / N).toFixed(2)]));
    // Redis time per /reward by command (µs; evalsha is the whole script, the commands it calls included).
    usec[id] = Object.fromEntries(rows.filter(([, c]) => !['config', 'info'].includes(c)).map(([, c, , us]) => [c, +(Number(us) / N).toFixed(2)]));
  }
  const total = (id: string) => +Object.values(per[id]).reduce((a, b) => a + b, 0).toFixed(2);
  console.log(JSON.stringify({ n: N, commandsPerReward: { without: total('plain'), fiveMetrics: total('five') }, byCommand: per, usecPerReward: usec }));
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

// reward.lua's per-call latency percentiles (INFO latencystats, Redis 7): p25 and p50 are far less
// moved by the machine's load than the mean (a call preempted by another process is in the tail).
const percentiles = async (): Promise<{ p25: number; p50: number }> => {
  const m = /latency_percentiles_usec_evalsha:p25=([\d.]+),p50=([\d.]+)/.exec(await admin.info('latencystats'));
  return { p25: Number(m?.[1] ?? NaN), p50: Number(m?.[2] ?? NaN) };
};
await admin.config('SET', 'latency-tracking-info-percentiles', '25 50 99');

type Round = { usecPerCall: number; usecP25: number; usecP50: number; serviceCpu: number; redisCpu: number; assignUsecPerCall: number };
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
  // BATCH=k: k rewards in flight at once, so Redis reads many calls per wake-up and its CPU per
  // /reward is mostly the script's (CPU time, which a preempted process does not accrue).
  for (let i = 0; i < bodies.length; i += BATCH) {
    const res = await Promise.all(bodies.slice(i, i + BATCH).map((payload) => app.inject({ method: 'POST', url: '/reward', headers: json, payload })));
    for (const r of res) if (r.statusCode !== 200) throw new Error(r.body);
  }
  const c = process.cpuUsage(c0);
  const s1 = await stat();
  const p = await percentiles();
  return { usecPerCall: (s1.usec - s0.usec) / (s1.calls - s0.calls), usecP25: p.p25, usecP50: p.p50, serviceCpu: (c.user + c.system) / N, redisCpu: (s1.cpu - s0.cpu) / N,
    assignUsecPerCall: (a1.usec - a0.usec) / (a1.calls - a0.calls) };
}

await round('plain', false); // warm-up
await round('five', true);
type Key = keyof Round;
const empty = (): Record<Key, number[]> => ({ usecPerCall: [], usecP25: [], usecP50: [], serviceCpu: [], redisCpu: [], assignUsecPerCall: [] });
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
  n: N, reps: REPS, batch: BATCH, load: (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  rewardLuaUsecPerCall: { without: med('plain', 'usecPerCall'), fiveMetrics: med('five', 'usecPerCall'), ratio: ratio('usecPerCall') },
  rewardLuaLatencyP50: { without: med('plain', 'usecP50'), fiveMetrics: med('five', 'usecP50'), ratio: ratio('usecP50') },
  rewardLuaLatencyP25: { without: med('plain', 'usecP25'), fiveMetrics: med('five', 'usecP25'), ratio: ratio('usecP25') },
  serviceCpuMicrosPerReward: { without: med('plain', 'serviceCpu'), fiveMetrics: med('five', 'serviceCpu'), ratio: ratio('serviceCpu') },
  redisCpuMicrosPerReward: { without: med('plain', 'redisCpu'), fiveMetrics: med('five', 'redisCpu'), ratio: ratio('redisCpu') },
  assignLuaUsecPerCall: { without: med('plain', 'assignUsecPerCall'), fiveMetrics: med('five', 'assignUsecPerCall') },
}));
await app.close();
await store.close(); // the app does not own the store: without this the process never exits (and holds the lock)
await admin.quit();
server.kill();
