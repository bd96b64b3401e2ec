/**
 * Latency at a constant arrival rate (issue 25, item 4), and the sustained-rewards run of issue 18:
 *
 *   flock /tmp/heavy.lock npm run bench:serving -- latency                      # 50% and 80% of each target's maximum
 *   flock /tmp/heavy.lock env STORES=sqlite PATHS=reward RATES=5000 DURATION_SECONDS=60 npm run bench:serving -- latency
 *
 * Per store (STORES: memory, sqlite, redis) and route (PATHS: select, reward): the maximum is
 * measured first, closed loop (bench/serving/http-load.ts: autocannon, CONNECTIONS connections, MAX_SECONDS);
 * then bench/serving/http-open-loop.ts sends at FRACTIONS of it (default 0.5,0.8), or at the absolute RATES
 * given, for DURATION_SECONDS after WARMUP_SECONDS, and reports p50, p99 and p99.9 measured from
 * each request's intended send time (coordinated omission accounted for). The workload is
 * bench:serving -- http's (bench/serving/workload.ts), the servers are `node dist/main.js` as shipped (RATE_LIMIT=0,
 * LOG_LEVEL=warn, open mode; the SQLite store's DATA_DIR in a temporary folder; Redis a private
 * redis-server), pinned to CPU 0 with the generator on CPU 1 (PIN=1).
 * Each run checks that no answer was an error, none was left unanswered, and (rewards) that /arms
 * counted one reward per fresh id sent.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from '../../test/helpers/redis.js';
import type { OpenLoopResult, OpenLoopSpec } from './http-open-loop.js';
import { build, call, nodeCommand, ROOT, runLoad, startServer, stopServer, type Server } from './http-processes.js';
import { ARM_IDS, DUPLICATE_SHARE, experimentBody, HOLDBACK_PERCENT, USERS } from './workload.js';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const list = (name: string, fallback: string): string[] => env(name, fallback).split(',').map((s) => s.trim()).filter(Boolean);
const STORES = list('STORES', 'memory,sqlite,redis');
const PATHS = list('PATHS', 'select,reward').map((p) => `/${p}` as '/select' | '/reward');
const FRACTIONS = list('FRACTIONS', '0.5,0.8').map(Number);
const RATES = process.env.RATES ? list('RATES', '').map(Number) : null;
const CONNECTIONS = Number(env('CONNECTIONS', '50'));
const MAX_SECONDS = Number(env('MAX_SECONDS', '5'));
const WARMUP_SECONDS = Number(env('WARMUP_SECONDS', '2'));
const DURATION_SECONDS = Number(env('DURATION_SECONDS', '10'));
const PIN = env('PIN', '1') === '1';
const EXPERIMENT = 'bench-latency';
const SECRET = randomBytes(24).toString('base64url');
const LOG_DIR = join(tmpdir(), `bench-latency-${process.pid}`);
mkdirSync(LOG_DIR, { recursive: true });
const command = `STORES=${STORES.join(',')} PATHS=${PATHS.map((p) => p.slice(1)).join(',')} ${RATES ? `RATES=${RATES.join(',')}` : `FRACTIONS=${FRACTIONS.join(',')}`} `
  + `CONNECTIONS=${CONNECTIONS} MAX_SECONDS=${MAX_SECONDS} WARMUP_SECONDS=${WARMUP_SECONDS} DURATION_SECONDS=${DURATION_SECONDS} PIN=${PIN ? 1 : 0} npm run bench:serving -- latency`;

const rewardSpec = (ids: number) => ({ secret: SECRET, armIds: ARM_IDS, baselineArmId: ARM_IDS[0], holdbackShare: HOLDBACK_PERCENT / 100, duplicateShare: DUPLICATE_SHARE, ids });

async function openLoop(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const child = spawn(...nodeCommand(['--import', 'tsx', 'bench/serving/http-open-loop.ts'], PIN ? { cpu: 1 } : null), {
    cwd: ROOT, env: { ...process.env, BENCH_OPEN_LOOP: JSON.stringify(spec) }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`the open-loop generator failed (exit code ${code})`);
  return JSON.parse(out.trim().split('\n').pop()!) as OpenLoopResult;
}

const rewardsCounted = async (s: Server): Promise<number> =>
  (JSON.parse((await call(s, 'GET', `/arms?experimentId=${EXPERIMENT}`)).text) as { totals: { rewards: number } }).totals.rewards;

console.log(`building; then ${command}`);
build();
const lines: string[] = [];
const checks: string[] = [];
let redis: RedisServer | null = null;
try {
  for (const store of STORES) {
    if (store === 'redis') redis ??= await startRedisServer();
    const server = await startServer(`service-${store}`, 'dist/main.js', {
      env: { LOG_LEVEL: 'warn', RATE_LIMIT: '0', DECISION_SECRET: SECRET, STORE: store,
        ...(store === 'sqlite' && { DATA_DIR: join(LOG_DIR, 'data') }), ...(store === 'redis' && { REDIS_URL: redis!.url, REDIS_PREFIX: 'bench-latency:' }) },
      logDir: LOG_DIR, pin: PIN ? { cpu: 0 } : null,
    });
    try {
      const created = await call(server, 'POST', '/experiments', experimentBody(EXPERIMENT));
      if (created.status !== 201) throw new Error(`creating the experiment: ${created.status} ${created.text}`);
      // Ids minted without a life tag count only when issued in a later second than the experiment's creation.
      await new Promise((r) => setTimeout(r, 1100));
      const url = new URL(server.url);
      for (const path of PATHS) {
        let rates = RATES;
        let max = NaN;
        if (!rates) {
          const out = await runLoad({
            url: server.url, path, experimentId: EXPERIMENT, connections: CONNECTIONS, warmupSeconds: 1, durationSeconds: MAX_SECONDS,
            pids: { server: server.proc.pid! }, users: USERS, ...(path === '/reward' && { reward: rewardSpec(40_000 * (MAX_SECONDS + 1)) }),
          }, PIN ? { cpu: 1 } : null);
          max = out.result!.requests / out.result!.seconds;
          rates = FRACTIONS.map((f) => Math.round(f * max));
          console.log(`${store} ${path}: maximum ${Math.round(max)} req/s (closed loop, ${CONNECTIONS} connections, ${MAX_SECONDS} s)`);
        }
        for (const [i, rate] of rates.entries()) {
          const before = path === '/reward' ? await rewardsCounted(server) : 0;
          const r = await openLoop({
            host: url.hostname, port: Number(url.port), path, experimentId: EXPERIMENT, rate, connections: CONNECTIONS,
            warmupSeconds: WARMUP_SECONDS, durationSeconds: DURATION_SECONDS, users: USERS,
            ...(path === '/reward' && { reward: rewardSpec(Math.ceil(rate * (WARMUP_SECONDS + DURATION_SECONDS))) }),
          });
          const answered = Object.values(r.statusCodes).reduce((a, b) => a + b, 0);
          const non2xx = Object.entries(r.statusCodes).filter(([c]) => !c.startsWith('2')).reduce((a, [, n]) => a + n, 0);
          const share = RATES ? '' : ` (${Math.round(100 * FRACTIONS[i])}% of max)`;
          const line = `${store} ${path} ${rate} req/s${share}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, p99.9 ${r.p999.toFixed(2)} ms, max ${r.max.toFixed(2)} ms; `
            + `${answered} answers measured over ${DURATION_SECONDS} s, non-2xx ${non2xx}, errors ${r.errors}, unanswered ${r.unanswered}, `
            + `waited for a connection ${r.queued}, generator lag max ${r.maxLagMs.toFixed(1)} ms`;
          console.log(line);
          lines.push(line);
          if (r.reward) {
            const counted = (await rewardsCounted(server)) - before;
            checks.push(`${store} ${path} at ${rate}/s: /arms counted ${counted} rewards for ${r.reward.freshSent} fresh ids sent (${r.reward.duplicatesSent} repeats)${r.reward.wrapped ? ', ids reused' : ''}`);
          }
        }
      }
    } finally {
      await stopServer(server);
    }
  }
} finally {
  await redis?.destroy();
}
console.log(`\n${new Date().toISOString()}: ${command}\n${lines.join('\n')}\n\nChecks:\n  ${checks.join('\n  ')}\nServer logs: ${LOG_DIR}`);
