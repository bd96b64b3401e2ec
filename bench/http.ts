/**
 * Serving speed: autocannon against the real service and against a bare Fastify ceiling, in the
 * same run, on the same machine, each in a process of its own. Reproduce with
 *
 *   npm run bench:http
 *
 * and see the exact command it prints (every setting below is an environment variable).
 *
 * Processes: the servers under test (`node dist/main.js` after `npm run build`, LOG_LEVEL=warn by
 * default; one on the embedded store, one on Redis at REDIS_URL with a REDIS_PREFIX of its own),
 * the ceiling (bench/http-ceiling.ts compiled by tsc, run by `node`, same logger setting), and the
 * load generator (bench/http-load.ts: autocannon's API, one process per run). One server is under
 * load at a time; the others sit idle. PIN=1 (default) runs every server on CPU 0 and the
 * generator on CPU 1 with taskset; PIN=0 leaves the placement to the scheduler. Redis, a process
 * this bench does not own, is never pinned: it shares both cores.
 *
 * Targets: the ceiling, then /select and /reward on each store. Each is warmed up once
 * (WARMUP_SECONDS), then measured for DURATION_SECONDS in all, split over ROUNDS rounds; a round
 * runs every target in turn (after ROUND_WARMUP_SECONDS), so a shared machine's drifts hit every
 * target alike. Ratios are to the ceiling's totals; the per-round ratios show the spread.
 *
 * The experiment: 10 arms, Thompson Sampling, bernoulli, holdback 10%, guardrails on (limits that
 * are not reached). /select users are drawn uniformly from 100,000 ids. /reward ids are minted by
 * the load process with the service's own DecisionSigner and the DECISION_SECRET the servers get
 * (the very tokens /select issues, without making hundreds of thousands of decisions first):
 * fresh ones in order, and 10% of the requests repeat one already sent (200, duplicate: true).
 *
 * Tools for finding what to change (the targets are not judged in these modes):
 *   CPU_PROF_DIR=<dir>   servers run under `node --cpu-prof`; `npx tsx bench/http-profile.ts <file>`
 *   RATE=<n>             a fixed rate instead of a closed loop: CPU per request without saturation
 *   SERVER_NODE_FLAGS=.. node flags for every server, the ceiling included (e.g. --trace-gc)
 *   COMPARE_DIST=<dirs>  copies of an earlier dist/ (inside the repository, e.g.
 *                        node_modules/.cache/dist-before) measured in the same rounds: an A/B
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { deleteKeys } from '../test/helpers/redis.js';
import type { LoadResult, LoadSpec } from './http-load.js';
import { build, call, CEILING_JS, localRedisPid, logLines, ROOT, runLoad, startServer, stopServer, type Server } from './http-processes.js';
import { summarise, type Summary } from './http-summary.js';
import { ARM_IDS, DUPLICATE_SHARE, experimentBody, HOLDBACK_PERCENT, USERS } from './workload.js';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const CONNECTIONS = Number(env('CONNECTIONS', '50'));
const WARMUP_SECONDS = Number(env('WARMUP_SECONDS', '10'));
const DURATION_SECONDS = Number(env('DURATION_SECONDS', '15'));
const ROUNDS = Number(env('ROUNDS', '3'));
const ROUND_WARMUP_SECONDS = Number(env('ROUND_WARMUP_SECONDS', '1'));
const STORES = env('STORES', 'memory,redis').split(',').map((s) => s.trim()) as ('memory' | 'redis')[];
const PATHS = env('PATHS', 'select,reward').split(',').map((s) => s.trim());
const REDIS_URL = env('REDIS_URL', 'redis://127.0.0.1:6379');
const LOG_LEVEL = env('LOG_LEVEL', 'warn');
const PIN = env('PIN', '1') === '1';
const CPU_PROF_DIR = process.env.CPU_PROF_DIR;
const SERVER_NODE_FLAGS = (process.env.SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
const RATE = process.env.RATE ? Number(process.env.RATE) : undefined;
const COMPARE_DIRS = process.env.COMPARE_DIST ? process.env.COMPARE_DIST.split(',').map((d) => d.trim()) : [];
/** Fresh /reward ids minted per load process: enough for this many requests a second. */
const REWARD_MAX_RATE = Number(env('REWARD_MAX_RATE', '25000'));

const EXPERIMENT = 'bench-http';
const SECRET = randomBytes(24).toString('base64url');
const TARGET_RATIOS: Record<string, number> = { '/select memory': 0.9, '/select redis': 0.8, '/reward memory': 0.9, '/reward redis': 0.7 };
const P99_LIMIT_MS = 10;
/** Machine CPU not used by the measured processes above this (cores) means something else ran: the figures are suspect. */
const OTHERS_WARNING = 0.1;

const SERVER_CPU = PIN ? { cpu: 0 } : null;
const GENERATOR_CPU = PIN ? { cpu: 1 } : null;
const LOG_DIR = join(tmpdir(), `bench-http-${process.pid}`);
mkdirSync(LOG_DIR, { recursive: true });
const command = [
  `CONNECTIONS=${CONNECTIONS}`, `WARMUP_SECONDS=${WARMUP_SECONDS}`, `DURATION_SECONDS=${DURATION_SECONDS}`, `ROUNDS=${ROUNDS}`,
  `ROUND_WARMUP_SECONDS=${ROUND_WARMUP_SECONDS}`, `STORES=${STORES.join(',')}`, `PATHS=${PATHS.join(',')}`,
  ...(STORES.includes('redis') ? [`REDIS_URL=${REDIS_URL}`] : []), `LOG_LEVEL=${LOG_LEVEL}`, `PIN=${PIN ? 1 : 0}`,
  ...(CPU_PROF_DIR ? [`CPU_PROF_DIR=${CPU_PROF_DIR}`] : []), ...(SERVER_NODE_FLAGS.length ? [`SERVER_NODE_FLAGS='${SERVER_NODE_FLAGS.join(' ')}'`] : []), ...(RATE ? [`RATE=${RATE}`] : []),
  ...(COMPARE_DIRS.length ? [`COMPARE_DIST=${COMPARE_DIRS.join(',')}`] : []), 'npm run bench:http',
].join(' ');

interface Target {
  label: string;
  store: 'memory' | 'redis' | null;
  path: '/select' | '/reward';
  server: Server;
  pids: Record<string, number>;
  runs: LoadResult[];
  /** Fresh /reward ids sent by all of this target's load processes, warm-ups included. */
  freshSentAll: number;
}

async function load(t: Target, warmupSeconds: number, durationSeconds: number): Promise<LoadResult | null> {
  const spec: LoadSpec = {
    url: t.server.url, path: t.path, experimentId: EXPERIMENT, connections: CONNECTIONS, warmupSeconds, durationSeconds,
    pids: t.pids, users: USERS, ...(RATE && { rate: RATE }),
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

const f2 = (x: number): string => x.toFixed(2);
const coreText = (c: Record<string, number>): string => Object.entries(c).map(([k, v]) => `${k} ${f2(v)}`).join(', ');

// --- the run ---------------------------------------------------------------------------------

console.log('building: npm run build, and tsc bench/http-ceiling.ts');
build();
const serverOptions = (env: Record<string, string>) => ({ env: { LOG_LEVEL, ...env }, logDir: LOG_DIR, pin: SERVER_CPU, cpuProfDir: CPU_PROF_DIR, nodeFlags: SERVER_NODE_FLAGS });

// A real /select answer: the ceiling answers it as its constant body (same size).
const sampler = await startServer('service-sample', 'dist/main.js', { ...serverOptions({ DECISION_SECRET: SECRET }), cpuProfDir: undefined });
await createExperiment(sampler);
const sample = await call(sampler, 'POST', '/select', { experimentId: EXPERIMENT, userId: 'u-1' });
await stopServer(sampler);
if (sample.status !== 200) throw new Error(`the sample /select answered ${sample.status}: ${sample.text}`);

const servers: Server[] = [];
const targets: Target[] = [];
const checks: string[] = [];
const redisPrefix = `bench:${randomBytes(3).toString('hex')}:`;
const started = new Date();
try {
  const ceiling = await startServer('ceiling', CEILING_JS, serverOptions({ CEILING_BODY: sample.text }));
  servers.push(ceiling);
  targets.push({ label: 'ceiling', store: null, path: '/select', server: ceiling, pids: { server: ceiling.proc.pid! }, runs: [], freshSentAll: 0 });
  const rpid = STORES.includes('redis') ? await localRedisPid(REDIS_URL) : null;
  const builds = [{ main: 'dist/main.js', tag: '' }, ...COMPARE_DIRS.map((d) => ({ main: join(d, 'main.js'), tag: ` (${basename(d)})` }))];
  for (const store of STORES) {
    for (const [i, b] of builds.entries()) {
      const server = await startServer(`service-${store}${i ? `-${basename(COMPARE_DIRS[i - 1])}` : ''}`, b.main, serverOptions({
        DECISION_SECRET: SECRET, ...(store === 'redis' && { REDIS_URL, REDIS_PREFIX: i ? `${redisPrefix}${i}:` : redisPrefix }),
      }));
      servers.push(server);
      await createExperiment(server);
      const pids = { server: server.proc.pid!, ...(store === 'redis' && rpid && { redis: rpid }) };
      for (const path of ['/select', '/reward'] as const) {
        if (PATHS.includes(path.slice(1))) targets.push({ label: `${path} ${store}${b.tag}`, store, path, server, pids, runs: [], freshSentAll: 0 });
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
      const r = (await load(t, ROUND_WARMUP_SECONDS, DURATION_SECONDS / ROUNDS))!;
      t.runs.push(r);
      const s = summarise([r]);
      console.log(`round ${round} ${t.label}: ${Math.round(s.rps)} req/s, p50 ${f2(s.p50)} ms, p99 ${f2(s.p99)} ms, p99.9 ${f2(s.p999)} ms, `
        + `errors ${s.errors}, timeouts ${s.timeouts}, non-2xx ${s.non2xx}; cores: ${coreText(s.cores)}`);
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
  if (STORES.includes('redis')) {
    const admin = new Redis(REDIS_URL);
    checks.push(`redis: deleted ${await deleteKeys(admin, redisPrefix)} keys under ${redisPrefix}`);
    admin.disconnect();
  }
}

// --- report ----------------------------------------------------------------------------------

const ceilingTarget = targets[0];
const ceiling = summarise(ceilingTarget.runs);
const summaries = new Map<Target, Summary>(targets.map((t) => [t, summarise(t.runs)]));
const git = (...args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const dirty = git('status', '--porcelain');

console.log('\n## Serving speed (bench:http)\n');
console.log(`Started ${started.toISOString()}; commit ${git('rev-parse', '--short', 'HEAD')}`
  + `${dirty ? `, with uncommitted changes:\n${dirty.split('\n').map((l) => `    ${l}`).join('\n')}` : ' (clean tree)'}`);
console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`);
console.log(`Command: ${command}`);
console.log(`${CONNECTIONS} connections; per target ${WARMUP_SECONDS} s of warm-up, then ${DURATION_SECONDS} s measured in ${ROUNDS} rounds; `
  + `servers at LOG_LEVEL=${LOG_LEVEL}; ${PIN ? 'servers pinned to CPU 0, load generator to CPU 1' : 'no pinning'}; Redis not pinned\n`);
console.log('| target | req/s | p50 ms | p99 ms | p99.9 ms | ratio req/s (per round) | ratio p50 | ratio p99 | ratio p99.9 | errors / timeouts / non-2xx | server CPU µs/req | cores: generator / server / redis / others / machine busy / steal |');
console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--|');
for (const t of targets) {
  const s = summaries.get(t)!;
  const isCeiling = t === ceilingTarget;
  const perRound = t.runs.map((r, i) => summarise([r]).rps / summarise([ceilingTarget.runs[i]]).rps);
  const ratio = isCeiling ? '' : `${f2(s.rps / ceiling.rps)} (${f2(Math.min(...perRound))}-${f2(Math.max(...perRound))})`;
  const lat = (x: number, base: number): string => (isCeiling ? '' : f2(x / base));
  const c = s.cores;
  console.log(`| ${t.label} | ${Math.round(s.rps)} | ${f2(s.p50)} | ${f2(s.p99)} | ${f2(s.p999)} | ${ratio} | ${lat(s.p50, ceiling.p50)} | ${lat(s.p99, ceiling.p99)} | ${lat(s.p999, ceiling.p999)} `
    + `| ${s.errors} / ${s.timeouts} / ${s.non2xx} | ${s.serverCpuUsPerRequest.toFixed(0)} `
    + `| ${[c.generator, c.server, c.redis, c.others, c.machineBusy, c.machineSteal].map((x) => (x === undefined ? '-' : f2(x))).join(' / ')} |`);
}

if (!RATE) {
  console.log(`\nTargets (req/s ratio to the ceiling; zero errors, timeouts and non-2xx; p99 under ${P99_LIMIT_MS} ms at ${CONNECTIONS} connections):`);
  for (const t of targets.filter((x) => TARGET_RATIOS[x.label] !== undefined)) {
    const s = summaries.get(t)!;
    const ratio = s.rps / ceiling.rps;
    const clean = s.errors === 0 && s.timeouts === 0 && s.non2xx === 0;
    const missed = [ratio >= TARGET_RATIOS[t.label] ? null : 'ratio', clean ? null : 'errors', s.p99 < P99_LIMIT_MS ? null : 'p99'].filter(Boolean);
    console.log(`  ${missed.length ? `MISSED (${missed.join(', ')})` : 'MET'} ${t.label}: ratio ${f2(ratio)} (target ${TARGET_RATIOS[t.label]}), `
      + `p99 ${f2(s.p99)} ms, ${clean ? 'no errors' : `errors ${s.errors}, timeouts ${s.timeouts}, non-2xx ${s.non2xx}`}`);
  }
}
console.log('\nChecks:');
for (const c of checks) console.log(`  ${c}`);
console.log(`  mean answer bytes (status line, headers, body): ${targets.map((t) => `${t.label} ${Math.round(summaries.get(t)!.meanBytes)}`).join(', ')}`);
console.log(`  status codes: ${targets.map((t) => `${t.label} ${JSON.stringify(summaries.get(t)!.statusCodes)}`).join(', ')}`);
const busy = targets.filter((t) => summaries.get(t)!.cores.others > OTHERS_WARNING);
console.log(busy.length
  ? `  WARNING: other processes used more than ${OTHERS_WARNING} cores during ${busy.map((t) => t.label).join(', ')}: those figures are disturbed`
  : `  other processes used under ${OTHERS_WARNING} cores during every target`);
console.log(`\nServer logs: ${LOG_DIR}`);
