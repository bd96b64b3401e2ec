/**
 * The load generator of bench/http.ts, in its own process: autocannon's programmatic API (one
 * thread, no workers), a warm-up run then a measured run, per-request bodies from `setupRequest`.
 * Started by bench/http.ts with the spec in BENCH_LOAD (JSON); prints one JSON line, a
 * `LoadResult` of raw sums so that bench/http.ts can add several runs up.
 *
 * Latencies are recorded here from autocannon's 'response' events (float milliseconds, into
 * 10-microsecond buckets): autocannon's own histogram keeps whole milliseconds, too coarse for a
 * p50 of about 1 ms. CPU over the measured run: this process (process.cpuUsage), the server and
 * Redis (/proc/<pid>/stat), the whole machine (/proc/stat, with steal); with `redisUrl`, Redis's own
 * count of calls and µs per command (INFO commandstats, before and after the measured run).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { DecisionSigner } from '../src/assignment/decision-token.js';
import type { Population } from '../src/contract/population.js';

export interface LoadSpec {
  url: string;
  path: '/select' | '/reward';
  experimentId: string;
  connections: number;
  warmupSeconds: number;
  /** 0: warm-up only. */
  durationSeconds: number;
  /** Processes whose CPU is sampled over the measured run, by name. */
  pids: Record<string, number>;
  /** Requests a second over all connections; absent: as fast as the server answers (closed loop). */
  rate?: number;
  /** A Redis whose INFO commandstats are read before and after the measured run (every command's calls and µs). */
  redisUrl?: string;
  /** /select users are drawn uniformly from u-1 .. u-<users>. */
  users: number;
  /** For /reward bodies: tokens minted with the service's own signer and the server's DECISION_SECRET. */
  reward?: {
    secret: string;
    armIds: string[];
    baselineArmId: string;
    holdbackShare: number;
    duplicateShare: number;
    /** Fresh decision ids minted before the runs; a run that needs more reuses them (reported as wrapped). */
    ids: number;
  };
}

export interface LoadResult {
  /** Answers received in the measured run (any status). */
  requests: number;
  /** Length of the measured run as autocannon timed it. */
  seconds: number;
  /** Latency histogram: [bucket of 10 microseconds, count]. */
  histogram: [number, number][];
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Bytes of the answers (status line, headers and body). */
  bytes: number;
  /** CPU seconds over the measured run: generator, each of `pids`, and the machine (busy, steal). */
  cpuSeconds: Record<string, number>;
  /** Wall seconds over which cpuSeconds were taken. */
  wallSeconds: number;
  /** With `redisUrl`: what Redis counted over the measured run, per command (INFO commandstats deltas). */
  redisCommands?: Record<string, { calls: number; usec: number }>;
  reward?: { freshSent: number; duplicatesSent: number; freshMinted: number; wrapped: boolean };
}

/** What a load process prints: the measured run (absent after a warm-up only) and the fresh /reward ids it sent in all. */
export interface LoadOutput { result?: LoadResult; freshSentAll: number }

const spec = JSON.parse(process.env.BENCH_LOAD ?? '') as LoadSpec;
const TICKS = 100; // USER_HZ: /proc times are in 1/100 s on Linux

function procSeconds(pid: number): number {
  // After the ") " closing the command name: state is field 3, utime 14, stime 15 (all threads).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function machine(): { busy: number; steal: number } {
  const n = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return { busy: (n[0] + n[1] + n[2] + n[5] + n[6]) / TICKS, steal: n[7] / TICKS };
}

function sampleCpu(): { at: bigint; seconds: Record<string, number> } {
  const self = process.cpuUsage();
  const m = machine();
  return {
    at: process.hrtime.bigint(),
    seconds: {
      generator: (self.user + self.system) / 1e6,
      ...Object.fromEntries(Object.entries(spec.pids).map(([name, pid]) => [name, procSeconds(pid)])),
      machineBusy: m.busy,
      machineSteal: m.steal,
    },
  };
}

const redis = spec.redisUrl ? new Redis(spec.redisUrl) : null;

/** INFO commandstats: calls and µs per command name (cmdstat_evalsha, cmdstat_hget, ...). */
async function commandStats(): Promise<Record<string, { calls: number; usec: number }>> {
  const text = await redis!.info('commandstats');
  return Object.fromEntries([...text.matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g)].map((m) => [m[1], { calls: Number(m[2]), usec: Number(m[3]) }]));
}

// --- request bodies -------------------------------------------------------------------------

const selectBodies = Array.from({ length: spec.users }, (_, i) => JSON.stringify({ experimentId: spec.experimentId, userId: `u-${i + 1}` }));
const selectBody = (): string => selectBodies[Math.floor(Math.random() * selectBodies.length)];

interface Minted { token: string; armIndex: number }
const minted: Minted[] = [];
let freshSent = 0;
let duplicatesSent = 0;
let wrapped = false;

if (spec.reward) {
  const r = spec.reward;
  const signer = new DecisionSigner(r.secret);
  const t = Math.floor(Date.now() / 1000);
  const baseline = r.armIds.indexOf(r.baselineArmId);
  for (let i = 0; i < r.ids; i++) {
    // As /select issues them: the holdback share on the baseline, the rest spread over the arms.
    const holdback = Math.random() < r.holdbackShare;
    const armIndex = holdback ? baseline : Math.floor(Math.random() * r.armIds.length);
    const p: Population = holdback ? 'h' : 'b';
    minted.push({ token: signer.sign({ e: spec.experimentId, a: r.armIds[armIndex], p, t, q: holdback ? 1 : 1 / r.armIds.length }), armIndex });
  }
}

/** Fresh ids in order; `duplicateShare` of the requests repeat an id already sent. */
function rewardBody(): string {
  const r = spec.reward!;
  let m: Minted;
  if (freshSent > 0 && Math.random() < r.duplicateShare) {
    // One of the last 10,000 ids sent (most already answered, some still in flight).
    m = minted[(freshSent - 1 - Math.floor(Math.random() * Math.min(freshSent, 10_000))) % minted.length];
    duplicatesSent++;
  } else {
    if (freshSent >= minted.length) wrapped = true;
    m = minted[freshSent % minted.length];
    freshSent++;
  }
  // Arm i pays with probability 0.1 + 0.02 i; latency and cost feed the guardrail windows.
  const reward = Math.random() < 0.1 + 0.02 * m.armIndex ? 1 : 0;
  const latencyMs = 100 + Math.floor(Math.random() * 1400);
  const cost = (1 + Math.floor(Math.random() * 40)) / 10_000;
  return `{"decisionId":"${m.token}","reward":${reward},"latencyMs":${latencyMs},"cost":${cost}}`;
}

const nextBody = spec.path === '/select' ? selectBody : rewardBody;

// --- runs -------------------------------------------------------------------------------------

function run(seconds: number, histogram: Map<number, number> | null): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: spec.url,
      connections: spec.connections,
      pipelining: 1,
      duration: seconds,
      ...(spec.rate && { overallRate: spec.rate }),
      requests: [{
        method: 'POST',
        path: spec.path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: nextBody() }),
      }],
    }, (err, result) => (err ? reject(err) : resolve(result)));
    if (histogram) {
      instance.on('response', (_client, _status, _bytes, ms) => {
        const bucket = Math.round(ms * 100);
        histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
      });
    }
  });
}

if (spec.warmupSeconds > 0) await run(spec.warmupSeconds, null);
let result: LoadResult | undefined;
if (spec.durationSeconds > 0) {
  const freshBefore = freshSent;
  const dupBefore = duplicatesSent;
  const histogram = new Map<number, number>();
  const statsBefore = redis ? await commandStats() : null;
  const before = sampleCpu();
  const res = await run(spec.durationSeconds, histogram);
  const after = sampleCpu();
  const statsAfter = redis ? await commandStats() : null;
  const statusCodes = Object.fromEntries(Object.entries(res.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count]));
  result = {
    requests: Object.values(statusCodes).reduce((a, b) => a + b, 0),
    seconds: res.duration,
    histogram: [...histogram],
    errors: res.errors,
    timeouts: res.timeouts,
    non2xx: res.non2xx,
    statusCodes,
    bytes: res.throughput.total,
    cpuSeconds: Object.fromEntries(Object.keys(after.seconds).map((k) => [k, after.seconds[k] - before.seconds[k]])),
    wallSeconds: Number(after.at - before.at) / 1e9,
    ...(statsAfter && {
      redisCommands: Object.fromEntries(Object.entries(statsAfter).map(([name, a]) => {
        const b = statsBefore![name] ?? { calls: 0, usec: 0 };
        return [name, { calls: a.calls - b.calls, usec: a.usec - b.usec }];
      }).filter(([, d]) => (d as { calls: number }).calls > 0)),
    }),
    ...(spec.reward && { reward: { freshSent: freshSent - freshBefore, duplicatesSent: duplicatesSent - dupBefore, freshMinted: minted.length, wrapped } }),
  };
}
const output: LoadOutput = { ...(result && { result }), freshSentAll: freshSent };
redis?.disconnect();
process.stdout.write(`${JSON.stringify(output)}\n`);
