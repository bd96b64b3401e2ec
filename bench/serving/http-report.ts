/**
 * The report of bench/serving/http.ts: per target, the server's CPU per request and its ratio to the bare
 * route of the same path round by round (median and range), Redis's time per script call, the
 * targets of issue 14, and for information rates, latency percentiles and where the cores went.
 */
import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import type { LoadResult } from './http-load.js';
import { ROOT, type Server } from './http-processes.js';
import { summarise } from './http-summary.js';

export interface Target {
  label: string;
  store: 'memory' | 'sqlite' | 'redis' | null;
  path: '/select' | '/reward';
  server: Server;
  pids: Record<string, number>;
  runs: LoadResult[];
  /** Fresh /reward ids sent by all of this target's load processes, warm-ups included. */
  freshSentAll: number;
  /** The bare route of the same path (null for a bare route itself). */
  bare: Target | null;
  /** Where INFO commandstats are read over each measured run (Redis targets). */
  redisUrl?: string;
}

/** Issue 25's targets: CPU per request as a ratio to the bare route; Redis µs per script call. */
const CPU_RATIO_TARGETS: Record<string, number> = {
  '/select memory': 2.0, '/reward memory': 2.0, '/select sqlite': 2.3, '/reward sqlite': 2.3, '/select redis': 2.3, '/reward redis': 2.3,
};
const SCRIPT_US_TARGETS: Record<string, number> = { '/select redis': 20, '/reward redis': 35 };
const SCRIPT_OF: Record<Target['path'], string> = { '/select': 'assign.lua', '/reward': 'reward.lua' };
/** Machine CPU not used by the measured processes above this (cores) means something else ran. */
const OTHERS_WARNING = 0.1;

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** "median (min-max)" of per-round values. */
const spread = (xs: number[], f: (x: number) => string): string => `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;

const cpuPerRequest = (r: LoadResult, process = 'server'): number => (1e6 * (r.cpuSeconds[process] ?? NaN)) / r.requests;
/** Redis's µs per script call (EVALSHA and EVAL) in one run, and script calls per answer. */
function scriptCalls(r: LoadResult): { usPerCall: number; perRequest: number } {
  const c = r.redisCommands ?? {};
  const calls = (c.evalsha?.calls ?? 0) + (c.eval?.calls ?? 0);
  return { usPerCall: ((c.evalsha?.usec ?? 0) + (c.eval?.usec ?? 0)) / calls, perRequest: calls / r.requests };
}
/** One run's p99 (ms, nearest rank over 10 µs buckets). */
const p99 = (r: LoadResult): number => summarise([r]).p99;

export interface ReportInput {
  targets: Target[];
  checks: string[];
  started: Date;
  command: string;
  settings: string;
  logDir: string;
  rate?: number;
  redisUrl: string;
}

export function report({ targets, checks, started, command, settings, logDir, rate, redisUrl }: ReportInput): void {
  const git = (...args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  // A run from an exported snapshot of a commit (not a git checkout) names its commit in BENCH_COMMIT.
  const dirty = process.env.BENCH_COMMIT ? '' : git('status', '--porcelain');
  const ratios = (t: Target): number[] => t.runs.map((r, i) => cpuPerRequest(r) / cpuPerRequest(t.bare!.runs[i]));

  console.log('\n## Serving cost (bench:serving -- http)\n');
  console.log(`Started ${started.toISOString()}; commit ${process.env.BENCH_COMMIT ?? git('rev-parse', '--short', 'HEAD')}`
    + `${dirty ? `, with uncommitted changes:\n${dirty.split('\n').map((l) => `    ${l}`).join('\n')}` : ' (clean tree)'}`);
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`);
  console.log(`Command: ${command}`);
  console.log(`${settings}; Redis: ${redisUrl === 'private' ? 'a private redis-server started by the bench' : redisUrl}\n`);

  console.log('Server CPU per request (utime+stime of the server process over each measured round) and Redis per script call; median of the rounds (min-max):\n');
  console.log('| target | server CPU µs/req | ratio to bare (per round) | target | Redis µs per script call | script calls/req | Redis process CPU µs/req | errors / timeouts / non-2xx |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const t of targets) {
    const s = summarise(t.runs);
    const scripts = t.redisUrl ? t.runs.map(scriptCalls) : [];
    console.log(`| ${t.label} | ${spread(t.runs.map((r) => cpuPerRequest(r)), f1)} | ${t.bare ? spread(ratios(t), f2) : ''} `
      + `| ${CPU_RATIO_TARGETS[t.label] ?? ''} | ${scripts.length ? `${spread(scripts.map((x) => x.usPerCall), f1)} (${median(scripts.map((x) => x.perRequest)) > 1.05 ? `${SCRIPT_OF[t.path]} and the rate limiter's, mixed` : SCRIPT_OF[t.path]})` : ''} `
      + `| ${scripts.length ? f2(median(scripts.map((x) => x.perRequest))) : ''} | ${t.pids.redis ? spread(t.runs.map((r) => cpuPerRequest(r, 'redis')), f1) : ''} `
      + `| ${s.errors} / ${s.timeouts} / ${s.non2xx} |`);
  }

  console.log('\nEach store against bare, one line per route (as issue 25\'s table): server CPU per request as a ratio to the bare route of the same round, median (range of the rounds); its user and system time each against bare\'s:\n');
  for (const t of targets) {
    const bare = t.bare;
    if (!bare) continue;
    const part = (k: string): string => f2(median(t.runs.map((r, i) => cpuPerRequest(r, k) / cpuPerRequest(bare.runs[i], k))));
    console.log(`  ${t.label.padEnd(28)} ${spread(ratios(t), f2)}x bare; user ${part('server.user')}x, system ${part('server.system')}x; `
      + `${f1(median(t.runs.map((r) => cpuPerRequest(r))))} µs against ${f1(median(bare.runs.map((r) => cpuPerRequest(r))))} µs per request`);
  }

  console.log('\nFor information (the machine is shared; these depend on the generator and on other work): all rounds together, p99 ratio per round to the bare route\'s p99 in the same round:\n');
  console.log('| target | req/s | p50 ms | p99 ms | p99.9 ms | p99 ratio to bare (per round) | mean answer bytes | cores: generator / server / redis / others / machine busy / steal |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--|');
  for (const t of targets) {
    const s = summarise(t.runs);
    const c = s.cores;
    const p99Ratio = t.bare ? spread(t.runs.map((r, i) => p99(r) / p99(t.bare!.runs[i])), f2) : '';
    console.log(`| ${t.label} | ${Math.round(s.rps)} | ${f2(s.p50)} | ${f2(s.p99)} | ${f2(s.p999)} | ${p99Ratio} | ${Math.round(s.meanBytes)} `
      + `| ${[c.generator, c.server, c.redis, c.others, c.machineBusy, c.machineSteal].map((x) => (x === undefined ? '-' : f2(x))).join(' / ')} |`);
  }

  for (const t of targets.filter((x) => x.redisUrl)) {
    const calls = new Map<string, { calls: number; usec: number }>();
    let requests = 0;
    for (const r of t.runs) {
      requests += r.requests;
      for (const [name, d] of Object.entries(r.redisCommands ?? {})) {
        const a = calls.get(name) ?? { calls: 0, usec: 0 };
        calls.set(name, { calls: a.calls + d.calls, usec: a.usec + d.usec });
      }
    }
    const rows = [...calls].filter(([, d]) => d.calls >= requests / 1000).sort((a, b) => b[1].usec - a[1].usec);
    console.log(`\nRedis commandstats during ${t.label}, all rounds (commands inside scripts are counted in the script's time too): `
      + rows.map(([n, d]) => `${n} ${f2(d.calls / requests)}/req ${f1(d.usec / d.calls)} µs`).join(', '));
  }

  console.log(`\nTargets (issue 25: CPU per request as a ratio to the bare route, median of the rounds; Redis µs per script call; zero errors, timeouts and non-2xx)${rate ? ' (RATE mode: not judged)' : ''}:`);
  for (const t of targets.filter((x) => CPU_RATIO_TARGETS[x.label] !== undefined)) {
    const s = summarise(t.runs);
    const ratio = median(ratios(t));
    const clean = s.errors === 0 && s.timeouts === 0 && s.non2xx === 0;
    // With the rate limiter on, its own script is a second EVALSHA per request and commandstats cannot
    // tell the two apart: the average is then no figure for the service's script (SERVER_ENV=RATE_LIMIT=0 is).
    const mixed = t.redisUrl !== undefined && median(t.runs.map((r) => scriptCalls(r).perRequest)) > 1.05;
    const scriptUs = t.redisUrl && !mixed ? median(t.runs.map((r) => scriptCalls(r).usPerCall)) : undefined;
    const scriptTarget = SCRIPT_US_TARGETS[t.label];
    const missed = [ratio <= CPU_RATIO_TARGETS[t.label] ? null : 'CPU ratio', clean ? null : 'errors',
      scriptTarget === undefined || (scriptUs !== undefined && scriptUs <= scriptTarget) ? null : 'Redis µs per call'].filter(Boolean);
    console.log(`  ${missed.length ? `MISSED (${missed.join(', ')})` : 'MET'} ${t.label}: CPU ratio ${f2(ratio)} (target ${CPU_RATIO_TARGETS[t.label]})`
      + `${scriptTarget !== undefined ? `, ${SCRIPT_OF[t.path]} ${scriptUs !== undefined ? f1(scriptUs) : mixed ? 'not measured alone (the rate limiter\'s script is mixed in: run with SERVER_ENV=RATE_LIMIT=0)' : 'not measured'} µs per call (target ${scriptTarget})` : ''}`
      + `, ${clean ? 'no errors' : `errors ${s.errors}, timeouts ${s.timeouts}, non-2xx ${s.non2xx}`}`);
  }

  console.log('\nChecks:');
  for (const c of checks) console.log(`  ${c}`);
  console.log(`  status codes: ${targets.map((t) => `${t.label} ${JSON.stringify(summarise(t.runs).statusCodes)}`).join(', ')}`);
  const busy = targets.filter((t) => summarise(t.runs).cores.others > OTHERS_WARNING);
  console.log(busy.length
    ? `  other processes used more than ${OTHERS_WARNING} cores during ${busy.map((t) => t.label).join(', ')} (the shared machine): rates and latencies are disturbed; CPU per request much less so`
    : `  other processes used under ${OTHERS_WARNING} cores during every target`);
  console.log(`\nServer logs: ${logDir}`);
}
