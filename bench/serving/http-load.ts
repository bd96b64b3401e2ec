/**
 * The load generator of bench/serving/http.ts, in its own process: autocannon's programmatic API (one
 * thread, no workers), a warm-up run then a measured run, per-request bodies from `setupRequest`.
 * Started by bench/serving/http.ts with the spec in BENCH_LOAD (JSON); prints one JSON line, a
 * `LoadResult` of raw sums so that bench/serving/http.ts can add several runs up.
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
import { rewardBodies, selectBodies, type RewardSpec } from './http-bodies.js';

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
  reward?: RewardSpec;
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

/** User and system CPU seconds of a process (all threads). */
function procSeconds(pid: number): { user: number; system: number } {
  // After the ") " closing the command name: state is field 3, utime 14, stime 15 (all threads).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS, system: Number(fields[12]) / TICKS };
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
      // `<name>` is user + system; `<name>.user` and `<name>.system` each (not counted again in the cores' sums).
      ...Object.fromEntries(Object.entries(spec.pids).flatMap(([name, pid]) => {
        const { user, system } = procSeconds(pid);
        return [[name, user + system], [`${name}.user`, user], [`${name}.system`, system]];
      })),
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

const bodies = spec.path === '/select' ? selectBodies(spec.experimentId, spec.users) : rewardBodies(spec.experimentId, spec.reward!);
const nextBody = bodies.next;

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
  const { freshSent: freshBefore, duplicatesSent: dupBefore } = bodies.counts();
  const histogram = new Map<number, number>();
  const statsBefore = redis ? await commandStats() : null;
  const before = sampleCpu();
  const res = await run(spec.durationSeconds, histogram);
  const after = sampleCpu();
  const statsAfter = redis ? await commandStats() : null;
  const sent = bodies.counts();
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
    ...(spec.reward && { reward: { ...sent, freshSent: sent.freshSent - freshBefore, duplicatesSent: sent.duplicatesSent - dupBefore } }),
  };
}
const output: LoadOutput = { ...(result && { result }), freshSentAll: bodies.counts().freshSent };
redis?.disconnect();
process.stdout.write(`${JSON.stringify(output)}\n`);
