/**
 * Issue 23, linear.lua's own cost: the store's linear.lua (the library reward.lua prepends) called
 * once per EVALSHA with the spec linear-sums.ts builds for a 16-dimension x (8 nonzero entries, as
 * bench/serving/contextual-cost.ts sends), against the same script with an empty recordLinear and against
 * the linear.lua of BEFORE (default abf57d2: "i:x" words parsed with gmatch and tonumber), over 5 arms.
 * Per variant and round: N calls (pipelined 50 at a time), Redis's usec_per_call (INFO
 * commandstats) and the redis-server process's CPU per call (/proc/<pid>/stat, 10 ms ticks: less
 * sensitive than usec_per_call to a shared machine's preemption). REPS rounds alternating; medians.
 * A private redis-server (REDIS_PORT, default 6396).
 *
 *   flock /tmp/heavy.lock npx tsx bench/serving/linear-lua-cost.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { readLua } from '../../src/store/redis-store.js';
import { linearSpec } from '../../src/store/linear-sums.js';

const N = Number(process.env.N ?? 10000);
const REPS = Number(process.env.REPS ?? 5);
const PORT = Number(process.env.REDIS_PORT ?? 6396);
const x = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5 / 13, 10 / 17, 3 / 7, 3 / 5, 3 / 11, 1 / 3];
const TAIL = "\nif ARGV[3] == '1' then recordLinear(ARGV[1], KEYS[1], ARGV[2], tonumber(ARGV[4])) end\nreturn 1";
/** Today's recordLinear takes the decoded spec (reward.lua decodes it once for the sums and, after a restart, the sums before it). */
const TAIL_DECODED = "\nif ARGV[3] == '1' then recordLinear(cjson.decode(ARGV[1]), KEYS[1], ARGV[2], tonumber(ARGV[4])) end\nreturn 1";
const BEFORE = process.env.BEFORE ?? 'abf57d2';
const VARIANTS = {
  'linear.lua': readLua('linear') + TAIL_DECODED,
  [`linear.lua@${BEFORE}`]: execFileSync('git', ['show', `${BEFORE}:src/store/lua/linear.lua`], { encoding: 'utf8' }) + TAIL,
  empty: 'local function recordLinear() end' + TAIL,
};
/** The spec each variant reads: today's from linear-sums.ts; BEFORE's "<d> <i>:<x_i> ...". */
const specOf = (name: string, reward: number): string => (name === 'linear.lua' || name === 'empty'
  ? JSON.stringify(linearSpec({ linear: { x }, population: 'b', reward }))
  : [String(x.length), ...x.flatMap((v, i) => (v !== 0 ? [`${i}:${v}`] : []))].join(' '));

const server = spawn('redis-server', ['--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const client = new Redis(`redis://127.0.0.1:${PORT}`);
const ticks = (): number => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in 1/100 s
};
const stat = async (): Promise<{ calls: number; usec: number }> => {
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await client.info('commandstats'));
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
};

/** The sums each variant left (the same additions in the same order: the same bytes, or the run fails). */
const bytes = new Set<string>();
async function round(name: string): Promise<{ usec: number; cpu: number }> {
  const sha = (await client.script('LOAD', VARIANTS[name])) as string;
  await client.del('L');
  await client.config('RESETSTAT');
  const s0 = await stat();
  const k0 = ticks();
  for (let i = 0; i < N; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => {
      const reward = (i + j) % 3 === 0 ? 1 : 0;
      return client.evalsha(sha, 1, 'L', specOf(name, reward), `arm-${(i + j) % 5}`, '1', String(reward));
    }));
  }
  const cpu = ((ticks() - k0) * 10_000) / N;
  const s1 = await stat();
  const sums = await client.hgetallBuffer('L');
  if (name !== 'empty') bytes.add(Buffer.concat(Object.keys(sums).sort().map((k) => sums[k])).toString('base64'));
  return { usec: (s1.usec - s0.usec) / (s1.calls - s0.calls), cpu };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const names = Object.keys(VARIANTS);
for (const n of names) await round(n); // warm-up
const out = Object.fromEntries(names.map((n) => [n, { usec: [] as number[], cpu: [] as number[] }]));
for (let r = 0; r < REPS; r++) for (const n of names) { const v = await round(n); out[n].usec.push(v.usec); out[n].cpu.push(v.cpu); }
const at = (n: string, k: 'usec' | 'cpu'): number => +median(out[n][k]).toFixed(2);
if (bytes.size !== 1) throw new Error(`the variants left ${bytes.size} different sums`);
console.log(JSON.stringify({
  n: N, reps: REPS, dims: x.length, nonzero: x.filter((v) => v !== 0).length, loadAverage1m: +loadavg()[0].toFixed(2),
  ...Object.fromEntries(names.map((n) => [n, { usecPerCall: at(n, 'usec'), serverCpuMicrosPerCall: at(n, 'cpu') }])),
  linearLuaUsec: +(at('linear.lua', 'usec') - at('empty', 'usec')).toFixed(2),
  linearLuaServerCpuMicros: +(at('linear.lua', 'cpu') - at('empty', 'cpu')).toFixed(2),
  beforeUsec: +(at(`linear.lua@${BEFORE}`, 'usec') - at('empty', 'usec')).toFixed(2),
  beforeServerCpuMicros: +(at(`linear.lua@${BEFORE}`, 'cpu') - at('empty', 'cpu')).toFixed(2),
}));
await client.quit();
server.kill();
