/**
 * bench:serving, what serving costs: the HTTP benchmark against a bare Fastify route, latency at a
 * constant arrival rate, the hot path in process, and one named part per feature's cost.
 * `npm run bench:serving -- --help` lists the parts (bench/runner.ts says how they run).
 */
import { main, type Part } from '../runner.js';

const REDIS_NOTE = 'starts a private redis-server (needs the binary)';
export const PARTS: Part[] = [
  { name: 'http', script: 'serving/http.ts', heavy: true, about: 'server CPU per request, real service vs bare route, same rounds (issues 14, 18, 25)',
    settings: 'STORES, PATHS, ROUNDS, ROUND_SECONDS, WARMUP_SECONDS, FLOOR=const,token, PIN, REDIS_URL, CPU_PROF_DIR',
    smoke: { env: { STORES: 'memory', ROUNDS: '1', ROUND_SECONDS: '1', ROUND_WARMUP_SECONDS: '0', WARMUP_SECONDS: '1' } } },
  { name: 'latency', script: 'serving/http-latency.ts', heavy: true, about: 'latency percentiles at a constant arrival rate (open loop; issues 18, 25)',
    settings: 'STORES, PATHS, FRACTIONS or RATES, DURATION_SECONDS, WARMUP_SECONDS, CONNECTIONS, PIN',
    smoke: { env: { STORES: 'memory', PATHS: 'select', RATES: '200', DURATION_SECONDS: '2', WARMUP_SECONDS: '1', PIN: '0' } } },
  { name: 'hot-path', script: 'serving/hot-path.ts', about: 'CPU per select()/reward() in process, no HTTP (STORE=redis: plus Redis usec_per_call)',
    settings: 'CALLS, REPS, STORE=memory|redis, REDIS_URL', smoke: { env: { CALLS: '200', REPS: '1' } } },
  { name: 'profile', script: 'serving/http-profile.ts', notInAll: true, about: 'summarises a .cpuprofile written by `CPU_PROF_DIR=... bench:serving -- http`',
    settings: 'args: <file.cpuprofile> [top] [usPerRequest] [base.cpuprofile baseUsPerRequest]' },
  { name: 'auth', script: 'serving/auth-cost.ts', about: 'CPU per /select of the access plugins (open, API key, key + rate limiter)', settings: 'N, REPS',
    smoke: { env: { N: '200', REPS: '1' } } },
  { name: 'request-hooks', script: 'serving/request-hooks-cost.ts', about: "CPU per /select, /reward and read through the app, this tree vs BEFORE's src/ in the same process, alternated (issue 26)",
    settings: 'BEFORE=HEAD~1, BLOCKS, BLOCK', smoke: { env: { BLOCKS: '2', BLOCK: '5', BEFORE: 'none' } } },
  { name: 'condition', script: 'serving/condition-cost.ts', about: 'targeting condition evaluation per request and compile (issue 21)', settings: 'args: [iterations=2000000]',
    smoke: { args: ['10000'] } },
  { name: 'contextual', script: 'serving/contextual-cost.ts', about: `linear policy at 16 dimensions vs Thompson: /select CPU, reward usec_per_call (issue 23); ${REDIS_NOTE}`,
    settings: 'N, REPS, BATCH, REDIS_PORT', smoke: { env: { N: '50', REPS: '1' } } },
  { name: 'change-detection', script: 'serving/change-detection-cost.ts', about: `reward step with changeDetection vs without, every store (issue 24); ${REDIS_NOTE}`,
    settings: 'N, REPS, WARM, REDIS_PORT', smoke: { env: { N: '50', REPS: '1', WARM: '10' } } },
  { name: 'event-log', script: 'serving/event-log-cost.ts', node: ['--expose-gc'], about: `the event log's Redis time per script call, memory, export (issue 9); ${REDIS_NOTE}`,
    settings: 'CALLS, REPS, FRESH_USERS, EXPORT_EVENTS', smoke: { env: { CALLS: '100', REPS: '1', FRESH_USERS: '100', EXPORT_EVENTS: '100' } } },
  { name: 'signals', script: 'serving/signals-cost.ts', about: `five metrics on /reward vs none: usec_per_call and CPU per request (issue 22); ${REDIS_NOTE}`,
    settings: 'N, REPS, COUNT, BATCH, DECODE, REDIS_PORT', smoke: { env: { N: '50', REPS: '1' } } },
  { name: 'linear-lua', script: 'serving/linear-lua-cost.ts', about: `linear.lua alone at 16 dimensions vs an empty step and vs BEFORE's (issue 23); ${REDIS_NOTE}`,
    settings: 'N, REPS, REDIS_PORT, BEFORE=<commit>', smoke: { env: { N: '50', REPS: '1' } } },
  { name: 'lua-fixed', script: 'serving/lua-fixed-cost.ts', about: `per-EVALSHA cost of reward.lua's libraries' top level vs an empty script (issues 22, 25); ${REDIS_NOTE}`,
    settings: 'N, REPS, REDIS_PORT', smoke: { env: { N: '200', REPS: '1' } } },
  { name: 'hurdle', script: 'serving/hurdle-cost.ts', about: 'P(best) by simulation (hurdle-lognormal) vs quadrature, CPU per call', smoke: {} },
  { name: 'metrics-observe', script: 'serving/metrics-observe.ts', about: 'ns per histogram and store-call observation of /metrics', smoke: {} },
  { name: 'log-load', script: 'serving/log-load.ts', heavy: true, about: '/select latency while the log is exported, paged and evaluated (issue 19 item 1)',
    settings: 'STORE_KIND=memory|sqlite|redis, LOG_EVENTS, SECONDS, REDIS_URL', smoke: { env: { LOG_EVENTS: '2000', SECONDS: '1' } } },
  { name: 'slow-connections', script: 'serving/slow-connections.ts', about: 'callers served within 1 s under 1,100 trickling connections (issue 19 item 2)',
    settings: 'SLOW, CALLERS, WATCH_S', smoke: { env: { SLOW: '20', CALLERS: '3', WATCH_S: '3' } } },
];

if (import.meta.url === `file://${process.argv[1]}`) main('serving', PARTS);
