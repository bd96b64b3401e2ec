/**
 * Serving cost: the server process's CPU time per request of the real service, against a bare
 * Fastify route doing the framework's part only, alternated in the same run on the same machine,
 * each server in a process of its own. Reproduce with
 *
 *   flock /tmp/heavy.lock npm run bench:serving -- http
 *
 * and see the exact command it prints (every setting below is an environment variable).
 *
 * Why CPU per request: the load generator, the servers and Redis share two cores (with other
 * work), so a request rate measures the machine as much as the service. The CPU time a server
 * spends per answer (utime + stime from /proc/<pid>/stat over each measured run, all threads) does
 * not depend on how fast the generator is; nor does Redis's own time per script call (INFO
 * commandstats, `usec_per_call`). Rates and latency percentiles are printed for information,
 * latency only as a ratio to the bare route's in the same round.
 *
 * Processes: the servers under test (`node dist/main.js` after `npm run build`, LOG_LEVEL=warn by
 * default; one per store of STORES: memory, sqlite (a DATA_DIR in the log folder), Redis with a REDIS_PREFIX of its own), the bare
 * server (bench/serving/http-ceiling.ts compiled by tsc, run by `node`, same logger setting: POST /select
 * and POST /reward parse the JSON body and answer a real answer of the service as a constant), and
 * the load generator (bench/serving/http-load.ts: autocannon's API, one process per run). One server is
 * under load at a time; the others sit idle. PIN=1 (default) runs every server on CPU 0 and the
 * generator on CPU 1 with taskset; PIN=0 leaves the placement to the scheduler.
 * Redis: REDIS_URL=private (default) starts a redis-server of the bench's own on a free port (no
 * persistence), so that its commandstats count this bench's calls only; any other REDIS_URL uses
 * that server (the shared one counts other tenants' scripts too: usec_per_call is then suspect).
 *
 * Defaults: issue 25's workload (every store, three alternated rounds of 6 s, 50 connections,
 * RATE_LIMIT=0, LOG_LEVEL=warn, open mode, the event log on as shipped). The report ends with one
 * line per store and route: its CPU per request as a ratio to bare (median and range of the
 * rounds), and the user and system time each against bare's.
 *
 * Targets: bare /select and bare /reward, then /select and /reward on each store. Each is warmed
 * up once (WARMUP_SECONDS), then measured in ROUNDS rounds of ROUND_SECONDS; a round runs every
 * target in turn (after ROUND_WARMUP_SECONDS), so a shared machine's drifts hit every target alike.
 * A target's ratio is, per round, its CPU per request over the bare route's of the same path in
 * that round; the figure is the median of the rounds, with their range.
 *
 * The experiment: 10 arms, Thompson Sampling, bernoulli, holdback 10%, guardrails on (limits that
 * are not reached). /select users are drawn uniformly from 100,000 ids. /reward ids are minted by
 * the load process with the service's own DecisionSigner and the DECISION_SECRET the servers get
 * (the very tokens /select issues, without making hundreds of thousands of decisions first):
 * fresh ones in order, and 10% of the requests repeat one already sent (200, duplicate: true).
 *
 * Tools for finding what to change:
 *   CPU_PROF_DIR=<dir>   servers run under `node --cpu-prof`; `npx tsx bench/serving/http-profile.ts <file>`
 *   RATE=<n>             a fixed rate instead of a closed loop: CPU per request without saturation
 *   SERVER_NODE_FLAGS=.. node flags for every server, the bare one included (e.g. --trace-gc)
 *   SERVER_ENV=K=V,..    environment for the service's servers only (e.g. AUTH=off)
 *   COMPARE_DIST=<dirs>  copies of an earlier dist/ (inside the repository, e.g.
 *                        node_modules/.cache/dist-before) measured in the same rounds: an A/B
 *   FLOOR=const,token    copies of this dist/ with less of the service's work in the handlers,
 *                        measured in the same rounds: the floor, piece by piece (bench/serving/http-floor.ts)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Redis } from 'ioredis';
import { deleteKeys, startRedisServer, type RedisServer } from '../../test/helpers/redis.js';
import type { LoadResult, LoadSpec } from './http-load.js';
import { FLOORS, floorBuilds, type Floor } from './http-floor.js';
import { build, call, CEILING_JS, localRedisPid, logLines, runLoad, startServer, stopServer, type Server } from './http-processes.js';
import { report, type Target } from './http-report.js';
import { ARM_IDS, DUPLICATE_SHARE, experimentBody, HOLDBACK_PERCENT, USERS } from './workload.js';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const CONNECTIONS = Number(env('CONNECTIONS', '50'));
const WARMUP_SECONDS = Number(env('WARMUP_SECONDS', '5'));
const ROUNDS = Number(env('ROUNDS', '3'));
const ROUND_SECONDS = Number(env('ROUND_SECONDS', '6'));
const ROUND_WARMUP_SECONDS = Number(env('ROUND_WARMUP_SECONDS', '1'));
const STORES = env('STORES', 'memory,sqlite,redis').split(',').map((s) => s.trim()) as ('memory' | 'sqlite' | 'redis')[];
const PATHS = env('PATHS', 'select,reward').split(',').map((s) => s.trim());
const REDIS_URL = env('REDIS_URL', 'private');
const LOG_LEVEL = env('LOG_LEVEL', 'warn');
const PIN = env('PIN', '1') === '1';
const CPU_PROF_DIR = process.env.CPU_PROF_DIR;
const SERVER_NODE_FLAGS = (process.env.SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
const SERVER_ENV = Object.fromEntries((process.env.SERVER_ENV ?? '').split(',').filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]));
const RATE = process.env.RATE ? Number(process.env.RATE) : undefined;
const COMPARE_DIRS = process.env.COMPARE_DIST ? process.env.COMPARE_DIST.split(',').map((d) => d.trim()) : [];
const FLOOR = (process.env.FLOOR ?? '').split(',').map((s) => s.trim()).filter(Boolean) as Floor[];
for (const f of FLOOR) if (!FLOORS.includes(f)) throw new Error(`FLOOR: unknown floor '${f}' (known: ${FLOORS.join(', ')})`);
/** Fresh /reward ids minted per load process: enough for this many requests a second. */
const REWARD_MAX_RATE = Number(env('REWARD_MAX_RATE', '40000'));

const EXPERIMENT = 'bench-http';
const SECRET = randomBytes(24).toString('base64url');
const SERVER_CPU = PIN ? { cpu: 0 } : null;
const GENERATOR_CPU = PIN ? { cpu: 1 } : null;
const LOG_DIR = join(tmpdir(), `bench-http-${process.pid}`);
mkdirSync(LOG_DIR, { recursive: true });
const command = [
  `CONNECTIONS=${CONNECTIONS}`, `WARMUP_SECONDS=${WARMUP_SECONDS}`, `ROUNDS=${ROUNDS}`, `ROUND_SECONDS=${ROUND_SECONDS}`,
  `ROUND_WARMUP_SECONDS=${ROUND_WARMUP_SECONDS}`, `STORES=${STORES.join(',')}`, `PATHS=${PATHS.join(',')}`,
  ...(STORES.includes('redis') ? [`REDIS_URL=${REDIS_URL}`] : []), `LOG_LEVEL=${LOG_LEVEL}`, `PIN=${PIN ? 1 : 0}`,
  ...(CPU_PROF_DIR ? [`CPU_PROF_DIR=${CPU_PROF_DIR}`] : []), ...(SERVER_NODE_FLAGS.length ? [`SERVER_NODE_FLAGS='${SERVER_NODE_FLAGS.join(' ')}'`] : []),
  ...(process.env.SERVER_ENV ? [`SERVER_ENV=${process.env.SERVER_ENV}`] : []), ...(RATE ? [`RATE=${RATE}`] : []),
  ...(COMPARE_DIRS.length ? [`COMPARE_DIST=${COMPARE_DIRS.join(',')}`] : []), ...(FLOOR.length ? [`FLOOR=${FLOOR.join(',')}`] : []), 'npm run bench:serving -- http',
].join(' ');

async function load(t: Target, warmupSeconds: number, durationSeconds: number): Promise<LoadResult | null> {
  const spec: LoadSpec = {
    url: t.server.url, path: t.path, experimentId: EXPERIMENT, connections: CONNECTIONS, warmupSeconds, durationSeconds,
    pids: t.pids, users: USERS, ...(RATE && { rate: RATE }), ...(t.redisUrl && { redisUrl: t.redisUrl }),
    ...(t.path === '/reward' && {
      reward: {
        secret: SECRET, armIds: ARM_IDS, baselineArmId: ARM_IDS[0], holdbackShare: HOLDBACK_PERCENT / 100,
        duplicateShare: DUPLICATE_SHARE, ids: Math.ceil(REWARD_MAX_RATE * (warmupSeconds + durationSeconds)),
      },
    }),
  };
  const out = await runLoad(spec, GENERATOR_CPU);
  t.freshSentAll += out.freshSentAll;
  return out.result ?? null;
}

async function createExperiment(s: Server): Promise<void> {
  const r = await call(s, 'POST', '/experiments', experimentBody(EXPERIMENT));
  if (r.status !== 201) throw new Error(`creating the experiment on ${s.name}: ${r.status} ${r.text}`);
}

const totals = async (s: Server): Promise<{ decisions: number; rewards: number }> =>
  (JSON.parse((await call(s, 'GET', `/arms?experimentId=${EXPERIMENT}`)).text) as { totals: { decisions: number; rewards: number } }).totals;

// --- the run ---------------------------------------------------------------------------------

console.log('building: npm run build, and tsc bench/serving/http-ceiling.ts');
build();
const serverOptions = (e: Record<string, string>) => ({ env: { LOG_LEVEL, ...e }, logDir: LOG_DIR, pin: SERVER_CPU, cpuProfDir: CPU_PROF_DIR, nodeFlags: SERVER_NODE_FLAGS });
// Issue 25's workload: no rate limiter (RATE_LIMIT=0); SERVER_ENV=RATE_LIMIT=1000000 measures it with a limit never reached.
const serviceEnv = (e: Record<string, string>) => ({ DECISION_SECRET: SECRET, RATE_LIMIT: '0', ...SERVER_ENV, ...e });

// Real answers of /select and /reward: the bare server answers them as its constants (same sizes).
const sampler = await startServer('service-sample', 'dist/main.js', { ...serverOptions(serviceEnv({ STORE: 'memory' })), cpuProfDir: undefined });
await createExperiment(sampler);
const sample = await call(sampler, 'POST', '/select', { experimentId: EXPERIMENT, userId: 'u-1' });
const rewardSample = sample.status === 200
  ? await call(sampler, 'POST', '/reward', { decisionId: (JSON.parse(sample.text) as { decisionId: string }).decisionId, reward: 1, latencyMs: 120, cost: 0.001 })
  : sample;
await stopServer(sampler);
if (sample.status !== 200 || rewardSample.status !== 200) throw new Error(`the sample answered ${sample.status} / ${rewardSample.status}: ${sample.text} ${rewardSample.text}`);

const servers: Server[] = [];
const targets: Target[] = [];
const checks: string[] = [];
const redisPrefix = `bench:${randomBytes(3).toString('hex')}:`;
const started = new Date();
let privateRedis: RedisServer | null = null;
let redisUrl = REDIS_URL;
try {
  if (STORES.includes('redis') && REDIS_URL === 'private') {
    privateRedis = await startRedisServer();
    redisUrl = privateRedis.url;
  }
  const bare = await startServer('bare', CEILING_JS, serverOptions({ CEILING_SELECT_BODY: sample.text, CEILING_REWARD_BODY: rewardSample.text }));
  servers.push(bare);
  const bareOf = new Map<string, Target>();
  for (const path of ['/select', '/reward'] as const) {
    if (!PATHS.includes(path.slice(1))) continue;
    const t: Target = { label: `bare ${path}`, store: null, path, server: bare, pids: { server: bare.proc.pid! }, runs: [], freshSentAll: 0, bare: null };
    targets.push(t);
    bareOf.set(path, t);
  }
  const rpid = STORES.includes('redis') ? await localRedisPid(redisUrl) : null;
  // The floors do no store work: they run on the first store only.
  const floorDirs = floorBuilds(FLOOR, sample.text, rewardSample.text);
  const buildsOf = (store: string) => [{ main: 'dist/main.js', dir: '' }, ...[...COMPARE_DIRS, ...(store === STORES[0] ? floorDirs : [])]
    .map((d) => ({ main: join(d, 'main.js'), dir: d }))];
  for (const store of STORES) {
    for (const [i, b] of buildsOf(store).entries()) {
      const tag = b.dir ? ` (${basename(b.dir)})` : '';
      const server = await startServer(`service-${store}${b.dir ? `-${basename(b.dir)}` : ''}`, b.main, serverOptions(serviceEnv({
        ...(store === 'redis' && { REDIS_URL: redisUrl, REDIS_PREFIX: i ? `${redisPrefix}${i}:` : redisPrefix }),
        // The SQLite store as shipped (WAL, synchronous=NORMAL), its database in the bench's log folder.
        STORE: store, ...(store === 'sqlite' && { DATA_DIR: join(LOG_DIR, `data-${i}`) }),
      })));
      servers.push(server);
      await createExperiment(server);
      const pids = { server: server.proc.pid!, ...(store === 'redis' && rpid && { redis: rpid }) };
      for (const path of ['/select', '/reward'] as const) {
        if (!PATHS.includes(path.slice(1))) continue;
        targets.push({
          label: `${path} ${store}${tag}`, store, path, server, pids, runs: [], freshSentAll: 0, bare: bareOf.get(path)!,
          ...(store === 'redis' && { redisUrl }),
        });
      }
    }
  }

  const before = new Map<Server, { decisions: number; rewards: number }>();
  for (const s of servers.slice(1)) before.set(s, await totals(s));
  for (const t of targets) {
    console.log(`warm-up ${t.label}: ${WARMUP_SECONDS} s`);
    await load(t, WARMUP_SECONDS, 0);
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const r = (await load(t, ROUND_WARMUP_SECONDS, ROUND_SECONDS))!;
      t.runs.push(r);
      const us = (1e6 * r.cpuSeconds.server) / r.requests;
      console.log(`round ${round} ${t.label}: ${Math.round(r.requests / r.seconds)} req/s, server ${us.toFixed(1)} µs/req, `
        + `errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`);
    }
  }

  for (const s of servers.slice(1)) {
    const after = await totals(s);
    const sel = targets.find((t) => t.server === s && t.path === '/select');
    const rew = targets.find((t) => t.server === s && t.path === '/reward');
    const sumOf = (t: Target, f: (r: LoadResult) => number): number => t.runs.reduce((a, r) => a + f(r), 0);
    checks.push(`${s.name}: /arms counted ${after.decisions - before.get(s)!.decisions} decisions`
      + (sel ? ` (measured /select answers: ${sumOf(sel, (r) => r.requests)}, plus the warm-ups')` : '')
      + ` and ${after.rewards - before.get(s)!.rewards} rewards`
      + (rew ? ` for ${rew.freshSentAll} fresh ids sent, warm-ups included (a run's last requests can be cut off in flight); `
        + `measured runs: ${sumOf(rew, (r) => r.reward!.freshSent)} fresh, ${sumOf(rew, (r) => r.reward!.duplicatesSent)} repeats; `
        + `ids reused: ${rew.runs.some((r) => r.reward!.wrapped) ? 'YES (raise REWARD_MAX_RATE)' : 'no'}` : ''));
  }
} finally {
  for (const s of servers) await stopServer(s);
  for (const s of servers) {
    const lines = logLines(s);
    checks.push(`${s.name}: logged ${lines.length} line(s) at ${LOG_LEVEL} or above${lines.length ? `, first: ${lines[0].slice(0, 300)}` : ''}`);
  }
  if (privateRedis) {
    await privateRedis.destroy();
    checks.push(`redis: a private redis-server (${redisUrl}), stopped`);
  } else if (STORES.includes('redis')) {
    const admin = new Redis(redisUrl);
    checks.push(`redis: deleted ${await deleteKeys(admin, redisPrefix)} keys under ${redisPrefix}`);
    admin.disconnect();
  }
}

report({ targets, checks, started, command, logDir: LOG_DIR, rate: RATE, redisUrl: REDIS_URL, settings: `${CONNECTIONS} connections; per target ${WARMUP_SECONDS} s of warm-up, then ${ROUNDS} rounds of ${ROUND_SECONDS} s `
  + `(each after ${ROUND_WARMUP_SECONDS} s of warm-up); servers at LOG_LEVEL=${LOG_LEVEL}; ${PIN ? 'servers pinned to CPU 0, load generator to CPU 1' : 'no pinning'}; Redis not pinned` });
